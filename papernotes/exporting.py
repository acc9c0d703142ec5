"""`export`: choose notes (ids, tags, a search query, or all), render them, write them out.

Writing never half-replaces anything: a file is written through a temporary file and a
rename, an existing file is replaced only when asked (`force`), and with a folder every
target is checked before the first one is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from papernotes.errors import PapernotesError, UsageError
from papernotes.export import EXTENSIONS, SPLIT, render_chunks, render_posts
from papernotes.index import Collection
from papernotes.listing import with_tags
from papernotes.note import Note
from papernotes.refs import parse_ref
from papernotes.search import parse_query
from papernotes.store import write_atomic


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


def choose(collection: Collection, selection: Selection) -> Sequence[Note]:
    """The selected notes, in a sensible order (as given, by relevance, or newest first)."""
    if not (selection.ids or selection.tags or selection.query or selection.everything):
        raise UsageError("say which notes to export: ids, --tag, --query or --all")
    if selection.ids:
        chosen = {i.base: i for i in map(parse_ref, selection.ids)}  # one per paper
        return [collection.note(arxiv_id) for arxiv_id in chosen.values()]
    if selection.query:
        found = [r.note for r in collection.search(parse_query(selection.query), None)[0]]
        return with_tags(found, selection.tags)
    return StoredNotes(collection, [row for row, _ in collection.entries(tags=selection.tags)])


class StoredNotes(Sequence[Note]):
    """Notes of the index, read from it when used. Formats go over the notes more than
    once (a digest's contents, then its posts): up to KEPT notes are kept once read,
    beyond that each batch is let go, so exporting 100,000 notes never holds them all."""

    KEPT = 20_000
    BATCH = 500

    def __init__(self, collection: Collection, rowids: list[int]) -> None:
        self._collection, self._rowids = collection, rowids
        self._kept: dict[int, Note] | None = {} if len(rowids) <= self.KEPT else None

    def __len__(self) -> int:
        return len(self._rowids)

    @overload
    def __getitem__(self, index: int) -> Note: ...
    @overload
    def __getitem__(self, index: slice) -> list[Note]: ...
    def __getitem__(self, index: int | slice) -> Note | list[Note]:
        if isinstance(index, slice):
            return self._notes(self._rowids[index])
        return self._notes([self._rowids[index]])[0]

    def __iter__(self) -> Iterator[Note]:
        for start in range(0, len(self._rowids), self.BATCH):
            yield from self._notes(self._rowids[start : start + self.BATCH])

    def _notes(self, rowids: list[int]) -> list[Note]:
        if self._kept is None:
            return self._collection.notes(rowids)
        missing = [r for r in rowids if r not in self._kept]
        self._kept.update(zip(missing, self._collection.notes(missing), strict=True))
        return [self._kept[r] for r in rowids]


def file_name(note: Note, fmt: str, part: int | None = None) -> str:
    """The file a note is exported to in a folder: its file stem with the kind's folder
    joined on (`doi_10.1103_physrevb.91.184507.md`, `link_github.com_…-5e1c2a0b.md`), so
    every note's file is directly in the folder, and the format's extension. A post split
    in parts has a file for each, numbered from 1: `1911.04594-2.html`."""
    number = "" if part is None else f"-{part}"
    return f"{note.ref.stem.replace('/', '_')}{number}.{EXTENSIONS[fmt]}"


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
    # In a folder, each file is one post (or one part of a post), not a digest.
    # Every name is known before the first file is written; a split format's post is
    # rendered to count its parts, and again to be written (never all held at once).
    split = fmt in SPLIT
    counts = [len(render_posts(fmt, n)) if split else 1 for n in notes] if folder else []
    files = (
        [path / name for n, c in zip(notes, counts, strict=True) for name in _names(n, fmt, c)]
        if folder
        else [path]
    )
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
    texts = (post for note in notes for post in render_posts(fmt, note))
    for file, text in zip(files, texts, strict=True):
        write_atomic(file, text.encode())
    return list(dict.fromkeys(files))


def _names(note: Note, fmt: str, parts: int) -> list[str]:
    """The files of a note in `parts` pieces: its own name for one, numbered for more."""
    if parts == 1:
        return [file_name(note, fmt)]
    return [file_name(note, fmt, i) for i in range(1, parts + 1)]
