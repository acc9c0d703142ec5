"""The search language and ranking: parse a query, score notes with BM25F, cut snippets.

Pure functions over a `SearchIndex` and notes already loaded; no I/O here.

Syntax: words must all match (AND); `"a phrase"`; `-word` or `-"phrase"` excludes;
`word*` matches words starting with `word`; fields `title:`, `author:`, `tag:`, `cat:`,
`year:2019` or `year:2017..2019`, `id:`. Matching folds case and accents and widens each
word to every form sharing its stem (`ticket` finds `tickets`).
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from papernotes.errors import InvalidIdError, UsageError
from papernotes.ids import parse_id
from papernotes.note import Note
from papernotes.search_index import (
    FIELDS,
    FILE,
    ID,
    PUBLISHED,
    SearchIndex,
    categories_of,
    needles,
    tags_of,
    year_of,
)
from papernotes.text import STOPWORDS, fold, index_words, words

# Hits in the title, the TL;DR and the tags weigh more than hits in the abstract.
WEIGHTS = {
    "title": 3.0,
    "tldr": 2.5,
    "tags": 2.5,
    "authors": 2.0,
    "notes": 1.5,
    "abstract": 1.0,
    "extra": 0.7,
}
K1, B = 1.2, 0.75
TEXT_FIELDS = {"title": ("title",), "author": ("authors",)}
FILTER_FIELDS = ("tag", "cat", "year", "id")
ALIASES = {"ti": "title", "au": "author", "tags": "tag", "category": "cat", "arxiv": "id"}


@dataclass(frozen=True)
class Clause:
    """One word, phrase or prefix to look for, in every field or in one."""

    text: str
    parts: tuple[str, ...]  # folded words (one unless a phrase)
    fields: tuple[str, ...] = FIELDS
    prefix: bool = False
    exact: bool = False  # names: no widening to other forms of the word
    negated: bool = False


@dataclass
class Query:
    """A parsed query: text clauses and filters on tags, categories, years and ids."""

    clauses: list[Clause] = field(default_factory=list)
    tags: list[tuple[str, bool]] = field(default_factory=list)  # (folded tag, negated)
    categories: list[tuple[str, bool]] = field(default_factory=list)
    years: list[tuple[int, int, bool]] = field(default_factory=list)
    ids: list[tuple[str, bool]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # words too common to search for

    @property
    def empty(self) -> bool:
        """True when nothing is left to search for."""
        return not (
            [c for c in self.clauses if not c.negated]
            or self.tags
            or self.categories
            or self.years
            or self.ids
        )


@dataclass
class Result:
    """A note found, ready to show: its score and a snippet with the spans to highlight."""

    note: Note
    score: float
    snippet: str
    marks: list[tuple[int, int]]


@dataclass
class Hit:
    """A note that matched, by its position in the index, with its score."""

    position: int
    score: float


_TOKEN = re.compile(r'\s*(-?)(?:([A-Za-z]+):)?("([^"]*)"|"|([^\s"]+))')


def parse_query(text: str) -> Query:
    """Parse the search language; raises `UsageError` naming what cannot be parsed."""
    query = Query()
    position, text = 0, text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.group(3) == '"':
            raise UsageError(f"unclosed quote in query: {text[position:].strip()!r}")
        position = match.end()
        negated = match.group(1) == "-"
        name, quoted, bare = match.group(2), match.group(4), match.group(5)
        if name and name.lower() in ("http", "https"):
            name, bare = None, f"{name}:{bare}"
        value = quoted if quoted is not None else bare or ""
        if not name and bare and bare.endswith(":") and _known_field(bare[:-1]):
            name, value = bare[:-1], ""
        if not name and not quoted and _is_arxiv_id(value):
            name = "id"  # a pasted id or arXiv link finds that paper
        if name:
            _field(query, ALIASES.get(name.lower(), name.lower()), value, negated, name)
        else:
            _text_clause(query, value, negated, quoted is not None, FIELDS, exact=False)
    if query.empty:
        common = ", ".join(repr(w) for w in dict.fromkeys(query.ignored))
        hint = f" ({common}: too common to search for)" if common else ""
        raise UsageError(f"nothing to search for in {text!r}{hint}")
    return query


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


def _field(query: Query, name: str, value: str, negated: bool, given: str) -> None:
    if not value:
        raise UsageError(f"{given}: needs a value, like {given}:something")
    if name in TEXT_FIELDS:
        exact = name == "author"
        _text_clause(query, value, negated, " " in value, TEXT_FIELDS[name], exact=exact)
    elif name == "tag":
        query.tags.append((fold(value.lstrip("#")), negated))
    elif name == "cat":
        query.categories.append((value.lower(), negated))
    elif name == "year":
        first, last = _years(value)
        query.years.append((first, last, negated))
    elif name == "id":
        try:
            value = parse_id(value).base
        except InvalidIdError:
            value = value.lower()  # a prefix like id:1706. or id:hep-th
        query.ids.append((value, negated))
    else:
        known = ", ".join(f"{f}:" for f in (*TEXT_FIELDS, *FILTER_FIELDS))
        raise UsageError(f"unknown field {given}: in query (fields are {known})")


def _years(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})?(\.\.)?(\d{4})?", value)
    if (
        not match
        or not (match.group(1) or match.group(3))
        or (match.group(1) and match.group(3) and not match.group(2))
    ):
        raise UsageError(f"year:{value}: expected year:2019, year:2017..2019 or year:2019..")
    first = int(match.group(1)) if match.group(1) else 0
    last = int(match.group(3)) if match.group(3) else (9999 if match.group(2) else first)
    if first > last:
        raise UsageError(f"year:{value}: the range runs backwards; write year:{last}..{first}")
    return first, last


def _text_clause(
    query: Query, value: str, negated: bool, phrase: bool, fields: tuple[str, ...], *, exact: bool
) -> None:
    prefix = value.endswith("*") and not phrase
    found = words(value.rstrip("*")) if prefix else index_words(value)
    if not found:
        query.ignored.extend(w for w in words(value) if w in STOPWORDS)
        return
    if prefix or (not phrase and len(found) == 1):
        query.clauses.append(
            Clause(value, (found[-1] if prefix else found[0],), fields, prefix, exact, negated)
        )
        leading = tuple(w for w in found[:-1] if w not in STOPWORDS)
        if prefix and leading:  # `state-of-art*`: the leading words as a phrase
            query.clauses.append(Clause(value, leading, fields, False, exact, negated))
    else:
        query.clauses.append(Clause(value, tuple(found), fields, False, exact, negated))


def _needles(index: SearchIndex, clause: Clause) -> list[bytes]:
    if clause.prefix or clause.exact:
        return needles([[w] for w in clause.parts])
    return needles([index.forms(w) for w in clause.parts])


def _passes_filters(row: list[Any], query: Query) -> bool:
    for tag, negated in query.tags:
        if _tag_matches(tag, tags_of(row)) == negated:
            return False
    for category, negated in query.categories:
        cats = [c.lower() for c in categories_of(row)]
        hit = any(c == category or c.startswith(category + ".") for c in cats)
        if hit == negated:
            return False
    for first, last, negated in query.years:
        year = year_of(row)
        if (year is not None and first <= year <= last) == negated:
            return False
    for wanted, negated in query.ids:
        if (row[ID] == wanted or row[ID].lower().startswith(wanted)) == negated:
            return False
    return True


def _tag_matches(tag: str, tags: list[str]) -> bool:
    if tag.endswith("*"):
        return any(t.startswith(tag[:-1]) for t in tags)
    return tag in tags


def rank(index: SearchIndex, query: Query, limit: int | None = None) -> tuple[list[Hit], int]:
    """The best `limit` notes for `query` (all with None), and how many matched in all.

    BM25F: each field's term frequency is length-normalised and weighted before the
    saturation; document frequency counts notes with the term in any field. Ties go to
    the newest paper.
    """
    total = index.notes
    if query.tags or query.categories or query.years or query.ids:
        rows = index.all_rows()
        candidates = {i for i in range(total) if _passes_filters(rows[i], query)}
    else:
        candidates = set(range(total))
    scores: defaultdict[int, float] = defaultdict(float)
    for clause in query.clauses:
        wanted = _needles(index, clause)
        per_field = {
            name: index.count(name, wanted, whole=not clause.prefix) for name in clause.fields
        }
        matched = set().union(*per_field.values())
        if clause.negated:
            candidates -= matched
            continue
        candidates &= matched
        if not candidates:
            return [], 0
        idf = math.log(1 + (total - len(matched) + 0.5) / (len(matched) + 0.5))
        weighted: defaultdict[int, float] = defaultdict(float)
        lengths, stride = index.lengths(), len(FIELDS)
        for name, counts in per_field.items():
            slot, weight = FIELDS.index(name), WEIGHTS[name]
            average = index.averages[slot]
            for position, tf in counts.items():
                length = lengths[position * stride + slot]
                weighted[position] += weight * tf / (1 - B + B * length / average)
        for position, value in weighted.items():
            scores[position] += idf * value * (K1 + 1) / (K1 + value)

    # Rounded once, so float noise cannot split a tie that the date should break.
    rounded = {p: round(scores[p], 9) for p in candidates}

    def order(position: int) -> tuple[float, str, str]:
        found = index.row(position)
        return rounded[position], found[PUBLISHED], found[ID]

    pool = candidates
    if limit is not None and limit < len(candidates):
        # By score first; rows (for the date that breaks ties) only for notes at or above
        # the cut-off score, not for every candidate.
        cutoff = rounded[heapq.nlargest(limit, candidates, key=rounded.__getitem__)[-1]]
        pool = {p for p in candidates if rounded[p] >= cutoff}
    best = sorted(pool, key=order, reverse=True)[:limit]
    return [Hit(p, scores[p]) for p in best], len(candidates)


def highlighter(index: SearchIndex, query: Query) -> Callable[[str], bool]:
    """A test for folded words that the snippet should highlight."""
    exact: set[str] = set()
    prefixes: list[str] = []
    for clause in query.clauses:
        if clause.negated:
            continue
        if clause.prefix:
            prefixes.extend(clause.parts)
        else:
            for part in clause.parts:
                exact.update({part} if clause.exact else index.forms(part))
    return lambda word: word in exact or any(word.startswith(p) for p in prefixes)


_WORD_SPAN = re.compile(r"\w+")


def snippet(
    note: Note, wanted: Callable[[str], bool], width: int = 160
) -> tuple[str, list[tuple[int, int]]]:
    """A short passage around the first matched word, and the spans of matched words."""
    sources = [note.tldr, note.commentary, " ".join(note.findings), note.abstract, note.title]
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


def search_notes(
    index: SearchIndex,
    query: Query,
    limit: int | None,
    load: Callable[[str], Note | None] | None = None,
) -> tuple[list[Result], int]:
    """The best `limit` notes for `query` (all with None), with snippets, and how many
    matched in all.

    With `load` (reads a note by file name; None when it cannot be read any more) the
    results carry whole notes from their files; without, what the index keeps for showing
    a result (title, authors' names, year, tags and the texts snippets come from).
    """
    hits, total = rank(index, query, limit)
    wanted = highlighter(index, query)
    found = []
    for hit in hits:
        if load is None:
            note: Note | None = Note.from_index(_with_defaults(index.shown(hit.position)))
        else:
            note = load(index.row(hit.position)[FILE])
        if note is not None:
            found.append(Result(note, round(hit.score, 4), *snippet(note, wanted)))
    return found, total


def _with_defaults(shown: dict[str, Any]) -> dict[str, Any]:
    """A shown record completed into the shape of a note record (empty where not kept)."""
    blank = Note(id=shown["id"]).to_dict()
    blank.update(shown)
    blank["authors"] = [{"name": a["name"], "affiliations": []} for a in shown["authors"]]
    return blank
