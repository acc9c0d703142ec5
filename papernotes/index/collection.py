"""A notes folder with its derived data: what the commands read the collection through."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papernotes.errors import NoteNotFoundError
from papernotes.ids import id_of_stem
from papernotes.index.database import DATABASE_NAME, Database, DatabaseDamaged
from papernotes.index.sync import SyncReport, sync
from papernotes.listing import ET_AL, NO_TITLE, PENDING_TITLE, SortKey
from papernotes.store import NoteStore
from papernotes.text import CELL, fold

if TYPE_CHECKING:
    from papernotes.note import Note
    from papernotes.refs import NoteRef
    from papernotes.search import Query, Result

# `list` and `show` need neither the query language nor JSON: what only searching, or
# reading records, needs is imported there.

# A note's line in `list`: id, year, title (or a placeholder's marker), first author (and
# "et al."), tags, joined by CELL (which the listing columns never hold as it is). SQLite
# composes it: at 100,000 notes, doing it in Python for each note takes a third of a second.
_LINE = f" || '{CELL}' || ".join(
    [
        "n.id",
        "coalesce(n.year, '')",
        f"CASE WHEN n.title != '' THEN n.title WHEN n.pending THEN '{PENDING_TITLE}' "
        f"ELSE '{NO_TITLE}' END",
        f"coalesce(n.first_author || CASE WHEN n.more_authors THEN '{ET_AL}' ELSE '' END, '')",
        "CASE WHEN n.tag_lines != '' THEN '#' || replace(n.tag_lines, char(10), ' #') ELSE '' END",
    ]
)


Entry = tuple[int, str]  # a note as `list` shows it: its row in the index, its cells joined
# by CELL (plain tuples as SQLite gives them: a named one each costs 80 ms at 100,000 notes)


class Collection:
    """The notes of one folder, read through an index brought up to date first."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = NoteStore(root)
        self._database: Database | None = None
        self.report = SyncReport()  # what the last sync did

    def sync(self, *, rebuild: bool = False) -> SyncReport:
        """Bring the indexes up to date with the files (from scratch with `rebuild`)."""
        self.close()
        self._database, self.report = sync(self.store, rebuild=rebuild)
        return self.report

    def close(self) -> None:
        """Close the index (a later use opens it again)."""
        if self._database is not None:
            self._database.close()
            self._database = None

    @property
    def database(self) -> Database:
        """The index, synced on first use."""
        if self._database is None:
            self.sync()
        assert self._database is not None
        return self._database

    def known_ids(self, prefix: str) -> list[str]:
        """The ids starting with `prefix`, for completion, which must answer at once: no
        sync, so from the files' names (notes just added) and from the index as the last
        command left it (notes in renamed files)."""
        stem = prefix.replace("/", "_")
        named = (id_of_stem(n[:-5]) for n in self.store.note_names() if n.startswith(stem))
        found = {i for i in named if i is not None}
        found.update(
            i
            for (i,) in self._last_synced(
                "SELECT id FROM notes WHERE shown AND substr(id, 1, ?) = ?", (len(prefix), prefix)
            )
        )
        return sorted(found)

    def known_tags(self, ids: Iterable[str] = ()) -> dict[str, int]:
        """Every tag (of the notes `ids` only, when given) and how many notes carry it, as
        the index last saw them (see `known_ids`)."""
        wanted = list(ids)
        where = f" AND id IN ({', '.join('?' * len(wanted))})" if wanted else ""
        counts: dict[str, int] = {}
        for (lines,) in self._last_synced(
            f"SELECT tag_lines FROM notes WHERE shown AND tag_lines != ''{where}", wanted
        ):
            for name in lines.split("\n"):
                counts[name] = counts.get(name, 0) + 1
        return counts

    def tags_to_add(self, ids: Iterable[str], prefix: str = "") -> list[str]:
        """The tags starting with `prefix` that not every one of the notes `ids` carries
        (every tag when no id is given), by name, as the index last saw them."""
        named = set(ids)
        on_all = (
            {t for t, n in self.known_tags(named).items() if n == len(named)} if named else set()
        )
        return sorted(t for t in self.known_tags() if t.startswith(prefix) and t not in on_all)

    def _last_synced(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """Rows of a query on the index as it is, built first only when there is none yet
        (a folder just filled by `add`); no rows from a damaged index."""
        if self._database is None and not (self.root / DATABASE_NAME).exists():
            self.sync()
        try:
            if self._database is None:
                self._database = Database.open(self.root / DATABASE_NAME)
            return self._database.select(sql, params)
        except (DatabaseDamaged, sqlite3.DatabaseError):
            return []

    def __len__(self) -> int:
        return self.database.count()

    def path_of(self, arxiv_id: NoteRef) -> Path:
        """The file that holds the note on this paper (even when renamed by hand)."""
        found = self.database.file_of(arxiv_id.base)
        return self.root / found[1] if found else self.store.path_for(arxiv_id)

    def note(self, arxiv_id: NoteRef) -> Note:
        """One note, as the last sync read it from its file (without YAML to parse again)."""
        found = self.database.file_of(arxiv_id.base)
        if found is not None:
            return self.notes([found[0]])[0]
        return self.store.get(arxiv_id)  # not in the index: missing, or its error says why

    def entries(
        self,
        *,
        tags: Iterable[str] = (),
        category: str | None = None,
        years: tuple[int, int] | None = None,
        sort: SortKey = SortKey.ADDED,
        oldest: bool = False,
        pending: bool = False,
        kind: str | None = None,
    ) -> list[Entry]:
        """Notes carrying every tag, in the category and the years, of the `kind` (only
        placeholders with `pending`); newest first."""
        params: list[object] = []
        where = self._filters(tags, category, years, kind, params)
        where += " AND n.pending" if pending else ""
        direction = "" if oldest else " DESC"
        return self.database.select(
            f"SELECT n.rowid, {_LINE} FROM notes n WHERE n.shown{where} "
            f"ORDER BY coalesce(n.{sort.value}, ''){direction}, n.id{direction}",
            params,
        )

    @staticmethod
    def _filters(
        tags: Iterable[str],
        category: str | None,
        years: tuple[int, int] | None,
        kind: str | None,
        params: list[object],
    ) -> str:
        """SQL conditions on the `notes` row `n`, each after " AND "."""
        if not (tags or category or years or kind):
            return ""
        from papernotes.index.query import filter_condition
        from papernotes.search import Filter

        chosen = [Filter("tag", fold(t)) for t in tags]
        if category:
            chosen.append(Filter("cat", category.lower()))
        if years:
            chosen.append(Filter("year", years=years))
        if kind:
            chosen.append(Filter("kind", kind))
        return "".join(f" AND {filter_condition(f, params)}" for f in chosen)

    def records(self, rowids: Sequence[int]) -> list[dict[str, Any]]:
        """The notes' data (`show --json`'s keys) at these rows of the index."""
        import orjson

        return [orjson.loads(r) for r in self.database.records(rowids)]

    def notes(self, rowids: Sequence[int]) -> list[Note]:
        """The notes at these rows of the index."""
        from papernotes.note import Note

        return [Note.from_index(r) for r in self.records(rowids)]

    def search(self, query: Query, limit: int | None) -> tuple[list[Result], int]:
        """The best `limit` notes for `query` (all with None), with snippets, and how many
        matched in all."""
        from papernotes.index.query import run
        from papernotes.search import Result, highlighter, snippet

        hits, total = run(self.database, query, limit)
        wanted = highlighter(query)
        notes = self.notes([h.rowid for h in hits])
        results = [
            Result(note, round(hit.score, 4), *snippet(note, wanted))
            for hit, note in zip(hits, notes, strict=True)
        ]
        return results, total

    def remove(self, arxiv_id: NoteRef) -> Path:
        """Delete the file of the note on this paper; the file removed."""
        path = self.path_of(arxiv_id)
        if not path.exists():
            raise NoteNotFoundError(f"no note for {arxiv_id.base} in {self.root}/")
        self.store.remove(path)
        return path
