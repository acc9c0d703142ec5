"""The notes folder: one YAML file per paper (the truth) and a TinyDB index derived from them.

The index at `<notes>/.index.json` keeps every note's data with the modification time and
size of its file. Each command refreshes it first: files whose time or size changed are read
again, new files added, deleted ones dropped. A missing, damaged or outdated index is rebuilt.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from papernotes.errors import NoteFileError, NoteNotFoundError, PapernotesError
from papernotes.ids import ArxivId
from papernotes.note import Note, dump_note, load_note
from papernotes.note_index import INDEX_NAME
from papernotes.reading import Spool, read_records

if TYPE_CHECKING:
    from papernotes.note_index import Entry
    from papernotes.note_index import IndexFile as NotesOnDisk
    from papernotes.search_index import IndexBuilder, Parts, SearchIndex

LOCK_NAME = ".lock"
# Written once into a notes folder, so a folder kept in git never commits derived files.
GITIGNORE = (
    "# made by papernotes: the index is derived from the notes; drafts are unsaved edits\n"
    ".index.json\n.search.idx\n.lock\n.*.tmp\n.*.draft.yaml\n"
)


_STAMPS = ("_file", "_mtime_ns", "_size")  # what a record adds to a note's data


def note_data(record: dict[str, Any]) -> dict[str, Any]:
    """A note's data from its index record: `Note.to_dict()` without reading the note."""
    data = dict(record)
    for key in _STAMPS:
        del data[key]
    return data


def write_atomic(path: Path, data: bytes | Iterable[bytes], *, replace: bool = True) -> bool:
    """Write through a flushed temporary file and a rename, so no reader sees half a file.

    `data` may come in pieces, so a large file need not be held whole. With
    `replace=False` an existing file is left alone and False is returned.
    """
    import tempfile  # here, not at the top: most commands write nothing

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; notes are ordinary files
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
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


def _is_note_file(name: str) -> bool:
    """A note file's name: `*.yaml`, not hidden (drafts, spools and temporary files are)."""
    return name[-5:] == ".yaml" and name[0] != "."


def _read_text(path: str) -> str:
    """A file's UTF-8 text, in a third of the time of `Path.read_text` (a first index reads
    every note). Line breaks are left as they are: YAML reads `\r\n` and `\r` as `\n`."""
    with open(path, "rb") as handle:
        return handle.read().decode()


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
        path = os.path.join(self.root, name)  # a first index reads thousands: no Path each
        try:
            return load_note(_read_text(path), path)
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
            return [self.note_from_record(r) for r in self.note_index(on_refresh).records()]

    def note_index(self, on_refresh: Callable[[Refresh], None] | None = None) -> NotesOnDisk:
        """The TinyDB index after bringing it up to date: every note's data as it keeps it
        (with `_file` and its stamps), each parsed only when asked for."""
        found, refresh = self._refreshed()
        if on_refresh:
            on_refresh(refresh)
        return found

    def refresh(self, *, rebuild: bool = False) -> Refresh:
        """Bring the index up to date with the files (from scratch with `rebuild`)."""
        return self._refreshed(rebuild=rebuild)[1]

    def _refreshed(
        self,
        *,
        rebuild: bool = False,
        take: Callable[[str, Parts], None] | None = None,
        spool: Spool | None = None,
        listed: dict[str, tuple[int, int]] | None = None,
    ) -> tuple[NotesOnDisk, Refresh]:
        """The TinyDB index, rewritten first if any note file changed, appeared or went.

        The new index is streamed: records of unchanged files are copied as they are
        stored, changed files are read, and nothing is held for all notes at once. With
        `take`, the search index's share of each note read is given to it with the note's
        file name, in name order (its lines may be left in `spool`). `listed` is the
        folder's listing, made by a caller holding the lock (listing 100,000 files takes a
        fifth of a second).
        """
        from papernotes.note_index import IndexFile, open_index

        files = self._scan() if listed is None else listed
        if not files and not self.index_path.exists():
            return IndexFile.empty(self.index_path), Refresh()
        current = None if rebuild or listed is not None else open_index(self.index_path)[0]
        if current is not None and current.stamps == files:
            return current, Refresh(broken=current.problems())
        with self.lock():  # compare again: another process may have written meanwhile
            files = self._scan() if listed is None else listed
            current, problem = (
                (None, "rebuilt on request") if rebuild else open_index(self.index_path)
            )
            if current is not None and current.stamps == files:
                return current, Refresh(broken=current.problems())
            refresh = Refresh(rebuilt=problem)
            written = self._write_index(self._records_for(files, current, refresh, take, spool))
            refresh.dropped = len(current.stamps.keys() - files.keys()) if current else 0
            return written, refresh

    def _records_for(
        self,
        files: dict[str, tuple[int, int]],
        current: NotesOnDisk | None,
        refresh: Refresh,
        take: Callable[[str, Parts], None] | None,
        spool: Spool | None,
    ) -> Iterator[Entry]:
        """Each file's record as stored, from `current` where its stamp still matches."""
        known = current.stamps if current is not None else {}
        broken = set(current.broken) if current is not None else set()
        names = sorted(files)
        changed = [(name, files[name]) for name in names if known.get(name) != files[name]]
        read = read_records(self.root, changed, parts=take is not None, spool=spool)
        for name in names:
            if current is not None and known.get(name) == files[name]:
                if name in broken:
                    refresh.broken.append(str(current.record(name)["_error"]))
                yield name, files[name], current.raw(name), name in broken
                continue
            refresh.read += 1
            data, problem, parts = next(read)
            if problem is not None:
                refresh.broken.append(problem)
            if take is not None and parts is not None:
                take(name, parts)
            yield name, files[name], data, problem is not None

    def _write_index(self, entries: Iterable[Entry]) -> NotesOnDisk:
        """Write the TinyDB index of these records; the index written."""
        from papernotes.note_index import IndexFile

        ignore = self.root / ".gitignore"
        if not ignore.exists():
            write_atomic(ignore, GITIGNORE.encode())
        written = IndexFile.empty(self.index_path)
        write_atomic(self.index_path, written.chunks(entries))
        return written

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
        # Listed now for the quick check that the index is current; a rebuild lists the
        # folder once it holds the lock (listing 100,000 files takes a fifth of a second).
        files = {} if rebuild else self._scan()
        current = None if rebuild else _open_search_index(path)
        if current is not None and current.is_current(files):
            if on_refresh:
                on_refresh(Refresh(broken=current.problems))
            return current
        if not (files or path.exists() or (rebuild and self._holds_a_note())):
            return SearchIndex(IndexBuilder().to_bytes())
        # Under the lock, look again: another process may have updated it meanwhile.
        with self.lock(), Spool(self.root) as spool:
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
                # The notes read come with their words; workers leave their lines in the
                # spool until the index is written.
                builder = builder or IndexBuilder()
                prepared: dict[str, Parts] = {}
                # Into a new index, the notes read go in as they are read (in name order);
                # `sync` adds the rest. Into an old one, `sync` puts them in place.
                take = builder.take if builder.empty else prepared.__setitem__
                files = self._scan()  # again, now that no other process can write
                on_disk, refresh = self._refreshed(
                    rebuild=rebuild, take=take, spool=spool, listed=files
                )
                if on_refresh:
                    on_refresh(refresh)
                builder.sync(on_disk, prepared)
            builder.files = files
            write_atomic(path, builder.chunks())
        return SearchIndex.open(path)

    def _update_from_files(self, builder: IndexBuilder, files: dict[str, tuple[int, int]]) -> bool:
        """Bring `builder` up to date by reading only the note files that changed.

        False (nothing done) when so many changed that the TinyDB refresh is cheaper.
        """
        known = builder.stamps()
        changed = [name for name, stamp in files.items() if known.get(name) != stamp]
        if len(changed) > max(200, len(files) // 10):
            return False
        gone = set(known) - set(files)
        builder.update(changed, lambda name: self._record(name, files[name]), gone)
        return True

    def _holds_a_note(self) -> bool:
        """True if the folder holds a note file (the listing stops at the first)."""
        try:
            with os.scandir(self.root) as entries:
                return any(_is_note_file(entry.name) for entry in entries)
        except OSError:
            return False

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
            names = list(filter(_is_note_file, os.listdir(folder)))
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
            if _is_note_file(entry.name):
                with contextlib.suppress(OSError):
                    stat = entry.stat()
                    if S_ISREG(stat.st_mode):
                        found[entry.name] = (stat.st_mtime_ns, stat.st_size)
        return found

    def note_from_record(self, record: dict[str, Any]) -> Note:
        """The note of a record of the index (checked again if the index was edited)."""
        try:
            return Note.from_index(record)
        except (KeyError, TypeError, ValueError, AttributeError):  # an index edited by hand
            data = {k: v for k, v in record.items() if not k.startswith("_")}
            return Note.from_dict(data, str(self.root / record["_file"]))

    def _record(self, name: str, stamp: tuple[int, int]) -> dict[str, Any]:
        """The index record of note file `name` (read now), or of what is wrong with it."""
        from papernotes.note_index import stamped

        try:
            note = self.load_file(name)
        except PapernotesError as err:  # broken, unreadable, or removed since the listing
            return stamped(name, stamp, {"_error": str(err)})
        return stamped(name, stamp, note.to_dict())
