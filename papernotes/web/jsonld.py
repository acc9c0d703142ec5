"""JSON-LD (schema.org) blocks: the work a page shows, its authors, dates and site.

A page may hold several blocks, a `@graph` of nodes that point at each other by `@id`, or a
`WebPage` whose `mainEntity` is the work. The works (an Article or one of its kinds, a
paper, software, a video) are read first, in page order; the WebPage nodes only fill what
the works leave out; a WebSite node names the site. Nodes elsewhere (a work's citations,
its publisher) are not the page's work and are not read as it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from papernotes.web.candidates import Candidates

# schema.org types of works, and the kind of thing each is.
WORK_KINDS = {
    "ScholarlyArticle": "paper",
    "MedicalScholarlyArticle": "paper",
    "Article": "article",
    "NewsArticle": "article",
    "AnalysisNewsArticle": "article",
    "ReportageNewsArticle": "article",
    "TechArticle": "article",
    "Report": "article",
    "BlogPosting": "blog",
    "LiveBlogPosting": "blog",
    "SocialMediaPosting": "post",
    "DiscussionForumPosting": "post",
    "SoftwareSourceCode": "software",
    "SoftwareApplication": "software",
    "VideoObject": "video",
    "Book": "book",
    "Dataset": "dataset",
    "PresentationDigitalDocument": "slides",
}
_ARTICLE_KINDS = frozenset({"paper", "blog", "post"})  # kinds of Article: they refine it
PAGE_TYPES = frozenset(
    {"WebPage", "ItemPage", "AboutPage", "CollectionPage", "ProfilePage", "QAPage", "FAQPage"}
)
MAX_NODES = 10_000
MAX_DEPTH = 32


def read_jsonld(scripts: list[str]) -> Candidates:
    """What a page's JSON-LD scripts say about it (scripts that are not JSON are skipped)."""
    documents = [doc for doc in map(_load, scripts) if doc is not None]
    by_id: dict[str, dict[str, Any]] = {}
    for node in _all_nodes(documents):
        if isinstance(node.get("@id"), str) and len(node) > len(by_id.get(node["@id"], {})):
            by_id[node["@id"]] = node
    nodes = list(_main_nodes(documents, by_id))
    works = [(node, kind) for node in nodes if (kind := _kind(node)) is not None]
    pages = [node for node in nodes if _types(node) & PAGE_TYPES]
    found = Candidates("json-ld")
    for node in [work for work, _ in works] + pages:
        found.titles += _texts(node.get("headline")) + _texts(node.get("name"))
        found.author_lists += [_names(node.get(k), by_id) for k in ("author", "creator")]
        for key in ("datePublished", "dateCreated", "uploadDate"):
            found.dates += _texts(node.get(key))
        found.descriptions += _texts(node.get("description")) + _texts(node.get("abstract"))
        found.languages += _languages(node.get("inLanguage"))
        for key in ("identifier", "sameAs", "@id", "url"):
            for value in _identifiers(node.get(key)):
                found.dois.append(value)
                if "arxiv" in value.lower():
                    found.arxiv_ids.append(value)
    for node in nodes:
        if "WebSite" in _types(node):
            found.site_names += _texts(node.get("name"))
    kinds = [kind for _, kind in works]
    if kinds:
        refined = [k for k in kinds if k in _ARTICLE_KINDS]
        found.kinds = [refined[0] if kinds[0] == "article" and refined else kinds[0]]
    return found


def _load(script: str) -> Any:
    text = script.strip()
    for start, end in (("<!--", "-->"), ("//<![CDATA[", "//]]>"), ("<![CDATA[", "]]>")):
        if text.startswith(start) and text.endswith(end):
            text = text[len(start) : -len(end)].strip()
    try:
        return json.loads(text, strict=False)  # strict=False: raw line breaks in strings
    except (ValueError, RecursionError):
        return None


def _all_nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every object in the documents, to MAX_DEPTH levels down."""
    stack = [(value, 0)]
    seen = 0
    while stack and seen < MAX_NODES:
        item, level = stack.pop()
        seen += 1
        if isinstance(item, dict):
            yield item
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if level < MAX_DEPTH:
            stack.extend((child, level + 1) for child in children)


def _main_nodes(documents: list[Any], by_id: dict[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The nodes that speak for the page, in page order: each block's top, its @graph, their
    mainEntity."""
    stack: list[Any] = documents[::-1]
    seen: set[int] = set()  # a node named twice (in the @graph and as mainEntity) is one
    while stack and len(seen) < MAX_NODES:
        item = _resolved(stack.pop(), by_id)
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, list):
            stack.extend(item[::-1])
        elif isinstance(item, dict):
            if "@type" in item:
                yield item
            inner = [item.get("@graph"), item.get("mainEntity")]
            stack.extend(x for x in inner[::-1] if isinstance(x, list | dict))


def _resolved(value: Any, by_id: dict[str, dict[str, Any]]) -> Any:
    """A `{"@id": ...}` reference replaced by the node it names, when the page has it."""
    if isinstance(value, dict) and set(value) == {"@id"} and isinstance(value["@id"], str):
        return by_id.get(value["@id"], value)
    return value


def _types(node: dict[str, Any]) -> set[str]:
    """The node's schema.org types, without their prefix (`schema:Article`, a full URL)."""
    found = set()
    for value in _texts(node.get("@type")):
        found.add(value.rsplit("/", 1)[-1].rsplit(":", 1)[-1].rsplit("#", 1)[-1])
    return found


def _kind(node: dict[str, Any]) -> str | None:
    kinds = [WORK_KINDS[t] for t in _types(node) if t in WORK_KINDS]
    return min(kinds, key=lambda k: k not in _ARTICLE_KINDS) if kinds else None


def _texts(value: Any) -> list[str]:
    """The strings a value holds: itself, a list's strings, a `{"@value": ...}`'s."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and isinstance(value.get("@value"), str):
        return [value["@value"]]
    if isinstance(value, list):
        return [text for item in value[:100] for text in _texts(item)]
    return []


def _names(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    """Authors' names: strings, or Person and Organization nodes (by reference too)."""
    found = []
    for item in value if isinstance(value, list) else [value]:
        item = _resolved(item, by_id)
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            names = _texts(item.get("name"))
            given, family = _texts(item.get("givenName")), _texts(item.get("familyName"))
            if names:
                found.append(names[0])
            elif family:
                found.append(" ".join(given[:1] + family[:1]))
    return found


def _languages(value: Any) -> list[str]:
    if isinstance(value, dict):  # a Language node: its code is its alternateName
        return _texts(value.get("alternateName")) + _texts(value.get("name"))
    return _texts(value)


def _identifiers(value: Any) -> list[str]:
    """Strings that may name a DOI or an arXiv id: plain, or a PropertyValue's value."""
    found = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            found += _texts(item.get("value")) + _texts(item.get("@id")) + _texts(item.get("url"))
        else:
            found += _texts(item)
    return found
