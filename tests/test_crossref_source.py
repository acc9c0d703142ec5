"""CrossrefSource against a local fake Crossref serving recorded answers: every kept field,
politeness, the DOIs it refuses, and every fault a server can make."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fake_crossref import (
    ACM,
    CHAPTER,
    DOI_ORG_404_PAGE,
    IEEE,
    PLOS,
    PREPRINT_RECORD,
    VALIDATION_FAILURE,
    FakeCrossref,
    fixture,
)
from fake_http import FakeTime, Reply

from papernotes import __version__
from papernotes.crossref_source import (
    NOT_FOUND,
    CrossrefReport,
    CrossrefSettings,
    CrossrefSource,
    UnreadableAnswerError,
    WorkAuthor,
    normalise_doi,
    parse_work,
    plain_text,
    user_agent,
    work_from_answer,
)
from papernotes.errors import InvalidIdError, UsageError


@pytest.fixture
def crossref() -> Iterator[FakeCrossref]:
    server = FakeCrossref().start()
    yield server
    server.stop()


def source(
    server: FakeCrossref | str,
    *,
    mailto: str = "",
    delay: float = 0.0,
    timeout: float = 2.0,
    retries: int = 3,
    sleeps: FakeTime | None = None,
    waits: list[str] | None = None,
) -> CrossrefSource:
    url = server if isinstance(server, str) else server.url
    settings = CrossrefSettings(
        url=url, mailto=mailto, delay=delay, timeout=timeout, retries=retries
    )
    fake = sleeps if sleeps is not None else FakeTime()
    return CrossrefSource(
        settings, sleep=fake, clock=fake.clock, on_wait=None if waits is None else waits.append
    )


def only(report: CrossrefReport, doi: str) -> Any:
    assert report.missing == [] and report.failed == {}, report
    assert list(report.found) == [doi]
    return report.found[doi]


# --- what a work becomes -------------------------------------------------------------------


def test_a_journal_article_keeps_every_field(crossref: FakeCrossref) -> None:
    report = source(crossref).fetch([PLOS])

    work = only(report, PLOS)
    assert report.requests == 1
    assert work.doi == PLOS
    assert work.title == (
        "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia in "
        "the Basal Ganglia of Mice"
    )
    assert work.subtitle is None  # Crossref's `subtitle` is an empty list here
    assert [a.name for a in work.authors] == [
        "Shankar Sadasivan", "Brooks B. Pond", "Amar K. Pani", "Chunxu Qu", "Yun Jiao",
        "Richard J. Smeyne",
    ]  # fmt: skip
    assert all(a.orcid is None and a.affiliations == [] for a in work.authors)
    assert work.container == "PLoS ONE"
    assert (work.volume, work.issue, work.pages) == ("7", "3", "e33693")
    assert work.publisher == "Public Library of Science (PLoS)"
    assert work.type == "journal-article"
    assert work.issued == "2012-03-21"
    assert work.abstract is None
    assert work.url == "https://doi.org/10.1371/journal.pone.0033693"
    assert work.references_count == 70
    assert work.cited_by_count == 72
    assert work.arxiv_id is None  # its `relation` is empty


def test_a_proceedings_article_without_a_date(crossref: FakeCrossref) -> None:
    work = only(source(crossref).fetch([IEEE]), IEEE)

    assert work.title == "Accurate and explicit differentiation of wireless and congestion losses"
    assert work.authors == [WorkAuthor("V. Arya"), WorkAuthor("T. Turletti")]
    assert work.container == (
        "23rd International Conference on Distributed Computing Systems Workshops, 2003. "
        "Proceedings."
    )
    assert work.type == "proceedings-article"
    assert work.issued is None  # `issued` is {"date-parts": [[null]]}
    assert (work.volume, work.issue, work.pages) == (None, None, "877-882")
    assert work.publisher == "IEEE"
    assert (work.references_count, work.cited_by_count) == (13, 4)


def test_affiliations_and_non_ascii_names_are_kept(crossref: FakeCrossref) -> None:
    work = only(source(crossref).fetch([ACM]), ACM)

    assert [(a.name, a.affiliations) for a in work.authors] == [
        ("Lorenz Bühmann", ["University of Leipzig, Leipzig, Germany"]),
        ("Jens Lehmann", ["Fraunhofer IAIS & University of Bonn, Sankt Augustin, Germany"]),
        ("Patrick Westphal", ["University of Leipzig, Leipzig, Germany"]),
        ("Simon Bin", ["University of Leipzig, Leipzig, Germany"]),
    ]
    # Crossref's container title has two spaces before the dash: white space is normalised.
    assert work.container == (
        "Companion of the The Web Conference 2018 on The Web Conference 2018 - WWW '18"
    )
    assert work.issued == "2018"  # a year is all Crossref gives
    assert work.pages is None
    assert work.publisher == "ACM Press"
    assert work.type == "proceedings-article"
    assert work.url == "http://dx.doi.org/10.1145/3184558.3186235"
    assert (work.references_count, work.cited_by_count) == (22, 0)
    assert work.arxiv_id is None  # `relation` holds only an empty `cites`


def test_a_book_chapter(crossref: FakeCrossref) -> None:
    work = only(source(crossref).fetch([CHAPTER]), CHAPTER)

    assert work.type == "book-chapter"
    assert work.title == (
        "Differentiability with Respect to Initial Data for a Scalar Conservation Law"
    )
    assert [a.name for a in work.authors] == ["François Bouchut", "François James"]
    assert work.container == "Hyperbolic Problems: Theory, Numerics, Applications"
    assert work.publisher == "Birkhäuser Basel"
    assert work.issued == "1999"
    assert work.pages == "113-118"
    assert (work.references_count, work.cited_by_count) == (7, 15)


def test_a_record_naming_its_arxiv_preprint_with_orcid_and_a_jats_abstract() -> None:
    # The only genuine record at hand with these: a work object without its envelope, so it
    # is read by parse_work rather than served (see tests/fixtures/crossref/PROVENANCE.md).
    work = parse_work(json.loads(fixture(PREPRINT_RECORD)))

    assert work.doi == "10.5506/aphyspolb.56.3-a7"
    assert work.arxiv_id == "2503.12208"  # relation.has-preprint, id-type arxiv
    assert work.authors == [
        WorkAuthor("C. Weiss", "0000-0003-0296-5802", ["Theory Center, Jefferson Lab"])
    ]
    assert work.title == "Gluonic Structure from Instantons"
    assert work.container == "Acta Physica Polonica B"
    assert (work.volume, work.issue, work.pages) == ("56", "3", "1")
    assert work.issued == "2025-04-16"
    assert work.url == "https://doi.org/10.5506/aphyspolb.56.3-a7"
    abstract = work.abstract
    assert abstract is not None
    assert abstract.startswith("The instanton vacuum provides an effective description of chiral")
    assert "momenta below \\(1/\\bar \\rho \\approx 0.6\\) GeV explains" in abstract
    # The HTML escaped inside the JATS (&lt;span class="it"&gt;) is neither kept as
    # entities nor shown as tags; the "Abstract" heading and the copyright block are dropped.
    assert "This includes: (i) twist-2 parton distributions and momentum sum rule; (ii)" in abstract
    assert "<" not in abstract and "&lt;" not in abstract and "span" not in abstract
    assert abstract.endswith("gauge field configurations beyond instantons.")
    assert "\n" not in abstract  # one paragraph
    assert "  " not in abstract


def test_plain_text_keeps_paragraphs_and_decodes_entities() -> None:
    # A unit of the text function, not a Crossref answer: JATS paragraphs around entities.
    markup = (
        "<jats:p>First  part,\n  wrapped &amp; indented.</jats:p>\n"
        "<jats:p>R&#233;sum&eacute; <jats:italic>in</jats:italic> two.</jats:p>"
    )
    assert plain_text(markup) == "First part, wrapped & indented.\n\nRésumé in two."
    assert plain_text("no markup at all,  a < b") == "no markup at all, a < b"


# --- how it asks ---------------------------------------------------------------------------


def test_mailto_goes_in_the_query_and_the_user_agent(crossref: FakeCrossref) -> None:
    source(crossref, mailto="me@example.org").fetch([PLOS])

    (seen,) = crossref.requests
    assert seen.path == f"/works/{PLOS}"
    assert seen.params == {"mailto": "me@example.org"}
    assert seen.headers["User-Agent"] == f"papernotes/{__version__} (mailto:me@example.org)"
    assert seen.headers["Accept"] == "application/json"


def test_without_mailto_none_is_sent(crossref: FakeCrossref) -> None:
    source(crossref).fetch([PLOS])

    (seen,) = crossref.requests
    assert seen.params == {}
    assert seen.headers["User-Agent"] == f"papernotes/{__version__}" == user_agent()


def test_one_request_per_doi_paced_by_the_delay(crossref: FakeCrossref) -> None:
    sleeps, progress = FakeTime(), []

    report = source(crossref, delay=2.0, sleeps=sleeps).fetch(
        [PLOS, IEEE, CHAPTER], on_progress=progress.append
    )

    assert crossref.dois() == [PLOS, IEEE, CHAPTER]
    assert list(report.found) == [PLOS, IEEE, CHAPTER]
    assert report.requests == 3
    assert sleeps == [2.0, 2.0]  # nothing before the first, the delay before each other
    assert progress == [1, 1, 1]


def test_spellings_of_one_doi_are_asked_once(crossref: FakeCrossref) -> None:
    report = source(crossref).fetch(
        [PLOS, "https://doi.org/10.1371/JOURNAL.PONE.0033693", f"doi:{PLOS}"]
    )

    assert crossref.dois() == [PLOS]
    assert list(report.found) == [PLOS]


def test_a_doi_with_reserved_characters_is_escaped_on_the_way(crossref: FakeCrossref) -> None:
    sici = "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0#x?y"
    crawler = source(crossref)
    assert "%3C693%3A%3Aaid-asi4%3E3.0.co%3B2-0%23x%3Fy" in crawler.work_url(sici)

    report = crawler.fetch([sici])

    assert crossref.dois() == [sici]  # the server read back the very DOI
    assert report.missing == [sici]


def test_the_api_address_may_end_with_a_slash(crossref: FakeCrossref) -> None:
    report = source(crossref.url + "/").fetch([PLOS])
    assert PLOS in report.found
    assert crossref.paths() == [f"/works/{PLOS}"]


# --- what Crossref does not know, and what it refuses --------------------------------------


def test_an_unknown_doi_is_missing(crossref: FakeCrossref) -> None:
    report = source(crossref).fetch(["10.1371/notarealdoi"])

    assert report.missing == ["10.1371/notarealdoi"]
    assert report.found == {} and report.failed == {}
    assert report.requests == 1  # a 404 is an answer, not retried
    assert NOT_FOUND == "not found on Crossref"


def test_a_malformed_doi_is_refused_and_never_sent(crossref: FakeCrossref) -> None:
    report = source(crossref).fetch(["10.1371 /journal", PLOS])

    assert crossref.dois() == [PLOS]
    assert list(report.found) == [PLOS]
    assert report.failed == {
        "10.1371 /journal": "'10.1371 /journal': not a DOI (expected a DOI like "
        "10.1371/journal.pone.0033693, doi:10.… or https://doi.org/10.…)"
    }


def test_the_recorded_400_is_a_failure_in_crossrefs_words(crossref: FakeCrossref) -> None:
    crossref.script_doi(PLOS, Reply(status=400, body=fixture(VALIDATION_FAILURE)))

    report = source(crossref).fetch([PLOS, IEEE])

    assert report.failed == {
        PLOS: "Crossref refused the request (HTTP 400: This route does not support field "
        "query parameters)"
    }
    assert list(report.found) == [IEEE]  # one refusal does not stop the others
    assert crossref.dois() == [PLOS, IEEE]  # not retried


def test_another_status_is_a_failure(crossref: FakeCrossref) -> None:
    crossref.script_doi(PLOS, Reply(status=410))
    report = source(crossref).fetch([PLOS])
    assert report.failed == {PLOS: "Crossref answered HTTP 410"}
    assert report.missing == []


# --- answers that are not a work -----------------------------------------------------------


def test_a_truncated_answer_is_a_failure_not_missing(crossref: FakeCrossref) -> None:
    body = fixture("habanero_10.1371_journal.pone.0033693.json")
    crossref.script_doi(PLOS, Reply(body=body[: len(body) // 2]))

    report = source(crossref).fetch([PLOS])

    assert report.missing == [] and report.found == {}
    assert report.failed[PLOS].startswith("Crossref's answer is not valid JSON (")


def test_an_answer_cut_short_on_the_wire_is_asked_again(crossref: FakeCrossref) -> None:
    body = fixture("habanero_10.1371_journal.pone.0033693.json")
    crossref.script_doi(PLOS, Reply(body=body, cut=len(body) // 3), Reply(body=body))
    waits: list[str] = []

    report = source(crossref, waits=waits).fetch([PLOS])

    assert PLOS in report.found
    assert waits == [
        "Crossref did not answer (the answer was cut short); retrying in 0 s (attempt 2 of 4)"
    ]


def test_an_html_page_is_not_json(crossref: FakeCrossref) -> None:
    crossref.script_doi(PLOS, Reply(body=fixture(DOI_ORG_404_PAGE), content_type="text/html"))

    report = source(crossref).fetch([PLOS])

    assert report.failed == {
        PLOS: "Crossref's answer is an HTML page, not JSON (check crossref.api_url)"
    }
    assert report.requests == 1


@pytest.mark.parametrize(
    ("body", "words"),
    [
        # Crossref's genuine validation-failure answer, served as if it were a 200.
        (fixture(VALIDATION_FAILURE), "not a work (message-type validation-failure)"),
        (b"[]", "a JSON list, not a work"),
    ],
    ids=["validation-failure", "list"],
)
def test_json_that_is_not_a_work_is_a_failure(
    crossref: FakeCrossref, body: bytes, words: str
) -> None:
    crossref.script_doi(PLOS, Reply(body=body))
    report = source(crossref).fetch([PLOS])
    assert report.failed == {PLOS: f"Crossref's answer is {words}"}
    assert report.missing == []


def test_work_from_answer_wants_a_doi() -> None:
    answer = json.loads(fixture("habanero_10.1109_icdcsw.2003.1203662.json"))
    del answer["message"]["DOI"]
    with pytest.raises(UnreadableAnswerError, match="it has no DOI"):
        work_from_answer(json.dumps(answer).encode())


# --- faults --------------------------------------------------------------------------------


def test_5xx_is_retried_with_the_wait_said(crossref: FakeCrossref) -> None:
    body = fixture("habanero_10.1371_journal.pone.0033693.json")
    crossref.script_doi(PLOS, Reply(status=503), Reply(status=502), Reply(body=body))
    sleeps, waits = FakeTime(), []

    report = source(crossref, delay=1.0, sleeps=sleeps, waits=waits).fetch([PLOS])

    assert PLOS in report.found
    assert waits == [
        "Crossref did not answer (HTTP 503); retrying in 1 s (attempt 2 of 4)",
        "Crossref did not answer (HTTP 502); retrying in 2 s (attempt 3 of 4)",
    ]
    assert sleeps == [1.0, 2.0]
    assert report.requests == 3


def test_when_crossref_is_down_the_dois_left_are_not_tried(crossref: FakeCrossref) -> None:
    crossref.script_doi(PLOS, Reply(status=503))
    progress: list[int] = []

    report = source(crossref).fetch([PLOS, IEEE, ACM], on_progress=progress.append)

    assert crossref.dois() == [PLOS] * 4
    reason = f"Crossref could not be used at {crossref.url}/works/{PLOS} after 4 attempts: HTTP 503"
    assert report.failed == {PLOS: reason, IEEE: reason, ACM: reason}
    assert report.found == {} and report.missing == []
    assert progress == [1, 1, 1]


def test_a_refused_connection_is_named() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # free once closed: nothing listens there

    report = source(f"http://127.0.0.1:{port}", retries=1).fetch([PLOS])

    assert report.failed[PLOS].endswith(
        "after 2 attempts: connection refused (check your network, or the API address)"
    )


def test_a_sleeping_server_is_bounded_by_the_timeout(crossref: FakeCrossref) -> None:
    crossref.script_doi(PLOS, Reply(wait=2, body=b""))
    report = source(crossref, timeout=0.3, retries=1).fetch([PLOS])
    assert report.failed[PLOS].endswith("after 2 attempts: no answer within 0.3 s")


def test_a_redirect_loop_fails_at_once(crossref: FakeCrossref) -> None:
    crossref.script_doi(PLOS, Reply(status=302, headers={"Location": f"/works/{PLOS}"}))

    report = source(crossref).fetch([PLOS, IEEE])

    reason = f"Crossref could not be used at {crossref.url}/works/{PLOS}: more than 5 redirects"
    assert report.failed == {PLOS: reason, IEEE: reason}
    assert crossref.dois() == [PLOS] * 6


def test_a_page_of_50_mb_is_refused(crossref: FakeCrossref) -> None:
    crossref.script_doi(PLOS, Reply(filler=50 * 1024 * 1024, content_type="text/html"))

    report = source(crossref).fetch([PLOS])

    assert report.failed[PLOS].endswith(": the answer is larger than 20 MB")
    assert report.requests == 1


# --- DOIs and settings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("10.1371/journal.pone.0033693", PLOS),
        ("  10.1371/Journal.PONE.0033693\n", PLOS),
        ("doi:10.1371/journal.pone.0033693", PLOS),
        ("DOI: 10.1371/journal.pone.0033693", PLOS),
        ("https://doi.org/10.1371/journal.pone.0033693", PLOS),
        ("http://dx.doi.org/10.1371/journal.pone.0033693", PLOS),
        ("dx.doi.org/10.1371/journal.pone.0033693", PLOS),
        ("https://doi.org/10.1371%2Fjournal.pone.0033693", PLOS),
        ("10.1007/978-3-0348-8720-5_13", CHAPTER),
        ("10.1000.10/xyz", "10.1000.10/xyz"),
        ("10.48550/arXiv.1706.03762", "10.48550/arxiv.1706.03762"),
    ],
)
def test_normalise_doi(text: str, doi: str) -> None:
    assert normalise_doi(text) == doi


@pytest.mark.parametrize(
    "text",
    [
        "", "10.1371", "10.1371/", "10.137/abc", "11.1371/abc", "10.abcd/abc",
        "10.1371/journal pone", "10.1371/a\x00b", "10.1371/a\u200bb", "1706.03762",
        "https://example.org/10.1371/abc",
    ],
)  # fmt: skip
def test_malformed_dois_are_refused(text: str) -> None:
    with pytest.raises(InvalidIdError, match="not a DOI"):
        normalise_doi(text)


@pytest.mark.parametrize(
    "settings",
    [
        {"url": "api.crossref.org"},
        {"url": "ftp://api.crossref.org"},
        {"mailto": "me"},
        {"delay": -1.0},
        {"delay": float("nan")},
        {"timeout": 0.0},
        {"retries": -1},
    ],
)
def test_settings_are_checked(settings: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        CrossrefSettings(**settings)


def test_settings_defaults() -> None:
    settings = CrossrefSettings()
    assert settings.url == "https://api.crossref.org"
    assert (settings.mailto, settings.delay, settings.timeout, settings.retries) == (
        "",
        1.0,
        30.0,
        3,
    )
