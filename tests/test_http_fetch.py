"""The shared HTTP politeness against a local server: pacing, bounds, retries, the words said."""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import pytest
from fake_http import FakeServer, FakeTime, Reply

from papernotes.errors import ArxivUnavailableError, SourceUnavailableError
from papernotes.http_fetch import (
    MAX_REDIRECTS,
    Backoff,
    Fetcher,
    Pacer,
    parse_retry_after,
    retry_message,
)

# Any genuine recorded answer does as a body: the fetcher does not read what it carries.
BODY = Path(__file__).parent / "fixtures" / "arxiv" / "api2024_single_1706.03762v7_attention.xml"
BODY_BYTES = BODY.read_bytes()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer().start()
    yield fake
    fake.stop()


def fetcher(
    *,
    delay: float = 0.0,
    timeout: float = 2.0,
    retries: int = 3,
    sleep: FakeTime | None = None,
    waits: list[str] | None = None,
    real_clock: bool = False,
) -> Fetcher:
    """A Fetcher whose waits are recorded in `sleep`, on its clock unless `real_clock`."""
    fake = sleep if sleep is not None else FakeTime()
    return Fetcher(
        "Crossref",
        user_agent="papernotes-test/1",
        delay=delay,
        timeout=timeout,
        retries=retries,
        sleep=fake,
        on_wait=None if waits is None else waits.append,
        clock=time.monotonic if real_clock else fake.clock,
    )


def unused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- answers ---------------------------------------------------------------------------


def test_an_answer_comes_back_whole_with_the_request_as_asked(server: FakeServer) -> None:
    server.script("/works/x", Reply(body=BODY_BYTES, headers={"X-Rate-Limit-Limit": "50"}))
    answer = fetcher().get(
        server.url + "/works/x", params={"mailto": "me@example.org"}, headers={"Accept": "a/b"}
    )

    assert answer.status == 200
    assert answer.body == BODY_BYTES
    assert answer.headers["x-rate-limit-limit"] == "50"
    assert answer.url == server.url + "/works/x?mailto=me%40example.org"
    (seen,) = server.requests
    assert seen.params == {"mailto": "me@example.org"}
    assert seen.headers["User-Agent"] == "papernotes-test/1"
    assert seen.headers["Accept"] == "a/b"


@pytest.mark.parametrize("status", [400, 404, 410])
def test_other_statuses_come_back_unretried(server: FakeServer, status: int) -> None:
    server.script("/x", Reply(status=status, body=b"Resource not found."))
    sleeps = FakeTime()
    session = fetcher(sleep=sleeps)

    answer = session.get(server.url + "/x")

    assert (answer.status, answer.body) == (status, b"Resource not found.")
    assert len(server.requests) == session.count == 1
    assert sleeps == []


# --- retries ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_5xx_and_429_with_empty_bodies_are_retried(server: FakeServer, status: int) -> None:
    server.script("/x", Reply(status=status), Reply(body=BODY_BYTES))
    waits: list[str] = []

    answer = fetcher(delay=0.5, waits=waits).get(server.url + "/x")

    assert answer.body == BODY_BYTES
    assert len(server.requests) == 2
    assert waits == [f"Crossref did not answer (HTTP {status}); retrying in 0.5 s (attempt 2 of 4)"]


def test_backoff_doubles_and_the_last_failure_names_everything(server: FakeServer) -> None:
    server.script("/x", Reply(status=503))
    sleeps, waits = FakeTime(), []
    session = fetcher(delay=1.5, sleep=sleeps, waits=waits)

    with pytest.raises(SourceUnavailableError) as raised:
        session.get(server.url + "/x")

    assert sleeps == [1.5, 3.0, 6.0]
    assert waits[-1] == "Crossref did not answer (HTTP 503); retrying in 6 s (attempt 4 of 4)"
    assert len(server.requests) == session.count == 4
    assert str(raised.value) == (
        f"Crossref could not be used at {server.url}/x after 4 attempts: HTTP 503"
    )
    assert raised.value.exit_code == 1


def test_retry_after_in_seconds_is_honoured(server: FakeServer) -> None:
    server.script("/x", Reply(status=429, headers={"Retry-After": "7"}), Reply(body=b"ok"))
    sleeps, waits = FakeTime(), []

    fetcher(delay=1, sleep=sleeps, waits=waits).get(server.url + "/x")

    assert sleeps == [7.0]
    assert waits == ["Crossref did not answer (HTTP 429); retrying in 7 s (attempt 2 of 4)"]


def test_retry_after_as_a_date_is_honoured(server: FakeServer) -> None:
    when = formatdate(time.time() + 30, usegmt=True)
    server.script("/x", Reply(status=503, headers={"Retry-After": when}), Reply(body=b"ok"))
    sleeps = FakeTime()

    fetcher(sleep=sleeps).get(server.url + "/x")

    assert len(sleeps) == 1
    assert 25 <= sleeps[0] <= 31


def test_a_longer_retry_after_than_the_cap_fails_at_once(server: FakeServer) -> None:
    server.script("/x", Reply(status=429, headers={"Retry-After": "300"}))
    sleeps = FakeTime()

    with pytest.raises(SourceUnavailableError, match="asks to wait 300 s; try later"):
        fetcher(sleep=sleeps).get(server.url + "/x")

    assert len(server.requests) == 1
    assert sleeps == []


def test_connection_refused_is_retried_then_named(server: FakeServer) -> None:
    url = f"http://127.0.0.1:{unused_port()}/x"
    waits: list[str] = []
    session = fetcher(waits=waits)

    with pytest.raises(SourceUnavailableError) as raised:
        session.get(url)

    assert session.count == 4
    assert (
        waits[0] == "Crossref did not answer (connection refused); retrying in 0 s (attempt 2 of 4)"
    )
    assert str(raised.value).endswith(
        "after 4 attempts: connection refused (check your network, or the API address)"
    )


def test_a_dropped_connection_is_retried(server: FakeServer) -> None:
    server.script("/x", Reply(drop=True), Reply(body=BODY_BYTES))
    waits: list[str] = []

    assert fetcher(waits=waits).get(server.url + "/x").body == BODY_BYTES
    assert len(server.requests) == 2
    assert waits[0].startswith("Crossref did not answer (connection ")


def test_a_server_that_sleeps_is_bounded_by_the_timeout(server: FakeServer) -> None:
    server.script("/x", Reply(wait=2, body=BODY_BYTES))

    with pytest.raises(SourceUnavailableError) as raised:
        fetcher(timeout=0.3, retries=1).get(server.url + "/x")

    assert str(raised.value).endswith("after 2 attempts: no answer within 0.3 s")
    assert len(server.requests) == 2


def test_an_answer_sent_slower_than_the_deadline_is_dropped(server: FakeServer) -> None:
    # Each 1 KB piece comes within the timeout; the whole answer does not.
    slow = Reply(body=BODY_BYTES, trickle=0.2)  # 4 pieces of 1 KB, 0.8 s in all
    server.script("/x", slow, Reply(body=BODY_BYTES))
    waits: list[str] = []

    session = fetcher(timeout=0.5, waits=waits, real_clock=True)
    assert session.get(server.url + "/x").body == BODY_BYTES
    assert waits == [
        "Crossref did not answer (the answer took longer than 0.5 s); retrying in 0 s "
        "(attempt 2 of 4)"
    ]


def test_a_large_answer_sent_slowly_is_dropped_at_its_deadline(server: FakeServer) -> None:
    # 1 KB every 0.1 s: within every read's timeout, and over the whole answer's long before
    # a 64 KB piece is complete (the deadline is checked at every piece received).
    server.script("/x", Reply(body=BODY_BYTES * 40, trickle=0.1))
    started = time.monotonic()
    with pytest.raises(SourceUnavailableError, match=r"took longer than 0\.5 s"):
        fetcher(timeout=0.5, retries=0, real_clock=True).get(server.url + "/x")
    assert time.monotonic() - started < 2.5


def test_an_answer_cut_short_is_retried(server: FakeServer) -> None:
    server.script("/x", Reply(body=BODY_BYTES, cut=len(BODY_BYTES) // 2), Reply(body=BODY_BYTES))
    waits: list[str] = []

    assert fetcher(waits=waits).get(server.url + "/x").body == BODY_BYTES
    assert waits == [
        "Crossref did not answer (the answer was cut short); retrying in 0 s (attempt 2 of 4)"
    ]


def test_a_page_of_50_mb_is_refused_without_retrying(server: FakeServer) -> None:
    server.script("/x", Reply(filler=50 * 1024 * 1024, content_type="text/html"))
    session = fetcher()

    with pytest.raises(SourceUnavailableError) as raised:
        session.get(server.url + "/x")

    assert str(raised.value) == (
        f"Crossref could not be used at {server.url}/x: the answer is larger than 20 MB"
    )
    assert len(server.requests) == session.count == 1


def test_a_redirect_loop_stops_after_five_hops(server: FakeServer) -> None:
    server.script("/loop", Reply(status=302, headers={"Location": "/loop"}))
    session = fetcher()

    with pytest.raises(SourceUnavailableError) as raised:
        session.get(server.url + "/loop")

    assert str(raised.value) == (
        f"Crossref could not be used at {server.url}/loop: more than {MAX_REDIRECTS} redirects"
    )
    assert server.paths() == ["/loop"] * (MAX_REDIRECTS + 1)  # the first ask, then 5 hops
    assert session.count == 1  # not retried


def test_a_redirect_is_followed(server: FakeServer) -> None:
    server.script("/old", Reply(status=301, headers={"Location": "/new"}))
    server.script("/new", Reply(body=BODY_BYTES))

    answer = fetcher().get(server.url + "/old")

    assert (answer.status, answer.url) == (200, server.url + "/new")
    assert server.paths() == ["/old", "/new"]


# --- pacing ----------------------------------------------------------------------------


def test_requests_are_paced_by_the_delay(server: FakeServer) -> None:
    fake = FakeTime()
    session = Fetcher(
        "Crossref", user_agent="t", delay=5.0, sleep=fake, clock=fake.clock, retries=0
    )
    for path in ("/a", "/b", "/c"):
        session.get(server.url + path)

    assert fake == [5.0, 5.0]  # none before the first, the whole delay before each other


def test_a_retry_that_waited_long_enough_is_not_paced_again(server: FakeServer) -> None:
    server.script("/a", Reply(status=503), Reply(body=b"ok"))
    fake = FakeTime()
    session = Fetcher("Crossref", user_agent="t", delay=5.0, sleep=fake, clock=fake.clock)

    session.get(server.url + "/a")

    assert fake == [5.0]  # the backoff's wait, no pacing on top of it


def test_requests_really_arrive_at_least_delay_apart(server: FakeServer) -> None:
    server.script("/a", Reply(status=503), Reply(body=b"ok"))
    session = Fetcher("Crossref", user_agent="t", delay=0.2, sleep=time.sleep)
    for path in ("/a", "/b", "/c"):
        session.get(server.url + path)

    times = [request.at for request in server.requests]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(gaps) == 3
    assert all(gap >= 0.2 - 0.005 for gap in gaps), gaps


def test_the_pacer_counts_and_waits_only_when_needed() -> None:
    fake = FakeTime()
    pacer = Pacer(3.0, fake, fake.clock)
    with pacer.request():
        pass
    fake.now += 10  # long after: no wait
    with pacer.request():
        pass
    fake.now += 1
    with pacer.request():
        pass
    assert fake == [2.0]
    assert pacer.count == 3


# --- the pieces ------------------------------------------------------------------------


def test_the_wait_message() -> None:
    assert retry_message("arXiv", "HTTP 503", 6, 2, 4) == (
        "arXiv did not answer (HTTP 503); retrying in 6 s (attempt 2 of 4)"
    )
    assert retry_message("Crossref", "HTTP 502", 0.25, 3, 4) == (
        "Crossref did not answer (HTTP 502); retrying in 0.2 s (attempt 3 of 4)"
    )


@pytest.mark.parametrize(
    ("value", "seconds"), [("7", 7.0), (" 12 ", 12.0), ("soon", None), ("", None), (None, None)]
)
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_a_past_retry_after_date_means_no_wait() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_backoff_raises_the_error_its_source_names() -> None:
    backoff = Backoff("arXiv", delay=1, retries=0, sleep=FakeTime(), error=ArxivUnavailableError)
    with pytest.raises(
        ArxivUnavailableError, match="arXiv could not be used at u after 1 attempts"
    ):
        backoff.failed(0, "u", "HTTP 503")
