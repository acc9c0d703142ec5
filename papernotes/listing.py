"""Choosing notes for `list` and `export`, and the parts of a listed line: pure functions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import TYPE_CHECKING

from papernotes.errors import UsageError
from papernotes.text import fold

if TYPE_CHECKING:
    from papernotes.note import Note


class SortKey(str, Enum):
    """Orders `list` offers; newest first."""

    ADDED = "added"
    PUBLISHED = "published"


# What a listed line shows for a missing title and for more authors than the first (the
# index composes `list`'s lines in SQL with the same words).
PENDING_TITLE, NO_TITLE, ET_AL = "(metadata pending)", "(untitled)", " et al."


def byline(names: Sequence[str]) -> str:
    """`Vaswani et al.` style: the first author's name, and 'et al.' when there are more."""
    if not names:
        return ""
    return names[0] + (ET_AL if len(names) > 1 else "")


def title_line(title: str, pending: bool) -> str:
    """The title, or a marker for a placeholder whose metadata is still pending."""
    return title or (PENDING_TITLE if pending else NO_TITLE)


def parse_years(text: str) -> tuple[int, int]:
    """`2019` or `2017..2019` as an inclusive range of years."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:\.\.\s*(\d{4})\s*)?", text)
    if not match:
        raise UsageError(f"year {text!r}: expected a year like 2019 or a range like 2017..2019")
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if first > last:
        raise UsageError(f"year {text!r}: the range runs backwards; write {last}..{first}")
    return first, last


def in_category(item: Note, category: str) -> bool:
    """True if any category is `category` or below it (`cs` matches cs.LG, `cs.LG` only cs.LG)."""
    wanted = category.lower()
    found = {c.lower() for c in [item.primary_category, *item.categories] if c}
    return any(c == wanted or c.startswith(wanted + ".") for c in found)


def select(
    items: Iterable[Note],
    *,
    tags: Iterable[str] = (),
    category: str | None = None,
    years: tuple[int, int] | None = None,
) -> list[Note]:
    """Notes carrying every tag (case and accents aside), in the category and the years."""
    wanted_tags = {fold(t) for t in tags}
    chosen = []
    for item in items:
        if wanted_tags and wanted_tags - {fold(t) for t in item.tags}:
            continue
        if category and not in_category(item, category):
            continue
        if years and (item.year is None or not years[0] <= item.year <= years[1]):
            continue
        chosen.append(item)
    return chosen
