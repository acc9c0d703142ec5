"""`.index.json`: the notes as a TinyDB database, for use from Python.

TinyDB's own JSON layout, `{"notes": {"<doc id>": {...}}}`, which a plain `TinyDB(path)`
opens; a document is a note's data (`show --json`'s keys) after its file's name, mtime
and size (`_file`, `_mtime_ns`, `_size`). It is written whole from `.index.sqlite` after
every change, one document per line, streamed so that no command holds every note.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from papernotes.store import write_atomic

TINYDB_NAME = ".index.json"
TABLE = "notes"
STAMP_KEY = "tinydb_stamp"  # in the SQLite index: the stamp of the file it last wrote


def stamp(root: Path) -> str:
    """The file's mtime and size, to tell the file last written from any other."""
    try:
        found = os.stat(root / TINYDB_NAME)
    except OSError:
        return "missing"
    return f"{found.st_mtime_ns}:{found.st_size}"


def write(root: Path, records: Iterable[tuple[int, str, int, int, bytes]]) -> None:
    """Write the TinyDB file from (doc id, file, mtime_ns, size, note JSON) rows."""
    write_atomic(root / TINYDB_NAME, _chunks(records))


def _chunks(records: Iterable[tuple[int, str, int, int, bytes]]) -> Iterator[bytes]:
    yield b'{"%s":{' % TABLE.encode()
    separator = b"\n"
    for doc_id, file, mtime_ns, size, record in records:
        stamps = b'{"_file":%s,"_mtime_ns":%d,"_size":%d,' % (orjson.dumps(file), mtime_ns, size)
        yield b'%s"%d":%s%s' % (separator, doc_id, stamps, record[1:])
        separator = b",\n"
    yield b"\n}}\n"
