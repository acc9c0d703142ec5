"""The TinyDB index file, written and read one record at a time.

TinyDB keeps a database as one JSON document, `{table: {doc_id: document}}`, and its
default storage reads and writes it whole: at 100,000 notes that is 175 MB of JSON and
over a gigabyte of Python objects, more than a command may use. Here the same document is
written with one record per line (so TinyDB's own JSONStorage still opens the file as it
is), and opening it reads only where each record lies; `index_storage.IndexStorage` gives
TinyDB tables whose documents are parsed when it looks them up.

A record is a note's data after its file's name, modification time and size:
`{"_file": "1706.03762.yaml", "_mtime_ns": ..., "_size": ..., "id": ...}`, or the same
stamps and `_error` for a note that could not be read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinydb.table import Table

INDEX_NAME = ".index.json"
FORMAT = 2
NOTES_TABLE = "notes"
META = {"1": {"format": FORMAT}}
_HEADER = b'{"meta":{"1":{"format":%d}},"%s":{\n' % (FORMAT, NOTES_TABLE.encode())
_FOOTER = b"}}\n"
# The start of a record's line: its document id, then the stamps, always written first.
_RECORD = re.compile(rb'"(\d+)":(\{"_file":"((?:[^"\\]|\\.)*)","_mtime_ns":(-?\d+),"_size":(\d+))')
_BROKEN = b',"_error":'
_FORMAT = re.compile(rb'"meta"\s*:\s*\{\s*"1"\s*:\s*\{\s*"format"\s*:\s*(\d+)')

Stamp = tuple[int, int]  # (mtime_ns, size) of a note file


class IndexDamaged(Exception):
    """The file is not an index papernotes wrote: damaged, or from another version."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def dump_record(record: dict[str, Any]) -> bytes:
    """One record as the JSON object of its line (no newline can occur in it)."""
    import orjson

    # Keys added by hand may hold anything YAML reads: dates, numbers as mapping keys.
    return orjson.dumps(record, default=str, option=orjson.OPT_NON_STR_KEYS)


def stamped(name: str, stamp: Stamp, data: dict[str, Any]) -> dict[str, Any]:
    """A record: the stamps of file `name` first (the reader finds them there), then `data`."""
    return {"_file": name, "_mtime_ns": stamp[0], "_size": stamp[1], **data}


def index_chunks(records: Iterable[bytes]) -> Iterator[bytes]:
    """The index file, piece by piece, from each record's JSON object in file order."""
    yield _HEADER
    number = 0
    for number, record in enumerate(records, 1):
        yield _line_start(number) + record
    yield (b"\n" if number else b"") + _FOOTER


def _line_start(number: int) -> bytes:
    """What comes before the record of document `number`: the line break, and its id."""
    return b'%s"%d":' % (b",\n" if number > 1 else b"", number)


# A note file's name, stamp, record as stored, and whether it is an `_error` record.
Entry = tuple[str, Stamp, bytes, bool]


class IndexFile:
    """An index file opened for reading: every record's stamp and place, none parsed yet."""

    def __init__(self, path: Path) -> None:
        """Read the record lines of the file at `path` (raises OSError, IndexDamaged)."""
        self.path = path
        self.stamps: dict[str, Stamp] = {}
        # file -> (offset, length, TinyDB document id) of its record; the ids are 1, 2, ...
        # in file order, so the file of an id is found in `_names`.
        self._places: dict[str, tuple[int, int, int]] = {}
        self._names: list[str] = []
        self.broken: list[str] = []  # files whose record is an `_error`
        with path.open("rb") as handle:
            if handle.readline() != _HEADER:
                raise IndexDamaged(_header_problem(path))
            offset = len(_HEADER)
            last = b""
            for line in handle:
                last = line
                match = _RECORD.match(line)
                if match is None:
                    break
                doc_id, name = int(match.group(1)), _text(match.group(3))
                if doc_id != len(self._names) + 1 or name in self._places:
                    raise IndexDamaged("the index was damaged and has been rebuilt")
                end = len(line) - (2 if line.endswith(b",\n") else 1)
                self.stamps[name] = (int(match.group(4)), int(match.group(5)))
                self._places[name] = (offset + match.start(2), end - match.start(2), doc_id)
                self._names.append(name)
                if line.startswith(_BROKEN, match.end()):
                    self.broken.append(name)
                offset += len(line)
        if last != _FOOTER:
            raise IndexDamaged("the index was damaged and has been rebuilt")
        self._fd: int | None = None
        self._table: Table | None = None

    def chunks(self, entries: Iterable[Entry]) -> Iterator[bytes]:
        """The file of these records, piece by piece, in file order, for an index made
        `empty`: it learns where each record lies as it goes, so that the file written
        need not be read again (at 100,000 notes, a third of a second)."""
        yield _HEADER
        offset = len(_HEADER)
        for number, (name, stamp, record, broken) in enumerate(entries, 1):
            start = _line_start(number)
            offset += len(start)
            self.stamps[name] = stamp
            self._places[name] = (offset, len(record), number)
            self._names.append(name)
            if broken:
                self.broken.append(name)
            offset += len(record)
            yield start + record
        yield (b"\n" if self._names else b"") + _FOOTER

    def __contains__(self, name: object) -> bool:
        """True if file `name` holds a readable note."""
        return name in self._places and name not in self.broken

    @classmethod
    def empty(cls, path: Path) -> IndexFile:
        """The index of a folder with no notes, which has no file."""
        index = cls.__new__(cls)
        index.path, index.stamps, index._places, index._names, index.broken = path, {}, {}, [], []
        index._fd, index._table = None, None
        return index

    @property
    def table(self) -> Table:
        """The notes table, through TinyDB: its documents are this file's records."""
        if self._table is None:
            from tinydb import TinyDB

            from papernotes.index_storage import IndexStorage

            self._table = TinyDB(self, storage=IndexStorage).table(NOTES_TABLE)
        return self._table

    def raw(self, name: str) -> bytes:
        """The JSON object of the record of file `name`, as stored."""
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY)
        offset, length, _ = self._places[name]
        return os.pread(self._fd, length, offset)

    def __len__(self) -> int:
        """How many records (notes, broken ones too) the index holds."""
        return len(self._names)

    def file_of(self, doc_id: str) -> str:
        """The note file whose record has TinyDB document id `doc_id` (KeyError if none)."""
        number = int(doc_id) if doc_id.isdigit() else 0
        if not 0 < number <= len(self._names):
            raise KeyError(doc_id)
        return self._names[number - 1]

    def record(self, name: str) -> dict[str, Any]:
        """The record of file `name`."""
        found = self.table.get(doc_id=self._places[name][2])
        if found is None:
            raise KeyError(name)
        return found

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record of a readable note, in file name order, parsed one at a time."""
        return (record for record in self.table if "_error" not in record)

    def problems(self) -> list[str]:
        """What was wrong with each note file that could not be read."""
        return [str(self.record(name).get("_error")) for name in self.broken]

    def close(self) -> None:
        """Let go of the open file (reading again opens it again)."""
        fd, self._fd = getattr(self, "_fd", None), None
        if fd is not None:
            os.close(fd)

    __del__ = close


def _text(quoted: bytes) -> str:
    """The text of a JSON string's contents (file names rarely hold an escape)."""
    if b"\\" not in quoted:
        return quoted.decode()
    import orjson

    text: str = orjson.loads(b'"' + quoted + b'"')
    return text


def _header_problem(path: Path) -> str:
    """Why the first line of an index is not ours: another version, or damage."""
    try:
        found = _FORMAT.search(path.read_bytes())  # a search: nothing parsed, nothing built
    except OSError:
        found = None
    if found is None:
        return "the index was damaged and has been rebuilt"
    if int(found.group(1)) != FORMAT:
        return "the index was from another version and has been rebuilt"
    return "the index was damaged and has been rebuilt"  # ours, but not one record a line


def open_index(path: Path) -> tuple[IndexFile | None, str | None]:
    """The index at `path` and None, or None and why it is unusable (None when missing)."""
    try:
        return IndexFile(path), None
    except FileNotFoundError:
        return None, None
    except IndexDamaged as err:
        return None, err.reason
    except (OSError, UnicodeDecodeError):
        return None, "the index was damaged and has been rebuilt"
