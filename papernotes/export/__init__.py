"""Exporters: one module per format, each `render(notes, *, title=None) -> str`, no I/O.

A format's module is imported the first time it renders, so importing this package costs
next to nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

from papernotes.errors import UsageError

if TYPE_CHECKING:
    from papernotes.note import Note


class Renderer(Protocol):
    """A format's `render`: the notes as text; `title` names a digest where it means anything."""

    def __call__(self, notes: Sequence[Note], *, title: str | None = None) -> str: ...


def _lazy(name: str) -> Renderer:
    """`papernotes.export.<name>.render`, its module imported on the first call."""

    def render(notes: Sequence[Note], *, title: str | None = None) -> str:
        text: str = import_module(f"{__name__}.{name}").render(notes, title=title)
        return text

    render.__doc__ = f"The notes as {name} (see papernotes.export.{name})."
    return render


FORMATS: dict[str, Renderer] = {name: _lazy(name) for name in ("markdown", "bibtex", "json")}
EXTENSIONS = {"markdown": "md", "bibtex": "bib", "json": "json"}


def render(fmt: str, notes: Sequence[Note], title: str | None = None) -> str:
    """`notes` as text in the format `fmt`, one of FORMATS."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        known = ", ".join(FORMATS)
        raise UsageError(f"unknown export format {fmt!r}: choose one of {known}") from None
    return renderer(notes, title=title)
