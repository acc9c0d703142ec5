"""Telegram posts: each note as a message in the HTML subset of the Bot API (`parse_mode=HTML`).

A post says what the Markdown export says (title, authors as it lists them, the note's link,
TL;DR, findings, commentary, hashtags), with the reader's Markdown read by markdown-it (raw
HTML off) and written with Telegram's tags only: b, i, s, code, pre, blockquote, a href.
Everything else is text, with `<`, `>` and `&` escaped.

Telegram takes at most LIMIT characters a message, counted in UTF-16 code units of the
visible text (tags left out, `&lt;` one character). A longer post is split at paragraph
boundaries (a paragraph too long on its own at a sentence, then at a word) into numbered
parts, `(1/3)` ending each; a part's tags are closed at its end and opened again in the next.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from html import escape as _escape_attribute
from typing import TYPE_CHECKING, NamedTuple

from papernotes.errors import InvalidIdError
from papernotes.export.markdown import byline, hashtags, venue
from papernotes.ids import parse_id
from papernotes.links import not_answered, web_url
from papernotes.note import Note, normalise_space
from papernotes.refs import DOI_KEY, parse_doi
from papernotes.tex import to_unicode

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

LIMIT = 4096  # UTF-16 code units of a message's visible text
SEPARATOR = "\n\n---\n\n"  # between messages, when several are written to one stream

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Where a sentence ends: its mark (and closing quotes or brackets), then white space.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*(?P<space>\s+)")
_SPACE = re.compile(r"(?P<space>\s+)")


class Tag(NamedTuple):
    """An element around text: its name and its attributes, ready to write."""

    name: str
    attributes: str = ""

    def open(self) -> str:
        return f"<{self.name}{self.attributes}>" if self.name else ""

    def close(self) -> str:
        return f"</{self.name}>" if self.name else ""


BOLD, ITALIC, STRIKE, CODE = Tag("b"), Tag("i"), Tag("s"), Tag("code")
PRE, QUOTE = Tag("pre"), Tag("blockquote")
PLAIN = Tag("")  # a link Telegram would refuse: its text is kept, the tag is not


class Run(NamedTuple):
    """Text (as it is shown, not escaped) and the tags around it, outermost first."""

    text: str
    tags: tuple[Tag, ...] = ()


class Block(NamedTuple):
    """A paragraph, a list item or a line, and what comes before it when it is not first."""

    runs: tuple[Run, ...]
    before: str = "\n\n"
    keep: bool = False  # a heading: kept in the part of the block after it


def utf16_length(text: str) -> int:
    """How Telegram counts `text`: in UTF-16 code units (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


def render(notes: Sequence[Note], *, title: str | None = None) -> str:
    """Every note's posts, SEPARATOR between messages; `title` means nothing here."""
    return "".join(chunks(notes, title=title))


def chunks(notes: Sequence[Note], *, title: str | None = None) -> Iterator[str]:
    """`render`, a message at a time."""
    first = True
    for note in notes:
        for part in posts(note):
            yield ("" if first else SEPARATOR) + part
            first = False
    if not first:
        yield "\n"


def posts(note: Note, limit: int = LIMIT) -> list[str]:
    """The messages of one note's post: one, or numbered parts none of them over `limit`."""
    blocks = _note_blocks(note)
    if _visible(blocks) <= limit:
        return [_html(blocks)]
    total = 2
    while True:  # room for the numbers, whose width depends on how many parts there are
        parts = _packed(blocks, limit - utf16_length(f"\n\n({total}/{total})"))
        if len(str(len(parts))) <= len(str(total)):
            break
        total = len(parts)
    count = len(parts)
    return [_html(part) + f"\n\n({i}/{count})" for i, part in enumerate(parts, 1)]


def _packed(blocks: Sequence[Block], budget: int) -> list[list[Block]]:
    """Blocks gathered in order into parts of at most `budget` units each.

    A block that does not fit in what is left of a part starts the next one (taking a
    heading before it along); one longer than a whole part is split, first filling the
    part it starts in at a sentence, then each part at a sentence, else at a word."""
    parts: list[list[Block]] = [[]]
    used = 0
    for block in blocks:
        while True:
            current = parts[-1]
            gap = utf16_length(block.before) if current else 0
            room = budget - used - gap
            size = _length(block.runs)
            if size <= room:
                current.append(block)
                used += gap + size
                break
            only_headings = all(b.keep for b in current)
            if not only_headings and size <= budget:  # it fits in a part of its own
                parts.append(_heading_taken(current))
                used = _visible(parts[-1])
                continue
            text = "".join(r.text for r in block.runs)
            words = only_headings or not _SENTENCE_END.search(text)  # no sentence to wait for
            cut = _cut_point(text, room, words=words)
            if cut is None:  # no sentence fits what is left: the next part, where words do
                parts.append(_heading_taken(current))
                used = _visible(parts[-1])
                continue
            head, tail = _split(block.runs, cut)
            current.append(Block(_stripped(head, end=True), block.before))
            parts.append([])
            used = 0
            block = Block(_stripped(tail, end=False), "\n\n")
    return [part for part in parts if part]


def _heading_taken(part: list[Block]) -> list[Block]:
    """The heading that ends `part`, taken out of it to start the next part; or nothing."""
    return [part.pop()] if len(part) > 1 and part[-1].keep else []


def _cut_point(text: str, limit: int, *, words: bool) -> int | None:
    """Where to cut `text` so that its head fits in `limit`: after the last sentence that
    fits; else, when `words`, at the last space, else (one word longer than a message) at
    the limit. None when no sentence fits and `words` is false."""
    fits = _prefix_fitting(text, limit)
    if fits == 0:
        return None
    for pattern in (_SENTENCE_END, _SPACE) if words else (_SENTENCE_END,):
        cuts = [m.end() for m in pattern.finditer(text) if 0 < m.start("space") <= fits]
        if cuts:
            return cuts[-1]
    return fits if words else None


def _prefix_fitting(text: str, limit: int) -> int:
    """The most characters of `text` that make at most `limit` UTF-16 units."""
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


def _split(runs: tuple[Run, ...], at: int) -> tuple[tuple[Run, ...], tuple[Run, ...]]:
    """Runs cut after `at` characters of their text."""
    head: list[Run] = []
    tail: list[Run] = []
    seen = 0
    for run in runs:
        if seen + len(run.text) <= at:
            head.append(run)
        elif seen >= at:
            tail.append(run)
        else:
            head.append(Run(run.text[: at - seen], run.tags))
            tail.append(Run(run.text[at - seen :], run.tags))
        seen += len(run.text)
    return tuple(head), tuple(tail)


def _stripped(runs: tuple[Run, ...], *, end: bool) -> tuple[Run, ...]:
    """Runs without the white space at the cut: at their end, or at their start."""
    items = list(runs)
    order = range(len(items) - 1, -1, -1) if end else range(len(items))
    for i in order:
        text = items[i].text.rstrip() if end else items[i].text.lstrip()
        items[i] = Run(text, items[i].tags)
        if text:
            break
    return tuple(r for r in items if r.text)


def _length(runs: Iterable[Run]) -> int:
    return sum(utf16_length(r.text) for r in runs)


def _visible(blocks: Sequence[Block]) -> int:
    """The UTF-16 length of the blocks' visible text, as `_html` joins them."""
    return sum(_length(b.runs) + (utf16_length(b.before) if i else 0) for i, b in enumerate(blocks))


def _html(blocks: Sequence[Block]) -> str:
    """Blocks as Telegram HTML: each block's tags opened and closed within it."""
    out: list[str] = []
    for i, block in enumerate(blocks):
        if i:
            out.append(block.before)
        open_tags: list[Tag] = []
        for run in block.runs:
            common = 0
            while (
                common < len(open_tags)
                and common < len(run.tags)
                and open_tags[common] == run.tags[common]
            ):
                common += 1
            out.extend(t.close() for t in reversed(open_tags[common:]))
            out.extend(t.open() for t in run.tags[common:])
            open_tags = list(run.tags)
            out.append(escape(run.text))
        out.extend(t.close() for t in reversed(open_tags))
    return "".join(out)


def escape(text: str) -> str:
    """Text as Telegram shows it: `&`, `<`, `>` escaped, control characters as visible
    escapes (`\\x1b`), so a post printed to a terminal cannot act on it."""
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _note_blocks(note: Note) -> list[Block]:
    """The blocks of one note's post; empty parts left out."""
    blocks = [Block((Run(_heading(note), (BOLD,)),))]
    if note.pending:
        pending = f"Metadata pending: {not_answered(note.kind)}."
        blocks.append(Block((Run(pending, (ITALIC,)),)))
    authors = [a for a in note.authors if a.name.strip()]
    if authors:
        blocks.append(Block((Run(byline(authors)),)))
    blocks.append(Block(tuple(_where(note))))
    tldr = _markdown(note.tldr)
    if tldr:
        first = tldr[0]
        blocks.append(Block((Run("TL;DR:", (BOLD,)), Run(" "), *first.runs)))
        blocks.extend(tldr[1:])
    findings = [f for f in note.findings if f.strip()]
    if findings:
        blocks.append(Block((Run("Findings", (BOLD,)),), keep=True))
        for finding in findings:
            inner = _markdown(finding)
            if inner:
                blocks.append(Block((Run("• "), *inner[0].runs), "\n"))
                blocks.extend(Block(b.runs, "\n") for b in inner[1:])
    commentary = _markdown(note.commentary)
    if commentary:
        blocks.append(Block((Run("Commentary", (BOLD,)),), keep=True))
        blocks.extend(commentary)
    tags = hashtags(note.tags)
    if tags:
        blocks.append(Block((Run(tags),)))
    return blocks


def _heading(note: Note) -> str:
    title = normalise_space(to_unicode(note.title))
    if title:
        return title
    return f"arXiv:{note.id}" if note.kind == "arxiv" else note.id


def _where(note: Note) -> list[Run]:
    """Where the work is, linked: the arXiv page; the venue and DOI; the site and page."""
    links: list[list[Run]] = []
    if note.kind == "arxiv":
        url = web_url(note.url) or f"https://arxiv.org/abs/{note.id}"
        version = f"{note.id}v{note.version}" if note.version else note.id
        links.append([_link(f"arXiv:{version}", url)])
    elif note.kind == "doi":
        where = venue(note)
        if where:
            links.append([Run(where)])
        doi = note.id.removeprefix(DOI_KEY)
        links.append(_doi(doi) or [Run(f"doi:{doi}")])
    else:
        if note.site and note.site.strip():
            links.append([Run(normalise_space(note.site))])
        url = note.url.strip() if note.url and web_url(note.url) else note.id
        links.append([_link(url.split("://", 1)[-1], url)])
        if note.doi:
            links.append(_doi(note.doi))
    links.append(_arxiv(note.arxiv))
    runs: list[Run] = []
    for link in (link for link in links if link):
        if runs:
            runs.append(Run(" · "))
        runs.extend(link)
    return runs


def _doi(doi: str) -> list[Run]:
    try:
        return [_link(f"doi:{normalise_space(doi)}", parse_doi(doi).url)]
    except InvalidIdError:
        return []


def _arxiv(arxiv: str | None) -> list[Run]:
    if not arxiv:
        return []
    try:
        paper = parse_id(arxiv)
    except InvalidIdError:
        return []
    return [_link(f"arXiv:{paper}", f"https://arxiv.org/abs/{paper}")]


def _link(text: str, url: str) -> Run:
    return Run(text, (_anchor(url),))


def _anchor(url: str) -> Tag:
    return Tag("a", f' href="{_escape_attribute(url, quote=True)}"')


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("strikethrough")


def _markdown(text: str) -> list[Block]:
    """The reader's Markdown as blocks of runs in Telegram's tags."""
    if not text.strip():
        return []
    blocks: list[Block] = []
    containers: list[Tag] = []
    lists: list[list[int | None]] = []  # each open list: its next number (None: bullets)
    items = 0  # list items met in the outermost open list
    marker = ""
    tight_item = heading = False
    for token in _parser().parse(text):
        kind = token.type
        if kind == "blockquote_open" and QUOTE not in containers:
            containers.append(QUOTE)
        elif kind == "blockquote_close" and QUOTE in containers and token.level == 0:
            containers.remove(QUOTE)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            lists.append([None if kind == "bullet_list_open" else int(start or 1)])
            items = items if len(lists) > 1 else 0
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            number = lists[-1][0]
            marker = "  " * (len(lists) - 1) + ("• " if number is None else f"{number}. ")
            if number is not None:
                lists[-1][0] = number + 1
            items += 1
        elif kind in ("heading_open", "heading_close"):
            heading = kind == "heading_open"
        elif kind == "paragraph_open":
            tight_item = token.hidden
        elif kind == "inline":
            base = (*containers, BOLD) if heading else tuple(containers)
            runs = _inline(token.children or [], base)
            if marker:
                runs = [Run(marker, tuple(containers)), *runs]
            inside = lists and (items > 1 or not marker) and tight_item
            before = "\n" if blocks and inside else "\n\n"
            blocks.append(Block(tuple(runs), before))
            marker = ""
        elif kind in ("fence", "code_block"):
            code = token.content.rstrip("\n")
            blocks.append(Block((Run(code, (*containers, PRE)),)))
        elif kind == "hr":
            blocks.append(Block((Run("———", tuple(containers)),)))
    return [b for b in blocks if any(r.text for r in b.runs)]


def _inline(children: Sequence[Token], base: tuple[Tag, ...]) -> list[Run]:
    """Inline tokens as runs: emphasis, code and links in Telegram's tags, the rest text."""
    runs: list[Run] = []
    stack = list(base)
    pairs = {"strong": BOLD, "em": ITALIC, "s": STRIKE}
    for child in children:
        kind = child.type
        name, _, edge = kind.rpartition("_")
        if name in pairs and edge == "open":
            stack.append(pairs[name])
        elif name == "link" and edge == "open":
            href = str(child.attrGet("href") or "")
            stack.append(_anchor(href) if web_url(href) else PLAIN)
        elif name in (*pairs, "link") and edge == "close":
            stack.pop()
        elif kind == "code_inline":
            runs.append(Run(child.content, (*stack, CODE)))
        elif kind in ("softbreak", "hardbreak"):
            runs.append(Run("\n", tuple(stack)))
        elif child.content:  # text, and an image's description
            runs.append(Run(child.content, tuple(stack)))
    return runs
