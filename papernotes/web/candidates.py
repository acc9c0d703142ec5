"""What one kind of metadata on a page offers, before the kinds are weighed against each other."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class Candidates:
    """Values as the page writes them (not yet cleaned), each list in the order they are
    trusted; `author_lists` holds whole lists of names, the first one with a name wins."""

    source: str
    titles: list[str] = field(default_factory=list)
    author_lists: list[list[str]] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    dois: list[str] = field(default_factory=list)
    arxiv_ids: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        """Whether the page holds any of this kind of metadata."""
        skipped = ("source", "author_lists")
        if any(getattr(self, f.name) for f in fields(self) if f.name not in skipped):
            return True
        return any(self.author_lists)
