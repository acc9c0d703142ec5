"""Choosing notes by tag, years as typed, and the parts of a listed line: pure functions."""

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


def with_tags(notes: Iterable[Note], tags: Iterable[str]) -> list[Note]:
    """The notes carrying every tag (case and accents aside), in their order."""
    wanted = {fold(t) for t in tags}
    return [note for note in notes if not wanted - {fold(t) for t in note.tags}]
