"""A fetched web page read into what a note needs: title, authors, date, description, site,
language, the paper it names (arXiv id, DOI), the kind of thing it is, its canonical link.

Each value comes from the most trusted kind of metadata that gives it, in this order:
Highwire `citation_*` tags (written for Google Scholar, about the paper itself), JSON-LD,
OpenGraph and Twitter cards, Dublin Core, and last the plain `<title>` and description.

The reader is the standard library's html.parser, imported with the page reader and not
before. Measured on the saved pages in tests/fixtures/web/html: it reads each in 4 to 18 ms,
imports in 5 ms and installs nothing. extruct (lxml) reads them in 1 to 4 ms but adds 27 MB
and 0.3 s of import, and leaves out the `citation_*` tags that matter most here;
trafilatura's metadata functions take 2 to 57 ms, add 70 MB and 0.26 s of import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from papernotes.errors import WebAnswerError
from papernotes.web import values
from papernotes.web.candidates import Candidates
from papernotes.web.charset import decode, is_html, media_type
from papernotes.web.github import github_repo
from papernotes.web.jsonld import read_jsonld
from papernotes.web.markup import read_markup
from papernotes.web.tags import citation, dublin_core, plain, social

# What `PageMeta.kind` can be.
KINDS = (
    "paper", "article", "blog", "post", "software", "video", "slides", "book", "dataset",
    "profile", "page",
)  # fmt: skip
MAX_PAGE_BYTES = 8 * 1024 * 1024  # what is read of a page: its metadata comes long before
# Sites whose pages are drawn by JavaScript and say nothing of themselves but a `<title>`
# such as "NAME - Google Drive": the part after the dash is the site, not the title.
VIEWERS = ("Google Drive", "Google Docs", "Google Sheets", "Google Slides", "Google Forms")
_SEPARATORS = " -|–—·:»•/\u3000｜"


@dataclass
class PageMeta:
    """What a page says about itself, as plain bounded text (None or empty: it does not say).

    `title` is None when the page names only its site (a viewer's bare "Google Drive").
    `found` lists the kinds of metadata the page holds, in trust order (`citation`,
    `json-ld`, `opengraph`, `dublin-core`, `html`): a page with only `html` said little.
    """

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    description: str | None = None
    site_name: str | None = None
    language: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    kind: str = "page"
    url: str | None = None
    found: tuple[str, ...] = ()

    @property
    def names_paper(self) -> bool:
        """Whether the page is about a paper it identifies (an arXiv id or a DOI): the note
        belongs to that paper, with this page kept as one of its links."""
        return self.arxiv_id is not None or self.doi is not None


def read_page(body: bytes, *, url: str, content_type: str | None) -> PageMeta:
    """Read a fetched page (`url` is the address it came from, for relative links); raise
    `WebAnswerError` when the answer is not a web page (see `is_html`)."""
    if not is_html(content_type, body):
        what = media_type(content_type) if content_type else "no HTML and no Content-Type"
        raise WebAnswerError(
            f"{url}: not a web page (the answer is {what}); papernotes reads HTML pages"
        )
    head = read_markup(decode(body[:MAX_PAGE_BYTES], content_type))
    kinds = [citation(head), read_jsonld(head.jsonld), social(head), dublin_core(head)]
    kinds.append(plain(head))
    site_name = _first(_all(kinds, "site_names"), lambda v: values.clean(v, values.SHORT_CHARS))
    site_name = site_name or _viewer(head.title)
    doi = _first(_all(kinds, "dois"), values.doi)
    paper = _first(_all(kinds, "arxiv_ids"), values.arxiv_id) or values.arxiv_id(doi)
    address = values.link(head.canonical, url) or _first(
        kinds[2].urls, lambda v: values.link(v, url)
    )
    return PageMeta(
        title=_first(_all(kinds, "titles"), lambda v: _title(v, site_name)),
        authors=next(
            (found for k in kinds for names in k.author_lists if (found := values.people(names))),
            [],
        ),
        date=_first(_all(kinds, "dates"), values.when),
        description=_first(
            _all(kinds, "descriptions"), lambda v: values.clean(v, values.DESCRIPTION_CHARS)
        ),
        site_name=site_name,
        language=_first(_all(kinds, "languages"), values.language),
        arxiv_id=str(paper) if paper else None,
        doi=doi,
        kind=_kind(kinds, address or url),
        url=address,
        found=tuple(k.source for k in kinds if k),
    )


def _all(kinds: list[Candidates], name: str) -> list[str]:
    """Every candidate value of one field, the most trusted kind's first."""
    return [value for found in kinds for value in getattr(found, name)]


def _first(candidates: Iterable[str], read: Callable[[str], object]) -> str | None:
    """The first candidate that `read` makes something of, as `read` makes it."""
    for candidate in candidates:
        if (value := read(candidate)) is not None:
            return value if isinstance(value, str) else str(value)
    return None


def _kind(kinds: list[Candidates], address: str) -> str:
    """What the page is: as Highwire tags or JSON-LD say, a repository if its address is
    one on GitHub, else as its og:type says; a page when nothing says."""
    citation_kinds, jsonld, social_kinds = kinds[0].kinds, kinds[1].kinds, kinds[2].kinds
    if citation_kinds or jsonld:
        return (citation_kinds or jsonld)[0]
    if github_repo(address) is not None:
        return "software"
    return social_kinds[0] if social_kinds else "page"


def _title(value: str, site_name: str | None) -> str | None:
    """A title without the site's name before or after it; None if it is only that name."""
    title = values.clean(value, values.TITLE_CHARS)
    if title is None or site_name is None:
        return title
    site = site_name.casefold()
    if title.casefold() == site:
        return None
    folded = title.casefold()
    if folded.startswith(site) and title[len(site) : len(site) + 1] in _SEPARATORS:
        rest = title[len(site) :].lstrip(_SEPARATORS)
        return rest or None
    if folded.endswith(site) and title[-len(site) - 1 : -len(site)] in _SEPARATORS:
        rest = title[: -len(site)].rstrip(_SEPARATORS)
        return rest or None
    return title


def _viewer(title: str | None) -> str | None:
    """The site a JavaScript viewer's bare `<title>` names at its end ("NAME - Google Drive")."""
    text = values.clean(title, values.TITLE_CHARS) or ""
    for viewer in VIEWERS:
        if text == viewer or text.endswith(f" - {viewer}"):
            return viewer
    return None
