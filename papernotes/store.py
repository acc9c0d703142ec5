"""The notes folder: one YAML file per paper (the truth) and a TinyDB index derived from them.

The index at `<notes>/.index.json` keeps every note's data with the modification time and
size of its file. Each command refreshes it first: files whose time or size changed are read
again, new files added, deleted ones dropped. A missing, damaged or outdated index is rebuilt.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

import orjson

from papernotes.errors import NoteFileError, NoteNotFoundError, PapernotesError
from papernotes.ids import ArxivId
from papernotes.note import Note, dump_note, load_note

if TYPE_CHECKING:
    from papernotes.listing import Entry
    from papernotes.search_index import IndexBuilder, SearchIndex

INDEX_NAME = ".index.json"
LOCK_NAME = ".lock"
# Written once into a notes folder, so a folder kept in git never commits derived files.
GITIGNORE = (
    "# made by papernotes: the index is derived from the notes; drafts are unsaved edits\n"
    ".index.json\n.search.idx\n.lock\n.*.tmp\n.*.draft.yaml\n"
)
INDEX_FORMAT = 1
_NOTES = "notes"
_META = "meta"


_STAMPS = ("_file", "_mtime_ns", "_size")  # what a record adds to a note's data


def note_data(record: dict[str, Any]) -> dict[str, Any]:
    """A note's data from its index record: `Note.to_dict()` without reading the note."""
    data = dict(record)
    for key in _STAMPS:
        del data[key]
    return data


def write_atomic(path: Path, data: bytes, *, replace: bool = True) -> bool:
    """Write through a flushed temporary file and a rename, so no reader sees half a file.

    With `replace=False` an existing file is left alone and False is returned.
    """
    import tempfile  # here, not at the top: most commands write nothing

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; notes are ordinary files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # fails if the path exists: no clobbering a concurrent writer
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cycle collector while building large acyclic data (every note at once),
    then leave that data out of its later passes.

    Each of its passes walks every object alive; over 10,000 notes' worth of dicts and
    strings those passes took a third of `list`'s time, and they never find a cycle here.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # what was built is kept to the end of the command: never scan it again
        if enabled:
            gc.enable()


def _open_search_index(path: Path) -> SearchIndex | None:
    """The search index at `path`, or None when missing, damaged or from another version."""
    from papernotes.search_index import SearchIndex

    try:
        return SearchIndex.open(path)
    except (OSError, ValueError):
        return None


def _lock_file(fd: int) -> None:
    """Block until this process holds an exclusive lock on the open file `fd`."""
    try:
        import fcntl
    except ImportError:  # Windows: msvcrt locks byte ranges and cannot wait; go without
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@dataclass
class Refresh:
    """What a refresh of the index did."""

    read: int = 0
    dropped: int = 0
    rebuilt: str | None = None
    broken: list[str] = field(default_factory=list)


def _index_storage(path: Path) -> Any:
    """A TinyDB storage that writes atomically and reports a damaged file instead of failing."""
    from tinydb.storages import Storage

    class AtomicJSONStorage(Storage):
        damaged = False

        def read(self) -> dict[str, Any] | None:
            try:
                data = orjson.loads(path.read_bytes())
            except FileNotFoundError:
                return None
            except (ValueError, OSError):
                AtomicJSONStorage.damaged = True
                return None
            if not isinstance(data, dict):
                AtomicJSONStorage.damaged = True
                return None
            return data

        def write(self, data: dict[str, Any]) -> None:
            # Keys added by hand may hold anything YAML reads: dates, numbers as mapping keys
            write_atomic(path, orjson.dumps(data, default=str, option=orjson.OPT_NON_STR_KEYS))

    return AtomicJSONStorage


def _first_record(table: Any) -> dict[str, Any]:
    """The first document of a table as TinyDB stores it ({doc_id: document}), or {}."""
    if isinstance(table, dict):
        for record in table.values():
            return record if isinstance(record, dict) else {}
    return {}


def _records_by_file(table: Any) -> dict[str, dict[str, Any]]:
    """file name -> record of a table of note records; records of the wrong shape (an
    index edited by hand) are left out, so their notes are read again."""
    if not isinstance(table, dict):
        return {}
    return {
        r["_file"]: r
        for r in table.values()
        if isinstance(r, dict)
        and isinstance(r.get("_file"), str)
        and isinstance(r.get("_mtime_ns"), int)
        and isinstance(r.get("_size"), int)
    }


class NoteStore:
    """Notes in one folder; every read of the collection goes through the refreshed index."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.index_path = root / INDEX_NAME
        self._lock_depth = 0

    def path_for(self, arxiv_id: ArxivId) -> Path:
        """Where the note for `arxiv_id` lives (whether or not it exists)."""
        return self.root / f"{arxiv_id.stem}.yaml"

    def exists(self, arxiv_id: ArxivId) -> bool:
        """True if a note file exists for this paper."""
        return self.path_for(arxiv_id).is_file()

    def read_text(self, arxiv_id: ArxivId) -> str:
        """The YAML text of one note, as it is on disk."""
        path = self.path_for(arxiv_id)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NoteNotFoundError(
                f"no note for {arxiv_id.base} in {self.root}/ "
                f"(add it with: papernotes add {arxiv_id.base})"
            ) from None
        except (OSError, UnicodeDecodeError) as err:
            raise NoteFileError(f"{path}: cannot be read ({err})") from None

    def get(self, arxiv_id: ArxivId) -> Note:
        """Read one note from its YAML file (the truth, never the index)."""
        return load_note(self.read_text(arxiv_id), str(self.path_for(arxiv_id)))

    def load_file(self, name: str) -> Note:
        """Read the note in the file `name` of the folder (as the indexes name files)."""
        path = self.root / name
        try:
            return load_note(path.read_text(encoding="utf-8"), str(path))
        except FileNotFoundError:
            raise NoteNotFoundError(f"{path} was removed") from None
        except (OSError, UnicodeDecodeError) as err:
            raise NoteFileError(f"{path}: cannot be read ({err})") from None

    def create(self, note: Note) -> bool:
        """Write a new note; False (and nothing written) if one exists for that paper."""
        text = dump_note(note).encode()
        with self.lock():
            return write_atomic(self.path_for(note.arxiv_id), text, replace=False)

    def save(self, note: Note) -> Path:
        """Write a note, replacing the file for that paper."""
        path = self.path_for(note.arxiv_id)
        text = dump_note(note).encode()
        with self.lock():
            write_atomic(path, text)
        return path

    def remove(self, arxiv_id: ArxivId) -> None:
        """Delete a note's file."""
        try:
            with self.lock():
                self.path_for(arxiv_id).unlink()
        except FileNotFoundError:
            raise NoteNotFoundError(f"no note for {arxiv_id.base} in {self.root}/") from None

    def notes(self, on_refresh: Callable[[Refresh], None] | None = None) -> list[Note]:
        """Every readable note, from the index after bringing it up to date."""
        with _no_gc():
            records, refresh = self._refreshed()
            if on_refresh:
                on_refresh(refresh)
            return [self._note_from_record(r) for r in records if "_error" not in r]

    def records(self, on_refresh: Callable[[Refresh], None] | None = None) -> list[dict[str, Any]]:
        """Every readable note's data as the index keeps it (with `_file` and its stamps)."""
        with _no_gc():
            records, refresh = self._refreshed()
            if on_refresh:
                on_refresh(refresh)
            return [r for r in records if "_error" not in r]

    def entries(self, on_refresh: Callable[[Refresh], None] | None = None) -> list[Entry]:
        """Every readable note as `list` shows it, from the search index (no YAML read)."""
        return self.search_index(on_refresh).entries()

    def refresh(self, *, rebuild: bool = False) -> Refresh:
        """Bring the index up to date with the files (from scratch with `rebuild`)."""
        return self._refreshed(rebuild=rebuild)[1]

    def _refreshed(self, *, rebuild: bool = False) -> tuple[list[dict[str, Any]], Refresh]:
        records, refresh, changed = self._compare(rebuild=rebuild)
        if changed:
            # Another process may have written meanwhile: compare again under the lock, so
            # the index written is never older than the files (files read already and not
            # changed since are not read twice).
            read = {r["_file"]: r for r in records}
            with self.lock():
                records, refresh, changed = self._compare(rebuild=rebuild, read=read)
                if changed:
                    self._write_index(records)
        return records, refresh

    def _compare(
        self, *, rebuild: bool, read: dict[str, dict[str, Any]] | None = None
    ) -> tuple[list[dict[str, Any]], Refresh, bool]:
        """Records for every note file, reusing the index's (or those in `read`) where time
        and size match."""
        files = self._scan()
        refresh = Refresh()
        if not files and not self.index_path.exists():
            return [], refresh, False
        # TinyDB's own storage layer, read directly: its tables would copy every record
        # into a Document first, a third of the time `list --json` took.
        storage = _index_storage(self.index_path)
        data = storage().read() or {}
        meta = _first_record(data.get(_META))
        old = {} if rebuild else _records_by_file(data.get(_NOTES))
        if rebuild:
            refresh.rebuilt = "rebuilt on request"
        elif storage.damaged:
            refresh.rebuilt = "the index was damaged and has been rebuilt"
        elif meta.get("format") != INDEX_FORMAT and old:
            refresh.rebuilt = "the index was from another version and has been rebuilt"
            old = {}
        records, changed = [], rebuild or refresh.rebuilt is not None
        read = read or {}
        for name, (mtime, size) in sorted(files.items()):
            record = old.get(name)
            if record is None or record["_mtime_ns"] != mtime or record["_size"] != size:
                record = read.get(name)
                if record is None or record["_mtime_ns"] != mtime or record["_size"] != size:
                    record = self._record(name, mtime, size)
                refresh.read += 1
                changed = True
            if "_error" in record:
                refresh.broken.append(record["_error"])
            records.append(record)
        refresh.dropped = len(set(old) - set(files))
        return records, refresh, changed or bool(refresh.dropped)

    def _write_index(self, records: list[dict[str, Any]]) -> None:
        from tinydb import TinyDB
        from tinydb.middlewares import CachingMiddleware

        ignore = self.root / ".gitignore"
        if not ignore.exists():
            write_atomic(ignore, GITIGNORE.encode())
        storage = _index_storage(self.index_path)
        with TinyDB(storage=CachingMiddleware(storage)) as db:  # type: ignore[no-untyped-call]
            db.drop_tables()
            db.table(_META).insert({"format": INDEX_FORMAT})
            db.table(_NOTES).insert_multiple(records)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's write lock: one writer at a time, across processes.

        Reentrant within a process. Readers take no lock: every file they read is replaced
        whole by a rename, never written in place.
        """
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock_file(fd)
            self._lock_depth = 1
            yield
        finally:
            self._lock_depth = 0
            os.close(fd)  # closing the descriptor releases the lock

    def reindex(self) -> Refresh:
        """Rebuild both indexes from the note files, reading each file once."""
        done: list[Refresh] = []
        self.search_index(done.append, rebuild=True)
        return done[0] if done else Refresh(rebuilt="rebuilt on request")

    def search_index(
        self, on_refresh: Callable[[Refresh], None] | None = None, *, rebuild: bool = False
    ) -> SearchIndex:
        """The full-text index, brought up to date first; reading it is the fast path.

        When the stats of the note files match the ones it was made from, the index is used
        as it is, without loading the TinyDB index. When a few files changed, only those are
        read; when many did (or there is no usable index), the TinyDB index is refreshed and
        the full-text index synced to its records. Either way it is rewritten.
        """
        from papernotes.search_index import SEARCH_INDEX_NAME, IndexBuilder, SearchIndex

        path = self.root / SEARCH_INDEX_NAME
        files = self._scan()
        current = None if rebuild else _open_search_index(path)
        if current is not None and current.is_current(files):
            if on_refresh:
                on_refresh(Refresh(broken=current.problems))
            return current
        if not files and not path.exists():
            return SearchIndex(IndexBuilder().to_bytes())
        with self.lock():
            files = self._scan()  # another process may have brought it up to date meanwhile
            current = None if rebuild else _open_search_index(path)
            if current is not None and current.is_current(files):
                if on_refresh:
                    on_refresh(Refresh(broken=current.problems))
                return current
            builder = None
            if current is not None:
                try:
                    builder = IndexBuilder.from_index(current)
                except ValueError:
                    builder = None
            if builder is not None and self._update_from_files(builder, files):
                if on_refresh:
                    on_refresh(Refresh(broken=[str(b[3]) for b in builder.broken]))
            else:  # no usable index, or most notes changed: start from the TinyDB refresh
                records, refresh = self._refreshed(rebuild=rebuild)
                if on_refresh:
                    on_refresh(refresh)
                builder = builder or IndexBuilder()
                builder.sync(records)
            builder.files = files
            data = builder.to_bytes()
            write_atomic(path, data)
        return SearchIndex(data)

    def _update_from_files(self, builder: IndexBuilder, files: dict[str, tuple[int, int]]) -> bool:
        """Bring `builder` up to date by reading only the note files that changed.

        False (nothing done) when so many changed that the TinyDB refresh is cheaper.
        """
        known = builder.stamps()
        changed = [name for name, stamp in files.items() if known.get(name) != stamp]
        if len(changed) > max(200, len(files) // 10):
            return False
        gone = set(known) - set(files)
        builder.update((self._record(name, *files[name]) for name in changed), gone)
        return True

    def _scan(self) -> dict[str, tuple[int, int]]:
        """file name -> (mtime_ns, size) of every note file.

        Every command pays this (a stat per note), so it is kept plain: names relative to
        an open folder (no path walked per file) where the platform allows it.
        """
        try:
            if os.stat not in os.supports_dir_fd:  # Windows
                return self._scan_entries()
            folder = os.open(self.root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except FileNotFoundError:
            return {}
        except OSError as err:
            raise PapernotesError(f"{self.root}: cannot read the notes folder ({err})") from None
        try:
            names = [n for n in os.listdir(folder) if n[-5:] == ".yaml" and n[0] != "."]
            found: dict[str, tuple[int, int]] = {}
            for name in names:
                try:
                    stat = os.stat(name, dir_fd=folder)
                except OSError:  # deleted since the listing
                    continue
                if S_ISREG(stat.st_mode):
                    found[name] = (stat.st_mtime_ns, stat.st_size)
            return found
        finally:
            os.close(folder)

    def _scan_entries(self) -> dict[str, tuple[int, int]]:
        found = {}
        for entry in os.scandir(self.root):
            if entry.name[-5:] == ".yaml" and entry.name[0] != ".":
                with contextlib.suppress(OSError):
                    stat = entry.stat()
                    if S_ISREG(stat.st_mode):
                        found[entry.name] = (stat.st_mtime_ns, stat.st_size)
        return found

    def _note_from_record(self, record: dict[str, Any]) -> Note:
        try:
            return Note.from_index(record)
        except (KeyError, TypeError, ValueError, AttributeError):  # an index edited by hand
            data = {k: v for k, v in record.items() if not k.startswith("_")}
            return Note.from_dict(data, str(self.root / record["_file"]))

    def _record(self, name: str, mtime: int, size: int) -> dict[str, Any]:
        base = {"_file": name, "_mtime_ns": mtime, "_size": size}
        try:
            note = self.load_file(name)
        except PapernotesError as err:  # broken, unreadable, or removed since the listing
            return {**base, "_error": str(err)}
        return {**note.to_dict(), **base}
