"""TinyDB's view of the index file: a storage whose tables parse a record when looked up.

`TinyDB(path, storage=IndexStorage)` opens the index as TinyDB opens any database, so its
tables and queries work on the notes from Python; papernotes itself reads the notes table
through it. Opening reads only where each record lies (`note_index.IndexFile`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from papernotes.note_index import META, NOTES_TABLE, IndexFile, dump_record, index_chunks


class Documents(Mapping[str, dict[str, Any]]):
    """A table as TinyDB reads it, document id -> record, each record parsed when looked
    up and none kept."""

    def __init__(self, index: IndexFile) -> None:
        self.index = index

    def __getitem__(self, doc_id: str) -> dict[str, Any]:
        found: dict[str, Any] = orjson.loads(self.index.raw(self.index.file_of(doc_id)))
        return found

    def __iter__(self) -> Iterator[str]:
        return map(str, range(1, len(self.index) + 1))

    def __len__(self) -> int:
        return len(self.index)


class IndexStorage(Storage):
    """TinyDB storage of an index file, given as a path or as an opened `IndexFile`.

    Writing (TinyDB writes only after a change made through it) replaces the file whole,
    in the same one-record-a-line layout, its records numbered anew.
    """

    def __init__(self, path: str | Path | IndexFile) -> None:
        self.index = path if isinstance(path, IndexFile) else IndexFile(Path(path))
        self._tables: dict[str, Mapping[str, Any]] | None = None  # TinyDB reads per lookup

    # TinyDB's hint says dicts; its tables only ever use them as mappings.
    def read(self) -> dict[str, Mapping[str, Any]]:  # type: ignore[override]
        if self._tables is None:
            self._tables = {"meta": META, NOTES_TABLE: Documents(self.index)}
        return self._tables

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        from papernotes.store import write_atomic

        records = data.get(NOTES_TABLE, {}).values()
        write_atomic(self.index.path, index_chunks(dump_record(dict(r)) for r in records))
        self.index, self._tables = IndexFile(self.index.path), None

    def close(self) -> None:
        self.index.close()
