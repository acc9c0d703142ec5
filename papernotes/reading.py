"""Reading many note files into index records at once, in worker processes when they are many.

A first index reads every note, and parsing YAML is most of its time. Each file is
independent, so forked worker processes on every core share them. A worker writes what it
read to a spool file of its own and sends back only sizes: sent through the pipe, the bytes
of 10,000 notes cost the parent a quarter of a second it shared the cores for. The parent
copies the records from the spool into the TinyDB index, and the search index's lines stay
there until the search index is written.

The spool is a hidden folder in the notes folder (`.spool-*.tmp`, git-ignored), on the
disk the indexes go to: a temporary folder in memory (tmpfs) would hold hundreds of
megabytes at 100,000 notes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from papernotes.search_index import NoteParts, Parts

PARALLEL_FROM = 500  # files to read before worker processes pay for their start

Item = tuple[str, tuple[int, int]]  # a note file's name and (mtime_ns, size)
# A record as stored, what is wrong with the note, and the search index's share of it.
Record = tuple[bytes, str | None, "Parts | None"]
# What a worker sends back of each note: the size of its record, its problem, and with the
# search index's share, the size of its line in each section, its row and its stem pairs.
Sent = tuple[int, str | None, list[int] | None, list[Any] | None, list[tuple[str, str]] | None]


class Reader:
    """Reads note files of the folder `root` into stored records, with `parts` also the
    search index's share of each note."""

    def __init__(self, root: Path, parts: bool) -> None:
        from papernotes.note_index import dump_record
        from papernotes.search_index import note_parts
        from papernotes.store import NoteStore

        self._record, self._dump = NoteStore(root)._record, dump_record
        self._parts = note_parts if parts else None

    def read(self, item: Item, seen: set[str]) -> tuple[bytes, str | None, NoteParts | None]:
        """The record of one note file, its problem if broken, and the search index's share
        of it (stems only for words not `seen` before in this build, then added to it)."""
        record = self._record(*item)
        problem = record.get("_error")
        share = self._parts(record, seen) if self._parts and problem is None else None
        return self._dump(record), problem, share


class Spool:
    """The temporary folder in the notes folder `root` that workers spool to (made when
    first needed) and the parent's open files in it. Closing removes it: keep it open until
    the search index that refers to its lines is written."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder: str | None = None
        self._fds: dict[str, int] = {}

    def start(self) -> str:
        """The folder, made now if it was not yet. Called with the folder's write lock
        held, as every spool is used: any other spool is a killed process's, and goes."""
        if self.folder is None:
            import shutil
            import tempfile

            for left in self.root.glob(".spool-*.tmp"):
                shutil.rmtree(left, ignore_errors=True)
            self.folder = tempfile.mkdtemp(prefix=".spool-", suffix=".tmp", dir=self.root)
        return self.folder

    def fd(self, path: str) -> int:
        """A descriptor open on the spool file `path`, kept until the spool is closed."""
        if path not in self._fds:
            self._fds[path] = os.open(path, os.O_RDONLY)
        return self._fds[path]

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
        if self.folder is not None:
            import shutil

            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def read_records(
    root: Path, files: list[Item], *, parts: bool, spool: Spool | None = None
) -> Iterator[Record]:
    """`Reader.read` of each file, in order: in worker processes when there are many and
    fork is available (not on Windows, nor macOS by default). With `parts`, a `spool` must
    be given: the lines of the search index stay in it until it is closed."""
    import multiprocessing

    if len(files) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        reader, seen = Reader(root, parts), set[str]()
        yield from (reader.read(item, seen) for item in files)
        return
    if spool is None:
        assert not parts, "the search index's lines are spooled: give the spool to keep"
        with Spool(root) as own:
            yield from read_records(root, files, parts=False, spool=own)
        return
    from papernotes import note, text

    note.warm_up()  # import and build the YAML loader once, before the workers are forked
    if parts:
        text.warm_up()
    work = partial(_read_task, root, parts)
    # Tasks large enough that handing them out costs little, small enough that every
    # worker gets several and none waits long for the last.
    size = min(256, max(32, len(files) // (8 * (os.cpu_count() or 1))))
    tasks = [files[at : at + size] for at in range(0, len(files), size)]
    context = multiprocessing.get_context("fork")
    with context.Pool(initializer=_start_worker, initargs=(spool.start(),)) as pool:
        for path, offset, sent in pool.imap(work, tasks):  # what waits is small: sizes
            yield from _unspool(spool.fd(path), offset, sent)


class _Worker:
    """A worker process's spool file, and the words whose stems it has sent."""

    def __init__(self, folder: str) -> None:
        self.path = os.path.join(folder, f"{os.getpid()}.spool")
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.size = 0
        self.seen: set[str] = set()

    def write(self, data: bytes) -> int:
        """Append `data`; where it starts."""
        at, view = self.size, memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
        self.size += len(data)
        return at


_worker: _Worker | None = None  # this process's, in a worker process


def _start_worker(folder: str) -> None:
    global _worker
    _worker = _Worker(folder)


def _read_task(root: Path, parts: bool, items: list[Item]) -> tuple[str, int, list[Sent]]:
    """Read `items` in a worker: records, then each section's lines, go to its spool."""
    assert _worker is not None
    reader = Reader(root, parts)
    records: list[bytes] = []
    sections: list[list[bytes]] = []
    sent: list[Sent] = []
    for item in items:
        record, problem, share = reader.read(item, _worker.seen)
        records.append(record)
        if share is None:
            sent.append((len(record), problem, None, None, None))
            continue
        lines, row, stems = share
        sections = sections or [[] for _ in lines]
        for section, line in zip(sections, lines, strict=True):
            section.append(line)
        sent.append((len(record), problem, [len(line) for line in lines], row, stems))
    blocks = [b"".join(records), *(b"\n".join(lines) + b"\n" for lines in sections)]
    return _worker.path, _worker.write(b"".join(blocks)), sent


def _unspool(fd: int, offset: int, sent: list[Sent]) -> Iterator[Record]:
    """The records of one task, from its place in a worker's spool file."""
    total = sum(size for size, *_ in sent)
    records = os.pread(fd, total, offset)
    if len(records) != total:
        raise OSError(f"a worker's spool file was cut short ({total} bytes expected)")
    # Where the lines of each section begin: after the records, one block per section.
    blocks = [0] * len(next((s[2] for s in sent if s[2] is not None), []))
    for _, _, sizes, _, _ in sent:
        for number, size in enumerate(sizes or ()):
            blocks[number] += size + 1
    starts = list(accumulate(blocks, initial=offset + total))[:-1]
    at = 0
    for size, problem, sizes, row, stems in sent:
        record = records[at : at + size]
        at += size
        if sizes is None or row is None or stems is None:
            yield record, problem, None
            continue
        yield record, problem, ((fd, list(starts), sizes), row, stems)
        for number, line in enumerate(sizes):
            starts[number] += line + 1
