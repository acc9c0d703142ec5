"""`edit` when things go wrong: a note and a draft that disagree, a broken draft, an editor
that will not start. No text is lost, and a draft is never saved over a note that changed
since the draft was made unless the person says so."""

from __future__ import annotations

import fnmatch
import io
import sys
from pathlib import Path

import pytest
import typer.testing

from papernotes.note import Note
from papernotes.store import GITIGNORE, NoteStore

PAPER = "1706.03762"

# An $EDITOR taking an action before the draft's path. `note=TEXT` also changes the note
# itself, as another program would while the editor is open; `gone` removes the note.
EDITOR = """
import re
import sys
from pathlib import Path

*actions, draft = sys.argv[1:]
draft = Path(draft)
note = draft.with_name(draft.name[1:].removesuffix(".draft.yaml") + ".yaml")
for action in actions:
    name, _, value = action.partition("=")
    if name == "tldr":
        text = re.sub("^tldr: .*$", f"tldr: {value}", draft.read_text(encoding="utf-8"), flags=re.M)
        draft.write_text(text, encoding="utf-8")
    elif name == "note":
        text = note.read_text(encoding="utf-8")
        text = re.sub("^commentary: .*$", f"commentary: {value}", text, flags=re.M)
        note.write_text(text, encoding="utf-8")
    elif name == "gone":
        note.unlink()
    elif name == "broken":
        text = draft.read_text(encoding="utf-8")
        draft.write_text(text.replace("findings: []", "findings: half: typed"), encoding="utf-8")
"""


@pytest.fixture
def note(notes_dir: Path) -> Path:
    NoteStore(notes_dir).create(Note(id=PAPER, version=7, title="Attention Is All You Need"))
    return notes_dir / f"{PAPER}.yaml"


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`editor("tldr=mine", "note=theirs")` sets $EDITOR to a script doing those actions."""
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")

    def use(*actions: str) -> None:
        monkeypatch.setenv("EDITOR", " ".join([sys.executable, str(script), *actions]))

    return use


class _Terminal(io.BytesIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner's stdin says it is a terminal (its answers still come from `input=`)."""

    def stream(input: str | bytes | None, charset: str) -> io.BytesIO:
        data = input.encode(charset) if isinstance(input, str) else input or b""
        return _Terminal(data)

    monkeypatch.setattr(typer.testing, "make_input_stream", stream)


def drafts(notes_dir: Path) -> list[str]:
    return sorted(p.name for p in notes_dir.glob(".*draft*"))


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


def refused_save(cli, editor, note: Path, theirs: str = "theirs", input: str = "n\n") -> bytes:
    """The trial's first step: the note changes while the editor is open; the save is refused.

    At a (simulated) terminal `input` answers the question whether to save anyway."""
    editor("tldr=mine", f"note={theirs}")
    result = cli("edit", PAPER, input=input, code=1)
    assert "changed on disk" in result.stderr and "Saved" not in result.stderr
    assert f"commentary: {theirs}" in note.read_text(encoding="utf-8")
    assert "tldr: mine" not in note.read_text(encoding="utf-8")
    return note.read_bytes()


def test_a_refused_save_then_an_edit_closed_unchanged_keeps_the_newer_note(
    cli, editor, note: Path, notes_dir: Path
) -> None:
    newer = refused_save(cli, editor, note)
    draft = notes_dir / f".{PAPER}.draft.yaml"
    assert "tldr: mine" in draft.read_text(encoding="utf-8")
    editor()  # the next edit opens the draft and closes it without changes
    result = cli("edit", PAPER, code=1)
    assert "Saved" not in result.stderr
    assert note.read_bytes() == newer
    assert "tldr: mine" in draft.read_text(encoding="utf-8")
    assert "the note changed since" in result.stderr  # said when the draft is reopened
    [error] = errors(result.stderr)
    assert f"changed on disk since your draft {draft} was made" in error
    assert "at a terminal" in error and "--overwrite" in error and "--discard" in error
    # and again: the draft still remembers which note it was made from
    assert cli("edit", PAPER, code=1).stderr.count("Error:") == 1
    assert note.read_bytes() == newer


def test_at_a_terminal_the_question_shows_what_changed_and_no_keeps_both(
    cli, editor, note: Path, notes_dir: Path, terminal
) -> None:
    newer = refused_save(cli, editor, note)
    editor()
    result = cli("edit", PAPER, input="n\n", code=1)
    assert "changed on disk since your draft was made" in result.stdout
    assert "-commentary: ''" in result.stdout and "+commentary: theirs" in result.stdout
    assert "Save your draft" in result.stdout
    assert note.read_bytes() == newer
    assert drafts(notes_dir) == [f".{PAPER}.base.draft.yaml", f".{PAPER}.draft.yaml"]
    result = cli("edit", PAPER, input="y\n")
    assert "Saved." in result.stderr
    text = note.read_text(encoding="utf-8")
    assert "tldr: mine" in text and "commentary: ''" in text  # the draft replaced the note
    assert drafts(notes_dir) == []


def test_a_note_changed_while_the_editor_is_open_is_asked_about_at_a_terminal(
    cli, editor, note: Path, notes_dir: Path, terminal
) -> None:
    editor("tldr=mine", "note=theirs")
    result = cli("edit", PAPER, input="y\n")
    assert "+commentary: theirs" in result.stdout and "Saved." in result.stderr
    assert "tldr: mine" in note.read_text(encoding="utf-8")
    assert drafts(notes_dir) == []


def test_overwrite_saves_the_draft_without_asking(cli, editor, note: Path, notes_dir) -> None:
    refused_save(cli, editor, note)
    editor()
    assert "Saved." in cli("edit", PAPER, "--overwrite").stderr
    assert "tldr: mine" in note.read_text(encoding="utf-8")
    assert drafts(notes_dir) == []


def test_discard_drops_the_draft_and_says_which(cli, editor, note: Path, notes_dir) -> None:
    newer = refused_save(cli, editor, note)
    draft = notes_dir / f".{PAPER}.draft.yaml"
    assert cli("edit", PAPER, "--discard").stderr.strip() == f"Removed the draft {draft}."
    assert drafts(notes_dir) == [] and note.read_bytes() == newer
    assert cli("edit", PAPER, "--discard").stderr.strip() == f"No draft of {PAPER}."
    result = cli("edit", PAPER, "--discard", "--overwrite", code=2)
    assert "--discard" in result.stderr and "--overwrite" in result.stderr
    # with the draft gone, the next edit starts from the note as it is now and just saves
    editor("tldr=fresh")
    assert "Saved." in cli("edit", PAPER).stderr
    assert "commentary: theirs" in note.read_text(encoding="utf-8")


def test_a_broken_draft_is_one_error_line_naming_the_draft_and_its_line(
    cli, editor, note: Path, notes_dir: Path
) -> None:
    before = note.read_bytes()
    line = before.splitlines().index(b"findings: []") + 1  # where the editor breaks it
    draft = notes_dir / f".{PAPER}.draft.yaml"
    editor("broken")
    result = cli("edit", PAPER, code=1)
    assert result.stderr.splitlines() == errors(result.stderr)
    [error] = errors(result.stderr)
    assert error.startswith(f"Error: {draft}: line {line}, column 15: mapping values")
    assert f"papernotes edit {PAPER}" in error and "--discard" in error
    assert note.read_bytes() == before
    editor()  # reopened and closed as it is: the same one line, after the note on resuming
    result = cli("edit", PAPER, code=1)
    assert [e.split(", column")[0] for e in errors(result.stderr)] == [
        f"Error: {draft}: line {line}"
    ]


def test_an_editor_that_cannot_start_leaves_no_draft(
    cli, editor, note: Path, notes_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = note.read_bytes()
    monkeypatch.setenv("EDITOR", "no-such-editor-here")
    result = cli("edit", PAPER, code=1)
    assert "no-such-editor-here" in result.stderr and "kept" not in result.stderr
    assert drafts(notes_dir) == [] and note.read_bytes() == before
    # a draft from before is kept, with the record of the note it was made from
    editor("broken")
    cli("edit", PAPER, code=1)
    kept = {name: (notes_dir / name).read_bytes() for name in drafts(notes_dir)}
    assert len(kept) == 2
    monkeypatch.setenv("EDITOR", "no-such-editor-here")
    result = cli("edit", PAPER, code=1)
    assert f"kept in {notes_dir / f'.{PAPER}.draft.yaml'}" in result.stderr
    assert {name: (notes_dir / name).read_bytes() for name in drafts(notes_dir)} == kept


def test_a_draft_from_an_earlier_version_is_never_saved_silently(
    cli, editor, note: Path, notes_dir: Path, terminal
) -> None:
    # an earlier papernotes kept a draft and no record of the note it began from
    draft = notes_dir / f".{PAPER}.draft.yaml"
    draft.write_text(note.read_text(encoding="utf-8").replace("tldr: ''", "tldr: old"))
    before = note.read_bytes()
    editor()
    result = cli("edit", PAPER, input="n\n", code=1)
    assert "made by an earlier papernotes" in result.stdout
    assert "the note may have changed since" in result.stderr
    assert note.read_bytes() == before and draft.exists()
    assert "Saved." in cli("edit", PAPER, input="y\n").stderr
    assert "tldr: old" in note.read_text(encoding="utf-8")
    assert drafts(notes_dir) == []


def test_an_old_draft_without_a_record_is_refused_when_not_at_a_terminal(
    cli, editor, note: Path, notes_dir: Path
) -> None:
    draft = notes_dir / f".{PAPER}.draft.yaml"
    draft.write_text(note.read_text(encoding="utf-8").replace("tldr: ''", "tldr: old"))
    before = note.read_bytes()
    editor()
    [error] = errors(cli("edit", PAPER, code=1).stderr)
    assert "made by an earlier papernotes" in error and "--overwrite" in error
    assert note.read_bytes() == before and "tldr: old" in draft.read_text(encoding="utf-8")


def test_a_draft_that_equals_the_note_holds_nothing_to_save(
    cli, editor, note: Path, notes_dir: Path
) -> None:
    refused_save(cli, editor, note)
    draft = notes_dir / f".{PAPER}.draft.yaml"
    draft.write_bytes(note.read_bytes())  # the person copied their edit over by hand
    editor()
    result = cli("edit", PAPER)
    assert result.stderr.strip() == "No changes."
    assert drafts(notes_dir) == []
    # such a draft starts afresh from the note as it is: an edit of it just saves
    refused_save(cli, editor, note, theirs="theirs-again")
    draft.write_bytes(note.read_bytes())
    editor("tldr=again")
    assert cli("edit", PAPER).stderr.strip() == "Saved."
    assert "tldr: again" in note.read_text(encoding="utf-8")


def test_a_note_removed_meanwhile_is_not_brought_back_without_asking(
    cli, editor, note: Path, notes_dir: Path, terminal
) -> None:
    editor("tldr=mine", "gone")
    result = cli("edit", PAPER, input="n\n", code=1)
    assert "was removed after your draft was made" in result.stdout
    [error] = errors(result.stderr)
    assert f"{note} was removed after your draft" in error
    assert not note.exists()
    assert "tldr: mine" in (notes_dir / f".{PAPER}.draft.yaml").read_text(encoding="utf-8")
    editor()  # the draft opens although the note is gone
    result = cli("edit", PAPER, input="y\n")
    assert "the note was removed since" in result.stderr and "Saved." in result.stderr
    assert "tldr: mine" in note.read_text(encoding="utf-8")
    assert drafts(notes_dir) == []


def test_check_reports_the_draft_once_and_a_record_left_alone(
    cli, editor, note: Path, notes_dir: Path
) -> None:
    refused_save(cli, editor, note)
    draft, record = notes_dir / f".{PAPER}.draft.yaml", notes_dir / f".{PAPER}.base.draft.yaml"
    assert record.exists()
    assert cli("check").stdout.splitlines() == [
        f"{draft}: warning: an unsaved edit: `papernotes edit {PAPER}` reopens it"
    ]
    draft.unlink()  # deleted by hand: the record alone is harmless, and said to be deletable
    assert cli("check").stdout.splitlines() == [
        f"{record}: warning: left by an edit whose draft is gone; it can be deleted"
    ]


def test_the_record_is_git_ignored_like_the_draft() -> None:
    patterns = [line for line in GITIGNORE.splitlines() if line and not line.startswith("#")]
    for name in (f".{PAPER}.draft.yaml", f".{PAPER}.base.draft.yaml"):
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


def test_edit_help_teaches_overwrite_and_discard(cli) -> None:
    out = cli("edit", "--help").stdout
    assert "--overwrite" in out and "--discard" in out
    assert f"papernotes edit {PAPER} --discard" in out
