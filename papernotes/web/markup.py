"""The parts of a page's markup that hold its metadata, read with the standard html.parser.

One pass over the page collects the `<meta>` tags papernotes reads, the first `<title>`
(not one inside an inline SVG icon, which many pages have in their body), the `<html lang>`,
the canonical link and the JSON-LD scripts. Everything is bounded: a page cannot make the
reader keep more than a few megabytes, whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# The meta tags read: Highwire (citation_*), OpenGraph (og:, article:, video:), Twitter
# cards, Dublin Core (dc., dcterms.), and the plain ones. Others (a page may have hundreds:
# verification codes, analytics) are not kept.
_KEPT_PREFIXES = ("citation_", "og:", "article:", "video:", "twitter:", "dc.", "dcterms.")
_KEPT_NAMES = frozenset({"description", "author", "application-name", "content-language"})
_SKIPPED = frozenset({"citation_reference"})  # a paper's bibliography: large, not its own
MAX_VALUES_PER_TAG = 5000
MAX_TITLE_CHARS = 65536
MAX_SCRIPT_CHARS = 2 * 1024 * 1024
MAX_SCRIPTS = 32
_FOREIGN = frozenset({"svg", "math"})  # their <title> elements name icons, not the page
_BREAKS = frozenset(
    {"p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"blockquote", "section", "article", "header", "footer", "pre", "hr", "dt", "dd"}
)


@dataclass
class Head:
    """What a page's markup says about it, each value as written (entities decoded)."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    title: str | None = None
    language: str | None = None
    canonical: str | None = None
    jsonld: list[str] = field(default_factory=list)


def meta_key(name: str) -> str:
    """A meta tag's name as looked up: lower-case, `dc:` and `dcterms:` written with a dot."""
    key = name.strip().lower()
    for prefix in ("dc:", "dcterms:"):
        if key.startswith(prefix):
            return prefix[:-1] + "." + key[len(prefix) :]
    return key


def read_markup(text: str) -> Head:
    """The metadata-bearing parts of a page's text."""
    reader = _HeadReader()
    try:
        reader.feed(text)
        reader.close()
    except AssertionError:  # html.parser's answer to a few malformed `<![` sections
        pass
    return reader.head


def text_of(fragment: str) -> str:
    """The text of a fragment of HTML, tags dropped (a break where a block starts or ends),
    entities decoded, scripts and styles left out."""
    reader = _TextReader()
    try:
        reader.feed(fragment)
        reader.close()
    except AssertionError:
        pass
    return "".join(reader.parts)


def _kept(key: str) -> bool:
    return key not in _SKIPPED and (key in _KEPT_NAMES or key.startswith(_KEPT_PREFIXES))


class _HeadReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.head = Head()
        self._title: list[str] | None = None
        self._title_size = 0
        self._script: list[str] | None = None
        self._script_size = 0
        self._foreign = 0
        self._seen_html = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta":
            self._meta(values)
        elif tag == "link":
            rel = values.get("rel", "").lower().split()
            if "canonical" in rel and self.head.canonical is None and values.get("href"):
                self.head.canonical = values["href"]
        elif tag in _FOREIGN:
            self._foreign += 1
        elif tag == "title" and not self._foreign and self.head.title is None:
            self._title = []
        elif tag == "script" and values.get("type", "").strip().lower() == "application/ld+json":
            if len(self.head.jsonld) < MAX_SCRIPTS:
                self._script, self._script_size = [], 0
        elif tag == "html" and not self._seen_html:
            self._seen_html = True
            lang = values.get("lang") or values.get("xml:lang")
            if lang:
                self.head.language = lang

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _FOREIGN:  # `<svg/>` opens nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _FOREIGN:
            self._foreign = max(0, self._foreign - 1)
        elif tag == "title" and self._title is not None:
            self.head.title = "".join(self._title)
            self._title = None
        elif tag == "script" and self._script is not None:
            self.head.jsonld.append("".join(self._script))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._title is not None and self._title_size < MAX_TITLE_CHARS:
            self._title.append(data[: MAX_TITLE_CHARS - self._title_size])
            self._title_size += len(data)
        elif self._script is not None and self._script_size < MAX_SCRIPT_CHARS:
            self._script.append(data[: MAX_SCRIPT_CHARS - self._script_size])
            self._script_size += len(data)

    def close(self) -> None:
        super().close()
        if self._title is not None:  # a page that never closes its <title>
            self.head.title = "".join(self._title)

    def _meta(self, values: dict[str, str]) -> None:
        content = values.get("content")
        if content is None:
            return
        names = values.get("name", "").split()[:1] + values.get("property", "").split()
        if "http-equiv" in values:
            names.append(values["http-equiv"])
        for name in names:
            key = meta_key(name)
            if _kept(key):
                found = self.head.meta.setdefault(key, [])
                if len(found) < MAX_VALUES_PER_TAG:
                    found.append(content)


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)
