"""Markdown to paste into a blog, a Telegram or Slack post, or a README.

One note is a post under a `#` heading; several (or any number with a `title`) make a
digest: a title line, a table of contents, then each note under a `##` heading, separated
by rules. Everything that comes from arXiv or a note goes through `escape()`, so in any
CommonMark renderer it shows as the characters it is; the only markup is our own. Control
characters (C0 and C1, but line breaks and tabs) are written as visible escapes, `\\x1b`,
so that a post printed to a terminal cannot act on it. TeX in arXiv's titles and names is
read first (`R\\'{e}nyi` is written `Rényi`, `$x^2$` stays).

Each kind of note links what it is about: an arXiv paper its abstract page, a paper known by
its DOI the DOI's resolver (after where it appeared: journal, volume, issue, pages), a web
page its link (after its site's name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from papernotes.errors import InvalidIdError
from papernotes.ids import parse_id
from papernotes.links import not_answered, web_url
from papernotes.note import Author, Note, normalise_space
from papernotes.refs import DOI_KEY, parse_doi
from papernotes.tex import to_unicode

MAX_AUTHORS = 4  # up to this many authors are all named ...
SHOWN_AUTHORS = 2  # ... beyond it, these first ones and "et al."

# Every ASCII punctuation mark may be backslash-escaped in CommonMark; these are the ones
# that can start markup anywhere in a line, plus `&` when it would start an entity.
# Only what CommonMark (and GitHub's tables and strikethrough) could read as markup: a post
# pasted into Telegram or Slack shows every needless backslash. `(` `)` `!` are harmless
# once `[` `]` are escaped; `#` only starts a heading at the start of a line.
_SPECIAL = re.compile(r"[\\`*_<>\[\]|~]|&(?=[A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;)")
# Markers that only count at the start of a line: headings, bullets, setext underlines.
_LINE_MARKER = re.compile(r"^([ \t]*)([#+=-])", re.MULTILINE)
_ORDERED_MARKER = re.compile(r"^([ \t]*[0-9]{1,9})([.)])(?=[ \t]|$)", re.MULTILINE)
# C0 and C1 control characters but tab and line feed: shown as escapes, never written as
# they are (an escape sequence in a title would retitle or clear the reader's terminal).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NOT_WORD = re.compile(r"\W+")
_NOT_ANCHOR = re.compile(r"[^a-z0-9]+")
_LINK_QUOTED = {ord(c): f"%{ord(c):02X}" for c in "<>()\\"}  # what would end a (link)
_MAX_ANCHOR = 64  # characters of an anchor taken from a DOI or a URL


def escape(text: str) -> str:
    """`text` with every character Markdown could read as markup backslash-escaped, and
    control characters as visible escapes (`\\x1b`, which renders as those four characters).

    Unicode is kept as it is. Layout (line breaks, indentation) is the caller's business.
    """
    text = _CONTROL.sub(_visible, text)
    text = _SPECIAL.sub(r"\\\g<0>", text)
    text = _LINE_MARKER.sub(r"\1\\\2", text)
    return _ORDERED_MARKER.sub(r"\1\\\2", text)


def _visible(match: re.Match[str]) -> str:
    """A control character as the escape Python writes for it: `\\x1b`, `\\r`."""
    return match.group().encode("unicode_escape").decode("ascii")


def render(notes: Sequence[Note], *, title: str | None = None) -> str:
    """One note as a post, or a digest of several with a title and a table of contents."""
    return "".join(chunks(notes, title=title))


def chunks(notes: Sequence[Note], *, title: str | None = None) -> Iterator[str]:
    """`render`, a block or a note at a time."""
    if len(notes) == 1 and title is None:
        yield "\n\n".join(_note_blocks(notes[0], "#", anchor=None)) + "\n"
        return
    # The title and contents need three small things of each note: taken in one pass, so
    # that a collection too large to keep in memory is read twice, not four times.
    heads = [((n.kind, n.id), _heading(n), n.added) for n in notes]
    anchors = _anchors(ref for ref, _, _ in heads)
    yield f"# {_inline(title) if title is not None else _default_title(a for _, _, a in heads)}"
    if heads:
        yield "\n\n" + "\n".join(
            f"- [{_inline(heading)}](#{a})"
            for (_, heading, _), a in zip(heads, anchors, strict=True)
        )
    for i, (note, anchor) in enumerate(zip(notes, anchors, strict=True)):
        yield ("\n\n---" if i else "") + "\n\n" + "\n\n".join(_note_blocks(note, "##", anchor))
    yield "\n"


def _note_blocks(note: Note, level: str, anchor: str | None) -> list[str]:
    """The blocks of one note, each to be separated by a blank line; empty parts left out."""
    target = f'<a id="{anchor}"></a>' if anchor else ""
    blocks = [f"{level} {target}{_inline(_heading(note))}"]
    if note.pending:
        blocks.append(f"*Metadata pending: {not_answered(note.kind)}.*")
    authors = [a for a in note.authors if a.name.strip()]
    if authors:
        blocks.append(_authors(authors))
    blocks.append(_where(note))
    tldr = _paragraphs(note.tldr)
    if tldr:
        blocks.append(f"**TL;DR:** {tldr[0]}")
        blocks.extend(tldr[1:])
    findings = [_item(f) for f in note.findings if f.strip()]
    if findings:
        blocks += ["**Findings**", "\n".join(findings)]
    commentary = _paragraphs(note.commentary)
    if commentary:
        blocks += ["**Commentary**", *commentary]
    tags = hashtags(note.tags)
    if tags:
        blocks.append(tags)
    return blocks


def _heading(note: Note) -> str:
    title = to_unicode(note.title)
    if title.strip():
        return title
    return f"arXiv:{note.id}" if note.kind == "arxiv" else note.id  # doi:10.…, or the link


def _where(note: Note) -> str:
    """The line that says where the work is: its links, after its journal or its site."""
    if note.kind == "arxiv":
        return f"[arXiv:{_inline(_versioned(note))}]({_link(note)})"
    if note.kind == "doi":
        doi = note.id.removeprefix(DOI_KEY)
        parts = [_inline(venue(note)), f"[doi:{_inline(doi)}]({_doi_link(doi)})"]
    else:
        parts = [_inline(note.site or ""), _page_link(note)]
        doi_link = _doi_link(note.doi) if note.doi else ""
        if doi_link:
            parts.append(f"[doi:{_inline(note.doi or '')}]({doi_link})")
    parts.append(_arxiv_link(note.arxiv))
    return " · ".join(part for part in parts if part)


def venue(note: Note) -> str:
    """`Physical Review B, 91(18), 184507, 2015`: the journal (or, without one, the
    publisher), volume and issue, pages and year, as far as they are known; plain text."""
    volume = (note.volume or "").strip()
    issue = (note.issue or "").strip()
    parts = [
        note.container or note.publisher or "",
        volume + (f"({issue})" if issue else ""),
        note.pages or "",
        str(note.year or ""),
    ]
    return ", ".join(normalise_space(part) for part in parts if part.strip())


def _doi_link(doi: str) -> str:
    """A DOI's resolver link, safe in `(...)`; "" for a DOI that is not one."""
    try:
        return parse_doi(doi).url.translate(_LINK_QUOTED)
    except InvalidIdError:
        return ""


def _page_link(note: Note) -> str:
    """`[github.com/NVIDIA/mellotron](https://github.com/NVIDIA/mellotron)`: the note's `url`
    (its id, the normalised link, when that is none), shown without its scheme."""
    url = note.url.strip() if note.url and _safe_url(note.url) else note.id
    return f"[{_inline(url.split('://', 1)[-1])}]({url.translate(_LINK_QUOTED)})"


def _arxiv_link(arxiv: str | None) -> str:
    """The arXiv paper a DOI or a page names, linked; "" for none (or an id that is not one)."""
    if not arxiv:
        return ""
    try:
        paper = parse_id(arxiv)
    except InvalidIdError:
        return ""
    return f"[arXiv:{_inline(str(paper))}](https://arxiv.org/abs/{paper})"


def _versioned(note: Note) -> str:
    return f"{note.id}v{note.version}" if note.version else note.id


def _inline(text: str) -> str:
    """Text for one line (a heading, a link's text): white space collapsed, then escaped.

    `#` is escaped everywhere here: at the end of a heading (`# Why C #`) it would be read
    as the heading's closing sequence and vanish.
    """
    return escape(normalise_space(text)).replace("#", "\\#")


def _paragraphs(text: str) -> list[str]:
    """Text as escaped paragraphs: lines kept, indentation and trailing spaces dropped.

    Leading spaces would make a code block and trailing ones a hard break, so neither is
    kept; blank lines separate paragraphs, however many there were.
    """
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.strip():
            current.append(escape(line.strip()))
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    return paragraphs


def _item(finding: str) -> str:
    """A bullet list item; a finding of several lines or paragraphs stays inside its item."""
    body = "\n\n".join(_paragraphs(finding)).replace("\n", "\n  ").replace("\n  \n", "\n\n")
    return f"- {body}"


def _authors(authors: Sequence[Author]) -> str:
    return _inline(byline(authors))


def byline(authors: Sequence[Author]) -> str:
    """All authors of a short list, else the first ones and "et al.", with affiliations,
    as plain text (TeX read): how every export lists them, each escaping it its own way."""
    shown = authors if len(authors) <= MAX_AUTHORS else authors[:SHOWN_AUTHORS]
    names = [_author(a) for a in shown]
    if len(shown) < len(authors):
        names.append("et al.")
    return ", ".join(names)


def _author(author: Author) -> str:
    name = normalise_space(to_unicode(author.name))
    places = [normalise_space(to_unicode(a)) for a in author.affiliations if a.strip()]
    return f"{name} ({', '.join(places)})" if places else name


def _link(note: Note) -> str:
    """The note's link (arXiv's abstract page unless the note has its own), safe in `(...)`.

    A URL with white space or a control character in it is not one: the abstract page it is.
    """
    return _safe_url(note.url) or f"https://arxiv.org/abs/{note.id}".translate(_LINK_QUOTED)


def _safe_url(url: str | None) -> str:
    """An http(s) URL, safe in `(...)`; "" for anything else."""
    return web_url(url).translate(_LINK_QUOTED)


def hashtags(tags: Iterable[str]) -> str:
    """`#attention #ricci_flow`: each run of non-word characters becomes one `_`.

    Underscores at either end are dropped, so a tag can never open or close emphasis.
    """
    cleaned = (_NOT_WORD.sub("_", tag).strip("_") for tag in tags)
    return " ".join(f"#{tag}" for tag in dict.fromkeys(cleaned) if tag)


def _anchors(refs: Iterable[tuple[str, str]]) -> list[str]:
    """An HTML id for each note's heading, from its kind and id (`arxiv-1706-03762`,
    `doi-10-1103-…`, `link-github-com-…`); repeats get `-2`, `-3`, ..."""
    anchors: dict[str, None] = {}  # a dict: ordered, and a set to look up in
    for kind, note_id in refs:
        if kind == "link":
            note_id = note_id.split("://", 1)[-1]
        name = _NOT_ANCHOR.sub("-", note_id.lower()).strip("-")
        if kind == "doi":
            name = name.removeprefix("doi-")
        base = f"{kind}-{name[:_MAX_ANCHOR]}".rstrip("-")
        anchor, n = base, 1
        while anchor in anchors:
            n += 1
            anchor = f"{base}-{n}"
        anchors[anchor] = None
    return list(anchors)


def _default_title(added: Iterable[str | None]) -> str:
    """`Reading notes`, with the range of dates the notes were added when known."""
    dates = sorted(a[:10] for a in added if a)
    if not dates:
        return "Reading notes"
    span = dates[0] if dates[0] == dates[-1] else f"{dates[0]} – {dates[-1]}"
    return f"Reading notes, {escape(span)}"
