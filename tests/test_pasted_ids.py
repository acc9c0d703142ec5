"""`add` with the ids people paste: PDF stamps, DOIs, mirror links, arXiv's own path forms."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fake_arxiv import FakeArxiv

ATTENTION = "Attention Is All You Need"


def load(notes_dir: Path, stem: str) -> dict:
    return yaml.safe_load((notes_dir / f"{stem}.yaml").read_text(encoding="utf-8"))


def test_the_stamp_down_a_pdf_adds_that_version(cli, arxiv: FakeArxiv, notes_dir: Path) -> None:
    result = cli("add", "arXiv:1706.03762v7 [cs.CL] 12 Jun 2017")
    assert [r.id_list for r in arxiv.requests] == ["1706.03762v7"]
    note = load(notes_dir, "1706.03762")
    assert (note["id"], note["version"], note["title"]) == ("1706.03762", 7, ATTENTION)
    assert ATTENTION in result.stdout


@pytest.mark.parametrize(
    ("given", "asked", "stem", "title"),
    [
        ("arXiv:1605.08386 [math.CO]", "1605.08386", "1605.08386", "Heat-bath random walks"),
        ("https://doi.org/10.48550/arXiv.1706.03762", "1706.03762", "1706.03762", ATTENTION),
        ("doi:10.48550/ARXIV.1605.08386", "1605.08386", "1605.08386", "Heat-bath random walks"),
        ("10.48550/arXiv.astro-ph/0601001", "astro-ph/0601001", "astro-ph_0601001", "Hot Jupiters"),
        ("https://ar5iv.labs.arxiv.org/html/1706.03762", "1706.03762", "1706.03762", ATTENTION),
        ("ar5iv.org/abs/1605.08386/", "1605.08386", "1605.08386", "Heat-bath random walks"),
        ("https://www.alphaxiv.org/abs/1706.03762v7", "1706.03762v7", "1706.03762", ATTENTION),
        ("huggingface.co/papers/1706.03762#community", "1706.03762", "1706.03762", ATTENTION),
        ("arxiv.com/pdf/1706.03762.pdf", "1706.03762", "1706.03762", ATTENTION),
        ("/astro-ph/0601001", "astro-ph/0601001", "astro-ph_0601001", "Hot Jupiters"),
        ("astroph/0601001v1", "astro-ph/0601001v1", "astro-ph_0601001", "Hot Jupiters"),
        ("math//0211159/extra", "math/0211159", "math_0211159", "Ricci flow"),
    ],
)
def test_each_pasted_form_adds_the_right_note(
    cli, arxiv: FakeArxiv, notes_dir: Path, given: str, asked: str, stem: str, title: str
) -> None:
    cli("add", given)
    assert [r.id_list for r in arxiv.requests] == [asked]
    assert [p.stem for p in notes_dir.glob("*.yaml")] == [stem]
    assert title in load(notes_dir, stem)["title"]


def test_one_paper_in_many_forms_is_one_note(cli, arxiv: FakeArxiv, notes_dir: Path) -> None:
    forms = [
        "arXiv:1706.03762 [cs.CL]",
        "10.48550/arXiv.1706.03762",
        "https://huggingface.co/papers/1706.03762",
        "https://ar5iv.org/html/1706.03762",
    ]
    cli("add", *forms)
    assert [r.id_list for r in arxiv.requests] == ["1706.03762"]
    assert [p.name for p in notes_dir.glob("*.yaml")] == ["1706.03762.yaml"]


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("arXiv:1913.03762v1 [cs.CL] 12 Jun 2017", "month 13"),
        ("10.48550/arXiv.1706.3762", "5-digit"),
        ("https://doi.org/10.48550/arXiv.foo-bar/9901001", "not an arXiv archive"),
        ("https://ar5iv.org/abs/9912.00001", "future"),
        ("https://huggingface.co/papers/1706.03762v0", "start at v1"),
        ("https://www.alphaxiv.org/abs/1706.03762v123456", "v9999"),
        ("/hep-th/0801001", "March 2007"),
    ],
)
def test_an_impossible_id_is_refused_and_never_sent(
    cli, arxiv: FakeArxiv, notes_dir: Path, given: str, reason: str
) -> None:
    result = cli("add", given, code=1)
    assert arxiv.requests == []
    assert not notes_dir.exists()
    [line] = result.stderr.splitlines()
    assert repr(given) in line and reason in line
    assert "Traceback" not in result.stderr


def test_an_impossible_one_leaves_the_others_to_be_added(cli, arxiv, notes_dir) -> None:
    result = cli("add", "arXiv:1706.03762v7 [cs.CL]", "10.48550/arXiv.1913.00001", code=1)
    assert [r.id_list for r in arxiv.requests] == ["1706.03762v7"]
    assert "10.48550/arXiv.1913.00001" in result.stderr and "month 13" in result.stderr
    assert [p.name for p in notes_dir.glob("*.yaml")] == ["1706.03762.yaml"]


def test_add_help_shows_the_new_forms(cli) -> None:
    help_text = " ".join(cli("add", "--help").stdout.split())
    for form in ("[cs.LG] 11 Nov 2019", "10.48550/arXiv.", "ar5iv", "alphaxiv", "huggingface"):
        assert form in help_text
