"""Find the arXiv papers a text mentions: chat exports, BibTeX files, notes, web pages.

Every candidate goes through `parse_id`, so impossible ids (month 13, new style before 0704,
a future month, an unknown archive) never come out. A candidate is one of:

- a link to arxiv.org or any subdomain, scheme optional, with /abs/, /pdf/ or /html/, or to
  a paper's page on a mirror or reader (`MIRROR_PAGES`: arxiv.com, ar5iv, alphaxiv,
  huggingface.co/papers), the pages `parse_id` reads;
- arXiv's DOI, `10.48550/arXiv.` + id (`DOI_PREFIX`, the rule `parse_id` reads DOIs by);
- `arXiv:` + id (spaces allowed after the colon), or `arXiv.` + id, the end of that DOI
  on its own;
- a BibTeX `eprint` field, any case and spacing, braced, quoted or bare;
- an old-style id (hep-th/9901001, math.GT/0309136) whose archive is in `OLD_ARCHIVES`,
  anywhere, even inside another site's path: the archive name is evidence enough;
- a bare new-style id (2106.09685) at the start of the text or after whitespace,
  punctuation, `<`, `>`, `|` or an emoji; not right after a letter, digit, `_`, `.`, `/`,
  a dash, `=`, `#`, `%`, `@`, `&`, `\\`, `№`, a math or currency sign (`x = 2106.09685`
  counts, `?id=2106.09685` does not); after `,` or `:` that follows a digit only in a list
  of ids (`1706.03762,2106.09685`, not `1,2106.09685`).

Every form ends at a word boundary: no letter, digit or `_` after it (a `v<digits>` version
belongs to the id, `.pdf` to a link), no `.` + digit, and no `%` after a bare id. So other
sites' paths never hold new-style ids (`github.com/o/r/blob/2106.09685/f` is more likely a
branch than a paper), and neither do tweet or
Drive ids, other DOIs, dates, versions, IP addresses, phone numbers or prices.

Each paper is listed once, at its first mention, with that mention's version (or none).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from papernotes.errors import InvalidIdError
from papernotes.ids import DOI_PREFIX, MIRROR_PAGES, OLD_ARCHIVES, ArxivId, parse_id

if TYPE_CHECKING:
    from papernotes.refs import NoteRef

_NEW = r"[0-9]{4}\.[0-9]{4,5}(?:v[0-9]+)?"
_ARCHIVES = "|".join(re.escape(name) for name in sorted(OLD_ARCHIVES, key=len, reverse=True))
_OLD = rf"(?i:(?:{_ARCHIVES})(?:\.[a-z]{{2}})?)/[0-9]{{7}}(?:v[0-9]+)?"
_ID = rf"(?:{_NEW}|{_OLD})"
_START = r"(?<![\w.-])"
_END = r"(?!\w|\.\d)"
_MENTION = re.compile(
    rf"{_START}(?i:(?:https?://)?(?:(?:[a-z0-9-]+\.)*arxiv\.org/(?:abs|pdf|html)|{MIRROR_PAGES})/)"
    rf"(?P<link>{_ID})(?i:\.pdf)?{_END}"
    rf"|{_START}(?P<doi>(?i:{DOI_PREFIX}){_ID}){_END}"
    rf"|{_START}(?i:arxiv)(?::\s*|\.)(?P<prefixed>{_ID}){_END}"
    rf"|{_START}(?i:eprint)\s*=\s*[{{\"]?\s*(?:(?i:arxiv):\s*)?(?P<eprint>{_ID}){_END}"
    rf"|{_START}(?P<old>{_OLD}){_END}"
    rf"|(?<![\w.])(?P<bare>{_NEW})(?!\w|\.\d|%)"
)
# Characters that end a word yet never stand right before a bare id.
_NOT_BEFORE = frozenset("./-=+#%@&\\~№")
_ALWAYS_BEFORE = frozenset("<>|`\ufe0f\u200b")


def find_ids(text: str, *, today: date | None = None) -> list[ArxivId]:
    """Every arXiv id `text` mentions, in order of first mention, one per paper."""
    found: dict[str, ArxivId] = {}
    for _, _, paper in _arxiv_mentions(text, today or date.today()):
        found.setdefault(paper.base, paper)
    return list(found.values())


def find_refs(text: str, *, links: bool = False, today: date | None = None) -> list[NoteRef]:
    """Every paper `text` mentions, arXiv's and any other DOI (with `links`, every other web
    link too), in order of first mention, each once however it was written."""
    from papernotes.refs import parse_doi, parse_link

    mentions: list[tuple[int, int, NoteRef]] = list(_arxiv_mentions(text, today or date.today()))
    for match in _DOI_MENTION.finditer(text):
        with contextlib.suppress(InvalidIdError):  # arXiv's own DOIs are found above
            mentions.append((match.start(), match.end(), parse_doi(_trimmed(match.group(1)))))
    if links:
        papers = [(start, end) for start, end, _ in mentions]
        for match in _LINK_MENTION.finditer(text):
            start, url = match.start(), _trimmed(match.group())
            end = start + len(url)
            if any(start <= a < end for a, _ in papers) or _DOI_LINK.match(url):
                continue  # a paper's link: the paper is what it names
            with contextlib.suppress(InvalidIdError):
                mentions.append((start, end, parse_link(url if "://" in url else "https://" + url)))
    found: dict[str, NoteRef] = {}
    for _, _, ref in sorted(mentions, key=lambda m: m[0]):
        found.setdefault(ref.base, ref)
    return list(found.values())


def _arxiv_mentions(text: str, today: date) -> Iterator[tuple[int, int, ArxivId]]:
    last_end = -1
    for match in _MENTION.finditer(text):
        kind = str(match.lastgroup)  # each alternative has exactly one named group
        if kind == "bare" and not _delimited(text, match.start(kind), last_end):
            continue
        try:
            paper = parse_id(match.group(kind), today=today)
        except InvalidIdError:
            continue
        last_end = match.end()
        yield match.start(), match.end(), paper


# A DOI in prose, bare, after `doi:` or in a doi.org link; not one inside another site's path.
_DOI_MENTION = re.compile(
    r"(?<![\w./-])(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)?(10\.[0-9]{4,9}/[^\s\"'<>`]+)",
    re.IGNORECASE,
)
_DOI_LINK = re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/", re.IGNORECASE)
_LINK_MENTION = re.compile(r"https?://[^\s\"'<>`]+|(?<![\w.@/])www\.[^\s\"'<>`]+", re.IGNORECASE)
_TRAILING = ".,;:!?*_~"  # prose's punctuation after a link or a DOI, not part of it


def _trimmed(found: str) -> str:
    """A link or DOI without the punctuation prose puts after it: a full stop, a comma, a
    closing bracket that opened before it (`(see https://x.org/a)`)."""
    while found:
        last = found[-1]
        if last in _TRAILING or (
            last in ")]}" and found.count(last) > found.count("([{"[")]}".index(last)])
        ):
            found = found[:-1]
        else:
            break
    return found


def _delimited(text: str, start: int, last_end: int) -> bool:
    """Whether the bare id at `start` stands apart from what precedes it."""
    if start == 0:
        return True
    before = text[start - 1]
    if before in ",:" and start >= 2 and text[start - 2].isdigit():
        return before == "," and last_end == start - 1
    if before.isspace() or before in _ALWAYS_BEFORE:
        return True
    if before in _NOT_BEFORE:
        return False
    category = unicodedata.category(before)
    return category == "So" or (category[0] == "P" and category not in ("Pc", "Pd"))
