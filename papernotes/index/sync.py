"""The one pass that keeps the derived data current, run by every command that reads.

1. list the notes folder (name, mtime and size of each note file);
2. compare that with the stamps `.index.sqlite` holds;
3. read only the files that changed (PyYAML's C safe loader, through `note.load_note`);
4. update the SQLite index (records and full text, one transaction) and write the
   TinyDB index `.index.json` again from it.

A missing, damaged or outdated `.index.sqlite` is built anew, with a notice; so is a
`.index.json` that is not the one last written.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from papernotes.index import tinydb_file
from papernotes.index.database import DATABASE_NAME, Database, DatabaseDamaged, Row
from papernotes.store import NoteStore, Stamp

LISTING_KEY = "listing_digest"  # in the index: a digest of the listing it was synced with
# Below this many files to read, starting worker processes costs more than it saves.
PARALLEL_FROM = 1000
BATCH = 250


@dataclass
class SyncReport:
    """What a sync did, and what the collection holds that cannot be shown."""

    read: int = 0
    dropped: int = 0
    rebuilt: str | None = None  # why the index was built anew, when it was not asked for
    broken: list[str] = field(default_factory=list)  # one line per unreadable file
    duplicates: list[str] = field(default_factory=list)  # one line per file not shown


def sync(store: NoteStore, *, rebuild: bool = False) -> tuple[Database, SyncReport]:
    """The index of `store`'s folder, brought up to date first (from scratch with `rebuild`)."""
    path = store.root / DATABASE_NAME
    files, unnamed = _scan(store)
    if not files and not path.exists():
        return Database.in_memory(), SyncReport(broken=unnamed)  # nothing to index: write nothing
    if not rebuild:
        try:
            database = Database.open(path)
        except DatabaseDamaged:
            pass
        else:
            try:
                if database.meta(LISTING_KEY) == _digest(files) and _tinydb_current(
                    store, database
                ):
                    return database, _report(store, database, SyncReport(broken=unnamed))
            except sqlite3.DatabaseError:  # damaged past its first pages: seen to below
                pass
            database.close()
    with store.lock():  # look again: another process may have synced meanwhile
        return _sync_locked(store, path, rebuild)


def _scan(store: NoteStore) -> tuple[dict[str, Stamp], list[str]]:
    """The note files the index can hold, and a line on each it cannot: a name that is
    not UTF-8 (SQLite and JSON hold text only) would fail every command."""
    files = store.scan()
    try:
        "".join(files).encode()  # one check of all names: each alone only when one fails
    except UnicodeEncodeError:
        unnamed = [name for name in files if not _is_utf8(name)]
        for name in unnamed:
            del files[name]
        shown = (
            n.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            for n in unnamed
        )
        return files, [
            f"{store.root / n}: the file name is not UTF-8 text: rename it" for n in shown
        ]
    return files, []


def _is_utf8(name: str) -> bool:
    try:
        name.encode()
    except UnicodeEncodeError:
        return False
    return True


def _digest(files: dict[str, Stamp]) -> str:
    """A digest of the folder's listing: reading 100,000 stamps from the index to compare
    them one by one takes a quarter of a second, this a hundredth."""
    # Format 2, the last without references: from 3 on marshal marks the objects other
    # references hold, so the same listing made two digests and every command took the
    # lock and wrote the index.
    return hashlib.blake2b(marshal.dumps(files, 2), digest_size=16).hexdigest()


def _sync_locked(store: NoteStore, path: Path, rebuild: bool) -> tuple[Database, SyncReport]:
    files, unnamed = _scan(store)
    report = SyncReport(broken=unnamed)
    database: Database | None = None
    known: dict[str, Stamp] = {}
    if not rebuild:
        try:
            database, known = _opened(path)
        except DatabaseDamaged as damage:
            if path.exists():
                report.rebuilt = f"{path} could not be used ({damage}); built anew"
    fresh = database is None
    if database is None:
        store.ensure_gitignore()
        database = Database.create(path)
    changed = sorted(name for name, stamp in files.items() if known.get(name) != stamp)
    gone = [name for name in known if known[name] != files.get(name)]
    if changed or gone:
        with database.transaction():
            ids = database.remove(gone)
            for rows, vocabulary in _read(store.root, [(n, files[n]) for n in changed]):
                database.put(rows)
                database.add_words(vocabulary.items())
                ids.extend(row.values[3] for row in rows)
            database.choose_shown(None if fresh else [i for i in ids if i is not None])
            if fresh:
                database.optimize()
            database.set_meta(tinydb_file.STAMP_KEY, None)
        report.read, report.dropped = len(changed), len(set(gone) - set(changed))
    digest = _digest(files)
    if database.meta(LISTING_KEY) != digest:  # another process may have synced meanwhile
        database.set_meta(LISTING_KEY, digest)
    if not _tinydb_current(store, database):
        if database.meta(tinydb_file.STAMP_KEY) and tinydb_file.stamp(store.root) != "missing":
            report.rebuilt = f"{store.root / tinydb_file.TINYDB_NAME} was changed; written again"
        _write_tinydb(store, database)
    return database, _report(store, database, report)


def _opened(path: Path) -> tuple[Database, dict[str, Stamp]]:
    """The index at `path` and the stamps it holds; DatabaseDamaged when it cannot say."""
    database = Database.open(path)
    try:
        return database, database.stamps()
    except sqlite3.DatabaseError as err:  # a page past the first ones damaged
        database.close()
        raise DatabaseDamaged(str(err)) from None


def _read(root: Path, files: list[tuple[str, Stamp]]) -> Iterator[tuple[list[Row], dict[str, str]]]:
    """Rows of these files in batches, in order; worker processes on every core for many."""
    from papernotes.index.rows import read_rows  # YAML, TeX, stemmers: only when reading

    batches = [files[i : i + BATCH] for i in range(0, len(files), BATCH)]
    workers = os.cpu_count() or 1
    if len(files) < PARALLEL_FROM or workers == 1:
        yield from (read_rows(str(root), batch) for batch in batches)
        return
    from concurrent.futures import ProcessPoolExecutor  # only a first index needs it

    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(read_rows, repeat(str(root)), batches)


def _tinydb_current(store: NoteStore, database: Database) -> bool:
    return bool(database.meta(tinydb_file.STAMP_KEY) == tinydb_file.stamp(store.root))


def _write_tinydb(store: NoteStore, database: Database) -> None:
    tinydb_file.write(store.root, database.shown_records())
    database.set_meta(tinydb_file.STAMP_KEY, tinydb_file.stamp(store.root))


def _report(store: NoteStore, database: Database, report: SyncReport) -> SyncReport:
    for file, paper, error, shown in database.unshown():
        if error is not None:
            report.broken.append(error)
        elif shown is not None:
            report.duplicates.append(
                f"{store.root / file} also holds {paper}; {store.root / shown} is the one used"
            )
    return report
