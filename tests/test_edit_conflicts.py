"""`edit` when things go wrong: a note and a draft that disagree, a broken draft, an editor
that will not start. No text is lost, and a draft is never saved over a note that changed
since the draft was made unless the person says so."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from papernotes.note import Note
from papernotes.store import NoteStore

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


def drafts(notes_dir: Path) -> list[str]:
    return sorted(p.name for p in notes_dir.glob(".*draft*"))


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


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
    assert f"papernotes edit {PAPER}" in error
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
    # a draft from before is kept
    editor("broken")
    cli("edit", PAPER, code=1)
    kept = {name: (notes_dir / name).read_bytes() for name in drafts(notes_dir)}
    assert len(kept) == 1
    monkeypatch.setenv("EDITOR", "no-such-editor-here")
    result = cli("edit", PAPER, code=1)
    assert f"kept in {notes_dir / f'.{PAPER}.draft.yaml'}" in result.stderr
    assert {name: (notes_dir / name).read_bytes() for name in drafts(notes_dir)} == kept
