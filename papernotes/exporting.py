"""`export`: choose notes (ids, tags, a search query, or all), render them, write them out.

Writing never half-replaces anything: a file is written through a temporary file and a
rename, an existing file is replaced only when asked (`force`), and with a folder every
target is checked before the first one is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from papernotes.errors import PapernotesError, UsageError
from papernotes.export import EXTENSIONS, render
from papernotes.ids import parse_id
from papernotes.listing import SortKey, ordered, select
from papernotes.note import Note
from papernotes.store import NoteStore, Refresh, write_atomic


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
) -> list[Note]:
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

    everything = store.notes(on_refresh=on_refresh)
    return ordered(select(everything, tags=selection.tags), SortKey.ADDED)


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
    if target.endswith(("/", "\\")) or path.is_dir():
        files = {path / f"{n.arxiv_id.stem}.{EXTENSIONS[fmt]}": [n] for n in notes}
        title = None  # each file is one post, not a digest
    else:
        files = {path: list(notes)}
    if not force:
        existing = [str(p) for p in files if p.exists()]
        if existing:
            shown = ", ".join(existing[:3]) + (" ..." if len(existing) > 3 else "")
            raise PapernotesError(
                f"{shown} already exists; add --force to replace, or choose another -o"
            )
    for file, chosen in files.items():
        write_atomic(file, render(fmt, chosen, title=title).encode("utf-8"))
    return list(files)
