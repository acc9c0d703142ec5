"""ArxivSource against the local fake arXiv: parsing, batching, politeness, retries, failures."""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import pytest
from fake_arxiv import EMPTY_FEED, FakeArxiv, Reply, fixture

from papernotes.arxiv_source import ApiSettings, ArxivSource, FetchReport
from papernotes.errors import UsageError
from papernotes.ids import ArxivId, parse_id

ATTENTION = "api2024_single_1706.03762v7_attention.xml"
BAD_ID_400 = "api2026_error_incorrect_id_format_abc_http400.xml"
HTML_PAGE = b"<!DOCTYPE html><html><body>Service unavailable</body></html>"


def ids(*texts: str) -> list[ArxivId]:
    return [parse_id(t) for t in texts]


def unknown_ids(count: int) -> list[ArxivId]:
    """Valid new-style ids that the fake server has no recording of."""
    return [parse_id(f"2101.{n:05d}") for n in range(1, count + 1)]


def source(
    server: FakeArxiv | str,
    *,
    delay: float = 0.0,
    timeout: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> ArxivSource:
    url = server if isinstance(server, str) else server.url
    return ArxivSource(ApiSettings(url=url, delay=delay, timeout=timeout, retries=3), sleep=sleep)


class Sleeps(list[float]):
    """A sleep function that records what it was asked to wait and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(0)


class RealSleeps(list[float]):
    """A sleep function that records what it was asked to wait and really waits."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(seconds)


def unused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def id_lists(server: FakeArxiv) -> list[str]:
    return [request.id_list for request in server.requests]


def accounted(report: FetchReport) -> set[ArxivId]:
    return set(report.found) | set(report.missing) | set(report.rejected) | set(report.failed)


# --- what a paper becomes ----------------------------------------------------------------


def test_single_paper_becomes_a_note(arxiv: FakeArxiv) -> None:
    wanted = parse_id("1706.03762")
    report = source(arxiv).fetch([wanted])

    assert list(report.found) == [wanted]
    assert report.missing == report.rejected == []
    assert report.failed == {}
    assert report.requests == 1
    note = report.found[wanted]
    assert note.id == "1706.03762"
    assert note.version == 7
    assert note.title == "Attention Is All You Need"
    assert len(note.authors) == 8
    assert note.authors[0].name == "Ashish Vaswani"
    assert note.authors[-1].name == "Illia Polosukhin"
    assert note.primary_category == "cs.CL"
    assert note.categories == ["cs.CL", "cs.LG"]
    assert note.published == "2017-06-12T17:57:34Z"
    assert note.updated == "2023-08-02T00:41:18Z"
    assert note.url == "https://arxiv.org/abs/1706.03762v7"
    assert note.pdf_url == "https://arxiv.org/pdf/1706.03762v7"
    assert note.comment == "15 pages, 5 figures"
    assert note.abstract.startswith("The dominant sequence transduction models are based on")
    assert "\n" not in note.abstract
    assert not note.pending


def test_old_format_is_whitespace_normalised_with_doi_and_journal_ref(arxiv: FakeArxiv) -> None:
    wanted = parse_id("1710.08557")
    note = source(arxiv).fetch([wanted]).found[wanted]

    assert note.title == (
        "On Neuromechanical Approaches for the Study of Biological Grasp and Manipulation"
    )
    assert note.abstract.startswith(
        "Biological and robotic grasp and manipulation are undeniably similar at the level"
    )
    assert note.abstract.endswith("to interact and make progress in these important areas.")
    assert "\n" not in note.abstract
    assert "  " not in note.abstract
    assert note.doi == "10.1186/s12984-017-0305-3"
    assert note.journal_ref == "Journal of NeuroEngineering and Rehabilitation, 2017"
    assert note.primary_category == "cs.RO"
    assert note.published == "2017-10-24T00:21:32Z"
    assert note.url == "https://arxiv.org/abs/1710.08557v1"


def test_old_style_id_keeps_affiliations_and_decodes_entities(arxiv: FakeArxiv) -> None:
    wanted = parse_id("astro-ph/0601001")
    note = source(arxiv).fetch([wanted]).found[wanted]

    assert note.id == "astro-ph/0601001"
    assert note.version == 1
    assert [(a.name, a.affiliations) for a in note.authors] == [
        ("Andrew Gould", ["Ohio State"]),
        ("Susan Dorsher", ["Ohio State"]),
        ("B. Scott Gaudi", ["CfA"]),
        ("Andrzej Udalski", ["Warsaw University Observatory"]),
    ]
    assert "Gould & Morgan (2003)" in note.abstract
    assert "V_max<17.5" in note.abstract
    assert "&amp;" not in note.abstract
    assert "&lt;" not in note.abstract
    assert note.journal_ref == "ActaAstron.56:1-50,2006"
    assert note.primary_category == "astro-ph"
    assert note.url == "https://arxiv.org/abs/astro-ph/0601001v1"


def test_non_arxiv_category_is_kept(arxiv: FakeArxiv) -> None:
    wanted = parse_id("math/0211159")
    note = source(arxiv).fetch([wanted]).found[wanted]

    assert note.primary_category == "math.DG"
    assert note.categories == ["math.DG", "53C"]
    assert note.authors[0].name == "Grisha Perelman"


# --- batching and re-asking -----------------------------------------------------------------


def test_one_request_per_batch_of_100_plus_one_re_ask(arxiv: FakeArxiv) -> None:
    wanted = unknown_ids(250)
    known = {0: "1706.03762", 120: "1605.08386", 240: "1710.08557"}
    for position, text in known.items():
        wanted[position] = parse_id(text)
    progress: list[int] = []

    report = source(arxiv).fetch(wanted, on_progress=progress.append)

    batches = [wanted[0:100], wanted[100:200], wanted[200:250]]
    asked = id_lists(arxiv)
    assert len(asked) == 6 == report.requests
    # First pass: one request per batch (100, 100, 50 ids), each followed by one re-ask of
    # the papers that batch's answer left out.
    for number, batch in enumerate(batches):
        assert asked[2 * number] == ",".join(str(i) for i in batch)
        left_out = [i for i in batch if str(i) not in known.values()]
        assert asked[2 * number + 1] == ",".join(str(i) for i in left_out)
    assert [len(a.split(",")) for a in asked] == [100, 99, 100, 99, 50, 49]
    assert progress == [100, 100, 50]
    assert sorted(str(i) for i in report.found) == sorted(known.values())
    assert len(report.missing) == 247
    assert set(report.missing) == set(wanted) - set(report.found)
    assert report.failed == {}


def test_recorded_batch_with_one_missing_paper(arxiv: FakeArxiv) -> None:
    # The API took 0808.05394 as well-formed (a 5-digit number in 2008 cannot exist, so
    # parse_id refuses it); built directly, it replays the recorded batch as it was asked.
    missing, present = ArxivId("0808.05394"), parse_id("1707.08567")
    report = source(arxiv).fetch([missing, present])

    assert list(report.found) == [present]
    assert report.found[present].id == "1707.08567"
    assert report.missing == [missing]
    assert report.failed == {}
    assert id_lists(arxiv) == ["0808.05394,1707.08567", "0808.05394"]
    assert report.requests == 2


def test_paper_left_out_once_is_found_when_asked_again(arxiv: FakeArxiv) -> None:
    arxiv.script("1706.03762", Reply(body=fixture(EMPTY_FEED)), Reply(body=fixture(ATTENTION)))
    wanted = parse_id("1706.03762")

    report = source(arxiv).fetch([wanted])

    assert report.found[wanted].title == "Attention Is All You Need"
    assert report.missing == []
    assert id_lists(arxiv) == ["1706.03762", "1706.03762"]
    assert report.requests == 2


def test_requested_version(arxiv: FakeArxiv) -> None:
    v7, v3 = ids("1706.03762v7", "1706.03762v3")
    report = source(arxiv).fetch([v7])
    assert report.found[v7].version == 7
    assert report.found[v7].id == "1706.03762"
    assert id_lists(arxiv) == ["1706.03762v7"]

    report = source(arxiv).fetch([v3])  # the fake only has v7 and leaves v3 out
    assert report.found == {}
    assert report.missing == [v3]
    assert id_lists(arxiv)[1:] == ["1706.03762v3", "1706.03762v3"]


# --- politeness and retries -----------------------------------------------------------------


def test_requests_are_at_least_delay_apart(arxiv: FakeArxiv) -> None:
    wanted = [parse_id("1706.03762"), *unknown_ids(100)]  # 2 batches, each re-asked
    arxiv.script(
        ",".join(str(i) for i in wanted[100:]),
        Reply(status=503),
        Reply(body=fixture(EMPTY_FEED)),
    )

    report = source(arxiv, delay=0.3).fetch(wanted)

    assert report.requests == len(arxiv.requests) == 5  # batch, re-ask, 503, retry, re-ask
    assert len(report.missing) == 100
    times = [request.at for request in arxiv.requests]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap >= 0.3 - 0.005 for gap in gaps), gaps


def test_backoff_doubles_the_delay_between_retries(arxiv: FakeArxiv) -> None:
    arxiv.script("1706.03762", Reply(status=503), Reply(status=503), Reply(body=fixture(ATTENTION)))
    sleeps = RealSleeps()
    wanted = parse_id("1706.03762")

    report = source(arxiv, delay=0.05, sleep=sleeps).fetch([wanted])

    assert wanted in report.found
    assert len(arxiv.requests) == report.requests == 3
    assert sleeps == [0.05, 0.1]


def test_503_twice_then_success(arxiv: FakeArxiv) -> None:
    arxiv.script("1706.03762", Reply(status=503), Reply(status=503), Reply(body=fixture(ATTENTION)))
    wanted = parse_id("1706.03762")

    report = source(arxiv, sleep=Sleeps()).fetch([wanted])

    assert report.found[wanted].version == 7
    assert report.failed == {}
    assert len(arxiv.requests) == report.requests == 3


def test_429_retry_after_seconds_is_honoured(arxiv: FakeArxiv) -> None:
    arxiv.script(
        "1706.03762",
        Reply(status=429, headers={"Retry-After": "1"}),
        Reply(body=fixture(ATTENTION)),
    )
    sleeps = Sleeps()
    wanted = parse_id("1706.03762")

    report = source(arxiv, sleep=sleeps).fetch([wanted])

    assert wanted in report.found
    assert len(arxiv.requests) == 2
    assert any(seconds >= 1 for seconds in sleeps), sleeps


def test_retry_after_http_date_is_honoured(arxiv: FakeArxiv) -> None:
    when = formatdate(time.time() + 30, usegmt=True)
    arxiv.script(
        "1706.03762",
        Reply(status=503, headers={"Retry-After": when}),
        Reply(body=fixture(ATTENTION)),
    )
    sleeps = Sleeps()
    wanted = parse_id("1706.03762")

    report = source(arxiv, sleep=sleeps).fetch([wanted])

    assert wanted in report.found
    assert len(arxiv.requests) == 2
    assert any(25 <= seconds <= 31 for seconds in sleeps), sleeps


def test_retry_after_too_long_gives_up_at_once(arxiv: FakeArxiv) -> None:
    arxiv.script("1706.03762", Reply(status=429, headers={"Retry-After": "300"}))
    sleeps = Sleeps()
    wanted = parse_id("1706.03762")

    report = source(arxiv, sleep=sleeps).fetch([wanted])

    assert len(arxiv.requests) == 1
    assert sleeps == []
    assert report.found == {}
    assert "asks to wait 300 s" in report.failed[wanted]


def test_always_503_fails_after_every_attempt(arxiv: FakeArxiv) -> None:
    wanted = ids("1706.03762", "1605.08386")
    arxiv.script("1706.03762,1605.08386", Reply(status=503))

    report = source(arxiv, sleep=Sleeps()).fetch(wanted)

    assert len(arxiv.requests) == report.requests == 4  # retries=3
    assert set(report.failed) == set(wanted)
    assert report.found == {}
    assert report.missing == []
    for message in report.failed.values():
        assert "4 attempts" in message
        assert "HTTP 503" in message
        assert "not found" not in message


def test_connection_refused_fails(arxiv: FakeArxiv) -> None:
    url = f"http://127.0.0.1:{unused_port()}/api/query"
    wanted = parse_id("1706.03762")

    report = source(url, sleep=Sleeps()).fetch([wanted])

    assert report.found == {}
    assert report.requests == 4
    assert "connection" in report.failed[wanted].lower()
    assert arxiv.requests == []


def test_dropped_connection_is_retried(arxiv: FakeArxiv) -> None:
    arxiv.script("1706.03762", Reply(drop=True), Reply(body=fixture(ATTENTION)))
    wanted = parse_id("1706.03762")

    report = source(arxiv, sleep=Sleeps()).fetch([wanted])

    assert wanted in report.found
    assert report.failed == {}
    assert len(arxiv.requests) == 2


def test_timeout_bounds_a_hanging_server(arxiv: FakeArxiv) -> None:
    arxiv.script("1706.03762", Reply(wait=3, body=fixture(ATTENTION)))
    wanted = parse_id("1706.03762")

    started = time.monotonic()
    report = source(arxiv, timeout=0.5, sleep=Sleeps()).fetch([wanted])
    elapsed = time.monotonic() - started

    assert report.found == {}
    assert "no answer within 0.5 s" in report.failed[wanted]
    assert "4 attempts" in report.failed[wanted]
    assert len(arxiv.requests) == 4
    assert elapsed < 4.0  # without the timeout: 4 attempts x 3 s = 12 s


# --- answers that cannot be trusted ----------------------------------------------------------


def test_html_page_is_not_a_feed(arxiv: FakeArxiv) -> None:
    arxiv.script("1706.03762", Reply(status=200, body=HTML_PAGE))
    wanted = parse_id("1706.03762")

    report = source(arxiv, sleep=Sleeps()).fetch([wanted])

    assert report.found == {}
    assert report.missing == []
    message = report.failed[wanted]
    assert "HTML" in message
    assert "not an Atom feed" in message


def test_truncated_feed_is_not_valid_xml(arxiv: FakeArxiv) -> None:
    body = fixture(ATTENTION)
    arxiv.script("1706.03762", Reply(status=200, body=body[: len(body) // 2]))
    wanted = parse_id("1706.03762")

    report = source(arxiv, sleep=Sleeps()).fetch([wanted])

    assert report.found == {}
    assert report.missing == []
    assert "not valid XML" in report.failed[wanted]


@pytest.mark.parametrize("body", [fixture(BAD_ID_400), b""], ids=["names-abc", "empty"])
def test_http_400_naming_no_id_in_batch_fails_the_batch(arxiv: FakeArxiv, body: bytes) -> None:
    wanted = ids("1706.03762", "1605.08386")
    arxiv.script("1706.03762,1605.08386", Reply(status=400, body=body))

    report = source(arxiv, sleep=Sleeps()).fetch(wanted)

    assert len(arxiv.requests) == 1  # a rejection is not retried
    assert set(report.failed) == set(wanted)
    assert report.found == {}
    assert report.rejected == []
    assert all("rejected" in message for message in report.failed.values())


def test_http_400_naming_an_id_drops_only_that_id(arxiv: FakeArxiv) -> None:
    good, bad = ids("1706.03762", "1605.08386")
    # The genuine 2026 error body (api2026_error_incorrect_id_format_abc_http400.xml) with
    # the rejected id `abc` substituted by an id of this batch, as arXiv would name it.
    rejection = fixture(BAD_ID_400).replace(b"abc", b"1605.08386")
    arxiv.script("1706.03762,1605.08386", Reply(status=400, body=rejection))

    report = source(arxiv, sleep=Sleeps()).fetch([good, bad])

    assert id_lists(arxiv) == ["1706.03762,1605.08386", "1706.03762"]
    assert list(report.found) == [good]
    assert report.rejected == [bad]
    assert report.failed == {}
    assert report.missing == []


def test_http_400_in_one_batch_does_not_fail_the_next(arxiv: FakeArxiv) -> None:
    wanted = [*unknown_ids(100), parse_id("1706.03762")]
    arxiv.script(",".join(str(i) for i in wanted[:100]), Reply(status=400, body=b""))

    report = source(arxiv, sleep=Sleeps()).fetch(wanted)

    assert set(report.failed) == set(wanted[:100])
    assert list(report.found) == [wanted[100]]


def test_short_page_with_empty_next_page_does_not_escape(arxiv: FakeArxiv) -> None:
    # The genuine 1706.03762 answer with its totalResults edited from 1 to 2, then the
    # genuine empty feed for the follow-up page the client asks for.
    total = b'totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
    short = fixture(ATTENTION).replace(total + b"1", total + b"2")
    assert short != fixture(ATTENTION)
    wanted = ids("1706.03762", "1605.08386")
    arxiv.script("1706.03762,1605.08386", Reply(body=short), Reply(body=fixture(EMPTY_FEED)))

    report = source(arxiv, sleep=Sleeps()).fetch(wanted)

    assert accounted(report) == set(wanted)
    assert report.requests == len(arxiv.requests)


# --- settings and giving up early -----------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"url": "ftp://export.arxiv.org/api/query"},
        {"url": "export.arxiv.org/api/query"},
        {"url": "http://"},
        {"delay": -1.0},
        {"delay": float("nan")},
        {"timeout": 0.0},
        {"timeout": -5.0},
    ],
)
def test_api_settings_validation(settings: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        ApiSettings(**settings)


def test_api_settings_accept_sane_values() -> None:
    settings = ApiSettings(url="http://127.0.0.1:1/api/query", delay=0, timeout=0.1)
    assert (settings.delay, settings.timeout, settings.retries) == (0, 0.1, 3)


def test_later_batches_are_not_tried_once_one_failed(arxiv: FakeArxiv) -> None:
    wanted = unknown_ids(150)
    first, second = (",".join(str(i) for i in part) for part in (wanted[:100], wanted[100:]))
    arxiv.script(first, Reply(drop=True))
    arxiv.script(second, Reply(drop=True))
    progress: list[int] = []

    report = source(arxiv, sleep=Sleeps()).fetch(wanted, on_progress=progress.append)

    assert id_lists(arxiv) == [first] * 4  # the attempts of the first batch only
    assert report.requests == 4
    assert set(report.failed) == set(wanted)
    assert len(set(report.failed.values())) == 1
    assert "connection" in report.failed[wanted[0]].lower()
    assert report.found == {}
    assert report.missing == []
    assert progress == [100, 50]
