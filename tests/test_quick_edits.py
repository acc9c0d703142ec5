"""Everyday use without an editor, through the real CLI: tag, note, open, add's statuses,
remove of a batch, and what a fetch says while it waits."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fake_arxiv import FakeArxiv, Reply, fixture
from test_cli import installed

from papernotes.annotating import annotate, clean_tags, retag
from papernotes.store import NoteStore


def load(notes_dir: Path, stem: str) -> dict:
    return yaml.safe_load((notes_dir / f"{stem}.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def two_notes(cli, arxiv: FakeArxiv, notes_dir: Path) -> Path:
    cli("add", "1706.03762", "1605.08386", "-t", "reading")
    return notes_dir


# --- tag ---------------------------------------------------------------------------------


def test_tag_adds_and_removes_on_several_notes(cli, two_notes: Path) -> None:
    result = cli("tag", "1706.03762", "1605.08386", "+attention", "-Reading", "+#done")
    assert result.stdout.splitlines() == [
        "tagged    1706.03762        #attention #done",
        "tagged    1605.08386        #attention #done",
    ]
    assert load(two_notes, "1706.03762")["tags"] == ["attention", "done"]
    assert cli("list", "--tag", "done").stdout.count("\n") == 2  # the index sees it at once
    assert cli("list", "--tag", "reading", code=0).stdout == ""


def test_tag_without_changes_lists_the_tags(cli, two_notes: Path) -> None:
    cli("tag", "1706.03762", "+second")
    assert cli("tag", "1706.03762").stdout == "reading\nsecond\n"
    listed = cli("tag", "1706.03762", "1605.08386").stdout
    assert listed == "1706.03762\t#reading #second\n1605.08386\t#reading\n"


def test_tag_that_changes_nothing_writes_nothing(cli, two_notes: Path) -> None:
    path = two_notes / "1706.03762.yaml"
    before = path.read_bytes(), path.stat().st_mtime_ns
    result = cli("tag", "1706.03762", "+READING", "-absent")
    assert result.stdout.startswith("unchanged 1706.03762")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_tag_after_double_dash_takes_dashed_words_as_tags(cli, two_notes: Path) -> None:
    cli("tag", "1706.03762", "+h")
    cli("tag", "1706.03762", "--", "-h")
    assert load(two_notes, "1706.03762")["tags"] == ["reading"]


def test_tag_json_prints_the_notes(cli, two_notes: Path) -> None:
    notes = json.loads(cli("tag", "1706.03762", "+x", "--json").stdout)
    assert [n["id"] for n in notes] == ["1706.03762"] and notes[0]["tags"] == ["reading", "x"]
    assert notes[0].keys() == json.loads(cli("show", "1706.03762", "--json").stdout).keys()


def test_tag_of_an_unknown_note_tags_the_others_and_fails(cli, two_notes: Path) -> None:
    result = cli("tag", "1911.04594", "1706.03762", "nonsense", "+x", code=1)
    assert "no note for 1911.04594" in result.stderr and "'nonsense'" in result.stderr
    assert load(two_notes, "1706.03762")["tags"] == ["reading", "x"]
    assert not (two_notes / "1911.04594.yaml").exists()


def test_a_tag_with_a_line_break_is_refused(cli, two_notes: Path) -> None:
    before = (two_notes / "1706.03762.yaml").read_bytes()
    result = cli("tag", "1706.03762", "+two\nlines", code=2)
    assert "a tag is one line" in result.stderr
    assert (two_notes / "1706.03762.yaml").read_bytes() == before
    assert "a tag is one line" in cli("add", "1605.08386", "-t", "a\x1b[2J", code=2).stderr


def test_tag_without_an_id_is_a_usage_error(cli) -> None:
    assert "say which notes" in cli("tag", "+x", code=2).stderr


def test_quick_edits_read_the_file_not_a_stale_index(cli, two_notes: Path) -> None:
    """A hand edit the index cannot see (same size, same mtime) survives a tag."""
    path = two_notes / "1706.03762.yaml"
    stat = path.stat()
    path.write_text(path.read_text().replace("tldr: ''", "tldr: 'ab'"))
    path.write_text(path.read_text().replace("Attention Is All", "Attention Is Xll"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    cli("tag", "1706.03762", "+x")
    note = load(two_notes, "1706.03762")
    assert note["tldr"] == "ab" and note["title"].startswith("Attention Is Xll")


def test_a_note_in_a_renamed_file_is_edited_in_place(cli, two_notes: Path) -> None:
    (two_notes / "1706.03762.yaml").rename(two_notes / "attention.yaml")
    cli("tag", "1706.03762", "+x")
    cli("note", "1706.03762", "--tldr", "kept where it is")
    assert not (two_notes / "1706.03762.yaml").exists()
    assert load(two_notes, "attention")["tags"] == ["reading", "x"]
    assert load(two_notes, "attention")["tldr"] == "kept where it is"


def test_a_broken_note_is_named_and_left_as_it_was(cli, two_notes: Path) -> None:
    path = two_notes / "1706.03762.yaml"
    path.write_text("id: '1706.03762'\ntitle: [unclosed\n")
    before = path.read_bytes()
    result = cli("tag", "1706.03762", "+x", code=1)
    assert str(path) in result.stderr and result.stderr.count("\n") == 1
    assert path.read_bytes() == before


# --- note --------------------------------------------------------------------------------


def test_note_sets_tldr_and_commentary_and_appends_findings(cli, two_notes: Path) -> None:
    cli("note", "1706.03762", "--tldr", "  Attention suffices.  ", "--finding", "one")
    result = cli("note", "1706.03762", "--finding", "two", "--finding", "one")
    assert result.stdout == "updated   1706.03762\n"
    note = load(two_notes, "1706.03762")
    assert note["tldr"] == "Attention suffices." and note["findings"] == ["one", "two"]
    shown = cli("show", "1706.03762").stdout
    assert "Attention suffices." in shown and "- two" in shown


def test_note_replace_findings(cli, two_notes: Path) -> None:
    cli("note", "1706.03762", "--finding", "old")
    cli("note", "1706.03762", "--replace-findings", "--finding", "new")
    assert load(two_notes, "1706.03762")["findings"] == ["new"]
    cli("note", "1706.03762", "--replace-findings")
    assert load(two_notes, "1706.03762")["findings"] == []


def test_note_commentary_from_standard_input(cli, two_notes: Path) -> None:
    text = "Хорошая статья.\nSecond line.\n"
    result = cli("note", "1706.03762", "--commentary", "-", "--json", input=text)
    assert json.loads(result.stdout)["commentary"] == "Хорошая статья.\nSecond line."
    assert load(two_notes, "1706.03762")["commentary"] == "Хорошая статья.\nSecond line."
    assert cli("search", "статья").stdout.startswith("1706.03762")


def test_note_keeps_what_it_was_not_asked_to_change(cli, two_notes: Path) -> None:
    cli("note", "1706.03762", "--tldr", "t", "--commentary", "c", "--finding", "f")
    before = load(two_notes, "1706.03762")
    cli("note", "1706.03762", "--tldr", "")
    assert load(two_notes, "1706.03762") == {**before, "tldr": ""}


def test_note_with_nothing_to_write_or_no_note(cli, two_notes: Path) -> None:
    assert "say what to write" in cli("note", "1706.03762", code=2).stderr
    missing = cli("note", "1911.04594", "--tldr", "x", code=1)
    assert "no note for 1911.04594" in missing.stderr
    assert not (two_notes / "1911.04594.yaml").exists()


def test_note_commentary_that_is_not_utf8(cli, two_notes: Path) -> None:
    before = (two_notes / "1706.03762.yaml").read_bytes()
    runner_input = "caf\udce9".encode("utf-8", "surrogateescape")
    result = cli("note", "1706.03762", "--commentary", "-", input=runner_input, code=2)
    assert "not UTF-8" in result.stderr
    assert (two_notes / "1706.03762.yaml").read_bytes() == before


# --- the library, without the CLI --------------------------------------------------------


def test_clean_tags_drops_repeats_as_search_sees_them() -> None:
    assert clean_tags([" #BERT ", "bert", "Bért", "", "#", "nlp"]) == ["BERT", "nlp"]


def test_library_edits_report_whether_the_file_changed(cli, two_notes: Path) -> None:
    store = NoteStore(two_notes)
    path = two_notes / "1706.03762.yaml"
    assert retag(store, path, add=["reading"]).changed is False
    edited = annotate(store, path, findings=["f"])
    assert edited.changed and edited.note.findings == ["f"]
    assert load(two_notes, "1706.03762")["findings"] == ["f"]


# --- add: tags on existing notes, --json statuses ---------------------------------------


def test_add_json_gives_every_input_a_status(cli, two_notes: Path, arxiv: FakeArxiv) -> None:
    given = ["1706.03762", "1605.08386", "1710.08557", "1911.99999", "nonsense"]
    cli("tag", "1605.08386", "-reading")
    result = cli("add", *given, "-t", "reading", "--json", code=1)
    found = json.loads(result.stdout)
    assert [(o["input"], o["status"]) for o in found] == [
        ("1706.03762", "exists"),
        ("1605.08386", "tagged"),
        ("1710.08557", "added"),
        ("1911.99999", "not_found"),
        ("nonsense", "invalid"),
    ]
    assert found[2]["title"].startswith("On Neuromechanical") and found[2]["tags"] == ["reading"]
    assert "title" not in found[3] and "not found on arXiv" in found[3]["message"]
    assert found[1]["tags"] == ["reading"]


def test_add_json_status_pending(cli, notes_dir: Path) -> None:
    found = json.loads(cli("add", "1605.08386", "--json", code=1).stdout)
    assert found[0]["status"] == "pending" and found[0]["pending"] is True


# --- waiting -----------------------------------------------------------------------------


def test_retries_are_said_on_stderr_in_a_pipe(cli, arxiv: FakeArxiv, notes_dir: Path) -> None:
    body = fixture("api2026_single_1605.08386.xml")
    arxiv.script("1605.08386", Reply(status=503), Reply(status=502), Reply(body=body))
    result = cli("add", "1605.08386")
    assert result.stderr.splitlines() == [
        "arXiv did not answer (HTTP 503); retrying in 0 s (attempt 2 of 4)",
        "arXiv did not answer (HTTP 502); retrying in 0 s (attempt 3 of 4)",
    ]
    assert "pending" not in load(notes_dir, "1605.08386")


def test_a_refused_connection_is_named_at_each_wait(cli, notes_dir: Path) -> None:
    result = cli("add", "1605.08386", code=1)  # the tests' default address: a closed port
    waits = [line for line in result.stderr.splitlines() if "retrying" in line]
    assert waits == [
        f"arXiv did not answer (connection refused); retrying in 0 s (attempt {n} of 4)"
        for n in (2, 3, 4)
    ]
    assert "after 4 attempts: connection refused (check your network" in result.stderr


def test_a_dropped_connection_is_named(cli, arxiv: FakeArxiv) -> None:
    body = fixture("api2026_single_1605.08386.xml")
    arxiv.script("1605.08386", Reply(drop=True), Reply(body=body))
    result = cli("add", "1605.08386")
    said = result.stderr.split(";")[0]  # which of the two the client sees depends on timing
    assert said in (
        "arXiv did not answer (connection closed without an answer)",
        "arXiv did not answer (connection reset)",
    )


# --- remove of a batch -------------------------------------------------------------------


def test_remove_of_a_batch_with_an_unknown_id(cli, two_notes: Path) -> None:
    result = cli("remove", "1706.03762", "1911.04594", "bad", "--yes", code=1)
    assert result.stdout.startswith("removed 1706.03762")
    assert "no note for 1911.04594" in result.stderr and "'bad'" in result.stderr
    assert not (two_notes / "1706.03762.yaml").exists()
    assert (two_notes / "1605.08386.yaml").exists()
    assert [n["id"] for n in json.loads(cli("list", "--json").stdout)] == ["1605.08386"]


def test_remove_of_only_unknown_ids_asks_nothing(cli, two_notes: Path) -> None:
    result = cli("remove", "1911.04594", code=1)
    assert "no note for 1911.04594" in result.stderr and "Delete" not in result.stdout


# --- open --------------------------------------------------------------------------------


def test_open_in_a_pipe_prints_the_address(cli) -> None:
    assert cli("open", "arXiv:1706.03762").stdout == "https://arxiv.org/abs/1706.03762\n"
    pdf = cli("open", "hep-th/9901001v2", "--pdf").stdout
    assert pdf == "https://arxiv.org/pdf/hep-th/9901001v2\n"
    assert "not an arXiv id, a DOI or a link" in cli("open", "nonsense", code=1).stderr


def _on_a_terminal(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """Run the installed command with a terminal as its stdout; its exit code and output."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [installed(), *args], stdout=follower, stderr=follower, env={**os.environ, **env}
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    return process.wait(timeout=60), output.decode()


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_open_on_a_terminal_runs_the_browser(tmp_path: Path) -> None:
    record = tmp_path / "opened.txt"
    browser = tmp_path / "browser.py"
    browser.write_text(f"import sys\nopen({str(record)!r}, 'w').write(sys.argv[1])\n")
    code, _ = _on_a_terminal(
        "open", "1706.03762", "--pdf", env={"BROWSER": f"{sys.executable} {browser} %s"}
    )
    assert code == 0 and record.read_text() == "https://arxiv.org/pdf/1706.03762"


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_open_without_a_browser_says_so(tmp_path: Path) -> None:
    code, output = _on_a_terminal(
        "open", "1706.03762", env={"BROWSER": str(tmp_path / "no-such-browser"), "PATH": ""}
    )
    assert code == 1 and "no browser could be started" in output


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_the_bar_on_a_terminal_counts_notes_in_words(arxiv: FakeArxiv, notes_dir: Path) -> None:
    body = fixture("api2026_single_1605.08386.xml")
    arxiv.script("1605.08386", Reply(status=503), Reply(wait=0.5, body=body))
    code, output = _on_a_terminal("add", "1605.08386", env={"COLUMNS": "120"})
    assert code == 0
    assert "Fetching metadata of 1 note" in output and "1 notes" not in output
    assert "arXiv did not answer (HTTP 503); retrying in 0 s (attempt 2 of 4)" in output
