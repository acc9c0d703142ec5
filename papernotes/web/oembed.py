"""oEmbed answers (a video's or a post's title, author and site, as YouTube and Twitter/X
give them to embed it) read into the same PageMeta as a page.

A tweet has no title: its text, in the `<blockquote>` the answer gives to embed it, is the
title here, with the post's language and the day written under it.
"""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from typing import Any

from papernotes.errors import WebAnswerError
from papernotes.web import values
from papernotes.web.page import PageMeta

_KINDS = {"video": "video", "photo": "page", "link": "page", "rich": "page"}


def read_oembed(body: bytes, *, url: str) -> PageMeta:
    """Read an oEmbed answer about `url`; raise `WebAnswerError` for an error answer
    (Twitter's `{"errors": ...}`, YouTube's bare `Forbidden`) or one that is not oEmbed."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        start = values.clean(body[:60].decode("utf-8", "replace"), 40) or "nothing"
        raise WebAnswerError(
            f"{url}: the site would not describe it (it answered {start!r}, not oEmbed JSON); "
            "it may be private or not embeddable"
        ) from None
    if not isinstance(data, dict) or "errors" in data or "type" not in data:
        raise WebAnswerError(f"{url}: the site would not describe it ({_problem(data)})")
    quote = _Quote()
    if isinstance(data.get("html"), str):
        quote.read(data["html"])
    title = values.clean(_text(data.get("title")), values.TITLE_CHARS)
    kind = _KINDS.get(str(data["type"]), "page")
    if title is None and quote.text:
        title, kind = values.clean(quote.text, values.TITLE_CHARS), "post"
    return PageMeta(
        title=title,
        authors=values.people([a] if (a := _text(data.get("author_name"))) else []),
        date=_day(quote.last_link) if kind == "post" else None,
        site_name=values.clean(_text(data.get("provider_name")), values.SHORT_CHARS),
        language=values.language(quote.language) if kind == "post" else None,
        kind=kind,
        url=values.link(_text(data.get("url")), ""),
        found=("oembed",),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _problem(data: Any) -> str:
    """The error message in an error answer, cleaned, or what is wrong with the answer."""
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        message = values.clean(_text(errors[0].get("message")), values.SHORT_CHARS)
        if message:
            return f"it answered {message!r}"
    return "its answer is not oEmbed"


_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_SHOWN_DAY = re.compile(r"(?P<month>[A-Za-z]+) (?P<day>[0-9]{1,2}), (?P<year>[0-9]{4})")


def _day(text: str | None) -> str | None:
    """The day an embedded post shows under its text ("February 23, 2016"), as YYYY-MM-DD
    (English month names whatever the locale, as the answer writes them)."""
    match = _SHOWN_DAY.fullmatch((text or "").strip())
    if match is None or match.group("month").lower() not in _MONTHS:
        return None
    month = _MONTHS.index(match.group("month").lower()) + 1
    try:
        return date(int(match.group("year")), month, int(match.group("day"))).isoformat()
    except ValueError:
        return None


class _Quote(HTMLParser):
    """The text, language and last link of the first `<p>` in a `<blockquote>`: a post's
    words, then its author and a link to it whose text is the day it was written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.language: str | None = None
        self.last_link: str | None = None
        self._depth = {"blockquote": 0, "p": 0, "a": 0}
        self._parts: list[str] = []
        self._link: list[str] = []
        self._done = False

    def read(self, html: str) -> None:
        try:
            self.feed(html)
            self.close()
        except AssertionError:
            pass

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._depth:
            self._depth[tag] += 1
        if tag == "a":
            self._link = []
        elif tag == "p" and self._depth["blockquote"] and not self._done:
            self.language = dict(attrs).get("lang")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._depth:
            self._depth[tag] = max(0, self._depth[tag] - 1)
        if tag == "p" and self._depth["blockquote"] and not self._done:
            self.text, self._done = "".join(self._parts), True
        elif tag == "a" and self._depth["blockquote"]:
            self.last_link = "".join(self._link)

    def handle_data(self, data: str) -> None:
        if self._depth["blockquote"] and self._depth["p"] and not self._done:
            self._parts.append(data)
        if self._depth["a"]:
            self._link.append(data)
