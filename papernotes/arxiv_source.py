"""The one module that talks to arXiv: batched, polite, bounded fetches through `arxiv`.

The `arxiv` package builds the query and parses the feed. What it lacks is added here: a
timeout and a size cap on every request, retries with backoff that honour `Retry-After`,
a check that an answer really is an Atom feed before trusting it, one more ask for papers a
batch left out (the API sometimes answers with an empty page), and a way around one id that
arXiv rejects so it does not sink the whole batch.
"""

from __future__ import annotations

import logging
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papernotes import __version__
from papernotes.errors import ArxivUnavailableError
from papernotes.http_fetch import (
    Backoff,
    Pacer,
    UnusableAnswerError,
    network_failure,
    parse_retry_after,
    read_capped,
    request_problem,
)
from papernotes.ids import ArxivId, parse_id
from papernotes.note import Author, Note, normalise_space
from papernotes.settings import ARXIV_API_URL, ARXIV_DELAY, ARXIV_TIMEOUT

if TYPE_CHECKING:
    import arxiv
    import requests

DEFAULT_API_URL = ARXIV_API_URL.default
BATCH_SIZE = 100
_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
_REJECTED_ID = re.compile(r"incorrect id format for ([^\s<]+)")


@dataclass(frozen=True)
class ApiSettings:
    """Where and how politely to ask arXiv."""

    url: str = DEFAULT_API_URL
    delay: float = 3.0
    timeout: float = 30.0
    retries: int = 3

    def __post_init__(self) -> None:
        ARXIV_API_URL.validate(self.url)
        ARXIV_DELAY.validate(self.delay)
        ARXIV_TIMEOUT.validate(self.timeout)


@dataclass
class FetchReport:
    """What arXiv said about each requested id."""

    found: dict[ArxivId, Note] = field(default_factory=dict)
    missing: list[ArxivId] = field(default_factory=list)
    rejected: list[ArxivId] = field(default_factory=list)
    failed: dict[ArxivId, str] = field(default_factory=dict)
    requests: int = 0


class _Rejected(Exception):
    """HTTP 400: arXiv refused the request, naming the id it could not parse when it can."""

    def __init__(self, bad_id: str | None, message: str) -> None:
        super().__init__(message)
        self.bad_id = bad_id


def _session(settings: ApiSettings, sleep: Callable[[float], None]) -> Any:
    import requests

    timeout = settings.timeout

    class BoundedSession(requests.Session):
        """Every request is paced, and gets a timeout, a size cap, a deadline and a feed check.

        Pacing lives here, not around the client, so that every request the `arxiv` client
        makes, including any further page it decides to ask for, keeps arXiv's delay.
        """

        last_response: requests.Response | None = None

        def __init__(self) -> None:
            super().__init__()
            self.pacer = Pacer(settings.delay, sleep)

        @property
        def count(self) -> int:
            return self.pacer.count

        def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
            with self.pacer.request():
                return self._bounded(method, url, *args, **kwargs)

        def _bounded(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
            kwargs.update(timeout=timeout, stream=True)
            kwargs["headers"] = {"User-Agent": f"papernotes/{__version__} (arxiv.py)"}
            deadline = time.monotonic() + timeout
            response = super().request(method, url, *args, **kwargs)
            self.last_response = response
            response._content = read_capped(response, deadline=deadline, timeout=timeout)
            if response.status_code == 200:
                _check_feed(response.content)
            elif response.status_code == 400:
                raise _Rejected(*_rejection(response.content))
            return response

    return BoundedSession()


def _check_feed(body: bytes) -> None:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as err:
        raise UnusableAnswerError(f"the answer is not valid XML ({err})") from None
    if root.tag != _ATOM_FEED:
        kind = "an HTML page" if root.tag.lower().endswith("html") else f"<{root.tag}>"
        raise UnusableAnswerError(f"the answer is {kind}, not an Atom feed")


def _rejection(body: bytes) -> tuple[str | None, str]:
    match = _REJECTED_ID.search(body.decode("utf-8", "replace"))
    if match:
        return match.group(1), f"arXiv rejected the request: {match.group(0)}"
    return None, "arXiv rejected the request (HTTP 400)"


class ArxivSource:
    """Fetches metadata for many ids: one request per 100, never faster than `delay` apart."""

    def __init__(
        self,
        settings: ApiSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        """`on_wait(message)` is called before each wait for a retry, saying why and how long."""
        self.settings = settings or ApiSettings()
        self._sleep = sleep
        self._on_wait = on_wait
        self._session = _session(self.settings, sleep)
        self._client: arxiv.Client | None = None

    def fetch(
        self, ids: Sequence[ArxivId], on_progress: Callable[[int], None] | None = None
    ) -> FetchReport:
        """Ask arXiv for `ids` in batches; `on_progress(n)` after each batch of n ids."""
        report = FetchReport()
        asked_before = self._session.count
        pending = list(dict.fromkeys(ids))
        down: str | None = None
        for start in range(0, len(pending), BATCH_SIZE):
            batch = pending[start : start + BATCH_SIZE]
            if down:  # arXiv is unreachable: do not spend minutes on every later batch
                report.failed.update(dict.fromkeys(batch, down))
            else:
                down = self._fetch_batch(batch, report)
            if on_progress:
                on_progress(len(batch))
        report.requests = self._session.count - asked_before
        return report

    def _fetch_batch(self, batch: list[ArxivId], report: FetchReport) -> str | None:
        """Fetch one batch into `report`; the reason when arXiv could not be used at all."""
        asked_again = False
        while batch:
            try:
                results = self._request_with_retries(batch)
            except _Rejected as err:
                bad = _find(batch, err.bad_id)
                if bad is None:
                    report.failed.update(dict.fromkeys(batch, str(err)))
                    return None
                report.rejected.append(bad)
                batch = [i for i in batch if i != bad]
                continue
            except ArxivUnavailableError as err:
                report.failed.update(dict.fromkeys(batch, str(err)))
                return str(err)
            left = []
            for wanted in batch:
                note = _match(wanted, results)
                if note is None:
                    left.append(wanted)
                else:
                    report.found[wanted] = note
            if not left or asked_again:
                report.missing.extend(left)
                return None
            batch, asked_again = left, True
        return None

    def _request_with_retries(self, batch: list[ArxivId]) -> list[Any]:
        import arxiv
        import requests

        settings = self.settings
        backoff = Backoff(
            "arXiv",
            delay=settings.delay,
            retries=settings.retries,
            sleep=self._sleep,
            on_wait=self._on_wait,
            error=ArxivUnavailableError,
        )
        for attempt in range(backoff.attempts):
            retry_after: float | None = None
            hint = ""
            try:
                return self._request(batch)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as err:
                problem, hint = network_failure(err, settings.timeout)
            except UnusableAnswerError as err:
                problem = str(err)
            except arxiv.HTTPError as err:
                if err.status != 429 and err.status < 500:
                    raise ArxivUnavailableError(
                        f"arXiv answered HTTP {err.status} at {settings.url}"
                    ) from None
                problem = f"HTTP {err.status}"
                retry_after = self._retry_after()
            except arxiv.UnexpectedEmptyPageError:
                problem = "arXiv answered with an empty page"
            except requests.exceptions.RequestException as err:
                problem = request_problem(err, settings.timeout)
            backoff.failed(attempt, settings.url, problem, retry_after=retry_after, hint=hint)
        raise AssertionError("unreachable")

    def _request(self, batch: list[ArxivId]) -> list[Any]:
        import arxiv

        if self._client is None:
            # Its warnings would reach stderr through logging's last resort: we report instead.
            logging.getLogger("arxiv").addHandler(logging.NullHandler())
            logging.getLogger("arxiv").propagate = False
            self._client = arxiv.Client(page_size=BATCH_SIZE, delay_seconds=0, num_retries=0)
            self._client.query_url_format = self.settings.url + "?{}"
            # The client has no public hook for its HTTP session; ours adds the bounds.
            self._client._session = self._session
        search = arxiv.Search(id_list=[str(i) for i in batch], max_results=len(batch))
        return list(self._client.results(search))

    def _retry_after(self) -> float | None:
        response = self._session.last_response
        value = response.headers.get("Retry-After") if response is not None else None
        return parse_retry_after(value)


def _find(batch: Iterable[ArxivId], text: str | None) -> ArxivId | None:
    if text is None:
        return None
    return next((i for i in batch if str(i) == text or i.base == text), None)


def _match(wanted: ArxivId, results: list[Any]) -> Note | None:
    for result in results:
        got = parse_id(result.get_short_id())
        if got.base == wanted.base and wanted.version in (None, got.version):
            return note_from_result(result, got)
    return None


def _https(url: str | None) -> str | None:
    return "https://" + url[len("http://") :] if url and url.startswith("http://") else url


def _optional(text: str | None) -> str | None:
    return normalise_space(text) if text and text.strip() else None


def note_from_result(result: Any, arxiv_id: ArxivId) -> Note:
    """A fresh note from one `arxiv.Result` (no reader fields filled in)."""
    alternate = next((link.href for link in result.links if link.rel == "alternate"), None)
    return Note(
        id=arxiv_id.base,
        version=arxiv_id.version,
        title=normalise_space(result.title),
        authors=[
            Author(normalise_space(a.name), [normalise_space(x) for x in a.affiliation])
            for a in result.authors
        ],
        abstract=normalise_space(result.summary),
        published=_iso(result.published),
        updated=_iso(result.updated),
        primary_category=result.primary_category or "",
        categories=list(result.categories),
        doi=_optional(result.doi),
        journal_ref=_optional(result.journal_ref),
        comment=_optional(result.comment),
        url=_https(alternate) or f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=_https(result.pdf_url),
    )


def _iso(moment: Any) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None
