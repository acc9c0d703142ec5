"""Notes of every kind (arXiv, DOI, link) through the real commands: identity, file names,
listing, search, show, quick edits, export and check. The notes here are written as a reader
would write them by hand, in papernotes' own format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papernotes.errors import InvalidIdError
from papernotes.ids import ArxivId
from papernotes.note import Note, dump_note, load_note
from papernotes.refs import DoiRef, LinkRef, parse_link, parse_ref

DOI_NOTE = """\
id: doi:10.1103/physrevb.91.184507
kind: doi
title: Magnetic order in a frustrated lattice
authors:
- name: Ana Lima
  affiliations: [Universidade de Lisboa]
  orcid: https://orcid.org/0000-0002-1825-0097
tags: [magnetism]
tldr: Order by disorder, seen at last.
container: Physical Review B
volume: '91'
issue: '18'
pages: '184507'
publisher: American Physical Society (APS)
type: journal-article
published: 2015-05
url: https://doi.org/10.1103/physrevb.91.184507
references_count: 41
cited_by_count: 7
"""

LINK_NOTE = """\
id: https://github.com/NVIDIA/mellotron
kind: link
title: 'Mellotron: multispeaker expressive voice synthesis'
tags: [tts]
commentary: Their rhythm transfer demo is the part to watch.
site: GitHub
repository:
  owner: NVIDIA
  name: mellotron
  language: Jupyter Notebook
url: https://github.com/NVIDIA/mellotron
"""


def write(notes_dir: Path, ref_text: str, text: str) -> Path:
    path = notes_dir / f"{parse_ref(ref_text).stem}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def kinds(cli, arxiv, notes_dir: Path) -> Path:
    cli("add", "1706.03762")
    write(notes_dir, "10.1103/PhysRevB.91.184507", DOI_NOTE)
    write(notes_dir, "https://github.com/NVIDIA/mellotron", LINK_NOTE)
    return notes_dir


# --- identity ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "10.1103/PhysRevB.91.184507",
        "doi:10.1103/physrevb.91.184507",
        "DOI: 10.1103/PHYSREVB.91.184507",
        "https://doi.org/10.1103/PhysRevB.91.184507",
        "http://dx.doi.org/10.1103%2FPhysRevB.91.184507",
    ],
)
def test_every_form_of_a_doi_is_one_note(text: str) -> None:
    ref = parse_ref(text)
    assert ref == DoiRef("10.1103/physrevb.91.184507")
    assert ref.base == "doi:10.1103/physrevb.91.184507"
    assert ref.stem == "doi/10.1103_physrevb.91.184507"


@pytest.mark.parametrize(
    "text",
    [
        "https://github.com/NVIDIA/mellotron",
        "HTTPS://GitHub.com:443/NVIDIA/mellotron/",
        "https://github.com/NVIDIA/mellotron?utm_source=twitter&fbclid=abc#readme",
        "github.com/NVIDIA/mellotron",
    ],
)
def test_every_form_of_a_link_is_one_note(text: str) -> None:
    ref = parse_ref(text)
    assert ref == LinkRef("https://github.com/NVIDIA/mellotron")
    assert ref.stem.startswith("link/github.com_nvidia_mellotron-")
    assert ref.host == "github.com"


def test_paths_that_differ_in_case_are_two_notes_in_two_files() -> None:
    upper, lower = parse_link("https://example.org/Paper"), parse_link("https://example.org/paper")
    assert upper != lower and upper.stem != lower.stem


def test_queries_that_matter_are_kept_and_ports_that_differ_too() -> None:
    assert parse_link("https://youtube.com/watch?v=KEv-F5UkhxU&utm_medium=x").url == (
        "https://youtube.com/watch?v=KEv-F5UkhxU"
    )
    assert parse_link("http://localhost:8080/a").url == "http://localhost:8080/a"


def test_arxiv_s_own_doi_and_links_stay_arxiv_notes() -> None:
    assert parse_ref("10.48550/arXiv.1706.03762") == ArxivId("1706.03762")
    assert parse_ref("https://arxiv.org/abs/1706.03762v5") == ArxivId("1706.03762", 5)


@pytest.mark.parametrize(
    "text", ["10.1/x", "10.1000/", "ftp://example.org/paper", "https://", "javascript:alert(1)"]
)
def test_what_is_no_note_is_refused(text: str) -> None:
    with pytest.raises(InvalidIdError):
        parse_ref(text)


def test_file_names_are_cut_and_never_leave_their_folder() -> None:
    long = parse_link("https://example.org/" + "a/" * 400 + "../../../etc/passwd")
    assert long.stem.startswith("link/") and len(long.stem) < 140
    assert "/" not in long.stem.removeprefix("link/") and ".." not in long.stem
    odd = parse_ref("10.1000/../../etc/passwd")
    assert odd.stem.startswith("doi/") and "/" not in odd.stem.removeprefix("doi/")


# --- the model ------------------------------------------------------------------------------


def test_a_note_file_of_each_kind_round_trips() -> None:
    for text in (DOI_NOTE, LINK_NOTE):
        note = load_note(text, "n.yaml")
        assert load_note(dump_note(note), "again.yaml") == note
    doi = load_note(DOI_NOTE, "n.yaml")
    assert doi.kind == "doi" and doi.authors[0].orcid == "https://orcid.org/0000-0002-1825-0097"
    assert doi.year == 2015 and doi.cited_by_count == 7
    dumped = dump_note(doi)
    assert "primary_category" not in dumped and "categories" not in dumped  # arXiv's only


def test_an_arxiv_note_s_file_is_unchanged_by_the_new_kinds() -> None:
    note = Note(id="1706.03762", version=7, title="Attention Is All You Need")
    dumped = dump_note(note)
    assert "kind" not in dumped and "subtitle" not in dumped and "container" not in dumped


def test_a_hand_written_note_without_kind_says_which_kind_it_is(cli, notes_dir: Path) -> None:
    notes_dir.mkdir()
    (notes_dir / "mine.yaml").write_text("id: 10.1103/physrevb.91.184507\ntitle: x\n")
    result = cli("check", code=1)
    assert "add `kind: doi`" in result.stdout


def test_a_kind_that_does_not_exist_is_named(cli, notes_dir: Path) -> None:
    write(notes_dir, "10.1103/physrevb.91.184507", DOI_NOTE.replace("kind: doi", "kind: book"))
    assert "'kind' must be one of arxiv, doi, link" in cli("check", code=1).stdout


# --- every command knows every kind ---------------------------------------------------------


def test_list_shows_every_kind_and_filters_by_kind(cli, kinds: Path) -> None:
    listed = cli("list").stdout
    assert "doi:10.1103/physrevb.91.184507\t2015\tMagnetic order" in listed
    assert "https://github.com/NVIDIA/mellotron\t\tMellotron" in listed
    assert cli("list", "--kind", "link").stdout.startswith("https://github.com/NVIDIA/mellotron")
    assert cli("list", "-k", "DOI").stdout.count("\n") == 1
    assert "arxiv, doi or link" in cli("list", "--kind", "book", code=2).stderr


def test_search_by_kind_site_host_url_and_doi(cli, kinds: Path) -> None:
    assert cli("search", "site:github.com").stdout.startswith("https://github.com/NVIDIA")
    assert cli("search", "site:https://www.github.com/whatever").stdout.count("\n") >= 1
    assert cli("search", "site:github.com:443").stdout.startswith("https://github.com/NVIDIA")
    assert cli("search", "kind:doi", "magnetic").stdout.startswith("doi:10.1103")
    assert cli("search", "physrevb").stdout.startswith("doi:10.1103")
    assert cli("search", "rhythm", "-kind:arxiv").stdout.startswith("https://github.com")
    assert "No notes match" in cli("search", "site:gitlab.com", code=0).stderr
    assert cli("search", "id:10.1103/PhysRevB.91.184507").stdout.startswith("doi:10.1103")


def test_show_tag_note_and_open_take_any_reference(cli, kinds: Path) -> None:
    shown = cli("show", "https://doi.org/10.1103/PhysRevB.91.184507").stdout
    assert "DOI: 10.1103/physrevb.91.184507" in shown and "Physical Review B" in shown
    assert "Ana Lima (Universidade de Lisboa)" in shown
    cli("tag", "https://github.com/NVIDIA/mellotron/", "+voice")
    cli("note", "10.1103/physrevb.91.184507", "--finding", "Neutron data agree.")
    link = json.loads(cli("show", "--json", "github.com/NVIDIA/mellotron").stdout)
    assert link["tags"] == ["tts", "voice"] and link["kind"] == "link"
    assert link["repository"]["owner"] == "NVIDIA"
    doi = json.loads(cli("show", "--json", "10.1103/physrevb.91.184507").stdout)
    assert doi["findings"] == ["Neutron data agree."] and doi["container"] == "Physical Review B"
    assert cli("open", "10.1103/PhysRevB.91.184507").stdout == (
        "https://doi.org/10.1103/physrevb.91.184507\n"
    )
    assert cli("open", "https://github.com/NVIDIA/mellotron#x").stdout == (
        "https://github.com/NVIDIA/mellotron\n"
    )
    assert "only arXiv papers have a PDF" in cli("open", "10.1103/x1", "--pdf", code=2).stderr


def test_title_is_for_one_link(cli, kinds: Path) -> None:
    assert "one link's note" in cli("add", "10.1103/x1", "--title", "T", code=2).stderr
    assert (
        "one link's note"
        in cli("add", "https://a.org", "https://b.org", "--title", "T", code=2).stderr
    )


def test_export_and_check_take_every_kind(cli, kinds: Path) -> None:
    exported = json.loads(cli("export", "--all", "-f", "json").stdout)
    assert {n["kind"] for n in exported} == {"arxiv", "doi", "link"}
    cli("export", "--all", "-o", "posts/")
    assert len(list(Path("posts").iterdir())) == 3
    result = cli("check")
    assert "Checked 3 notes: 0 errors" in result.stderr


def test_a_renamed_doi_note_is_named_by_check(cli, kinds: Path) -> None:
    path = kinds / "doi" / "10.1103_physrevb.91.184507.yaml"
    path.rename(kinds / "doi" / "prb.yaml")
    result = cli("check", code=1)
    assert "rename it to doi/10.1103_physrevb.91.184507.yaml" in result.stdout
    assert cli("show", "10.1103/physrevb.91.184507").stdout.startswith("Magnetic order")


def test_remove_and_edit_work_in_the_kind_folders(cli, kinds: Path, monkeypatch) -> None:
    import sys

    script = kinds.parent / "editor.py"
    script.write_text(
        "import sys\np = sys.argv[1]\n"
        "t = open(p).read().replace('Order by disorder', 'Edited')\nopen(p, 'w').write(t)\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    cli("edit", "10.1103/physrevb.91.184507")
    assert "Edited, seen at last." in cli("show", "10.1103/physrevb.91.184507").stdout
    assert not list((kinds / "doi").glob(".*"))  # no draft left beside it
    cli("remove", "--yes", "https://github.com/NVIDIA/mellotron")
    assert not list((kinds / "link").glob("*.yaml"))
    assert "mellotron" not in cli("list").stdout
