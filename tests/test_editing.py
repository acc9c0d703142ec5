"""Editing through an external editor: retries, drafts, the editor command itself."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from papernotes.editing import (
    BASE_HEADER,
    Conflict,
    EditResult,
    base_path,
    discard_draft,
    draft_path,
    edit_note,
    editor_command,
)
from papernotes.errors import NoteFileError, PapernotesError
from papernotes.ids import parse_id
from papernotes.note import Note
from papernotes.store import NoteStore

# Each run appends a line; the first run breaks the YAML, the second repairs it.
TWO_STEP_EDITOR = """
import sys
from pathlib import Path
path = Path(sys.argv[1])
text = path.read_text()
if "tldr: [" in text:
    path.write_text(text.replace("tldr: [", "tldr: "))
else:
    path.write_text(text.replace("tldr: ''", "tldr: [half typed"))
"""


@pytest.fixture
def store(tmp_path: Path) -> NoteStore:
    store = NoteStore(tmp_path / "notes")
    store.create(Note(id="1706.03762", version=7, title="Attention Is All You Need"))
    return store


def test_saying_yes_to_retry_reopens_until_valid(store: NoteStore, tmp_path: Path) -> None:
    script = tmp_path / "editor.py"
    script.write_text(TWO_STEP_EDITOR)
    problems: list[str] = []

    def retry(problem: str) -> bool:
        problems.append(problem)
        return True

    arxiv_id = parse_id("1706.03762")
    result = edit_note(store, arxiv_id, editor=[sys.executable, str(script)], retry=retry)
    assert result is EditResult.SAVED
    assert len(problems) == 1 and "line" in problems[0]
    assert store.get(arxiv_id).tldr == "half typed"
    assert not draft_path(store, arxiv_id).exists()


def test_saying_no_keeps_the_draft_and_the_note(store: NoteStore, tmp_path: Path) -> None:
    script = tmp_path / "editor.py"
    script.write_text(TWO_STEP_EDITOR)
    arxiv_id = parse_id("1706.03762")
    before = store.read_text(arxiv_id)
    with pytest.raises(NoteFileError, match="kept in"):
        edit_note(store, arxiv_id, editor=[sys.executable, str(script)], retry=lambda _: False)
    assert store.read_text(arxiv_id) == before
    assert "half typed" in draft_path(store, arxiv_id).read_text()


def test_a_failing_editor_changes_nothing(store: NoteStore) -> None:
    arxiv_id = parse_id("1706.03762")
    before = store.read_text(arxiv_id)
    with pytest.raises(PapernotesError, match="exited with status 1"):
        edit_note(store, arxiv_id, editor=["false"], retry=lambda _: False)
    assert store.read_text(arxiv_id) == before
    assert not draft_path(store, arxiv_id).exists()  # nothing was typed into it
    assert not base_path(store, arxiv_id).exists()


# Sets the TL;DR in the draft and, as another program would meanwhile, the note's commentary.
CONFLICTING_EDITOR = """
import sys
from pathlib import Path
draft = Path(sys.argv[-1])
note = draft.with_name(draft.name[1:].removesuffix(".draft.yaml") + ".yaml")
draft.write_text(draft.read_text().replace("tldr: ''", "tldr: mine"))
note.write_text(note.read_text().replace("commentary: ''", "commentary: theirs"))
if len(sys.argv) > 2:  # a second edit of the note saved meanwhile, removing the record
    draft.with_name(draft.name.replace(".draft.yaml", ".base.draft.yaml")).unlink()
"""


def conflicting_editor(tmp_path: Path, *args: str) -> list[str]:
    script = tmp_path / "conflicting.py"
    script.write_text(CONFLICTING_EDITOR)
    return [sys.executable, str(script), *args]


def test_a_change_made_while_asking_is_asked_about_again(store: NoteStore, tmp_path: Path):
    arxiv_id = parse_id("1706.03762")
    asked: list[Conflict] = []

    def confirm(conflict: Conflict) -> bool:
        asked.append(conflict)
        if len(asked) == 1:  # the note changes once more while the person reads the question
            path = store.path_for(arxiv_id)
            path.write_text(path.read_text().replace("commentary: theirs", "commentary: later"))
        return True

    editor = conflicting_editor(tmp_path)
    result = edit_note(store, arxiv_id, editor=editor, retry=lambda _: False, confirm=confirm)
    assert result is EditResult.SAVED
    assert [c.changes() for c in asked] == [
        ["-commentary: ''", "+commentary: theirs"],
        ["-commentary: ''", "+commentary: later"],
    ]
    assert store.get(arxiv_id).tldr == "mine" and store.get(arxiv_id).commentary == ""


def test_no_question_when_the_note_is_as_the_draft_began(store: NoteStore, tmp_path: Path):
    script = tmp_path / "editor.py"
    script.write_text(TWO_STEP_EDITOR)
    arxiv_id = parse_id("1706.03762")

    def confirm(conflict: Conflict) -> bool:
        raise AssertionError(f"asked about {conflict}")

    editor = [sys.executable, str(script)]
    result = edit_note(store, arxiv_id, editor=editor, retry=lambda _: True, confirm=confirm)
    assert result is EditResult.SAVED


def test_a_refusal_keeps_the_record_a_concurrent_edit_removed(store: NoteStore, tmp_path: Path):
    arxiv_id = parse_id("1706.03762")
    before = store.read_text(arxiv_id)
    editor = conflicting_editor(tmp_path, "remove-the-record")
    with pytest.raises(PapernotesError, match="changed on disk since your draft"):
        edit_note(store, arxiv_id, editor=editor, retry=lambda _: False)
    assert base_path(store, arxiv_id).read_text() == BASE_HEADER + before
    assert "tldr: mine" in draft_path(store, arxiv_id).read_text()
    assert "commentary: theirs" in store.read_text(arxiv_id)


# Saves the TL;DR in Latin-1, as an editor set to another encoding would.
LATIN1_EDITOR = """
import sys
from pathlib import Path
draft = Path(sys.argv[-1])
draft.write_bytes(draft.read_bytes().replace(b"tldr: ''", "tldr: café".encode("latin-1")))
"""


def test_a_draft_that_is_not_utf8_names_its_line(store: NoteStore, tmp_path: Path) -> None:
    script = tmp_path / "latin1.py"
    script.write_text(LATIN1_EDITOR, encoding="utf-8")
    arxiv_id = parse_id("1706.03762")
    line = store.read_text(arxiv_id).splitlines().index("tldr: ''") + 1
    with pytest.raises(NoteFileError, match=f"draft.yaml: line {line}: not UTF-8"):
        edit_note(store, arxiv_id, editor=[sys.executable, str(script)], retry=lambda _: False)
    assert b"caf\xe9" in draft_path(store, arxiv_id).read_bytes()  # kept as it was typed


def test_discard_draft_removes_the_draft_and_its_record(store: NoteStore) -> None:
    arxiv_id = parse_id("1706.03762")
    assert discard_draft(store, arxiv_id) is None
    draft_path(store, arxiv_id).write_text("id: [unfinished\n")
    base_path(store, arxiv_id).write_text(BASE_HEADER + store.read_text(arxiv_id))
    assert discard_draft(store, arxiv_id) == draft_path(store, arxiv_id)
    assert not draft_path(store, arxiv_id).exists() and not base_path(store, arxiv_id).exists()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"VISUAL": "code --wait", "EDITOR": "vi"}, ["code", "--wait"]),
        ({"EDITOR": "emacs -nw"}, ["emacs", "-nw"]),
        ({"VISUAL": "  ", "EDITOR": "'/opt/my editor/bin/ed' -q"}, ["/opt/my editor/bin/ed", "-q"]),
    ],
)
def test_editor_command_is_split_like_a_shell_without_running_one(environ, expected) -> None:
    assert editor_command(environ) == expected


def test_editor_command_with_unbalanced_quotes() -> None:
    with pytest.raises(PapernotesError, match="EDITOR"):
        editor_command({"EDITOR": "'unclosed"})
