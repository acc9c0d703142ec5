"""What a note is about, for every kind: an arXiv paper, a paper known by its DOI, a web page.

Each kind of reference has the same face as `ids.ArxivId`: `kind`, `base` (the note's `id`),
`version` (arXiv's only) and `stem` (where its file is, below the notes folder), so the
store, the index and the commands treat all three alike.

- a DOI compares lower-cased, as DOIs do: `doi:10.1103/physrevb.91.184507`, in
  `doi/10.1103_physrevb.91.184507.yaml`;
- a link is its normalised URL: scheme and host lower-cased, the default port, `utm_*` and
  `fbclid` parameters and the fragment dropped, a trailing slash folded. Its file name is
  readable and carries a short hash of that URL, since paths differ in case:
  `link/github.com_nvidia_mellotron-5e1c2a0b.yaml`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from papernotes.errors import InvalidIdError
from papernotes.ids import MIRROR_PAGES, ArxivId, parse_id

KINDS = ("arxiv", "doi", "link")
DOI_KEY = "doi:"  # a DOI note's id: doi:10.1103/physrevb.91.184507

# A DOI: the directory indicator 10, a registrant code, a slash, a suffix of any printable
# characters (Crossref's own pattern is narrower than what is registered).
_DOI = re.compile(r"10\.[0-9]{4,9}(?:\.[0-9]+)*/\S+")
_DOI_FORMS = re.compile(
    r"^(?:doi:\s*|info:doi/|(?:https?://)?(?:dx\.)?doi\.org/)?(?P<doi>10\..+)$", re.IGNORECASE
)
_ARXIV_PAGE = re.compile(
    rf"^(?:https?://)?(?:(?:[a-z0-9-]+\.)*arxiv\.org/|(?:{MIRROR_PAGES})/)", re.IGNORECASE
)
_BARE_HOST = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}(?::[0-9]+)?(?:[/?#]|$)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_UNSAFE_IN_NAMES = re.compile(r"[^a-z0-9.\-]+")  # what a file name keeps of a DOI or URL
_MAX_STEM = 120  # characters of a file name taken from a DOI or URL, before the hash
_TRACKING = re.compile(r"utm_.*|fbclid", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HINT = (
    "expected an arXiv id like 1911.12246, a DOI like 10.1103/PhysRevB.91.184507, "
    "or a web link starting with https://"
)


@dataclass(frozen=True, order=True)
class DoiRef:
    """A paper known by its DOI, lower-cased."""

    doi: str

    kind: ClassVar[str] = "doi"
    version: ClassVar[None] = None

    @property
    def base(self) -> str:
        """The note's id: `doi:` and the DOI."""
        return DOI_KEY + self.doi

    @property
    def stem(self) -> str:
        """The note's file below the notes folder, without `.yaml`."""
        return "doi/" + _file_name(self.doi, exact=_is_plain(self.doi))

    @property
    def url(self) -> str:
        """The DOI's resolver link."""
        return "https://doi.org/" + quote(self.doi, safe="/:;()._-")

    def __str__(self) -> str:
        return self.base


@dataclass(frozen=True, order=True)
class LinkRef:
    """A web page, by its normalised URL."""

    url: str

    kind: ClassVar[str] = "link"
    version: ClassVar[None] = None

    @property
    def base(self) -> str:
        """The note's id: the normalised URL."""
        return self.url

    @property
    def stem(self) -> str:
        """The note's file below the notes folder, without `.yaml`."""
        parts = urlsplit(self.url)
        return "link/" + _file_name(f"{parts.netloc}{parts.path}", exact=False, key=self.url)

    @property
    def host(self) -> str:
        """The host, without `www.`: what `site:` matches."""
        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.")

    def __str__(self) -> str:
        return self.url


NoteRef = ArxivId | DoiRef | LinkRef


def parse_ref(text: str) -> NoteRef:
    """An arXiv id (in any form `parse_id` reads, arXiv's own DOIs included), a DOI, or a
    web link; InvalidIdError naming the input otherwise."""
    raw = text.strip()
    try:
        return parse_id(raw)
    except InvalidIdError as not_arxiv:
        if looks_like_arxiv(raw):
            raise  # an arXiv id with a typo: arXiv's own message says what is wrong
        if match := _DOI_FORMS.match(raw):
            return parse_doi(match.group("doi"), raw)
        if raw.lower().startswith(("http://", "https://")):
            return parse_link(raw)
        if _BARE_HOST.match(raw):  # github.com/NVIDIA/mellotron, as people paste links
            return parse_link("https://" + raw)
        raise InvalidIdError(f"{raw!r}: not an arXiv id, a DOI or a link ({_HINT})") from not_arxiv


def looks_like_arxiv(text: str) -> bool:
    """Whether `text` was meant as an arXiv id or a link to an arXiv paper, on arXiv or a
    mirror (so that its error is arXiv's, and it is never fetched as a page)."""
    lowered = text.lower()
    return bool(
        re.match(r"^(?:arxiv:)?[0-9]{4}\.[0-9]", lowered)
        or re.match(r"^/?[a-z-]+(?:\.[a-z-]{2,})?/+[0-9]{7}", lowered)
        or _ARXIV_PAGE.match(lowered)
        or lowered.startswith("arxiv:")
        or "10.48550/" in lowered  # arXiv's DOI, in any of a DOI's forms
    )


def normalise_doi(text: str) -> str:
    """The DOI in `text` (bare, `doi:`, `info:doi/` or a doi.org link, whose path may be
    percent-escaped), lower-cased as DOIs compare; InvalidIdError if it is not one. The one
    rule for DOIs: notes, Crossref and pages all read them through it."""
    match = _DOI_FORMS.match(text.strip())
    doi = match.group("doi") if match else text.strip()
    doi = (unquote(doi) if "%" in doi else doi).lower()
    if not _DOI.fullmatch(doi) or any(unicodedata.category(c)[0] == "C" for c in doi):
        raise InvalidIdError(  # control and format characters (a zero-width space) too
            f"{text.strip()!r}: not a DOI (expected a DOI like 10.1371/journal.pone.0033693, "
            "doi:10.… or https://doi.org/10.…)"
        )
    return doi


def parse_doi(text: str, raw: str | None = None) -> DoiRef:
    """A DOI note's reference; InvalidIdError for arXiv's own DOIs, which name arXiv notes."""
    doi = normalise_doi(text)
    found = parse_doi_as_arxiv(doi)
    if found is not None:
        raise InvalidIdError(f"{raw or text!r}: arXiv's own DOI: add it as {found}")
    return DoiRef(doi)


def parse_doi_as_arxiv(doi: str) -> ArxivId | None:
    """The arXiv paper an arXiv DOI (10.48550/arXiv.…) names, None for any other DOI."""
    if not doi.lower().startswith("10.48550/"):
        return None
    try:
        return parse_id(doi)
    except InvalidIdError:
        return None


def parse_link(text: str) -> LinkRef:
    """A web link, normalised; InvalidIdError if it is not an http(s) URL."""
    raw = text.strip()
    if _CONTROL.search(raw) or any(c.isspace() for c in raw):
        raise InvalidIdError(f"{raw!r}: a link cannot hold spaces or control characters")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as err:
        raise InvalidIdError(f"{raw!r}: not a link ({err})") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        raise InvalidIdError(f"{raw!r}: only http and https links can be notes ({_HINT})")
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    if host in ("github.com", "www.github.com") and path.count("/") == 2:
        path = path.removesuffix(".git")  # a repository's clone address is the repository
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.fullmatch(k)
    ]
    return LinkRef(urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), "")))


def ref_of(kind: str, note_id: str) -> NoteRef:
    """The reference a note's `kind` and `id` stand for; InvalidIdError if they do not fit."""
    if kind == "arxiv":
        return parse_id(note_id)
    if kind == "doi":
        text = note_id.strip()
        return parse_doi(text[len(DOI_KEY) :] if text.lower().startswith(DOI_KEY) else text)
    if kind == "link":
        return parse_link(note_id)
    raise InvalidIdError(f"kind {kind!r}: a note's kind is one of {', '.join(KINDS)}")


def _is_plain(doi: str) -> bool:
    """Whether a DOI maps to a file name without loss: one slash, nothing else replaced."""
    return doi.count("/") == 1 and not _UNSAFE_IN_NAMES.search(doi.replace("/", "", 1))


def _file_name(text: str, *, exact: bool, key: str | None = None) -> str:
    """`text` as a file name: lower-case letters, digits, `.` and `-`, the rest as `_`,
    cut to a sane length; unless `exact`, with a short hash of `key` (or `text`) after."""
    name = _UNSAFE_IN_NAMES.sub("_", text.lower()).strip("._")[:_MAX_STEM].rstrip("._")
    if exact and len(text) <= _MAX_STEM:
        return name
    digest = hashlib.blake2b((key or text).encode(), digest_size=4).hexdigest()
    return f"{name or 'page'}-{digest}"
