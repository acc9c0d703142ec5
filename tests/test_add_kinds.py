"""`papernotes add` of DOIs and of any web link, end to end through the real command.

Crossref, GitHub's API and the pages are local servers on 127.0.0.1 serving genuine
recorded answers (tests/fixtures/crossref and tests/fixtures/web); a link to github.com is
read through the API setting only, and no test resolves any other host than the local one.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_crossref import ACM, DOI_ORG_404_PAGE, IEEE, PLOS, PREPRINT_RECORD, RECORDED, FakeCrossref
from fake_crossref import fixture as crossref_fixture
from fake_http import FakeTime, Reply
from fake_web import ACL, ARXIV_ABS, BLOG, DRIVE, HTML_TYPE, FakeGitHub, FakeWeb, html

from papernotes import __version__, crossref_source, http_fetch, web_source
from papernotes.note import Author, Note, load_note
from papernotes.refs import parse_ref
from papernotes.web_source import address

UNKNOWN_DOI = "10.1371/notarealdoi"  # Crossref's recorded 404 is about it
PREPRINT_DOI = "10.5506/aphyspolb.56.3-a7"
LOCAL_HOSTS = ("127.0.0.1", "localhost")


# --- the ground: local servers, no other host, waits that are not waited ---------------------


@pytest.fixture(autouse=True)
def only_local_hosts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every host name looked up, refused unless it is this machine's: nothing here may
    reach a real site (github.com included, whose repositories are read from the API)."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        asked.append(name)
        if name.lower() not in LOCAL_HOSTS:
            raise socket.gaierror(socket.EAI_NONAME, f"test refused to resolve {name}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield asked
    assert all(name.lower() in LOCAL_HOSTS for name in asked), asked


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    """The waits Crossref's and the web's fetchers make (pacing and retries), recorded
    instead of slept: the command says them as it would, without taking the seconds."""
    slept = FakeTime()
    real = http_fetch.Fetcher

    def fetcher(*args: Any, **kwargs: Any) -> http_fetch.Fetcher:
        return real(*args, **{**kwargs, "sleep": slept})

    monkeypatch.setattr(crossref_source, "Fetcher", fetcher)
    monkeypatch.setattr(web_source, "Fetcher", fetcher)
    return slept


@pytest.fixture
def crossref(monkeypatch: pytest.MonkeyPatch, waits: FakeTime) -> Iterator[FakeCrossref]:
    server = FakeCrossref().start()
    monkeypatch.setenv("PAPERNOTES_CROSSREF_API_URL", server.url)
    yield server
    server.stop()


@pytest.fixture
def web(waits: FakeTime) -> Iterator[FakeWeb]:
    server = FakeWeb().start()
    yield server
    server.stop()


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, waits: FakeTime) -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    monkeypatch.setenv("PAPERNOTES_GITHUB_API_URL", server.url)
    yield server
    server.stop()


def files(notes_dir: Path) -> list[str]:
    """Every file below the notes folder (the index's own folder aside)."""
    if not notes_dir.exists():
        return []
    return sorted(
        str(p.relative_to(notes_dir))
        for p in notes_dir.rglob("*")
        if p.is_file() and not p.relative_to(notes_dir).parts[0].startswith(".")
    )


def read(notes_dir: Path, stem: str) -> Note:
    """The note in `notes/STEM.yaml`, as papernotes reads it."""
    path = notes_dir / f"{stem}.yaml"
    return load_note(path.read_text(encoding="utf-8"), str(path))


def one_line_failure(stderr: str, *words: str) -> str:
    """The failure's line, checked to be one line, without a traceback, saying `words`."""
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if "retrying in" not in line]
    (line,) = lines
    for word in words:
        assert word in line, line
    return line


def retries(stderr: str) -> list[str]:
    """The waits for a retry the command said."""
    return [line for line in stderr.splitlines() if "retrying in" in line]


def enveloped(record: bytes) -> bytes:
    """A recorded work object inside the envelope of a recorded Crossref answer (PLOS's),
    as Crossref serves every work: the two genuine pieces put together."""
    answer = json.loads(crossref_fixture(RECORDED[PLOS]))
    answer["message"] = json.loads(record)
    return json.dumps(answer).encode()


# --- DOIs --------------------------------------------------------------------------------------


def test_a_doi_makes_one_note_with_every_field_crossref_gives(cli, crossref, notes_dir) -> None:
    result = cli("add", PLOS)

    assert result.stdout.startswith(f"added     doi:{PLOS}")
    assert files(notes_dir) == ["doi/10.1371_journal.pone.0033693.yaml"]
    note = read(notes_dir, "doi/10.1371_journal.pone.0033693")
    assert note.id == f"doi:{PLOS}" and note.kind == "doi"
    assert note.title.startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")
    assert note.subtitle is None  # the record's subtitle is an empty list
    assert [a.name for a in note.authors][:2] == ["Shankar Sadasivan", "Brooks B. Pond"]
    assert note.container == "PLoS ONE"
    assert (note.volume, note.issue, note.pages) == ("7", "3", "e33693")
    assert note.publisher == "Public Library of Science (PLoS)"
    assert note.type == "journal-article"
    assert note.published == "2012-03-21"
    assert note.url == "https://doi.org/10.1371/journal.pone.0033693"
    assert (note.references_count, note.cited_by_count) == (70, 72)
    assert not note.pending and note.abstract == ""  # the record has no abstract
    assert crossref.dois() == [PLOS]


def test_orcid_affiliations_a_jats_abstract_and_the_arxiv_preprint_are_kept(
    cli, crossref, notes_dir
) -> None:
    crossref.script_doi(PREPRINT_DOI, Reply(body=enveloped(crossref_fixture(PREPRINT_RECORD))))

    cli("add", f"https://doi.org/{PREPRINT_DOI.upper()}")

    note = read(notes_dir, "doi/10.5506_aphyspolb.56.3-a7")
    assert note.authors == [
        Author(
            "C. Weiss", ["Theory Center, Jefferson Lab"], "https://orcid.org/0000-0003-0296-5802"
        )
    ]
    assert note.arxiv == "2503.12208"  # relation.has-preprint
    abstract = note.abstract
    assert abstract.startswith("The instanton vacuum provides an effective description")
    assert "<" not in abstract and "&lt;" not in abstract and "Abstract" not in abstract[:9]
    assert note.title == "Gluonic Structure from Instantons"
    assert (note.volume, note.issue) == ("56", "3")
    shown = cli("show", PREPRINT_DOI).stdout
    assert "C. Weiss (Theory Center, Jefferson Lab)" in shown and "2503.12208" in shown


def test_every_form_of_a_doi_finds_the_same_note(cli, crossref, notes_dir) -> None:
    cli("add", f"doi:{ACM.upper()}")
    again = cli("add", f"https://doi.org/{ACM}", "-t", "rdf")
    assert again.stdout.startswith(f"tagged    doi:{ACM}")
    once_more = cli("add", ACM, "-t", "rdf")
    assert once_more.stdout.startswith(f"exists    doi:{ACM}")

    assert files(notes_dir) == ["doi/10.1145_3184558.3186235.yaml"]
    note = read(notes_dir, "doi/10.1145_3184558.3186235")
    assert note.tags == ["rdf"]
    assert note.authors[0] == Author("Lorenz Bühmann", ["University of Leipzig, Leipzig, Germany"])
    assert crossref.dois() == [ACM]  # asked once: the note was found the other times


def test_a_doi_crossref_does_not_know_writes_nothing(cli, crossref, notes_dir) -> None:
    result = cli("add", UNKNOWN_DOI, code=1)

    one_line_failure(result.stderr, "not found on Crossref", UNKNOWN_DOI, "no note written")
    assert result.stdout == ""
    assert files(notes_dir) == []
    assert crossref.dois() == [UNKNOWN_DOI]


@pytest.mark.parametrize("given", ["10.1371", "doi:10.12/short-registrant", "10.1371/a b"])
def test_a_malformed_doi_is_refused_before_anything_is_sent(
    cli, crossref, notes_dir, given
) -> None:
    result = cli("add", given, code=1)

    line = one_line_failure(result.stderr, "invalid", "not a DOI (expected a DOI like 10.")
    assert given.removeprefix("doi:") in line
    assert crossref.requests == []
    assert files(notes_dir) == []


def test_arxivs_own_doi_makes_an_arxiv_note(cli, arxiv, crossref, notes_dir) -> None:
    cli("add", "10.48550/arXiv.1706.03762")

    assert files(notes_dir) == ["1706.03762.yaml"]
    assert read(notes_dir, "1706.03762").title == "Attention Is All You Need"
    assert crossref.requests == []


def test_the_mailto_setting_is_sent_in_the_query_and_the_user_agent(
    cli, crossref, monkeypatch
) -> None:
    monkeypatch.setenv("PAPERNOTES_CROSSREF_MAILTO", "reader@example.org")
    cli("add", IEEE)

    (seen,) = crossref.requests
    assert seen.params == {"mailto": "reader@example.org"}
    assert seen.headers["User-Agent"] == f"papernotes/{__version__} (mailto:reader@example.org)"


def test_without_mailto_no_address_is_sent(cli, crossref) -> None:
    cli("add", IEEE)

    (seen,) = crossref.requests
    assert seen.params == {} and "mailto" not in seen.headers["User-Agent"]


def test_crossref_unreachable_leaves_a_placeholder_that_a_later_add_fills(
    cli, crossref, notes_dir, monkeypatch, waits
) -> None:
    monkeypatch.setenv("PAPERNOTES_CROSSREF_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PAPERNOTES_ARXIV_DELAY", "3")  # Crossref's pace: a second, at most
    result = cli("add", PLOS, "-t", "dopamine", code=1)

    assert retries(result.stderr) == [
        f"Crossref did not answer (connection refused); retrying in {s} s (attempt {n} of 4)"
        for s, n in ((1, 2), (2, 3), (4, 4))
    ]
    assert {1.0, 2.0, 4.0} <= set(waits)  # the waits said are the waits made

    one_line_failure(result.stderr, "pending", "connection refused", "placeholder note written")
    assert files(notes_dir) == ["doi/10.1371_journal.pone.0033693.yaml"]
    placeholder = read(notes_dir, "doi/10.1371_journal.pone.0033693")
    assert placeholder.pending and placeholder.title == ""
    assert placeholder.url == "https://doi.org/10.1371/journal.pone.0033693"
    cli("note", PLOS, "--tldr", "Read the methods first.")

    monkeypatch.setenv("PAPERNOTES_CROSSREF_API_URL", crossref.url)
    filled = cli("add", f"doi:{PLOS}", "-t", "mice")

    assert filled.stdout.startswith(f"completed doi:{PLOS}")
    note = read(notes_dir, "doi/10.1371_journal.pone.0033693")
    assert not note.pending
    assert note.title.startswith("Methylphenidate Exposure")
    assert note.tldr == "Read the methods first."
    assert note.tags == ["dopamine", "mice"]
    assert note.added == placeholder.added


# --- links -------------------------------------------------------------------------------------

BLOG_PATH = "/2019-03-29-leader-spotlight-erin-spiceland"


def test_a_blog_post_makes_a_link_note_of_what_its_page_says(cli, web, notes_dir) -> None:
    link = web.serve(BLOG_PATH, BLOG)

    result = cli("add", link, "-t", "people")

    assert result.stdout.startswith(f"added     {link}  Leader spotlight: Erin Spiceland")
    (name,) = files(notes_dir)
    assert name.startswith("link/127.0.0.1_") and name.endswith(".yaml")
    note = read(notes_dir, name.removesuffix(".yaml"))
    assert (note.id, note.kind, note.url) == (link, "link", link)
    assert note.title == "Leader spotlight: Erin Spiceland"
    assert note.authors == [Author("Jessica Rudder")]
    assert note.published == "2019-03-29T16:00:49Z"
    assert note.abstract.startswith("We’re spending Women’s History Month with women leaders")
    assert (note.site, note.language) == ("The GitHub Blog", "en-US")
    assert note.tags == ["people"] and not note.pending
    assert note.arxiv is None and note.doi is None
    (seen,) = web.requests
    assert seen.headers["Accept"].startswith("text/html")
    assert seen.headers["User-Agent"].startswith(f"papernotes/{__version__}")


def test_the_title_option_overrides_the_pages_title(cli, web, notes_dir) -> None:
    link = web.serve(BLOG_PATH, BLOG)

    cli("add", link, "--title", "Erin Spiceland, interviewed")

    note = read(notes_dir, files(notes_dir)[0].removesuffix(".yaml"))
    assert note.title == "Erin Spiceland, interviewed"
    assert note.authors == [Author("Jessica Rudder")]  # the rest is the page's


def test_the_same_page_in_another_form_finds_its_note(cli, web, notes_dir) -> None:
    link = web.serve(BLOG_PATH, BLOG)
    cli("add", link)

    host_and_port = link.removeprefix("http://").split("/")[0]
    for other in (
        link + "/",
        link + "?utm_source=newsletter&utm_medium=email",
        link + "#comments",
        f"HTTP://{host_and_port}{BLOG_PATH}/?fbclid=abc#top",
    ):
        assert cli("add", other).stdout.startswith(f"exists    {link}"), other
    assert len(files(notes_dir)) == 1
    assert len(web.requests) == 1


def test_an_arxiv_abstract_page_names_its_paper(cli, arxiv, web, notes_dir) -> None:
    # The recorded arXiv answers do not hold 2106.09608: the page's note keeps the paper's id.
    link = web.serve("/abs/2106.09608v2", ARXIV_ABS)

    (outcome,) = json.loads(cli("add", link, "--json").stdout)

    assert outcome["status"] == "added" and outcome["kind"] == "link"
    assert outcome["message"] == "names 2106.09608, which arXiv did not give: kept as a link"
    (name,) = files(notes_dir)
    note = read(notes_dir, name.removesuffix(".yaml"))
    assert note.kind == "link" and note.arxiv == "2106.09608"
    assert note.title == "Learning Knowledge Graph-based World Models of Textual Environments"
    assert note.authors == [Author("Prithviraj Ammanabrolu"), Author("Mark O. Riedl")]
    assert note.site == "arXiv.org" and note.published == "2021-06-17"
    assert {r.params.get("id_list") for r in arxiv.requests} == {"2106.09608"}


def test_a_page_about_a_paper_with_a_note_joins_its_links(cli, arxiv, web, notes_dir) -> None:
    path = notes_dir / "2106.09608.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(
        "id: '2106.09608'\ntitle: World models of text games\ncommentary: Mine.\n",
        encoding="utf-8",
    )
    link = web.serve("/abs/2106.09608v2", ARXIV_ABS)

    (outcome,) = json.loads(cli("add", link, "-t", "games", "--json").stdout)

    assert outcome["status"] == "exists" and outcome["id"] == "2106.09608"
    assert outcome["message"] == (
        "the page is about 2106.09608, which has a note; kept among its links"
    )
    assert files(notes_dir) == ["2106.09608.yaml"]
    note = read(notes_dir, "2106.09608")
    assert note.links == [link] and note.tags == ["games"]
    assert note.commentary == "Mine." and note.title == "World models of text games"
    assert arxiv.requests == []


def test_a_page_naming_a_doi_crossref_lacks_keeps_the_doi(cli, crossref, web, notes_dir) -> None:
    link = web.serve("/2021.naacl-main.208/", ACL)

    (outcome,) = json.loads(cli("add", link, "--json").stdout)

    doi = "10.18653/v1/2021.naacl-main.208"
    assert outcome["message"] == f"names {doi}, which Crossref did not give: kept as a link"
    assert crossref.dois() == [doi]
    (name,) = files(notes_dir)
    note = read(notes_dir, name.removesuffix(".yaml"))
    assert note.kind == "link" and note.doi == doi and note.arxiv is None
    assert note.title == "How many data points is a prompt worth?"
    assert note.authors == [Author("Teven Le Scao"), Author("Alexander M. Rush")]
    assert note.site == "ACL Anthology"
    assert web.paths() == ["/2021.naacl-main.208/"]  # asked where it is, its slash kept
    assert note.id == link.removesuffix("/") and note.url == link


@pytest.mark.parametrize(
    ("given", "asked"),
    [
        ("https://Example.org/a/", "https://example.org/a/"),
        ("https://example.org/a//?utm_source=x&q=1#top", "https://example.org/a/?q=1"),
        ("example.org/a/", "https://example.org/a/"),
        ("https://example.org/a", "https://example.org/a"),
        ("https://example.org/a?next=/b/", "https://example.org/a?next=%2Fb%2F"),
        ("https://example.org/a#/b/", "https://example.org/a"),
        ("https://example.org/", "https://example.org/"),
    ],
)
def test_a_page_is_asked_for_with_the_trailing_slash_it_was_given(given, asked) -> None:
    assert address(parse_ref(given), given) == asked


def test_two_pages_naming_one_paper_each_keep_it(cli, arxiv, web, notes_dir) -> None:
    # The abstract page of two versions: arXiv's recorded answers lack the paper, so each
    # page is a note of its own, and neither is lost.
    first = web.serve("/abs/2106.09608v2", ARXIV_ABS)
    second = web.serve("/abs/2106.09608v1", ARXIV_ABS)

    outcomes = json.loads(cli("add", first, second, "--json").stdout)

    assert [(o["input"], o["status"], o["arxiv"]) for o in outcomes] == [
        (first, "added", "2106.09608"),
        (second, "added", "2106.09608"),
    ]
    assert len(files(notes_dir)) == 2


def test_two_pages_naming_a_paper_with_a_note_both_join_its_links(
    cli, arxiv, web, notes_dir
) -> None:
    (notes_dir).mkdir()
    (notes_dir / "2106.09608.yaml").write_text("id: '2106.09608'\ntitle: T\n", encoding="utf-8")
    first = web.serve("/abs/2106.09608v2", ARXIV_ABS)
    second = web.serve("/abs/2106.09608v1", ARXIV_ABS)

    outcomes = json.loads(cli("add", first, second, "--json").stdout)

    assert [(o["status"], o["id"]) for o in outcomes] == [("exists", "2106.09608")] * 2
    assert read(notes_dir, "2106.09608").links == [first, second]
    assert files(notes_dir) == ["2106.09608.yaml"]


def test_a_placeholder_of_a_page_about_a_paper_is_filled_in_place(
    cli, arxiv, web, notes_dir
) -> None:
    link = web.url + "/abs/2106.09608v2"
    web.script("/abs/2106.09608v2", Reply(status=404, content_type="text/plain"))
    cli("add", link, code=1)
    cli("note", link, "--tldr", "Mine, written while the page was down.")
    (notes_dir / "2106.09608.yaml").write_text("id: '2106.09608'\ntitle: T\n", encoding="utf-8")
    web.serve("/abs/2106.09608v2", ARXIV_ABS)

    (outcome,) = json.loads(cli("add", link, "--json").stdout)

    assert outcome["status"] == "added" and outcome["id"] == link  # completed
    (name,) = [f for f in files(notes_dir) if f.startswith("link/")]
    note = read(notes_dir, name.removesuffix(".yaml"))
    assert not note.pending and note.arxiv == "2106.09608"
    assert note.title.startswith("Learning Knowledge Graph-based World Models")
    assert note.tldr == "Mine, written while the page was down."


def test_a_github_repository_is_read_from_githubs_api(
    cli, github, notes_dir, only_local_hosts
) -> None:
    result = cli("add", "https://github.com/PyGithub/PyGithub", "-t", "tools")

    assert result.stdout.startswith("added     https://github.com/PyGithub/PyGithub  PyGithub/")
    assert github.paths() == ["/repos/PyGithub/PyGithub"]
    assert "github.com" not in only_local_hosts  # the page itself is never asked for
    note = read(notes_dir, files(notes_dir)[0].removesuffix(".yaml"))
    assert note.repository == {
        "owner": "PyGithub",
        "name": "PyGithub",
        "description": "Typed interactions with the GitHub API v3",
        "language": "Python",
    }
    assert note.title == "PyGithub/PyGithub: Typed interactions with the GitHub API v3"
    assert note.site == "GitHub" and note.url == "https://github.com/PyGithub/PyGithub"
    assert note.published == "2012-02-25T12:53:47Z"
    assert github.requests[0].headers["Accept"] == "application/vnd.github+json"


def test_a_repository_s_clone_address_is_the_repository(cli, github, notes_dir) -> None:
    cli("add", "https://github.com/PyGithub/PyGithub")
    again = cli("add", "https://github.com/PyGithub/PyGithub.git", "-t", "tools")
    assert again.stdout.startswith("tagged    https://github.com/PyGithub/PyGithub")
    assert len(files(notes_dir)) == 1 and github.paths() == ["/repos/PyGithub/PyGithub"]


def test_a_page_inside_a_repository_is_a_note_of_its_own(github, monkeypatch) -> None:
    """An issue is a thread, not its repository: its own note, read as a page (stood in
    for here, as no test may reach github.com), never as the repository through the API."""
    from papernotes.refs import parse_link
    from papernotes.web_source import Page, WebSettings, WebSource

    issue = parse_link("https://github.com/PyGithub/PyGithub/issues/5")
    assert issue.url == "https://github.com/PyGithub/PyGithub/issues/5"
    assert issue.stem != parse_link("https://github.com/PyGithub/PyGithub").stem
    pages: list[str] = []
    monkeypatch.setattr(WebSource, "_page", lambda self, ref, url: pages.append(url) or Page())
    source = WebSource(WebSettings(github_api_url=github.url, delay=0))
    source.read(issue)
    assert pages == [issue.url] and github.paths() == []
    source.read(parse_link("https://github.com/PyGithub/PyGithub"))
    assert pages == [issue.url] and github.paths() == ["/repos/PyGithub/PyGithub"]


def test_a_repository_in_githubs_2012_answer(cli, github, notes_dir) -> None:
    cli("add", "github.com/jacquev6/PyGithub")

    note = read(notes_dir, files(notes_dir)[0].removesuffix(".yaml"))
    assert note.id == "https://github.com/jacquev6/PyGithub"
    assert note.repository is not None
    assert (note.repository["owner"], note.repository["name"]) == ("jacquev6", "PyGithub")
    assert "language" in note.repository


def test_the_same_repository_in_another_form_finds_its_note(cli, github, notes_dir) -> None:
    cli("add", "https://github.com/PyGithub/PyGithub")
    for other in ("https://GitHub.com/PyGithub/PyGithub/", "github.com/PyGithub/PyGithub#readme"):
        assert cli("add", other).stdout.startswith("exists    https://github.com/PyGithub/"), other
    assert len(github.requests) == 1 and len(files(notes_dir)) == 1


def test_a_repository_github_does_not_have_is_a_placeholder(cli, github, notes_dir) -> None:
    result = cli("add", "https://github.com/jacquev6/Xxx", code=1)

    one_line_failure(result.stderr, "pending", "GitHub has no repository jacquev6/Xxx")
    (name,) = files(notes_dir)
    note = read(notes_dir, name.removesuffix(".yaml"))
    assert note.pending and note.url == "https://github.com/jacquev6/Xxx"


def test_a_google_drive_page_is_named_by_its_title_alone(cli, web, notes_dir) -> None:
    # Drawn by JavaScript, the page says only "gdown_folder_test - Google Drive": the
    # folder's name and the site's, which is what its note keeps.
    link = web.serve("/drive/folders/1N2y", DRIVE)

    cli("add", link)

    note = read(notes_dir, files(notes_dir)[0].removesuffix(".yaml"))
    assert (note.title, note.site, note.url) == ("gdown_folder_test", "Google Drive", link)
    assert note.abstract == "" and note.authors == [] and not note.pending


def test_a_google_drive_page_takes_its_title_from_the_option(cli, web, notes_dir) -> None:
    link = web.serve("/drive/folders/1N2y", DRIVE)

    result = cli("add", link, "--title", "Slides: world models")

    assert result.stdout.startswith(f"added     {link}  Slides: world models")
    note = read(notes_dir, files(notes_dir)[0].removesuffix(".yaml"))
    assert note.title == "Slides: world models" and note.site == "Google Drive"


# --- what goes wrong: each a placeholder, a one-line reason, exit 1 ----------------------------

PAGE = "/posts/spotlight"
MB = 1 << 20


def not_html() -> Reply:
    """A PDF's answer: bytes that are no page (a recorded JSON answer's), typed as a PDF."""
    return Reply(
        body=crossref_fixture(RECORDED[PLOS]),
        content_type="application/pdf",
    )


PAGE_FAULTS = {
    "404": ([Reply(status=404, content_type="text/plain")], "answered HTTP 404"),
    "5xx": ([Reply(status=503, content_type="text/plain")], "after 3 attempts: HTTP 503"),
    "slow": ([Reply(wait=3.0, body=b"")], "after 3 attempts: no answer within 0.5 s"),
    "truncated": ([Reply(body=html(BLOG), content_type=HTML_TYPE, cut=4000)], "cut short"),
    "not html": ([not_html()], "not a web page (the answer is application/pdf)"),
    "redirect loop": ([Reply(status=302, headers={"Location": PAGE})], "more than 5 redirects"),
    "50 MB": ([Reply(filler=50 * MB, content_type="text/html")], "larger than 5 MB"),
}


@pytest.mark.parametrize("fault", list(PAGE_FAULTS))
def test_a_page_that_cannot_be_read_is_a_placeholder(
    cli, web, notes_dir, monkeypatch, fault
) -> None:
    monkeypatch.setenv("PAPERNOTES_WEB_TIMEOUT", "0.5")
    replies, reason = PAGE_FAULTS[fault]
    web.script(PAGE, *replies)
    link = web.url + PAGE

    result = cli("add", link, "-t", "later", code=1)

    line = one_line_failure(result.stderr, "pending", reason, "placeholder note written")
    assert line.startswith(f"pending   {link}")
    assert result.stdout == ""
    (name,) = files(notes_dir)
    note = read(notes_dir, name.removesuffix(".yaml"))
    assert note.pending and note.kind == "link" and note.id == link and note.url == link
    assert note.tags == ["later"] and note.title == ""


def test_a_page_that_fails_once_is_read_on_the_retry_the_command_announces(
    cli, web, notes_dir, monkeypatch
) -> None:
    monkeypatch.setenv("PAPERNOTES_ARXIV_DELAY", "3")  # a page's pace: a second, at most
    web.script(
        PAGE,
        Reply(status=502, content_type="text/plain"),
        Reply(body=html(BLOG), content_type=HTML_TYPE),
    )
    result = cli("add", web.url + PAGE)

    host = web.url.removeprefix("http://")
    assert retries(result.stderr) == [
        f"{host} did not answer (HTTP 502); retrying in 1 s (attempt 2 of 3)"
    ]
    assert result.stdout.startswith(f"added     {web.url + PAGE}  Leader spotlight")
    assert web.paths() == [PAGE, PAGE]


CROSSREF_FAULTS = {
    "5xx": ([Reply(status=500, content_type="text/plain")], "after 4 attempts: HTTP 500"),
    "slow": ([Reply(wait=3.0)], "after 4 attempts: no answer within 0.5 s"),
    "truncated": (
        [Reply(body=crossref_fixture(RECORDED[PLOS]), cut=2000)],
        "cut short",
    ),
    "not json": (
        [Reply(body=crossref_fixture(DOI_ORG_404_PAGE), content_type="text/html")],
        "Crossref's answer is an HTML page, not JSON",
    ),
    "redirect loop": (
        [Reply(status=301, headers={"Location": f"/works/{PLOS}"})],
        "more than 5 redirects",
    ),
    "50 MB": ([Reply(filler=50 * MB)], "larger than 20 MB"),
}


@pytest.mark.parametrize("fault", list(CROSSREF_FAULTS))
def test_crossref_failing_leaves_a_placeholder(
    cli, crossref, notes_dir, monkeypatch, fault
) -> None:
    monkeypatch.setenv("PAPERNOTES_ARXIV_TIMEOUT", "0.5")  # the timeout add gives Crossref
    replies, reason = CROSSREF_FAULTS[fault]
    crossref.script_doi(PLOS, *replies)

    result = cli("add", PLOS, code=1)

    line = one_line_failure(result.stderr, "pending", reason, "placeholder note written")
    assert line.startswith(f"pending   doi:{PLOS}")
    assert files(notes_dir) == ["doi/10.1371_journal.pone.0033693.yaml"]
    note = read(notes_dir, "doi/10.1371_journal.pone.0033693")
    assert note.pending and note.title == "" and note.kind == "doi"


# --- add --from: papers by default, every link with --links ----------------------------------


def chat(web: FakeWeb) -> str:
    """A chat export, as a reader would save one (their text, not a service's answer)."""
    return (
        "[09:12] ana: read 1706.03762? and the PLOS one, doi:10.1371/journal.pone.0033693.\n"
        f"[09:13] ben: code at https://github.com/PyGithub/PyGithub, write-up: {web.url}{PAGE}\n"
        "[09:15] ana: also https://doi.org/10.1109/ICDCSW.2003.1203662 (the IEEE one)\n"
        "[09:16] ben: arXiv:1706.03762v7 again, and https://github.com/PyGithub/PyGithub#readme\n"
        f"[09:17] ana: {web.url}{PAGE}/?utm_source=chat — same post\n"
    )


def test_from_a_file_takes_every_paper_once_in_order_of_first_mention(
    cli, arxiv, crossref, web, github, notes_dir, tmp_path
) -> None:
    (tmp_path / "chat.txt").write_text(chat(web), encoding="utf-8")

    result = cli("add", "--from", "chat.txt", "--json")

    assert "Found 3 papers in chat.txt." in result.stderr
    outcomes = json.loads(result.stdout)
    assert [o["input"] for o in outcomes] == ["1706.03762", f"doi:{PLOS}", f"doi:{IEEE}"]
    assert [o["status"] for o in outcomes] == ["added"] * 3
    assert web.requests == [] and github.requests == []
    assert files(notes_dir) == [
        "1706.03762.yaml",
        "doi/10.1109_icdcsw.2003.1203662.yaml",
        "doi/10.1371_journal.pone.0033693.yaml",
    ]


def test_from_a_file_with_links_takes_every_other_link_too(
    cli, arxiv, crossref, web, github, notes_dir, tmp_path
) -> None:
    web.serve(PAGE, BLOG)
    (tmp_path / "chat.txt").write_text(chat(web), encoding="utf-8")

    result = cli("add", "--from", "chat.txt", "--links", "--json")

    assert "Found 3 papers and 2 links in chat.txt." in result.stderr
    outcomes = json.loads(result.stdout)
    assert [o["input"] for o in outcomes] == [
        "1706.03762",
        f"doi:{PLOS}",
        "https://github.com/PyGithub/PyGithub",
        web.url + PAGE,
        f"doi:{IEEE}",
    ]
    assert [o["status"] for o in outcomes] == ["added"] * 5
    assert github.paths() == ["/repos/PyGithub/PyGithub"] and web.paths() == [PAGE]
    assert [o["kind"] for o in outcomes] == ["arxiv", "doi", "link", "link", "doi"]
    assert len(files(notes_dir)) == 5


def test_list_search_and_show_see_the_added_notes(
    cli, arxiv, crossref, web, github, tmp_path
) -> None:
    web.serve(PAGE, BLOG)
    (tmp_path / "chat.txt").write_text(chat(web), encoding="utf-8")
    cli("add", "--from", "chat.txt", "--links")

    links = cli("list", "--kind", "link").stdout.splitlines()
    assert {line.split("\t")[0] for line in links} == {
        "https://github.com/PyGithub/PyGithub",
        web.url + PAGE,
    }
    dois = cli("list", "--kind", "doi").stdout
    assert dois.count("\n") == 2 and f"doi:{IEEE}" in dois and f"doi:{PLOS}" in dois
    assert cli("search", "site:github.com").stdout.startswith("https://github.com/PyGithub")
    assert cli("search", "site:127.0.0.1").stdout.startswith(web.url + PAGE)
    assert cli("search", "spiceland", "kind:link").stdout.startswith(web.url + PAGE)
    assert cli("search", "congestion", "kind:doi").stdout.startswith(f"doi:{IEEE}")
    assert cli("search", "site:doi.org").stdout.count("\n") == 2

    shown = cli("show", "https://github.com/PyGithub/PyGithub/").stdout
    assert "Typed interactions with the GitHub API v3" in shown and "Python" in shown
    shown = cli("show", f"https://doi.org/{PLOS}").stdout
    assert "PLoS ONE" in shown and "Shankar Sadasivan" in shown
    shown = cli("show", web.url + PAGE + "/").stdout
    assert "Leader spotlight: Erin Spiceland" in shown and "The GitHub Blog" in shown


# --- the installed command --------------------------------------------------------------------


def test_the_installed_command_adds_a_doi_a_repository_and_a_page(
    crossref, web, github, notes_dir
) -> None:
    from test_cli import run

    link = web.serve(PAGE, BLOG)
    added = run("add", f"doi:{PLOS}", "https://github.com/PyGithub/PyGithub", link, "-t", "x")

    assert added.returncode == 0, added.stderr
    assert added.stderr == "" and "\x1b" not in added.stdout  # a pipe: results only
    assert [line.split()[0] for line in added.stdout.splitlines()] == ["added"] * 3
    assert len(files(notes_dir)) == 3
    missing = run("add", UNKNOWN_DOI, "https://github.com/jacquev6/Xxx")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.splitlines() == [
        f"not found doi:{UNKNOWN_DOI}  not found on Crossref (check the DOI); no note written",
        "pending   https://github.com/jacquev6/Xxx  pending (GitHub has no repository "
        "jacquev6/Xxx); placeholder note written",
    ]
    listed = json.loads(run("list", "--json").stdout)
    assert {n["kind"] for n in listed} == {"doi", "link"} and len(listed) == 4
