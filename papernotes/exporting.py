"""`export`: choose notes (ids, tags, a search query, or all), render them, write them out.

Writing never half-replaces anything: a file is written through a temporary file and a
rename, an existing file is replaced only when asked (`force`), and with a folder every
target is checked before the first one is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, overload

from papernotes.errors import PapernotesError, UsageError
from papernotes.export import EXTENSIONS, render, render_chunks
from papernotes.ids import parse_id
from papernotes.listing import SortKey, ordered, select
from papernotes.note import Note
from papernotes.store import NoteStore, Refresh, write_atomic

if TYPE_CHECKING:
    from papernotes.note_index import IndexFile as NotesOnDisk


@dataclass
class Selection:
    """Which notes to export. Ids win; then a query (narrowed by tags); then tags; then all."""

    ids: Sequence[str] = ()
    tags: Sequence[str] = ()
    query: str | None = None
    everything: bool = False

    def describe(self) -> str:
        """The selection in words, for messages."""
        parts = [*self.ids]
        parts += [f"--tag {t}" for t in self.tags]
        if self.query:
            parts.append(f"--query {self.query!r}")
        if self.everything:
            parts.append("--all")
        return " ".join(parts)


def choose(
    store: NoteStore,
    selection: Selection,
    *,
    search: Callable[[str], list[Note]],
    on_refresh: Callable[[Refresh], None] | None = None,
) -> Sequence[Note]:
    """The selected notes, in a sensible order (as given, by relevance, or newest first).

    `search` runs a query over the collection (the CLI passes the search command's engine).
    """
    if not (selection.ids or selection.tags or selection.query or selection.everything):
        raise UsageError("say which notes to export: ids, --tag, --query or --all")
    if selection.ids:
        return [store.get(parse_id(text)) for text in dict.fromkeys(selection.ids)]
    if selection.query:
        found = search(selection.query)
        return select(found, tags=selection.tags) if selection.tags else found

    everything = store.search_index(on_refresh).entries()
    entries = ordered(select(everything, tags=selection.tags), SortKey.ADDED)
    on_disk = store.note_index()
    return StoredNotes(store, on_disk, [e.file for e in entries if e.file in on_disk])


class StoredNotes(Sequence[Note]):
    """Notes of the TinyDB index, read from it when used. Formats go over the notes more
    than once (a digest's contents, then its posts): up to KEPT notes are kept once read,
    beyond that each is let go, so exporting 100,000 notes never holds them all."""

    KEPT = 20_000

    def __init__(self, store: NoteStore, on_disk: NotesOnDisk, files: list[str]) -> None:
        self._store, self._on_disk, self._files = store, on_disk, files
        self._kept: dict[str, Note] | None = {} if len(files) <= self.KEPT else None

    def __len__(self) -> int:
        return len(self._files)

    @overload
    def __getitem__(self, index: int) -> Note: ...
    @overload
    def __getitem__(self, index: slice) -> list[Note]: ...
    def __getitem__(self, index: int | slice) -> Note | list[Note]:
        if isinstance(index, slice):
            return [self._note(name) for name in self._files[index]]
        return self._note(self._files[index])

    def __iter__(self) -> Iterator[Note]:
        return map(self._note, self._files)

    def _note(self, name: str) -> Note:
        if self._kept is not None and name in self._kept:
            return self._kept[name]
        note = self._store.note_from_record(self._on_disk.record(name))
        if self._kept is not None:
            self._kept[name] = note
        return note


def write_export(
    notes: Sequence[Note],
    fmt: str,
    target: str,
    *,
    title: str | None = None,
    force: bool = False,
) -> list[Path]:
    """Write `notes` to the file `target`, or one file per note into a folder.

    `target` is a folder when it ends with a slash (`posts/`) or is an existing folder.
    """
    path = Path(target)
    folder = target.endswith(("/", "\\")) or path.is_dir()
    # In a folder, each file is one post, not a digest.
    files = [path / f"{n.arxiv_id.stem}.{EXTENSIONS[fmt]}" for n in notes] if folder else [path]
    if not force:
        existing = [str(p) for p in files if p.exists()]
        if existing:
            shown = ", ".join(existing[:3]) + (" ..." if len(existing) > 3 else "")
            raise PapernotesError(
                f"{shown} already exists; add --force to replace, or choose another -o"
            )
    if not folder:
        write_atomic(path, (c.encode() for c in render_chunks(fmt, notes, title=title)))
        return files
    for file, note in zip(files, notes, strict=True):
        write_atomic(file, render(fmt, [note]).encode())
    return list(dict.fromkeys(files))
