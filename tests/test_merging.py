"""The merge driver: three versions of a note merged field by field, through the library, the
command git runs, and git itself in a scratch repository."""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from papernotes.checking import check_notes
from papernotes.ids import ArxivId
from papernotes.merging import Merged, has_conflict, merge_notes, merge_text
from papernotes.note import Note, dump_note, load_note
from papernotes.store import NoteStore

NOTES = Path(__file__).resolve().parent.parent / "notes"
ATTENTION = "1706.03762.yaml"  # v7, four findings, tags attention, transformers, nlp
SOURCE = "notes/1706.03762.yaml"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the merge runs git")


def shipped(name: str = ATTENTION) -> str:
    return (NOTES / name).read_text(encoding="utf-8")


def edited(text: str, **changes: Any) -> str:
    """The note file `text` with some fields changed, as papernotes writes it."""
    return dump_note(dataclasses.replace(load_note(text, "test"), **changes))


def note_of(text: str) -> Note:
    return load_note(text, "merged")


def merged(base: str, ours: str, theirs: str) -> tuple[Note, Merged]:
    result = merge_notes(base, ours, theirs, SOURCE)
    return note_of(result.text), result


# --- the reader's lists ----------------------------------------------------------------------


def test_both_sides_add_different_tags_ours_order_then_theirs() -> None:
    base = shipped()
    ours = edited(base, tags=["attention", "transformers", "nlp", "classic"])
    theirs = edited(base, tags=["seq2seq", "attention", "transformers", "nlp", "reread"])
    note, result = merged(base, ours, theirs)
    assert result.clean
    assert note.tags == ["attention", "transformers", "nlp", "classic", "seq2seq", "reread"]


def test_a_tag_one_side_removes_is_gone_though_the_other_kept_it() -> None:
    base = shipped()
    ours = edited(base, tags=["attention", "transformers", "deep-learning"])  # nlp removed
    theirs = edited(base, tags=["attention", "transformers", "nlp", "translation"])
    note, result = merged(base, ours, theirs)
    assert result.clean
    assert note.tags == ["attention", "transformers", "deep-learning", "translation"]
    # and the other way round: theirs removes, ours keeps
    note, _ = merged(base, theirs, ours)
    assert note.tags == ["attention", "transformers", "translation", "deep-learning"]


def test_tags_compare_folded_case_and_accents() -> None:
    base = edited(shipped(), tags=["attention"])
    ours = edited(base, tags=["attention", "Résumé"])
    theirs = edited(base, tags=["Attention", "resume", "nlp"])
    note, result = merged(base, ours, theirs)
    assert result.clean
    assert note.tags == ["attention", "Résumé", "nlp"]  # each once, as ours spells it


def test_both_sides_add_findings_and_a_finding_removed_on_one_side_is_gone() -> None:
    base = shipped()
    findings = load_note(base, "base").findings
    ours = edited(base, findings=[*findings[1:], "Label smoothing hurts perplexity."])
    theirs = edited(base, findings=[*findings, "Dropout matters a lot (Table 3, row D)."])
    note, result = merged(base, ours, theirs)
    assert result.clean
    assert note.findings == [
        *findings[1:],
        "Label smoothing hurts perplexity.",
        "Dropout matters a lot (Table 3, row D).",
    ]


def test_a_finding_edited_on_one_side_replaces_the_old_one() -> None:
    base = shipped()
    findings = load_note(base, "base").findings
    ours = edited(base, findings=[findings[0], "Trains in 12 hours.", *findings[2:]])
    theirs = edited(base, findings=[*findings, "A fifth one."])
    note, _ = merged(base, ours, theirs)
    assert note.findings == [findings[0], "Trains in 12 hours.", *findings[2:], "A fifth one."]


def test_links_are_a_union_too() -> None:
    base = edited(shipped(), links=["https://example.org/a"])
    ours = edited(base, links=["https://example.org/a", "https://example.org/b"])
    theirs = edited(base, links=["https://example.org/c"])  # a removed
    note, result = merged(base, ours, theirs)
    assert result.clean
    assert note.links == ["https://example.org/b", "https://example.org/c"]


# --- the reader's text -----------------------------------------------------------------------


def test_the_same_tldr_changed_differently_leaves_markers_inside_the_field(
    cli, notes_dir: Path
) -> None:
    base = shipped()
    ours = edited(base, tldr="Attention alone translates better than RNNs.")
    theirs = edited(base, tldr="Self-attention replaces recurrence and convolution.")
    note, result = merged(base, ours, theirs)
    assert result.conflicts == ["tldr"] and result.problem is None and not result.clean
    assert note.tldr == (
        "<<<<<<< ours\nAttention alone translates better than RNNs.\n=======\n"
        "Self-attention replaces recurrence and convolution.\n>>>>>>> theirs"
    )
    assert note.findings == load_note(base, "base").findings  # the rest merged as usual
    notes_dir.mkdir()
    (notes_dir / ATTENTION).write_text(result.text, encoding="utf-8")
    out = cli("check", code=1).stdout
    assert f"{ATTENTION}: error: tldr: a merge conflict is left in it" in out
    assert "commentary" not in out


def test_different_fields_changed_merge_clean() -> None:
    base = shipped()
    ours = edited(base, tldr="Attention is all you need, really.")
    theirs = edited(base, commentary="Table 3 is the part to reread.", tags=["attention"])
    note, result = merged(base, ours, theirs)
    assert result.clean
    assert (note.tldr, note.commentary) == (
        "Attention is all you need, really.",
        "Table 3 is the part to reread.",
    )
    assert note.tags == ["attention"]  # theirs removed two; ours left them as they were


def test_lines_of_a_long_commentary_changed_on_each_side_merge_as_git_merges_them() -> None:
    lines = ["First thought.", "Second thought.", "Third thought.", "Fourth thought."]
    base = edited(shipped(), commentary="\n".join(lines) + "\n")
    ours = edited(base, commentary="\n".join(["First, revised.", *lines[1:]]) + "\n")
    theirs = edited(base, commentary="\n".join([*lines[:3], "Fourth, revised."]) + "\n")
    note, result = merged(base, ours, theirs)
    assert result.clean
    assert note.commentary == "First, revised.\nSecond thought.\nThird thought.\nFourth, revised.\n"


def test_merge_text_is_gits() -> None:
    assert merge_text("a\nB\nc\n", "a\nb\nc\n", "a\nb\nc\n") == ("a\nB\nc\n", False)
    text, conflicted = merge_text("x\n", "", "y\n")
    assert conflicted and text == "<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n"


def test_has_conflict_wants_both_marker_lines() -> None:
    assert has_conflict("<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs")
    assert not has_conflict("x <<<<<<< y >>>>>>> z")
    assert not has_conflict("<<<<<<< ours\nnothing closes it")


# --- the source's metadata -------------------------------------------------------------------


def older(text: str, version: int, updated: str, comment: str) -> str:
    """The shipped note as an earlier version of the paper would have it (made for the test:
    the version, its date, its addresses and its comment changed)."""
    url = f"https://arxiv.org/abs/1706.03762v{version}"
    pdf = f"https://arxiv.org/pdf/1706.03762v{version}"
    return edited(text, version=version, updated=updated, comment=comment, url=url, pdf_url=pdf)


def test_metadata_of_the_newer_version_is_taken_as_one_block_and_reader_fields_merged() -> None:
    v7 = shipped()
    base = older(v7, 1, "2017-06-12T17:57:34Z", "first version")
    v2 = older(v7, 2, "2017-06-19T09:00:00Z", "second version")
    v3 = older(v7, 3, "2017-06-20T10:00:00Z", "third version")
    ours = edited(v2, tags=["attention", "classic"], title="Attention is all you need (v2)")
    theirs = edited(v3, findings=["Only one finding."], abstract="The abstract of v3.")
    for mine, other in ((ours, theirs), (theirs, ours)):
        note, result = merged(base, mine, other)
        assert result.clean
        assert (note.version, note.updated, note.comment) == (
            3, "2017-06-20T10:00:00Z", "third version"
        )  # fmt: skip
        assert (note.url, note.pdf_url) == (
            "https://arxiv.org/abs/1706.03762v3",
            "https://arxiv.org/pdf/1706.03762v3",
        )
        assert note.title == "Attention Is All You Need"  # v3's, not v2's hand-edited one
        assert note.abstract == "The abstract of v3."
        assert note.findings == ["Only one finding."]
        assert note.tags == ["attention", "classic"]


def test_metadata_changed_on_one_side_only_is_that_sides() -> None:
    base = older(shipped(), 1, "2017-06-12T17:57:34Z", "first version")
    ours = edited(base, tldr="Mine.")
    theirs = shipped()  # refreshed to v7
    note, result = merged(base, ours, theirs)
    assert result.clean
    assert (note.version, note.comment, note.tldr) == (7, "15 pages, 5 figures", "Mine.")


def test_same_version_the_later_update_then_ours() -> None:
    base = shipped()
    ours = edited(base, abstract="Ours.", updated="2023-08-02T00:41:18Z")
    theirs = edited(base, abstract="Theirs.", updated="2023-09-01T00:00:00Z")
    assert merged(base, ours, theirs)[0].abstract == "Theirs."
    assert merged(base, theirs, ours)[0].abstract == "Theirs."
    same = edited(theirs, abstract="Theirs, same date.")
    assert merged(base, theirs, same)[0].abstract == "Theirs."


def test_a_filled_note_wins_over_a_placeholder_whatever_its_version() -> None:
    filled = shipped()  # v7, as shipped
    placeholder = dump_note(
        Note.placeholder(ArxivId("1706.03762", 9), ["attention", "todo"], "2026-11-01T00:00:00Z")
    )
    for ours, theirs in ((placeholder, filled), (filled, placeholder)):
        note, result = merged("", ours, theirs)
        assert result.clean
        assert not note.pending and note.version == 7 and note.title == "Attention Is All You Need"
        assert note.added == "2026-11-01T00:00:00Z"  # the earlier
        assert set(note.tags) == {"attention", "transformers", "nlp", "todo"}


def test_a_link_notes_repository_comes_with_its_block() -> None:
    name = "link/github.com_pygithub_pygithub-31bb4d3c.yaml"
    base = shipped(name)
    gone = edited(base, repository=None, site=None, tldr="Mine.")
    note, result = merged(base, gone, base)
    assert result.clean and note.repository is None and note.tldr == "Mine."
    note, _ = merged(base, base, gone)
    assert note.repository is None and note.site is None


# --- adding, identity, keys added by hand ------------------------------------------------------


def test_both_sides_add_the_same_note_empty_base() -> None:
    filled = shipped()
    ours = edited(filled, tags=["attention", "mine"], added="2026-11-28T23:27:47Z")
    theirs = edited(filled, tags=["theirs"], added="2026-10-01T08:00:00Z", tldr="Theirs.")
    note, result = merged("", ours, theirs)
    assert result.conflicts == ["tldr"]  # two different TL;DRs with nothing in common
    assert note.tags == ["attention", "mine", "theirs"]
    assert note.added == "2026-10-01T08:00:00Z"
    same, clean = merged("\n", filled, filled)
    assert clean.clean and clean.text == filled and same == note_of(filled)


def test_keys_added_by_hand_are_kept_and_merged() -> None:
    base = shipped().replace("added:", "status: to read\nrating: 3\nadded:")
    ours = base.replace("rating: 3", "rating: 4").replace("status: to read", "status: read")
    ours += "read_on: '2026-12-01'\n"
    theirs = base.replace("rating: 3", "rating: 5").replace("status: to read", "status: skimmed")
    theirs += "priority: high\n"
    note, result = merged(base, ours, theirs)
    assert note.extra["read_on"] == "2026-12-01" and note.extra["priority"] == "high"
    assert note.extra["rating"] == 4  # not text: ours
    assert result.conflicts == ["status"]
    assert note.extra["status"] == "<<<<<<< ours\nread\n=======\nskimmed\n>>>>>>> theirs"
    note, result = merged(base, ours.replace("status: read", "status: to read"), theirs)
    assert result.clean and note.extra["status"] == "skimmed"


def test_a_key_removed_by_hand_on_one_side_is_gone() -> None:
    base = shipped().replace("added:", "status: to read\nadded:")
    theirs = edited(base, tldr="Theirs.")
    note, result = merged(base, shipped(), theirs)
    assert result.clean and "status" not in note.extra and note.tldr == "Theirs."


def test_different_ids_keep_ours_untouched() -> None:
    ours = shipped().replace("version: 7", "version:  7")  # spacing no dump would write
    theirs = shipped("1605.08386.yaml")
    result = merge_notes(shipped(), ours, theirs, SOURCE)
    assert result.text == ours and result.conflicts == ["id"]
    assert result.problem is not None and SOURCE in result.problem
    assert "1605.08386" in result.problem


def test_a_side_that_is_not_yaml_is_merged_as_plain_text_and_named() -> None:
    base = shipped()
    ours = edited(base, tldr="Ours.")
    theirs = base.replace("title: Attention Is All You Need", "title: Attention: All You Need")
    result = merge_notes(base, ours, theirs, SOURCE)
    assert not result.clean and result.conflicts == []
    assert result.problem is not None
    assert result.problem.startswith(f"{SOURCE} (theirs): line 3")
    assert "title: Attention: All You Need" in result.text and "tldr: Ours." in result.text


def test_a_side_that_is_not_a_note_is_merged_as_plain_text() -> None:
    base = shipped()
    result = merge_notes(base, "- just\n- a list\n", edited(base, tldr="Theirs."), SOURCE)
    assert result.problem is not None and result.problem.startswith(f"{SOURCE} (ours): ")
    assert result.text.startswith("<<<<<<< ours\n- just\n")


# --- the command git runs ----------------------------------------------------------------------


def sides(folder: Path, base: str, ours: str, theirs: str) -> list[str]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(str(folder / name))
    return [*paths, SOURCE]


def test_merge_note_writes_the_merge_into_ours(cli, tmp_path: Path) -> None:
    base = shipped()
    args = sides(tmp_path / "m", base, edited(base, tldr="Ours."), edited(base, tags=["x"]))
    result = cli("merge-note", *args)
    assert result.stderr == ""
    note = note_of((tmp_path / "m" / "ours").read_text(encoding="utf-8"))
    assert (note.tldr, note.tags) == ("Ours.", ["x"])
    assert (tmp_path / "m" / "theirs").read_text(encoding="utf-8") == edited(base, tags=["x"])
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["base", "ours", "theirs"]


def test_merge_note_conflict_exits_1_naming_the_file_and_field(cli, tmp_path: Path) -> None:
    base = shipped()
    args = sides(tmp_path / "m", base, edited(base, tldr="Ours."), edited(base, tldr="Theirs."))
    result = cli("merge-note", *args, code=1)
    assert result.stderr.startswith(f"Conflict: {SOURCE}: both sides changed tldr:")
    assert "<<<<<<< ours" in note_of((tmp_path / "m" / "ours").read_text(encoding="utf-8")).tldr


def test_merge_note_of_a_broken_side_exits_1_with_the_file_named(cli, tmp_path: Path) -> None:
    base = shipped()
    args = sides(tmp_path / "m", base, base, "id: [\n")
    result = cli("merge-note", *args, code=1)
    assert result.stderr.startswith(f"Error: {SOURCE} (theirs): ")
    assert len(result.stderr.splitlines()) == 1
    assert "id: [" in (tmp_path / "m" / "ours").read_text(encoding="utf-8")


def test_merge_note_keeps_bytes_that_are_not_utf8(cli, tmp_path: Path) -> None:
    base = shipped()
    args = sides(tmp_path / "m", base, base, base)
    (tmp_path / "m" / "theirs").write_bytes(base.encode() + b"junk: \xff\xfe\n")
    result = cli("merge-note", *args, code=1)
    assert result.stderr.startswith(f"Error: {SOURCE} (theirs): not UTF-8")
    assert (tmp_path / "m" / "ours").read_bytes() == base.encode() + b"junk: \xff\xfe\n"


def test_merge_note_of_a_missing_file_is_an_error_not_a_traceback(cli, tmp_path: Path) -> None:
    args = sides(tmp_path / "m", "", shipped(), shipped())
    result = cli("merge-note", str(tmp_path / "nowhere"), *args[1:], code=1)
    assert result.stderr.startswith("Error: ") and "nowhere" in result.stderr
    assert (tmp_path / "m" / "ours").read_text(encoding="utf-8") == shipped()


def test_merge_note_is_hidden_but_has_help(cli) -> None:
    assert "merge-note" not in cli("--help").stdout
    assert "papernotes merge-note %O %A %B %P" in cli("merge-note", "--help").stdout


# --- git itself --------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with the shipped notes committed on `main` and papernotes as the
    merge driver of its YAML files; the user's own git settings kept out."""
    (tmp_path / "gitconfig").write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Test Reader")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "reader@example.org")
    root = tmp_path / "shared"
    shutil.copytree(NOTES, root / "notes")
    git(root.parent, "init", "-q", "-b", "main", str(root))
    driver = f"{shlex.quote(sys.executable)} -m papernotes merge-note %O %A %B %P"
    git(root, "config", "merge.papernotes.driver", driver)
    (root / ".gitattributes").write_text("*.yaml merge=papernotes\n", encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the notes")
    return root


def git(root: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, env=os.environ, check=False
    )
    assert done.returncode == code, done.stdout + done.stderr
    return done


def branches(repo: Path, ours: dict[str, Any], theirs: dict[str, Any]) -> Path:
    """The attention note edited one way on a branch `theirs`, another on `main`."""
    path = repo / "notes" / ATTENTION
    base = path.read_text(encoding="utf-8")
    git(repo, "checkout", "-q", "-b", "theirs")
    path.write_text(edited(base, **theirs), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "theirs")
    git(repo, "checkout", "-q", "main")
    path.write_text(edited(base, **ours), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "ours")
    return path


def test_git_merges_two_branches_edits_of_one_note(repo: Path) -> None:
    path = branches(
        repo,
        ours={"tags": ["attention", "transformers", "nlp", "classic"], "tldr": "Ours."},
        theirs={"tags": ["attention", "nlp", "reread"], "commentary": "Theirs."},
    )
    git(repo, "merge", "-q", "--no-edit", "theirs")
    note = note_of(path.read_text(encoding="utf-8"))
    assert note.tags == ["attention", "nlp", "classic", "reread"]
    assert (note.tldr, note.commentary) == ("Ours.", "Theirs.")
    assert git(repo, "status", "--porcelain").stdout == ""


def test_git_leaves_a_true_conflict_unmerged_with_markers_inside_the_field(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = branches(repo, ours={"tldr": "Ours.", "tags": ["mine"]}, theirs={"tldr": "Theirs."})
    done = git(repo, "merge", "--no-edit", "theirs", code=1)
    assert f"Conflict: notes/{ATTENTION}: both sides changed tldr" in done.stderr
    unmerged = git(repo, "diff", "--name-only", "--diff-filter=U").stdout.split()
    assert unmerged == [f"notes/{ATTENTION}"]
    note = note_of(path.read_text(encoding="utf-8"))  # still a note: valid YAML
    assert note.tldr == "<<<<<<< ours\nOurs.\n=======\nTheirs.\n>>>>>>> theirs"
    assert note.tags == ["mine"]
    report = check_notes(NoteStore(repo / "notes"))
    assert [(Path(f.file).name, f.kind) for f in report.errors] == [(ATTENTION, "conflict")]
    assert report.errors[0].message.startswith("tldr: a merge conflict is left in it")


def test_check_flags_markers_in_any_field_and_in_items_of_lists(cli, notes_dir: Path) -> None:
    markers = "<<<<<<< ours\nOne.\n=======\nTwo.\n>>>>>>> theirs\n"
    text = edited(shipped(), findings=["Fine.", markers], commentary=f"Before.\n{markers}")
    notes_dir.mkdir()
    (notes_dir / ATTENTION).write_text(text, encoding="utf-8")
    (notes_dir / "1605.08386.yaml").write_text(shipped("1605.08386.yaml"), encoding="utf-8")
    report = json.loads(cli("check", "--json", code=1).stdout)
    found = [(Path(f["file"]).name, f["kind"], f["message"][:12]) for f in report["findings"]]
    assert found == [
        (ATTENTION, "conflict", "findings: a "),
        (ATTENTION, "conflict", "commentary: "),
    ]
