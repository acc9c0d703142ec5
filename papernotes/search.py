"""The search language: a query parsed into a tree of words and filters; snippets.

Syntax: words must all match (AND), `a OR b`, parentheses; `"a phrase"` (exactly these
words in order, stopwords included); `-word`, `-"phrase"` or `-(...)` excludes; `word*`
matches words starting with `word`; fields `title:`, `author:`, `tag:`, `cat:cs.LG` or
`cat:cs`, `year:2019`, `year:2017..2019`, `year:2017..` or `year:..2019` (categories and
years read as `list` reads them: `listing.parse_category`, `parse_years`), `id:`; a pasted
arXiv id or link finds that paper. Matching folds case and accents and compares stems
(`ticket` finds `tickets`). The index runs the tree (`index.query`); nothing here does I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from papernotes.errors import InvalidIdError, UsageError
from papernotes.fields import EVERYWHERE
from papernotes.ids import parse_id
from papernotes.listing import parse_category, parse_kind, parse_site, parse_years
from papernotes.note import Note
from papernotes.tex import to_unicode
from papernotes.text import STOP_MARK, STOPWORDS, fold, stem, terms, words

FILTER_FIELDS = ("tag", "cat", "year", "id", "kind", "site")
TEXT_FIELDS = {"title": ("title",), "author": ("names",)}
ALIASES = {"ti": "title", "au": "author", "tags": "tag", "category": "cat", "arxiv": "id"}


@dataclass(frozen=True)
class Words:
    """A word, a phrase or a prefix, looked for in some fields.

    `tokens` are index tokens (`text.terms`); for a prefix, the folded prefix; for
    `author:`, the folded words as written.
    """

    tokens: tuple[str, ...]
    fields: tuple[str, ...] = EVERYWHERE
    prefix: bool = False


@dataclass(frozen=True)
class Filter:
    """A condition on a note's tags, categories, year, id, kind or the site of its link."""

    kind: str  # tag, cat, year, id, kind or site
    value: str = ""
    years: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Not:
    """Notes that do not match `node`."""

    node: Node


@dataclass(frozen=True)
class All:
    """Notes matching every node."""

    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Either:
    """Notes matching any node."""

    nodes: tuple[Node, ...]


Node = Words | Filter | Not | All | Either


@dataclass
class Query:
    """A parsed query: its tree, and the words left out as too common."""

    root: All
    ignored: list[str] = field(default_factory=list)

    def wanted(self) -> Iterator[Words]:
        """The words a match may contain (not those under a NOT)."""

        def walk(node: Node) -> Iterator[Words]:
            if isinstance(node, Words):
                yield node
            elif isinstance(node, All | Either):
                for child in node.nodes:
                    yield from walk(child)

        return walk(self.root)


@dataclass
class Result:
    """A note found, ready to show: its score and a snippet with the spans to highlight."""

    note: Note
    score: float
    snippet: str
    marks: list[tuple[int, int]]


_TOKEN = re.compile(r'\s*(?:(\()|(\))|(-?)(\()|(-?)(?:([A-Za-z]+):)?("([^"]*)"|"|([^\s"()]+)))')


def parse_query(text: str) -> Query:
    """Parse the search language; raises `UsageError` naming what cannot be parsed."""
    parser = _Parser(text.strip())
    root = parser.expression()
    if parser.position < len(parser.text):  # a `)` with no `(`
        raise UsageError(f"unmatched ')' in query: {text.strip()!r}")
    query = Query(root if isinstance(root, All) else All((root,)), parser.ignored)
    if not _has_positive(query.root):
        common = ", ".join(repr(w) for w in dict.fromkeys(query.ignored))
        hint = f" ({common}: too common to search for)" if common else ""
        raise UsageError(f"nothing to search for in {text.strip()!r}{hint}")
    return query


def _has_positive(node: Node) -> bool:
    if isinstance(node, Words | Filter):
        return True
    if isinstance(node, All):
        return any(_has_positive(n) for n in node.nodes)
    if isinstance(node, Either):
        return bool(node.nodes) and all(_has_positive(n) for n in node.nodes)
    return False


class _Parser:
    """expression := sequence ('OR' sequence)*; sequence := ['-'] ('(' expression ')' | term)+"""

    def __init__(self, text: str) -> None:
        self.text, self.position, self.depth = text, 0, 0
        self.ignored: list[str] = []

    def expression(self) -> Node:
        choices = [self._sequence()]
        while self._peek_or():
            self.position = self.text.index("OR", self.position) + 2
            choices.append(self._sequence())
        if len(choices) > 1 and None in choices:
            raise UsageError(f"OR needs words on both sides in query: {self.text!r}")
        kept = tuple(node for found in choices if found for node in found)
        if len(choices) == 1 or len(kept) <= 1:
            return kept[0] if len(kept) == 1 else All(kept)
        return Either(kept)

    def _peek_or(self) -> bool:
        rest = self.text[self.position :].lstrip()
        # `OR` stands alone: before the end, a space, a quote or a parenthesis (`(a OR)`
        # is an OR missing its right side, not the common word `or`).
        return rest.startswith("OR") and (len(rest) == 2 or rest[2].isspace() or rest[2] in '"()')

    def _sequence(self) -> list[Node] | None:
        """The terms up to an OR, a `)` or the end, ANDed (a list of one); None if none."""
        nodes: list[Node] = []
        start = self.position
        while self.position < len(self.text) and not self._peek_or():
            match = _TOKEN.match(self.text, self.position)
            if match is None or match.group(7) == '"':
                rest = self.text[self.position :].strip()
                raise UsageError(f"unclosed quote in query: {rest!r}")
            if match.group(2):  # `)`: the enclosing group ends here
                if not self.depth:
                    raise UsageError(f"unmatched ')' in query: {self.text!r}")
                break
            self.position = match.end()
            if match.group(1) or match.group(4):
                nodes.extend(self._group(negated=match.group(3) == "-"))
            else:
                nodes.extend(self._term(match))
        if self.position == start:
            return None
        return [nodes[0] if len(nodes) == 1 else All(tuple(nodes))] if nodes else []

    def _group(self, *, negated: bool) -> list[Node]:
        self.depth += 1
        inner = self.expression()
        self.depth -= 1
        closing = re.compile(r"\s*\)").match(self.text, self.position)
        if closing is None:
            raise UsageError(f"unclosed '(' in query: {self.text!r}")
        self.position = closing.end()
        if isinstance(inner, All) and not inner.nodes:
            return []
        return [Not(inner) if negated else inner]

    def _term(self, match: re.Match[str]) -> list[Node]:
        negated = match.group(5) == "-"
        name, quoted, bare = match.group(6), match.group(8), match.group(9)
        if name and name.lower() in ("http", "https"):
            name, bare = None, f"{name}:{bare}"
        value = quoted if quoted is not None else bare or ""
        if not name and bare and bare.endswith(":") and _known_field(bare[:-1]):
            name, value = bare[:-1], ""
        if not name and not quoted and _is_arxiv_id(value):
            name = "id"  # a pasted id or arXiv link finds that paper
        if name:
            node = _field(ALIASES.get(name.lower(), name.lower()), value, name, self.ignored)
        else:
            node = _words(value, EVERYWHERE, self.ignored, phrase=quoted is not None)
        if node is None:
            return []
        return [Not(node) if negated else node]


def _known_field(name: str) -> bool:
    name = ALIASES.get(name.lower(), name.lower())
    return name in TEXT_FIELDS or name in FILTER_FIELDS


def _is_arxiv_id(text: str) -> bool:
    if not any(c.isdigit() for c in text) or not ("." in text or "/" in text):
        return False
    try:
        parse_id(text)
    except InvalidIdError:
        return False
    return True


def _field(name: str, value: str, given: str, ignored: list[str]) -> Node | None:
    if not value:
        raise UsageError(f"{given}: needs a value, like {given}:something")
    if name == "title":
        return _words(value, TEXT_FIELDS["title"], ignored, phrase=False)
    if name == "author":
        found = tuple(words(value))
        return Words(found, TEXT_FIELDS["author"]) if found else None
    if name == "tag":
        return Filter("tag", fold(value.lstrip("#")))
    if name == "cat":
        return Filter("cat", parse_category(value, f"{given}:{value}"))
    if name == "year":
        return Filter("year", years=parse_years(value, f"{given}:{value}"))
    if name == "id":
        from papernotes.refs import parse_ref

        try:
            value = parse_ref(value).base
        except InvalidIdError:
            value = value.lower()  # a prefix like id:1706. or id:hep-th
        return Filter("id", value)
    if name == "kind":
        return Filter("kind", parse_kind(value, f"{given}:{value}"))
    if name == "site":
        return Filter("site", parse_site(value, f"{given}:{value}"))
    known = ", ".join(f"{f}:" for f in (*TEXT_FIELDS, *FILTER_FIELDS))
    raise UsageError(f"unknown field {given}: in query (fields are {known})")


def _words(value: str, fields: tuple[str, ...], ignored: list[str], *, phrase: bool) -> Node | None:
    """A word or phrase; a prefix (`gen*`, `state-of-art*`: the leading words as a phrase)."""
    if value.endswith("*") and not phrase:
        found = words(value.rstrip("*"))
        if not found:
            return None
        prefix = Words((found[-1],), fields, prefix=True)
        leading = tuple(terms(found[:-1]))
        if any(not t.startswith(STOP_MARK) for t in leading):
            return All((Words(leading, fields), prefix))
        return prefix
    tokens = tuple(terms(words(value)))
    if all(t.startswith(STOP_MARK) for t in tokens):
        ignored.extend(t[1:] for t in tokens)
        return None
    return Words(tokens, fields)


def highlighter(query: Query) -> Callable[[str], bool]:
    """A test for folded words that the snippet should highlight."""
    stems: set[str] = set()
    exact: set[str] = set()
    prefixes: list[str] = []
    for found in query.wanted():
        if found.prefix:
            prefixes.extend(found.tokens)
        elif found.fields == TEXT_FIELDS["author"]:
            exact.update(found.tokens)
        else:
            stems.update(t for t in found.tokens if not t.startswith(STOP_MARK))
    return lambda word: (
        word in exact
        or (word not in STOPWORDS and stem(word) in stems)
        or any(word.startswith(p) for p in prefixes)
    )


_WORD_SPAN = re.compile(r"\w+")


def snippet(
    note: Note, wanted: Callable[[str], bool], width: int = 160
) -> tuple[str, list[tuple[int, int]]]:
    """A short passage around the first matched word, and the spans of matched words."""
    sources = [
        note.tldr,
        note.commentary,
        " ".join(note.findings),
        to_unicode(note.abstract),
        to_unicode(note.title),
    ]
    sources = [unicodedata.normalize("NFC", s) for s in sources if s]
    for text in sources:
        spans = [m.span() for m in _WORD_SPAN.finditer(text) if wanted(fold(m.group()))]
        if spans:
            break
    else:
        text = sources[0] if sources else ""
        spans = []
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    passage = " ".join(text[start:end].split())
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    shown = lead + passage + tail
    marks = [m.span() for m in _WORD_SPAN.finditer(shown) if wanted(fold(m.group()))]
    return shown, marks
