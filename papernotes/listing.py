"""Choosing and ordering notes for `list`: pure functions over notes already loaded."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum

from papernotes.errors import UsageError
from papernotes.note import Note


class SortKey(str, Enum):
    """Orders `list` offers; newest first."""

    ADDED = "added"
    PUBLISHED = "published"


def parse_years(text: str) -> tuple[int, int]:
    """`2019` or `2017..2019` as an inclusive range of years."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:\.\.\s*(\d{4})\s*)?", text)
    if not match:
        raise UsageError(f"year {text!r}: expected a year like 2019 or a range like 2017..2019")
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if first > last:
        raise UsageError(f"year {text!r}: the range runs backwards; write {last}..{first}")
    return first, last


def in_category(note: Note, category: str) -> bool:
    """True if any category is `category` or below it (`cs` matches cs.LG, `cs.LG` only cs.LG)."""
    wanted = category.lower()
    found = {c.lower() for c in [note.primary_category, *note.categories] if c}
    return any(c == wanted or c.startswith(wanted + ".") for c in found)


def select(
    notes: Iterable[Note],
    *,
    tags: Iterable[str] = (),
    category: str | None = None,
    years: tuple[int, int] | None = None,
) -> list[Note]:
    """Notes carrying every tag (case-insensitive), in the category and the year range."""
    wanted_tags = {t.casefold() for t in tags}
    chosen = []
    for note in notes:
        if wanted_tags - {t.casefold() for t in note.tags}:
            continue
        if category and not in_category(note, category):
            continue
        if years and (note.year is None or not years[0] <= note.year <= years[1]):
            continue
        chosen.append(note)
    return chosen


def ordered(notes: Iterable[Note], key: SortKey, *, oldest_first: bool = False) -> list[Note]:
    """Notes by date added or published, newest first; ties by id for a stable order."""

    def date(note: Note) -> str:
        return (note.added if key is SortKey.ADDED else note.published) or ""

    by_id = sorted(notes, key=lambda n: n.id, reverse=not oldest_first)
    return sorted(by_id, key=date, reverse=not oldest_first)
