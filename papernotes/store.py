"""The notes folder: one YAML file per paper, the truth. Nothing here knows of indexes.

Every file is written through a flushed temporary file and a rename, so no reader ever
sees half a file; writers hold the folder's lock (`.lock`), readers need none.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

from papernotes.errors import NoteFileError, NoteNotFoundError, PapernotesError

if TYPE_CHECKING:
    from papernotes.note import Note
    from papernotes.refs import NoteRef

LOCK_NAME = ".lock"
# Written once into a notes folder, so a folder kept in git never commits derived files.
GITIGNORE = (
    "# made by papernotes: the indexes are derived from the notes; drafts are unsaved edits\n"
    ".index.json\n.index.sqlite\n.index.sqlite-journal\n.lock\n.*.tmp\n.*.draft.yaml\n"
)
TEMPORARY_SUFFIX = ".tmp"
KIND_FOLDERS = ("doi", "link")  # where notes on DOIs and on links live, below the folder

Stamp = tuple[int, int]  # (mtime_ns, size) of a note file


def write_atomic(path: Path, data: bytes | Iterable[bytes], *, replace: bool = True) -> bool:
    """Write through a flushed temporary file and a rename, so no reader sees half a file.

    `data` may come in pieces, so a large file need not be held whole. With
    `replace=False` an existing file is left alone and False is returned.
    """
    import tempfile  # here, not at the top: most commands write nothing

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
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


def is_note_file(name: str) -> bool:
    """A note file's name: `*.yaml`, not hidden (drafts and temporary files are)."""
    return name.endswith(".yaml") and not name.startswith(".")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class NoteStore:
    """The note files of one folder: read, write (atomic, locked), remove, list."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock_depth = 0
        self._swept = False  # temporary files left by a killed writer: removed once
        self.touched: list[Path] = []  # note files written or removed here (git.autocommit)

    def path_for(self, ref: NoteRef) -> Path:
        """Where the note on `ref` is written (whether or not it exists)."""
        return self.root / f"{ref.stem}.yaml"

    def exists(self, ref: NoteRef) -> bool:
        """True if a note file exists for this paper or page under its own name."""
        return self.path_for(ref).is_file()

    def read_text(self, ref: NoteRef) -> str:
        """The YAML text of the note file named after `ref`, as it is on disk."""
        return self._read(self.path_for(ref), ref)

    def _read(self, path: Path, ref: NoteRef | None = None) -> str:
        try:
            with open(path, "rb") as handle:
                return handle.read().decode()
        except FileNotFoundError:
            if ref is None:
                raise NoteNotFoundError(f"{path} was removed") from None
            raise NoteNotFoundError(
                f"no note for {ref.base} in {self.root}/ (add it with: papernotes add {ref.base})"
            ) from None
        except (OSError, UnicodeDecodeError) as err:
            raise NoteFileError(f"{path}: cannot be read ({err})") from None

    def load(self, name: str) -> Note:
        """The note in the file `name` of the folder."""
        from papernotes.note import load_note  # not on the path of `list`, which reads no note

        path = self.root / name
        return load_note(self._read(path), str(path))

    def get(self, ref: NoteRef) -> Note:
        """The note in the file named after `ref`."""
        from papernotes.note import load_note

        return load_note(self.read_text(ref), str(self.path_for(ref)))

    def create(self, note: Note) -> bool:
        """Write a new note; False (and nothing written) if one exists for that paper."""
        from papernotes.note import dump_note

        text = dump_note(note).encode()
        with self.lock():
            written = write_atomic(self.path_for(note.ref), text, replace=False)
        if written:
            self.touched.append(self.path_for(note.ref))
        return written

    def save(self, note: Note, path: Path | None = None) -> Path:
        """Write a note to `path` (by default the file named after its paper)."""
        from papernotes.note import dump_note

        path = path or self.path_for(note.ref)
        text = dump_note(note).encode()
        with self.lock():
            write_atomic(path, text)
        self.touched.append(path)
        return path

    def remove(self, path: Path) -> None:
        """Delete one note file."""
        try:
            with self.lock():
                path.unlink()
        except FileNotFoundError:
            raise NoteNotFoundError(f"{path} was removed already") from None
        self.touched.append(path)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's write lock: one writer at a time, across processes.

        Reentrant within a process. Taking it the first time removes the temporary files
        that a writer killed mid-write left behind: only writers make them, and none is at
        work (once: `add` of 500 papers takes it 500 times, in a folder of 100,000 files).
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
            if not self._swept:
                self._remove_temporary_files()
                self._swept = True
            yield
        finally:
            self._lock_depth = 0
            os.close(fd)  # closing the descriptor releases the lock

    def _remove_temporary_files(self) -> None:
        for folder in (self.root, *(self.root / kind for kind in KIND_FOLDERS)):
            with contextlib.suppress(OSError), os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith(".") and entry.name.endswith(TEMPORARY_SUFFIX):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)

    def note_names(self) -> list[str]:
        """The names of the note files (`doi/` and `link/` ones as such), without a look
        inside or a stat of any."""
        names: list[str] = []
        for prefix in ("", *(f"{kind}/" for kind in KIND_FOLDERS)):
            with contextlib.suppress(OSError):  # no such folder, or not one that can be read
                names.extend(prefix + n for n in os.listdir(self.root / prefix) if is_note_file(n))
        return names

    def scan(self) -> dict[str, Stamp]:
        """file name -> (mtime_ns, size) of every note file; every command pays this.

        Names are stated relative to the open folder where the system allows it (not
        Windows): no path is walked for each of 100,000 files.
        """
        relative = os.stat in os.supports_dir_fd
        try:
            folder = os.open(self.root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except FileNotFoundError:
            return {}
        except OSError as err:
            raise PapernotesError(f"{self.root}: cannot read the notes folder ({err})") from None
        try:
            names = list(filter(is_note_file, os.listdir(folder if relative else self.root)))
            for kind in KIND_FOLDERS:  # notes on DOIs and links, in folders of their own
                with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                    names.extend(
                        f"{kind}/{n}" for n in os.listdir(self.root / kind) if is_note_file(n)
                    )
            found: dict[str, Stamp] = {}
            for name in names:
                try:
                    stat = os.stat(name, dir_fd=folder) if relative else os.stat(self.root / name)
                except OSError:  # deleted since the listing
                    continue
                if S_ISREG(stat.st_mode):
                    found[name] = (stat.st_mtime_ns, stat.st_size)
            return found
        finally:
            os.close(folder)

    def ensure_gitignore(self) -> None:
        """Write the folder's `.gitignore` for derived files, once."""
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            write_atomic(ignore, GITIGNORE.encode())


def _lock_file(fd: int) -> None:
    """Block until this process holds an exclusive lock on the open file `fd`."""
    try:
        import fcntl
    except ImportError:  # Windows: msvcrt locks byte ranges and cannot wait; go without
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
