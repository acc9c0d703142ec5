"""The politeness every metadata source keeps, written once: pacing, bounds, retries.

Each source (arXiv, Crossref, ...) asks its service through these pieces: requests never
closer than `delay` apart, a timeout on every read and a deadline on the whole answer, a cap
on its size, and retries with backoff (delay·2^attempt) that honour `Retry-After`, each wait
said through `on_wait(message)`. `Fetcher` puts them together for a plain GET; arxiv_source
uses the pieces inside the session the `arxiv` package drives.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from papernotes.errors import SourceUnavailableError

if TYPE_CHECKING:
    import requests

MAX_RESPONSE_BYTES = 20 * 1024 * 1024
MAX_RETRY_AFTER = 120.0  # a server asking for a longer wait is not waited for
MAX_REDIRECTS = 5
NETWORK_HINT = " (check your network, or the API address)"

CONNECTION_PROBLEMS = (
    (ConnectionRefusedError, "connection refused"),
    (socket.gaierror, "the host name cannot be resolved"),
    (ConnectionResetError, "connection reset"),
    (http.client.RemoteDisconnected, "connection closed without an answer"),
)


class UnusableAnswerError(Exception):
    """An answer that came back but cannot be used (too large, too slow, not what was asked)."""


class AnswerTooLargeError(UnusableAnswerError):
    """The answer grew past the size cap: not retried, it would only come back as large."""


def network_problem(err: Exception, timeout: float) -> str:
    """What went wrong in words: requests wraps the socket's error a few layers deep."""
    import requests

    if isinstance(err, requests.exceptions.Timeout) or "timed out" in str(err):
        return f"no answer within {timeout:g} s"
    causes: list[BaseException] = [err]
    for cause in causes:  # the chain of causes, reasons and arguments, breadth first
        for kind, words in CONNECTION_PROBLEMS:
            if isinstance(cause, kind):
                return words
        nested = [cause.__cause__, cause.__context__, getattr(cause, "reason", None), *cause.args]
        if len(causes) < 50:
            causes.extend(c for c in nested if isinstance(c, BaseException))
    return "connection failed"


def network_failure(err: Exception, timeout: float) -> tuple[str, str]:
    """The problem in words and the hint to add to a final failure: none for a timeout,
    which says all there is to say."""
    problem = network_problem(err, timeout)
    return problem, "" if problem.startswith("no answer") else NETWORK_HINT


def request_problem(err: Exception, timeout: float) -> str:
    """Any error of `requests` in words, the network's ones as `network_problem` says them."""
    import requests

    if isinstance(err, requests.exceptions.ConnectionError | requests.exceptions.Timeout):
        return network_problem(err, timeout)
    if isinstance(err, requests.exceptions.ChunkedEncodingError):
        return "the answer was cut short"
    if isinstance(err, requests.exceptions.TooManyRedirects):
        return f"more than {MAX_REDIRECTS} redirects"
    return f"request failed ({type(err).__name__})"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number or an HTTP date."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def retry_message(source: str, problem: str, seconds: float, attempt: int, attempts: int) -> str:
    """The wait said before `attempt` (counted from 1) of `attempts`."""
    return (
        f"{source} did not answer ({problem}); retrying in {round(seconds, 1):g} s "
        f"(attempt {attempt} of {attempts})"
    )


def read_capped(
    response: requests.Response,
    *,
    deadline: float,
    timeout: float,
    limit: int = MAX_RESPONSE_BYTES,
    clock: Callable[[], float] = time.monotonic,
) -> bytes:
    """The body of a streamed `response`, or UnusableAnswerError once it is larger than
    `limit` or still coming at `deadline` (a `clock` time; `timeout` names it)."""
    body = bytearray()
    # read1 returns what has come in, however little: the deadline is checked at every
    # piece, so a server sending a byte now and then cannot hold the read for long.
    while chunk := _read1(response):
        body += chunk
        if len(body) > limit:
            response.close()
            raise AnswerTooLargeError(f"the answer is larger than {limit >> 20} MB")
        if clock() > deadline:
            response.close()
            raise UnusableAnswerError(f"the answer took longer than {timeout:g} s")
    return bytes(body)


def _read1(response: requests.Response) -> bytes:
    """What has come in of the body, with urllib3's errors as requests names them (as its
    own `iter_content` does), so that the callers' handling of requests' errors holds."""
    import requests
    import urllib3.exceptions

    try:
        return bytes(response.raw.read1(64 * 1024, decode_content=True))
    except urllib3.exceptions.ProtocolError as err:
        raise requests.exceptions.ChunkedEncodingError(err) from None
    except urllib3.exceptions.DecodeError as err:
        raise requests.exceptions.ContentDecodingError(err) from None
    except urllib3.exceptions.ReadTimeoutError as err:
        raise requests.exceptions.ConnectionError(err) from None


class Pacer:
    """Keeps requests at least `delay` seconds apart, counted from the end of the last one."""

    def __init__(
        self,
        delay: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delay = delay
        self.count = 0  # requests made
        self._sleep = sleep
        self._clock = clock
        self._last: float | None = None

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        """Around one request: waits first when the last one was too recent."""
        if self._last is not None:
            wait = self._last + self.delay - self._clock()
            if wait > 0:
                self._sleep(wait)
        self.count += 1
        try:
            yield
        finally:
            self._last = self._clock()


class Backoff:
    """Decides after a failed attempt: wait delay·2^attempt (or what `Retry-After` asks, up
    to MAX_RETRY_AFTER) and say so, or give up with `error` when no attempt is left."""

    def __init__(
        self,
        source: str,
        *,
        delay: float,
        retries: int,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
        error: type[SourceUnavailableError] = SourceUnavailableError,
    ) -> None:
        self.source = source
        self.delay = delay
        self.attempts = retries + 1
        self._sleep = sleep
        self._on_wait = on_wait
        self._error = error

    def failed(
        self,
        attempt: int,
        url: str,
        problem: str,
        *,
        retry_after: float | None = None,
        hint: str = "",
    ) -> None:
        """Attempt `attempt` (from 0) at `url` failed with `problem`: wait, or raise."""
        if retry_after is not None and retry_after > MAX_RETRY_AFTER:
            raise self._error(
                f"{self.source} is busy ({problem}) and asks to wait {retry_after:.0f} s; try later"
            )
        if attempt + 1 >= self.attempts:
            raise self._error(
                f"{self.source} could not be used at {url} after {self.attempts} attempts: "
                f"{problem}{hint}"
            )
        wait = max(self.delay * 2**attempt, retry_after or 0.0)
        if self._on_wait:
            self._on_wait(retry_message(self.source, problem, wait, attempt + 2, self.attempts))
        self._sleep(wait)

    def give_up(self, url: str, problem: str) -> SourceUnavailableError:
        """The error for a problem that another attempt would not mend."""
        return self._error(f"{self.source} could not be used at {url}: {problem}")


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, its body read whole; `url` is where it came from after redirects."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str


class Fetcher:
    """Paced, bounded, retried GETs to one service, named `source` in every message.

    Connection errors, timeouts, HTTP 429 and 5xx are retried; any other status comes back
    as an `Answer` for the caller to read (404 is often "no such thing"). A final failure,
    a redirect loop or an answer past the size cap raises SourceUnavailableError."""

    def __init__(
        self,
        source: str,
        *,
        user_agent: str,
        delay: float = 1.0,
        timeout: float = 30.0,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        """`on_wait(message)` is called before each wait for a retry, saying why and how long."""
        self.source = source
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._clock = clock
        self._pacer = Pacer(delay, sleep, clock)
        self._backoff = Backoff(source, delay=delay, retries=retries, sleep=sleep, on_wait=on_wait)
        self._session: requests.Session | None = None

    @property
    def count(self) -> int:
        """How many requests were sent so far, retries and all."""
        return self._pacer.count

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """GET `url`, retrying what may pass; the first answer that is not 429 or 5xx."""
        import requests

        for attempt in range(self._backoff.attempts):
            retry_after: float | None = None
            hint = ""
            try:
                answer = self._once(url, params, headers)
            except AnswerTooLargeError as err:
                raise self._backoff.give_up(url, str(err)) from None
            except UnusableAnswerError as err:
                problem = str(err)
            except requests.exceptions.TooManyRedirects as err:
                raise self._backoff.give_up(url, request_problem(err, self.timeout)) from None
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as err:
                problem, hint = network_failure(err, self.timeout)
            except requests.exceptions.RequestException as err:
                problem = request_problem(err, self.timeout)
            else:
                if answer.status != 429 and answer.status < 500:
                    return answer
                problem = f"HTTP {answer.status}"
                retry_after = parse_retry_after(answer.headers.get("Retry-After"))
            self._backoff.failed(attempt, url, problem, retry_after=retry_after, hint=hint)
        raise AssertionError("unreachable")

    def _once(
        self, url: str, params: Mapping[str, str] | None, headers: Mapping[str, str] | None
    ) -> Answer:
        session = self._session or self._new_session()
        with self._pacer.request():
            deadline = self._clock() + self.timeout
            response = session.get(
                url,
                params=dict(params or {}),
                headers={"User-Agent": self.user_agent, **(headers or {})},
                timeout=self.timeout,
                stream=True,
            )
            with response:
                body = read_capped(
                    response,
                    deadline=deadline,
                    timeout=self.timeout,
                    limit=self.max_bytes,
                    clock=self._clock,
                )
            return Answer(response.status_code, response.headers, body, response.url)

    def _new_session(self) -> requests.Session:
        import requests

        session = requests.Session()
        session.max_redirects = MAX_REDIRECTS
        self._session = session
        return session
