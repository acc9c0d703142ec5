"""Exporters: one module per format, each with `render(notes, *, title=None) -> str` and
`chunks` (the same text piece by piece), no I/O.

A format's module is imported the first time it renders, so importing this package costs
next to nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

from papernotes.errors import UsageError

if TYPE_CHECKING:
    from papernotes.note import Note


class Renderer(Protocol):
    """A format's `chunks`: the notes as text, piece by piece (a note or an entry at a time,
    so a large export is never held whole); `title` names a digest where it means anything."""

    def __call__(self, notes: Sequence[Note], *, title: str | None = None) -> Iterator[str]: ...


def _lazy(name: str) -> Renderer:
    """`papernotes.export.<name>.chunks`, its module imported on the first call."""

    def chunks(notes: Sequence[Note], *, title: str | None = None) -> Iterator[str]:
        found: Iterator[str] = import_module(f"{__name__}.{name}").chunks(notes, title=title)
        return found

    chunks.__doc__ = f"The notes as {name} (see papernotes.export.{name})."
    return chunks


FORMATS: dict[str, Renderer] = {
    name: _lazy(name) for name in ("markdown", "bibtex", "json", "telegram")
}
EXTENSIONS = {"markdown": "md", "bibtex": "bib", "json": "json", "telegram": "html"}
# Formats whose note may be more than one message, each its own file: their modules'
# `posts(note) -> list[str]`.
SPLIT = frozenset({"telegram"})


def render_chunks(fmt: str, notes: Sequence[Note], title: str | None = None) -> Iterator[str]:
    """`notes` as text in the format `fmt`, one of FORMATS, piece by piece."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        known = ", ".join(FORMATS)
        raise UsageError(f"unknown export format {fmt!r}: choose one of {known}") from None
    return renderer(notes, title=title)


def render(fmt: str, notes: Sequence[Note], title: str | None = None) -> str:
    """`notes` as text in the format `fmt`, one of FORMATS."""
    return "".join(render_chunks(fmt, notes, title))


def render_posts(fmt: str, note: Note) -> list[str]:
    """One note in the format `fmt` as the pieces it is written in, each a file in a folder:
    a split format's messages, else the whole rendering."""
    if fmt in SPLIT:
        found: list[str] = import_module(f"{__name__}.{fmt}").posts(note)
        return [post + "\n" for post in found]
    return [render(fmt, [note])]
