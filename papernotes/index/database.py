"""`.index.sqlite`: every note's record, its file's stamp, and SQLite's FTS5 full-text index.

One SQLite file (the standard library's `sqlite3`), so a sync is one transaction: the
records and the full-text index always agree, and a killed process leaves the file as it
was. Tables:

- `notes`: a row per note file: its name, mtime and size; the columns that listing and
  filters read (`id`, `kind`, dates, `year`, title and first author with TeX read, tags
  one a line, folded tags and categories as JSON lists, the `host` of its link); `error`
  for a file that could not be
  read; `shown` is 1 for the one file that stands for its paper (others are broken or
  duplicates).
- `records`: the note's data as JSON (`show --json`'s keys), apart so that listing
  never reads it.
- `fulltext`: FTS5, a document per row of `notes` (same rowid), a column per searched
  field; it holds the stemmed tokens of `text.terms`, not the notes' text.
- `words`: folded word -> stem, for the words whose stem differs: a prefix query finds
  `generaliz*` through the stem `general` as well as through the stems starting with it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from papernotes.errors import PapernotesError
from papernotes.fields import FIELDS

DATABASE_NAME = ".index.sqlite"
SCHEMA = 3  # kept in PRAGMA user_version; another value means: build anew

_TABLES = f"""
CREATE TABLE notes (
    rowid INTEGER PRIMARY KEY,
    file TEXT NOT NULL UNIQUE,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    id TEXT,
    own_name INTEGER NOT NULL DEFAULT 0,
    shown INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    published TEXT,
    added TEXT,
    year INTEGER,
    title TEXT,
    first_author TEXT,
    more_authors INTEGER,
    tag_lines TEXT,
    folded_tags TEXT,
    categories TEXT,
    pending INTEGER,
    kind TEXT,
    host TEXT
);
CREATE TABLE records (rowid INTEGER PRIMARY KEY, record BLOB NOT NULL);
CREATE INDEX notes_by_id ON notes (id);
CREATE INDEX notes_unshown ON notes (file) WHERE NOT shown;
CREATE VIRTUAL TABLE fulltext USING fts5(
    {", ".join(FIELDS)}, tokenize = "unicode61 remove_diacritics 0 tokenchars '~_'"
);
CREATE TABLE words (word TEXT PRIMARY KEY, stem TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
"""

_COLUMNS = (
    "file, mtime_ns, size, id, own_name, error, published, added, year, title, first_author, "
    "more_authors, tag_lines, folded_tags, categories, pending, kind, host"
)


# Our own tables and indexes; FTS5's shadow tables (`fulltext_data`, ...) are left out, as
# their layout is SQLite's and may differ from one SQLite release to the next.
_LAYOUT = (
    "SELECT type, name, tbl_name, sql FROM sqlite_master "
    "WHERE tbl_name NOT LIKE 'fulltext!_%' ESCAPE '!'"
)


@cache
def _layout() -> set[tuple[str, str, str, str | None]]:
    """What `sqlite_master` holds of our tables in an index this version made."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(_TABLES)
        return set(connection.execute(_LAYOUT))
    finally:
        connection.close()


class DatabaseDamaged(Exception):
    """The file is not an index this version wrote: damaged, or from another version."""


class Row(NamedTuple):
    """What the sync writes for one note file (`values` in the order of `_COLUMNS`); a
    named tuple, as workers send thousands back (a third of the cost of a dataclass)."""

    values: tuple[Any, ...]
    record: bytes | None  # the note's data as JSON; None for a broken file
    texts: tuple[str, ...] | None  # the FTS5 columns


def check_fts5() -> None:
    """Fail with one line when this Python's SQLite was built without FTS5."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE VIRTUAL TABLE probe USING fts5(text)")
    except sqlite3.OperationalError:
        raise PapernotesError(
            f"this Python's SQLite ({sqlite3.sqlite_version}) has no FTS5 full-text search; "
            "install a Python whose sqlite3 module includes it"
        ) from None
    finally:
        connection.close()


class Database:
    """An open `.index.sqlite`."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def open(cls, path: Path) -> Database:
        """Open an existing index; raises DatabaseDamaged when it is not usable."""
        if not path.is_file():
            raise DatabaseDamaged("missing")
        try:
            connection = _connect(path)
        except sqlite3.Error as err:
            raise DatabaseDamaged(str(err)) from None
        try:
            (version,) = connection.execute("PRAGMA user_version").fetchone()
            if version != SCHEMA:
                raise DatabaseDamaged(f"made by another version of papernotes ({version})")
            # The very tables this version makes, so a file of the same user_version but
            # another layout is built anew rather than failing a command later.
            if set(connection.execute(_LAYOUT)) != _layout():
                raise DatabaseDamaged("its tables are not the ones this version makes")
        except sqlite3.DatabaseError as err:
            connection.close()
            raise DatabaseDamaged(str(err)) from None
        except DatabaseDamaged:
            connection.close()
            raise
        return cls(connection)

    @classmethod
    def create(cls, path: Path) -> Database:
        """A new, empty index at `path`, replacing whatever was there."""
        check_fts5()
        for suffix in ("", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return cls._with_tables(_connect(path))

    @classmethod
    def in_memory(cls) -> Database:
        """An empty index that is never written (a folder without notes)."""
        check_fts5()
        return cls._with_tables(_connect(":memory:"))

    @classmethod
    def _with_tables(cls, connection: sqlite3.Connection) -> Database:
        connection.executescript(f"BEGIN; {_TABLES} PRAGMA user_version = {SCHEMA}; COMMIT;")
        return cls(connection)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def stamps(self) -> dict[str, tuple[int, int]]:
        """file name -> (mtime_ns, size) as indexed."""
        rows = self.connection.execute("SELECT file, mtime_ns, size FROM notes")
        return {file: (mtime, size) for file, mtime, size in rows}

    def meta(self, key: str) -> Any:
        """A value kept beside the notes (None when unset)."""
        found = self.connection.execute("SELECT value FROM meta WHERE key = ?", (key,))
        row = found.fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: Any) -> None:
        """Keep `value` under `key`."""
        self.connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def remove(self, files: Iterable[str]) -> list[str]:
        """Drop the rows of these files; the ids they held."""
        ids = []
        for file in files:
            found = self.connection.execute(
                "DELETE FROM notes WHERE file = ? RETURNING rowid, id", (file,)
            ).fetchone()
            if found is not None:
                self.connection.execute("DELETE FROM fulltext WHERE rowid = ?", (found[0],))
                self.connection.execute("DELETE FROM records WHERE rowid = ?", (found[0],))
                ids.append(found[1])
        return [i for i in ids if i is not None]

    def put(self, rows: Sequence[Row]) -> None:
        """Insert the rows of note files not indexed yet (a batch in one go)."""
        (last,) = self.connection.execute("SELECT coalesce(max(rowid), 0) FROM notes").fetchone()
        numbered = list(enumerate(rows, last + 1))
        marks = ", ".join("?" * (len(_COLUMNS.split(",")) + 1))
        self.connection.executemany(
            f"INSERT INTO notes (rowid, {_COLUMNS}) VALUES ({marks})",
            ((rowid, *row.values) for rowid, row in numbered),
        )
        readable = [(rowid, row) for rowid, row in numbered if row.record is not None]
        self.connection.executemany(
            "INSERT INTO records VALUES (?, ?)", ((rowid, row.record) for rowid, row in readable)
        )
        self.connection.executemany(
            f"INSERT INTO fulltext (rowid, {', '.join(FIELDS)}) "
            f"VALUES (?, {', '.join('?' * len(FIELDS))})",
            ((rowid, *(row.texts or ())) for rowid, row in readable),
        )

    def optimize(self) -> None:
        """Merge the full-text index into one segment, as after a first build: a common
        word's search at 100,000 notes then takes a third less."""
        self.connection.execute("INSERT INTO fulltext (fulltext) VALUES ('optimize')")

    def add_words(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Remember the stems of words whose stem differs from the word."""
        self.connection.executemany("INSERT OR IGNORE INTO words VALUES (?, ?)", pairs)

    def choose_shown(self, ids: Iterable[str] | None = None) -> None:
        """For each paper (of `ids`; all with None), show one file: its own name first."""
        pick = (
            "UPDATE notes SET shown = (error IS NULL AND rowid = (SELECT o.rowid FROM notes o "
            "WHERE o.id = notes.id AND o.error IS NULL ORDER BY o.own_name DESC, o.file "
            "LIMIT 1))"
        )
        if ids is None:
            self.connection.execute(pick)
            return
        self.connection.executemany(pick + " WHERE id = ?", ((i,) for i in set(ids)))

    def unshown(self) -> list[tuple[str, str | None, str | None, str | None]]:
        """(file, id, error, file shown instead) of every file not shown, by name."""
        return self.connection.execute(
            "SELECT file, id, error, (SELECT o.file FROM notes o WHERE o.id = notes.id "
            "AND o.shown) FROM notes WHERE NOT shown ORDER BY file"
        ).fetchall()

    def count(self) -> int:
        """How many notes are shown."""
        (total,) = self.connection.execute("SELECT count(*) FROM notes WHERE shown").fetchone()
        return int(total)

    def file_of(self, arxiv_id: str) -> tuple[int, str] | None:
        """The row and file shown for a paper."""
        row = self.connection.execute(
            "SELECT rowid, file FROM notes WHERE id = ? AND shown", (arxiv_id,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def records(self, rowids: Sequence[int]) -> list[bytes]:
        """The JSON records of these rows, in the same order."""
        found: dict[int, bytes] = {}
        for start in range(0, len(rowids), 500):
            part = rowids[start : start + 500]
            query = (
                f"SELECT rowid, record FROM records WHERE rowid IN ({', '.join('?' * len(part))})"
            )
            found.update(self.connection.execute(query, part))
        return [found[r] for r in rowids]

    def shown_records(self) -> Iterator[tuple[int, str, int, int, bytes]]:
        """(rowid, file, mtime_ns, size, record) of every shown note, by rowid."""
        yield from self.connection.execute(
            "SELECT n.rowid, n.file, n.mtime_ns, n.size, r.record FROM notes n "
            "JOIN records r ON r.rowid = n.rowid WHERE n.shown ORDER BY n.rowid"
        )

    def select(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read-only query (the query compilers and listing write them)."""
        return self.connection.execute(sql, params).fetchall()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """`with db.transaction():` — one atomic write, rolled back on any error."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")


def _connect(path: Path | str) -> sqlite3.Connection:
    """A connection that waits for a writer (up to a minute) and commits only when told."""
    connection = sqlite3.connect(path, timeout=60, isolation_level=None)
    connection.execute("PRAGMA cache_size = -65536")  # 64 MB: a first index spills less
    return connection
