"""Papers known by DOI: their metadata from Crossref's REST API, one request per DOI.

Crossref has no batch lookup by DOI, so each DOI is one GET of `/works/{DOI}`, paced,
bounded and retried as every source is (http_fetch). The answer's JSON is kept only when it
really is a work; its JATS abstract is made plain text. A DOI Crossref does not know is
"missing"; one that cannot be a DOI is refused here and never sent.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from papernotes import __version__
from papernotes.errors import InvalidIdError, SourceUnavailableError, UsageError
from papernotes.http_fetch import Answer, Fetcher
from papernotes.ids import parse_id
from papernotes.note import Author, Note, normalise_space
from papernotes.refs import DoiRef, normalise_doi
from papernotes.settings import ARXIV_TIMEOUT, CROSSREF_API_URL, CROSSREF_MAILTO

DEFAULT_API_URL = CROSSREF_API_URL.default
NOT_FOUND = "not found on Crossref"  # the words for a DOI in CrossrefReport.missing


@dataclass(frozen=True)
class CrossrefSettings:
    """Where and how politely to ask Crossref; `mailto` empty sends no address."""

    url: str = DEFAULT_API_URL
    mailto: str = ""
    delay: float = 1.0  # Crossref asks for no fixed delay; one second is polite
    timeout: float = ARXIV_TIMEOUT.default
    retries: int = 3

    def __post_init__(self) -> None:
        CROSSREF_API_URL.validate(self.url)
        CROSSREF_MAILTO.validate(self.mailto)
        if not self.delay >= 0:  # NaN too
            raise UsageError(f"Crossref delay = {self.delay!r}: must be 0 or more seconds")
        if not self.timeout > 0:
            raise UsageError(f"Crossref timeout = {self.timeout!r}: must be more than 0 seconds")
        if self.retries < 0:
            raise UsageError(f"Crossref retries = {self.retries!r}: must be 0 or more")


@dataclass
class WorkAuthor:
    """One author as Crossref has them: `orcid` is the bare iD (0000-0002-1825-0097)."""

    name: str
    orcid: str | None = None
    affiliations: list[str] = field(default_factory=list)


@dataclass
class Work:
    """The fields of a Crossref work that papernotes keeps.

    `type` is Crossref's (journal-article, proceedings-article, book-chapter, ...); `issued`
    is an ISO date as precise as Crossref gives it (2012, 2012-03, 2012-03-21); `arxiv_id`
    is the preprint the record names through `relation.has-preprint`, without version."""

    doi: str
    title: str
    subtitle: str | None = None
    authors: list[WorkAuthor] = field(default_factory=list)
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    type: str | None = None
    issued: str | None = None
    abstract: str | None = None
    url: str | None = None
    references_count: int | None = None
    cited_by_count: int | None = None
    arxiv_id: str | None = None


@dataclass
class CrossrefReport:
    """What Crossref said about each requested DOI (keys are normalised DOIs; a malformed
    one is in `failed` as given, with why)."""

    found: dict[str, Work] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    requests: int = 0


class UnreadableAnswerError(Exception):
    """A 200 answer that is not a Crossref work (not JSON, or JSON of something else)."""


def user_agent(mailto: str = "") -> str:
    """papernotes and its version, and the address to reach its user when there is one, as
    Crossref asks of clients that want its polite pool."""
    agent = f"papernotes/{__version__}"
    return f"{agent} (mailto:{mailto})" if mailto else agent


class CrossrefSource:
    """Fetches works by DOI: one request each, never faster than `delay` apart."""

    def __init__(
        self,
        settings: CrossrefSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`on_wait(message)` is called before each wait for a retry, saying why and how long."""
        self.settings = settings or CrossrefSettings()
        self._fetcher = Fetcher(
            "Crossref",
            user_agent=user_agent(self.settings.mailto),
            delay=self.settings.delay,
            timeout=self.settings.timeout,
            retries=self.settings.retries,
            sleep=sleep,
            on_wait=on_wait,
            clock=clock,
        )

    def work_url(self, doi: str) -> str:
        """The address of one work: `/works/` and the DOI, its reserved characters escaped."""
        return f"{self.settings.url.rstrip('/')}/works/{quote(doi, safe='/')}"

    def fetch(
        self, dois: Sequence[str], on_progress: Callable[[int], None] | None = None
    ) -> CrossrefReport:
        """Ask Crossref for each of `dois`; `on_progress(1)` after each one.

        Once Crossref could not be used at all (unreachable, busy, answers too large), the
        DOIs left fail with the same reason instead of each spending every retry."""
        report = CrossrefReport()
        asked_before = self._fetcher.count
        down: str | None = None
        for given in dict.fromkeys(dois):
            doi: str | None = None
            try:
                doi = normalise_doi(given)
            except InvalidIdError as err:
                report.failed[given] = str(err)  # refused here, never sent
            if doi is not None and not _reported(report, doi):
                if down:
                    report.failed[doi] = down
                else:
                    down = self._fetch_one(doi, report)
            if on_progress:
                on_progress(1)
        report.requests = self._fetcher.count - asked_before
        return report

    def _fetch_one(self, doi: str, report: CrossrefReport) -> str | None:
        """Ask for one DOI into `report`; the reason when Crossref could not be used at all."""
        mailto = self.settings.mailto
        try:
            answer = self._fetcher.get(
                self.work_url(doi),
                params={"mailto": mailto} if mailto else None,
                headers={"Accept": "application/json"},
            )
        except SourceUnavailableError as err:
            report.failed[doi] = str(err)
            return str(err)
        if answer.status == 404:
            report.missing.append(doi)
        elif answer.status != 200:
            report.failed[doi] = _refusal(answer)
        else:
            try:
                report.found[doi] = work_from_answer(answer.body)
            except UnreadableAnswerError as err:
                report.failed[doi] = str(err)
        return None


def _reported(report: CrossrefReport, doi: str) -> bool:
    """Whether `doi` was already asked for (two spellings of one DOI are asked once)."""
    return doi in report.found or doi in report.failed or doi in report.missing


def _refusal(answer: Answer) -> str:
    """Why Crossref turned a request down, in its own words when its answer gives them."""
    words = ""
    try:
        problems = json.loads(answer.body).get("message")
        words = "; ".join(p["message"] for p in problems if isinstance(p.get("message"), str))
    except (ValueError, AttributeError, TypeError):
        pass
    if answer.status == 400:
        return f"Crossref refused the request (HTTP 400{': ' + words if words else ''})"
    return f"Crossref answered HTTP {answer.status}"


def work_from_answer(body: bytes) -> Work:
    """The work in the body of a 200 answer, or UnreadableAnswerError saying what it is."""
    try:
        data = json.loads(body)
    except ValueError as err:
        head = body.lstrip()[:200].lower()
        if head.startswith(b"<"):
            page = "an HTML page" if b"<html" in head or b"<!doctype" in head else "markup"
            raise UnreadableAnswerError(
                f"Crossref's answer is {page}, not JSON (check crossref.api_url)"
            ) from None
        raise UnreadableAnswerError(f"Crossref's answer is not valid JSON ({err})") from None
    if not isinstance(data, dict):
        raise UnreadableAnswerError(f"Crossref's answer is a JSON {_kind(data)}, not a work")
    kind, message = data.get("message-type"), data.get("message")
    if data.get("status") != "ok" or kind != "work" or not isinstance(message, dict):
        named = f"message-type {kind}" if isinstance(kind, str) else "no message-type"
        raise UnreadableAnswerError(f"Crossref's answer is not a work ({named})")
    return parse_work(message)


def parse_work(message: Mapping[str, Any]) -> Work:
    """A Work from the `message` of Crossref's answer; UnreadableAnswerError without a DOI."""
    doi = message.get("DOI")
    if not isinstance(doi, str) or not doi.strip():
        raise UnreadableAnswerError("Crossref's answer is not a work (it has no DOI)")
    abstract = message.get("abstract")
    return Work(
        doi=doi.strip().lower(),
        title=_inline(_first(message.get("title"))) or "",
        subtitle=_inline(_first(message.get("subtitle"))),
        authors=[_author(a) for a in _list(message.get("author")) if isinstance(a, dict)],
        container=_inline(_first(message.get("container-title"))),
        volume=_text(message.get("volume")),
        issue=_text(message.get("issue")),
        pages=_text(message.get("page")),
        publisher=_text(message.get("publisher")),
        type=_text(message.get("type")),
        issued=_date(message.get("issued")),
        abstract=(plain_text(abstract) or None) if isinstance(abstract, str) else None,
        url=_text(message.get("URL")),
        references_count=_count(message.get("references-count", message.get("reference-count"))),
        cited_by_count=_count(message.get("is-referenced-by-count")),
        arxiv_id=_preprint(message.get("relation")),
    )


def _author(entry: Mapping[str, Any]) -> WorkAuthor:
    """A person is given and family names; a group (a consortium) has a `name`."""
    given, family = _text(entry.get("given")), _text(entry.get("family"))
    name = " ".join(part for part in (given, family) if part) or _text(entry.get("name")) or ""
    orcid = _text(entry.get("ORCID"))
    if orcid:
        orcid = orcid.rstrip("/").rpartition("/")[2]  # https://orcid.org/0000-... -> 0000-...
    places = [a for a in _list(entry.get("affiliation")) if isinstance(a, dict)]
    affiliations = [_text(place.get("name")) for place in places]
    return WorkAuthor(name, orcid or None, [a for a in affiliations if a])


def _preprint(relation: Any) -> str | None:
    """The arXiv id a `has-preprint` relation names: by id-type arxiv (2503.12208,
    arXiv:2503.12208v2), or by arXiv's DOI or page; other preprint servers are left out."""
    if not isinstance(relation, dict):
        return None
    for entry in _list(relation.get("has-preprint")):
        ident = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(ident, str):
            continue
        if str(entry.get("id-type", "")).lower() == "arxiv" or "arxiv" in ident.lower():
            try:
                return parse_id(ident).base
            except InvalidIdError:
                continue
    return None


def _date(value: Any) -> str | None:
    """`{"date-parts": [[2012, 3, 21]]}` as 2012-03-21, [[2012]] as 2012, [[null]] as None."""
    parts = value.get("date-parts") if isinstance(value, dict) else None
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
    numbers: list[int] = []
    for part, highest in zip(first, (9999, 12, 31), strict=False):
        if isinstance(part, bool) or not isinstance(part, int) or not 1 <= part <= highest:
            break
        numbers.append(part)
    if not numbers:
        return None
    return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])


def _first(value: Any) -> str | None:
    """The first string of a list (Crossref's titles are lists), or the string itself."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return value if isinstance(value, str) else None


def _inline(text: str | None) -> str | None:
    """A title as one line of plain text (Crossref's titles may hold <i>, <sub>, ...)."""
    if text is None:
        return None
    return normalise_space(plain_text(text)) or None


def _text(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return (normalise_space(value) or None) if isinstance(value, str) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _kind(value: Any) -> str:
    return "list" if isinstance(value, list) else "string" if isinstance(value, str) else "value"


# HTML that publishers escaped inside their JATS (`&lt;span class="it"&gt;`): once the
# entities are decoded it would be shown as tags, so these few inline ones are taken out.
_ESCAPED_INLINE = re.compile(
    r"</?(?:b|i|em|strong|span|sub|sup|sc|u|italic|bold)(?:\s[^<>]*)?/?>", re.IGNORECASE
)


class _PlainText(HTMLParser):
    """Text of JATS (or HTML) markup: block elements end paragraphs, the rest is flattened.

    A section title "Abstract" and the permissions block (copyright lines) are not part of
    what the paper says, so they are left out."""

    BLOCKS = frozenset({"p", "sec", "title", "list-item", "disp-quote", "def-item", "br"})
    HIDDEN = frozenset({"permissions", "license", "script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._pieces: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = tag.rpartition(":")[2]  # jats:p -> p
        if name in self.HIDDEN:
            self._hidden += 1
        elif name in self.BLOCKS:
            self.end_paragraph()

    def handle_endtag(self, tag: str) -> None:
        name = tag.rpartition(":")[2]
        if name in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif name in self.BLOCKS:
            self.end_paragraph(heading=name == "title")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._pieces.append(data)

    def end_paragraph(self, *, heading: bool = False) -> None:
        """Close the paragraph being read, if it holds any text."""
        text = normalise_space(_ESCAPED_INLINE.sub("", "".join(self._pieces)))
        self._pieces = []
        if text and not (heading and text.casefold() == "abstract"):
            self.paragraphs.append(text)


def plain_text(markup: str) -> str:
    """JATS or HTML as plain text: tags removed, entities decoded, white space normalised,
    paragraphs separated by a blank line."""
    parser = _PlainText()
    parser.feed(markup)
    parser.close()
    parser.end_paragraph()
    return "\n\n".join(parser.paragraphs)


def note_from_work(work: Work) -> Note:
    """A fresh DOI note from a Crossref work (no reader fields filled in)."""
    ref = DoiRef(work.doi)
    return Note(
        id=ref.base,
        kind="doi",
        title=work.title,
        subtitle=work.subtitle,
        authors=[Author(a.name, list(a.affiliations), _orcid_link(a.orcid)) for a in work.authors],
        abstract=work.abstract or "",
        published=work.issued,
        container=work.container,
        volume=work.volume,
        issue=work.issue,
        pages=work.pages,
        publisher=work.publisher,
        type=work.type,
        arxiv=work.arxiv_id,
        url=work.url or ref.url,
        references_count=work.references_count,
        cited_by_count=work.cited_by_count,
    )


def _orcid_link(orcid: str | None) -> str | None:
    return f"https://orcid.org/{orcid}" if orcid else None
