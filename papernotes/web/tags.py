"""The meta-tag kinds of metadata: Highwire `citation_*`, OpenGraph with Twitter cards,
Dublin Core, and the page's plain `<title>`, description and language."""

from __future__ import annotations

from papernotes.web.candidates import Candidates
from papernotes.web.markup import Head

# og:type values and the kind of thing each says the page is (anything else: a page).
_OG_KINDS = {"article": "article", "book": "book", "profile": "profile"}
# The Highwire tags that say a page describes a paper (a title alone can be any page's).
_PAPER_TAGS = ("citation_title", "citation_doi", "citation_arxiv_id", "citation_pdf_url")


def citation(head: Head) -> Candidates:
    """Highwire Press tags (`citation_title`, `citation_author`...), read by Google Scholar."""
    meta = head.meta
    found = Candidates(
        "citation",
        titles=_get(meta, "citation_title"),
        dates=_get(meta, "citation_publication_date", "citation_date", "citation_online_date"),
        descriptions=_get(meta, "citation_abstract"),
        languages=_get(meta, "citation_language"),
        dois=_get(meta, "citation_doi"),
        arxiv_ids=_get(meta, "citation_arxiv_id"),
    )
    found.author_lists = [meta.get("citation_author", [])]
    # The older form: every author in one tag, separated by semicolons.
    found.author_lists += [v.split(";") for v in meta.get("citation_authors", [])]
    if any(meta.get(tag) for tag in _PAPER_TAGS):
        found.kinds = ["paper"]
    return found


def social(head: Head) -> Candidates:
    """OpenGraph (`og:*`, `article:*`) and Twitter card tags, written for link previews."""
    meta = head.meta
    found = Candidates(
        "opengraph",
        titles=_get(meta, "og:title", "twitter:title"),
        dates=_get(meta, "article:published_time", "video:release_date"),
        descriptions=_get(meta, "og:description", "twitter:description"),
        site_names=_get(meta, "og:site_name"),
        languages=_get(meta, "og:locale"),
        urls=_get(meta, "og:url"),
    )
    found.author_lists = [meta.get("article:author", [])]
    for value in _get(meta, "og:type"):
        kind = value.strip().lower()
        found.kinds.append("video" if kind.startswith("video") else _OG_KINDS.get(kind, "page"))
    return found


def dublin_core(head: Head) -> Candidates:
    """Dublin Core tags (`DC.title`, `dcterms.created`...), kept by libraries and archives."""
    meta = head.meta
    found = Candidates(
        "dublin-core",
        titles=_get(meta, "dc.title", "dcterms.title"),
        dates=_get(meta, "dcterms.issued", "dcterms.created", "dcterms.date", "dc.date"),
        descriptions=_get(meta, "dcterms.abstract", "dc.description", "dcterms.description"),
        languages=_get(meta, "dc.language", "dcterms.language"),
    )
    found.author_lists = [meta.get("dc.creator", []), meta.get("dcterms.creator", [])]
    for value in _get(meta, "dc.identifier", "dcterms.identifier"):
        if value.strip().lower().startswith("arxiv:"):
            found.arxiv_ids.append(value)
        else:
            found.dois.append(value)  # kept only if it reads as a DOI
    return found


def plain(head: Head) -> Candidates:
    """What any page may have: its `<title>`, description and author tags, its language."""
    meta = head.meta
    found = Candidates(
        "html",
        titles=[head.title] if head.title is not None else [],
        descriptions=_get(meta, "description"),
        site_names=_get(meta, "application-name"),
        languages=([head.language] if head.language else []) + _get(meta, "content-language"),
    )
    found.author_lists = [meta.get("author", [])]
    return found


def _get(meta: dict[str, list[str]], *keys: str) -> list[str]:
    """The first value of each of `keys` the page has, in the order of `keys`."""
    return [meta[key][0] for key in keys if meta.get(key)]
