"""The site's pages as HTML: a note's page, the listings (index pages, tag pages) and the
tag index, rendered from Jinja2 templates with autoescaping on.

A `NoteView` holds what the templates show of a note, every string plain text (TeX read,
white space collapsed) or HTML made here from the reader's Markdown. Addresses inside the
site are relative to the page (`root` is `../` on `notes/1706.03762.html`), so the folder
works at any address: a domain's root, a GitHub Pages project path, or a local server.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from markupsafe import Markup

from papernotes import __version__
from papernotes.errors import InvalidIdError
from papernotes.export.markdown import byline, venue
from papernotes.ids import parse_id
from papernotes.links import not_answered, web_url
from papernotes.note import Note, normalise_space
from papernotes.refs import DOI_KEY, parse_doi
from papernotes.site.markup import to_html, to_inline_html
from papernotes.tex import to_unicode
from papernotes.text import fold

if TYPE_CHECKING:
    from jinja2 import Environment

PER_PAGE = 100  # notes on one index or tag page
_NOT_SLUG = re.compile(r"[^\w-]+")


@dataclass(frozen=True)
class SiteInfo:
    """What every page shows of the site."""

    title: str
    language: str = "en"
    version: str = __version__


@dataclass(frozen=True)
class TagView:
    name: str  # as the first note carrying it spells it
    page: str
    count: int = 0


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class AuthorView:
    name: str
    affiliations: list[str]
    orcid: str


@dataclass
class NoteView:
    """A note as its page and the listings show it."""

    note: Note
    page: str  # below the site's root: notes/1706.03762.html
    title: str
    tags: list[TagView]
    byline: str = ""
    date: str = ""
    where: str = ""
    _entries: dict[str, Markup] = field(default_factory=dict, repr=False)

    # What only a note's own page (and the feed) shows: made when asked, not for every
    # note of every listing.
    @cached_property
    def subtitle(self) -> str:
        return normalise_space(to_unicode(self.note.subtitle or ""))

    @cached_property
    def authors(self) -> list[AuthorView]:
        return [
            AuthorView(
                normalise_space(to_unicode(a.name)),
                [normalise_space(to_unicode(p)) for p in a.affiliations if p.strip()],
                web_url(a.orcid),
            )
            for a in self.note.authors
        ]

    @cached_property
    def links(self) -> list[Link]:
        return links(self.note)

    def entry(self, root: str) -> Markup:
        """The note as a listing shows it, from a page at `root`. Kept: a note is listed on
        the index and on each of its tags' pages, and the listings are made on every build."""
        if root not in self._entries:
            template = _environment().get_template("_entry.html")
            self._entries[root] = Markup(template.render(root=root, note=self))
        return self._entries[root]

    @property
    def tldr(self) -> str:
        return self.note.tldr.strip()

    @property
    def tldr_inline(self) -> Markup:
        return to_inline_html(self.note.tldr)

    @property
    def tldr_html(self) -> Markup:
        return to_html(self.note.tldr)

    @property
    def findings(self) -> list[Markup]:
        return [to_html(f) for f in self.note.findings if f.strip()]

    @property
    def commentary(self) -> Markup:
        return to_html(self.note.commentary)

    @property
    def abstract(self) -> list[str]:
        return [
            normalise_space(to_unicode(p)) for p in self.note.abstract.split("\n\n") if p.strip()
        ]

    @property
    def pending(self) -> str:
        return not_answered(self.note.kind) if self.note.pending else ""

    @property
    def details(self) -> list[tuple[str, str]]:
        return details(self.note)


def tag_slug(tag: str) -> str:
    """The file name of a tag's page: the tag folded (case and accents), as tags compare;
    with a digest of it when characters were lost, so `c++` and `c#` get pages of their own."""
    folded = fold(tag)
    slug = _NOT_SLUG.sub("-", folded).strip("-")
    if slug == folded:
        return slug
    import hashlib

    return f"{slug or 'tag'}-{hashlib.blake2b(folded.encode(), digest_size=4).hexdigest()}"


def tag_page(tag: str) -> str:
    return f"tags/{tag_slug(tag)}.html"


def note_page(note: Note) -> str:
    return f"notes/{note.ref.stem}.html"


def view(note: Note) -> NoteView:
    """What the pages show of a note."""
    title = normalise_space(to_unicode(note.title)) or _fallback_title(note)
    return NoteView(
        note=note,
        page=quote(note_page(note)),
        title=title,
        tags=[TagView(t, quote(tag_page(t))) for t in note.tags if t.strip()],
        byline=byline(note.authors),
        date=(note.published or "")[:10],
        where=_where(note),
    )


def links(note: Note) -> list[Link]:
    """Where the work is read: its page (arXiv's, the DOI's, the link), its PDF, the DOI,
    the arXiv paper a DOI or a page names, then the pages about it."""
    found: list[Link] = []
    if note.kind == "arxiv":
        version = f"v{note.version}" if note.version else ""
        found.append(Link(f"arXiv:{note.id}{version}", web_url(note.url) or _arxiv_url(note.id)))
        if web_url(note.pdf_url):
            found.append(Link("PDF", web_url(note.pdf_url)))
    elif note.kind == "doi":
        found.append(Link(f"doi:{note.id.removeprefix(DOI_KEY)}", _doi_url(note.id)))
    else:
        url = web_url(note.url) or web_url(note.id)
        found.append(Link(url.split("://", 1)[-1], url))
    if note.doi and note.kind != "doi":
        found.append(Link(f"doi:{note.doi}", _doi_url(note.doi)))
    if note.arxiv and note.kind != "arxiv":
        try:
            paper = parse_id(note.arxiv)
            found.append(Link(f"arXiv:{paper}", _arxiv_url(str(paper))))
        except InvalidIdError:
            pass
    for about in note.links:
        if web_url(about):
            found.append(Link(about.split("://", 1)[-1], web_url(about)))
    unique: dict[str, Link] = {}
    for link in found:
        if link.url:
            unique.setdefault(link.url, link)  # each address once, where it first came
    return list(unique.values())


def details(note: Note) -> list[tuple[str, str]]:
    """The metadata as (label, text) rows; hand-added keys last, as written."""
    rows: list[tuple[str, Any]] = [
        ("Published", (note.published or "")[:10]),
        ("Updated", (note.updated or "")[:10] if note.updated != note.published else ""),
        ("Added", (note.added or "")[:10]),
        ("Journal", note.journal_ref),
        ("Venue", venue(note) if note.kind != "arxiv" else ""),
        ("Type", note.type),
        ("Site", note.site),
        ("Language", note.language),
        ("Primary category", note.primary_category),
        ("Categories", ", ".join(note.categories)),
        ("Comment", note.comment),
        ("References", note.references_count),
        ("Cited by", note.cited_by_count),
    ]
    repository = note.repository or {}
    rows += [(f"Repository {key}", value) for key, value in repository.items()]
    rows += [(key, _plain(value)) for key, value in note.extra.items()]
    return [
        (label, normalise_space(to_unicode(str(v)))) for label, v in rows if v not in (None, "")
    ]


def listing_pages(
    site: SiteInfo, views: Sequence[NoteView], *, heading: str, first: str, intro: str = ""
) -> list[tuple[str, str]]:
    """(path, HTML) of a listing cut into pages of PER_PAGE: `first` (index.html,
    tags/x.html), then `page/2.html` or `tags/x.2.html` (a dot is never in a tag's name
    here), ...: all but the first index page at one depth, so a note's entry is made twice."""
    count = max(1, -(-len(views) // PER_PAGE))
    stem = "page/" if first == "index.html" else first.removesuffix(".html") + "."
    paths = [first] + [f"{stem}{n}.html" for n in range(2, count + 1)]
    pages = []
    for number, path in enumerate(paths, start=1):
        pager = {
            "number": number,
            "count": count,
            "previous": quote(paths[number - 2]) if number > 1 else "",
            "next": quote(paths[number]) if number < count else "",
        }
        chunk = views[(number - 1) * PER_PAGE : number * PER_PAGE]
        pages.append(
            (path, render("listing.html", path, site=site, notes=chunk, heading=heading,
                          intro=intro, pager=pager))
        )  # fmt: skip
    return pages


def note_html(site: SiteInfo, note: NoteView) -> str:
    return render("note.html", note_page(note.note), site=site, note=note)


def tags_html(site: SiteInfo, tags: Iterable[TagView]) -> str:
    return render("tags.html", "tags/index.html", site=site, tags=list(tags))


def render(template: str, path: str, **values: Any) -> str:
    """A template rendered for the page at `path` (below the root), which sets `root`."""
    root = "../" * path.count("/")
    return _environment().get_template(template).render(root=root, **values)


@cache
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("papernotes.site", "templates"),
        autoescape=True,  # every template is HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _where(note: Note) -> str:
    if note.kind == "arxiv":
        return f"arXiv:{note.id}" + (f" · {note.primary_category}" if note.primary_category else "")
    if note.kind == "doi":
        return venue(note) or note.id.removeprefix(DOI_KEY)
    return note.site or (web_url(note.url) or note.id).split("://", 1)[-1].split("/", 1)[0]


def _fallback_title(note: Note) -> str:
    return f"arXiv:{note.id}" if note.kind == "arxiv" else note.id


def _arxiv_url(paper: str) -> str:
    return f"https://arxiv.org/abs/{paper}"


def _doi_url(doi: str) -> str:
    try:
        return parse_doi(doi.removeprefix(DOI_KEY)).url
    except InvalidIdError:
        return ""


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)
