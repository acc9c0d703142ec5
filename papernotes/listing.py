"""Choosing notes by tag; years and categories as typed (one rule for `list` and
`search`); the parts of a listed line: pure functions."""

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


_YEARS = re.compile(r"([0-9]{4})?(\.\.)?([0-9]{4})?")
# Open ends of a range of years: no paper is older or newer.
FIRST, LAST = 0, 9999


def parse_years(text: str, typed: str | None = None) -> tuple[int, int]:
    """`2019`, `2017..2019`, `2017..` or `..2019` as an inclusive range of years.

    The one rule for `list --year` and `search year:`, with the same messages; `typed`
    names the input in them as the user wrote it (`--year 2017-19`, `year:2017-19`).
    """
    match = _YEARS.fullmatch(text.strip())
    named = typed or repr(text)
    if match is None or not (match[1] or match[3]) or (match[1] and match[3] and not match[2]):
        raise UsageError(
            f"{named}: expected a year like 2019, or a range: 2017..2019, 2017.. or ..2019"
        )
    first = int(match[1]) if match[1] else FIRST
    last = int(match[3]) if match[3] else (LAST if match[2] else first)
    if first > last:
        raise UsageError(f"{named}: the range runs backwards; write {last}..{first}")
    return first, last


_CATEGORY = re.compile(r"[a-z][a-z-]*(?:\.[a-z][a-z-]*)?")


def parse_category(text: str, typed: str | None = None) -> str:
    """An arXiv category (`cs.LG`) or a group of them (`cs`, `cs.`, `cs.*`), lowercased.

    The one rule for `list --category` and `search cat:`, with the same messages; `typed`
    names the input in them as the user wrote it.
    """
    category = text.strip().lower().removesuffix("*").removesuffix(".")
    if not _CATEGORY.fullmatch(category):
        raise UsageError(
            f"{typed or repr(text)}: expected an arXiv category like cs.LG or hep-th, "
            "or a group like cs"
        )
    return category


def parse_kind(text: str, typed: str | None = None) -> str:
    """A kind of note as typed: arxiv, doi or link (the one rule of `list --kind` and
    `search kind:`)."""
    kind = text.strip().lower()
    if kind not in ("arxiv", "doi", "link"):
        raise UsageError(f"{typed or repr(text)}: a kind of note is arxiv, doi or link")
    return kind


def parse_site(text: str, typed: str | None = None) -> str:
    """A site as typed, `github.com` or a link on it: its host, lower-cased, without `www.`
    (the rule of `search site:`, which finds the host and the hosts below it)."""
    host = text.strip().lower()
    host = host.split("://", 1)[-1].split("/", 1)[0].removeprefix("www.")
    host = re.sub(r":[0-9]+$", "", host).rstrip(".")  # the index keeps hosts without ports
    if not re.fullmatch(r"[a-z0-9.-]+", host) or "." not in host:
        raise UsageError(f"{typed or repr(text)}: expected a site like github.com")
    return host


def with_tags(notes: Iterable[Note], tags: Iterable[str]) -> list[Note]:
    """The notes carrying every tag (case and accents aside), in their order."""
    wanted = {fold(t) for t in tags}
    return [note for note in notes if not wanted - {fold(t) for t in note.tags}]
