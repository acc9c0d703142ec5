"""`refresh` of every kind, through the real CLI: a DOI from Crossref, a link from its page,
an arXiv paper's journal version with --crossref. Crossref and the pages are local servers
answering with recorded bodies (tests/fixtures/crossref/, tests/fixtures/web/)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fake_crossref import PLOS, FakeCrossref
from fake_http import FakeServer, Reply
from test_refresh import FakeSource, found

from papernotes.crossref_source import CrossrefSettings, CrossrefSource
from papernotes.note import Note
from papernotes.refreshing import refresh_notes
from papernotes.store import NoteStore

WEB = Path(__file__).parent / "fixtures" / "web" / "html"
BLOG = "blog_github.blog_leader-spotlight-erin-spiceland.html"


@pytest.fixture
def crossref(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCrossref]:
    server = FakeCrossref().start()
    monkeypatch.setenv("PAPERNOTES_CROSSREF_API_URL", server.url)
    yield server
    server.stop()


@pytest.fixture
def site() -> Iterator[FakeServer]:
    server = FakeServer().start()
    server.script("/post", Reply(body=(WEB / BLOG).read_bytes(), content_type="text/html"))
    yield server
    server.stop()


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_a_doi_placeholder_is_filled_in_from_crossref(cli, notes_dir, crossref) -> None:
    crossref.script_doi(PLOS, Reply(status=503))  # Crossref down when it was added
    result = cli("add", f"https://doi.org/{PLOS}", "-t", "plos", code=1)
    assert "pending" in result.stderr and "Crossref did not answer (HTTP 503)" in result.stderr
    path = notes_dir / "doi" / "10.1371_journal.pone.0033693.yaml"
    assert load(path)["pending"] is True
    cli("note", PLOS, "--tldr", "written while it was pending")
    crossref.script_doi(PLOS)  # the recorded answer again
    refreshed = cli("refresh", "--pending")
    assert f"completed  doi:{PLOS}" in refreshed.stdout
    note = load(path)
    assert "pending" not in note and note["container"] == "PLoS ONE"
    assert note["tldr"] == "written while it was pending" and note["tags"] == ["plos"]
    assert note["title"].startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")


def test_a_doi_note_up_to_date_and_one_crossref_no_longer_knows(cli, notes_dir, crossref) -> None:
    cli("add", PLOS)
    assert "up to date" in cli("refresh", PLOS).stdout
    crossref.script_doi(
        PLOS, Reply(status=404, body=b"Resource not found.", content_type="text/plain")
    )
    result = cli("refresh", "--all", code=1)
    assert f"not found  doi:{PLOS}" in result.stderr and "not found on Crossref" in result.stderr


def test_a_link_note_is_read_again_and_keeps_its_title(cli, notes_dir, site) -> None:
    url = f"{site.url}/post"
    cli("add", url, "--title", "Erin Spiceland, as I saw it")
    path = next((notes_dir / "link").glob("*.yaml"))
    data = load(path)
    assert data["title"] == "Erin Spiceland, as I saw it" and data["site"] == "The GitHub Blog"
    data["site"] = "changed by hand"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    refreshed = cli("refresh", url)
    assert "site changed" in refreshed.stdout
    after = load(path)
    assert after["site"] == "The GitHub Blog" and after["title"] == "Erin Spiceland, as I saw it"


def test_a_link_that_could_not_be_read_is_filled_in_later(cli, notes_dir, site) -> None:
    url = f"{site.url}/post"
    site.script("/post", Reply(status=404, body=b"", content_type="text/html"))
    assert "HTTP 404" in cli("add", url, code=1).stderr
    site.script("/post", Reply(body=(WEB / BLOG).read_bytes(), content_type="text/html"))
    cli("refresh", "--pending")
    data = json.loads(cli("show", url, "--json").stdout)
    assert data["title"] == "Leader spotlight: Erin Spiceland" and data["pending"] is False
    assert data["authors"][0]["name"] == "Jessica Rudder"


def test_a_page_still_unreadable_leaves_its_note_as_it_was(cli, notes_dir, site) -> None:
    url = f"{site.url}/post"
    site.script("/post", Reply(status=500))
    cli("add", url, code=1)
    path = next((notes_dir / "link").glob("*.yaml"))
    before = path.read_bytes()
    result = cli("refresh", "--pending", code=1)
    assert "failed" in result.stderr and "HTTP 500" in result.stderr
    assert path.read_bytes() == before


# --- --crossref: an arXiv paper's journal version ----------------------------------------


def test_crossref_gives_an_arxiv_note_its_journal_s_details(notes_dir, crossref) -> None:
    store = NoteStore(notes_dir)
    paper = Note(id="1706.03762", version=7, title="Attention Is All You Need", doi=PLOS)
    store.create(copy.deepcopy(paper))
    arxiv = FakeSource(lambda ids: found(paper))
    settings = CrossrefSettings(url=crossref.url, delay=0)

    class Both:  # arXiv stood in for, Crossref the recorded server
        def __init__(self) -> None:
            self.arxiv = arxiv

        def crossref(self) -> CrossrefSource:
            return CrossrefSource(settings)

    [change] = refresh_notes(store, Both(), [store.get(paper.ref)], journal=True)  # type: ignore[arg-type]
    assert change.status == "updated" and "journal" in change.changed
    note = store.get(paper.ref)
    assert note.container == "PLoS ONE" and note.type == "journal-article"
    assert note.title == "Attention Is All You Need"  # arXiv's own fields stay arXiv's
    assert crossref.dois() == [PLOS]
    [again] = refresh_notes(store, Both(), [store.get(paper.ref)], journal=True)  # type: ignore[arg-type]
    assert again.status == "unchanged"


def test_without_crossref_no_journal_is_asked(notes_dir, crossref) -> None:
    store = NoteStore(notes_dir)
    paper = Note(id="1706.03762", version=7, title="Attention Is All You Need", doi=PLOS)
    store.create(copy.deepcopy(paper))
    refresh_notes(store, FakeSource(lambda ids: found(paper)), [store.get(paper.ref)])
    assert crossref.dois() == [] and store.get(paper.ref).container is None


def test_refresh_crossref_through_the_cli(cli, arxiv, notes_dir, crossref) -> None:
    cli("add", "1710.08557")  # arXiv gives it a DOI Crossref's recordings do not hold
    result = cli("refresh", "1710.08557", "--crossref")
    assert "up to date" in result.stdout  # the journal's details are a bonus, never a failure
    assert crossref.dois() == ["10.1186/s12984-017-0305-3"]
