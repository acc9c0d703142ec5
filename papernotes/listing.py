"""Choosing and ordering notes for `list` and `export`: pure functions over loaded data.

`Entry` is the lean form of a note that `list` prints and filters on; the search index
keeps one per note, so listing 10,000 notes reads no YAML and builds no full notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol, TypeVar

from papernotes.errors import UsageError


class SortKey(str, Enum):
    """Orders `list` offers; newest first."""

    ADDED = "added"
    PUBLISHED = "published"


class Listable(Protocol):
    """What choosing and ordering look at: a `Note` or an `Entry`."""

    @property
    def id(self) -> str: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def primary_category(self) -> str | None: ...
    @property
    def categories(self) -> list[str]: ...
    @property
    def published(self) -> str | None: ...
    @property
    def added(self) -> str | None: ...
    @property
    def year(self) -> int | None: ...


Item = TypeVar("Item", bound=Listable)


def byline(names: Sequence[str]) -> str:
    """`Vaswani et al.` style: the first author's name, and 'et al.' when there are more."""
    if not names:
        return ""
    return names[0] + (" et al." if len(names) > 1 else "")


def title_line(title: str, pending: bool) -> str:
    """The title, or a marker for a placeholder whose metadata is still pending."""
    return title or ("(metadata pending)" if pending else "(untitled)")


@dataclass(slots=True)
class Entry:
    """One note as `list` shows it: the fields it prints, filters on and sorts by."""

    file: str
    id: str
    title: str
    byline: str
    tags: list[str]
    categories: list[str]
    published: str | None
    added: str | None
    primary_category: str | None = None

    @property
    def year(self) -> int | None:
        """Year of first publication, when known."""
        published = self.published or ""
        return int(published[:4]) if published[:4].isdigit() else None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Entry:
        """The entry of a record of the TinyDB index (a note's data and its `_file`)."""
        authors = record.get("authors") or []
        return cls(
            file=record["_file"],
            id=str(record["id"]),
            title=title_line(record.get("title") or "", bool(record.get("pending"))),
            byline=byline([str(a.get("name", "")) for a in authors[:2]]),  # 2 tell "et al."
            tags=record.get("tags") or [],
            categories=record.get("categories") or [],
            published=record.get("published"),
            added=record.get("added"),
            primary_category=record.get("primary_category"),
        )


def parse_years(text: str) -> tuple[int, int]:
    """`2019` or `2017..2019` as an inclusive range of years."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:\.\.\s*(\d{4})\s*)?", text)
    if not match:
        raise UsageError(f"year {text!r}: expected a year like 2019 or a range like 2017..2019")
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if first > last:
        raise UsageError(f"year {text!r}: the range runs backwards; write {last}..{first}")
    return first, last


def in_category(item: Listable, category: str) -> bool:
    """True if any category is `category` or below it (`cs` matches cs.LG, `cs.LG` only cs.LG)."""
    wanted = category.lower()
    found = {c.lower() for c in [item.primary_category, *item.categories] if c}
    return any(c == wanted or c.startswith(wanted + ".") for c in found)


def select(
    items: Iterable[Item],
    *,
    tags: Iterable[str] = (),
    category: str | None = None,
    years: tuple[int, int] | None = None,
) -> list[Item]:
    """Notes carrying every tag (case-insensitive), in the category and the year range."""
    wanted_tags = {t.casefold() for t in tags}
    chosen = []
    for item in items:
        if wanted_tags and wanted_tags - {t.casefold() for t in item.tags}:
            continue
        if category and not in_category(item, category):
            continue
        if years and (item.year is None or not years[0] <= item.year <= years[1]):
            continue
        chosen.append(item)
    return chosen


def ordered(items: Iterable[Item], key: SortKey, *, oldest_first: bool = False) -> list[Item]:
    """Notes by date added or published, newest first; ties by id for a stable order."""

    def date(item: Item) -> str:
        return (item.added if key is SortKey.ADDED else item.published) or ""

    by_id = sorted(items, key=lambda n: n.id, reverse=not oldest_first)
    return sorted(by_id, key=date, reverse=not oldest_first)
