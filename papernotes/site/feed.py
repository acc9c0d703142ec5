"""`feed.xml`: an Atom feed (RFC 4287) of the newest notes, built with ElementTree.

With the site's address (`--base-url`) every link is absolute, as feed readers want;
without it links are relative to the feed. An entry's id is the work's own address (arXiv's
abstract page, the DOI's resolver, the page), so it stays the same wherever the site moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from urllib.parse import quote, urljoin
from xml.etree import ElementTree as ET

from papernotes.site.pages import NoteView

ATOM = "http://www.w3.org/2005/Atom"
NEWEST = 50  # entries in the feed
_EPOCH = "1970-01-01T00:00:00Z"
# Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


def render(title: str, views: Sequence[NoteView], base_url: str | None) -> str:
    """The feed of the first NEWEST views (newest added first)."""
    ET.register_namespace("", ATOM)
    newest = list(views[:NEWEST])
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", title)
    _text(
        feed,
        "id",
        _address(base_url, "") if base_url else f"urn:papernotes:site:{quote(_clean(title))}",
    )
    _text(feed, "updated", max((_stamp(v.note.added) for v in newest), default=_now()))
    _link(feed, _address(base_url, "feed.xml"), rel="self")
    _link(feed, _address(base_url, "index.html"))
    _sub(feed, "generator").text = "papernotes"
    for note in newest:
        entry = _sub(feed, "entry")
        _text(entry, "title", note.title)
        _text(entry, "id", note.links[0].url if note.links else f"urn:papernotes:{note.note.id}")
        added = _stamp(note.note.added or note.note.updated)  # the note's date, not the paper's
        _text(entry, "updated", added)
        _text(entry, "published", added)
        _link(entry, _address(base_url, note.page))
        for author in note.authors:
            _text(_sub(entry, "author"), "name", author.name)
        if not note.authors:
            _text(_sub(entry, "author"), "name", note.where or "unknown")
        for tag in note.tags:
            _sub(entry, "category").set("term", _clean(tag.name))
        summary = note.tldr or " ".join(note.abstract)
        if summary:
            _text(entry, "summary", summary)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"


def _address(base_url: str | None, path: str) -> str:
    """`path` below the site's address (`…/papers` is taken as the folder `…/papers/`)."""
    if not base_url:
        return path
    return urljoin(base_url if base_url.endswith("/") else base_url + "/", path)


def _sub(parent: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{ATOM}}}{name}")


def _text(parent: ET.Element, name: str, text: str) -> None:
    _sub(parent, name).text = _clean(text)


def _link(parent: ET.Element, href: str, rel: str = "alternate") -> None:
    link = _sub(parent, "link")
    link.set("rel", rel)
    link.set("href", href)


def _clean(text: str) -> str:
    return text.translate(_NOT_XML)


def _stamp(value: str | None) -> str:
    """An RFC 3339 date-time: ours are already (`2026-11-28T23:27:47Z`); a date gets midnight."""
    value = (value or "").strip()
    if len(value) == 10:
        return f"{value}T00:00:00Z"
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _EPOCH
    return value


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
