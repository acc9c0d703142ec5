"""Editing a note in the user's editor, validated before it replaces the file.

The editor works on a draft beside the note (`.<id>.draft.yaml`). Only a draft that parses
as a note with the same id replaces the note; an invalid draft is kept, so nothing typed is
lost, and the next `edit` of that paper resumes it.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path

from papernotes.errors import NoteFileError, PapernotesError
from papernotes.ids import ArxivId
from papernotes.note import load_note
from papernotes.store import NoteStore, write_atomic


class EditResult(str, Enum):
    """How an edit ended."""

    SAVED = "saved"
    UNCHANGED = "unchanged"


def editor_command(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The editor to run: $VISUAL, then $EDITOR, then nano or vi; split like a shell would."""
    for name in ("VISUAL", "EDITOR"):
        value = environ.get(name, "").strip()
        if value:
            operators = _shell_operators(value)
            if operators:
                raise PapernotesError(
                    f"${name} {value!r} holds shell syntax ({' '.join(operators)}), but "
                    "papernotes runs the editor without a shell: set it to a command and "
                    "its arguments, like EDITOR='code --wait'"
                )
            try:
                return shlex.split(value)
            except ValueError:
                raise PapernotesError(
                    f"${name} {value!r} cannot be parsed (unbalanced quotes)"
                ) from None
    for fallback in ("nano", "vi"):
        if shutil.which(fallback):
            return [fallback]
    raise PapernotesError("no editor found: set $EDITOR, for example export EDITOR=nano")


def _shell_operators(value: str) -> list[str]:
    """Shell operators outside quotes in `value` (`;`, `|`, `&`, `<`, `>`, `$`, backtick)."""
    found, quote = [], ""
    for char in value:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in ";|&<>$`":
            found.append(char)
    return sorted(set(found))


def draft_path(store: NoteStore, arxiv_id: ArxivId) -> Path:
    """Where an unfinished edit of this note is kept."""
    return store.root / f".{arxiv_id.stem}.draft.yaml"


def edit_note(
    store: NoteStore,
    arxiv_id: ArxivId,
    *,
    editor: list[str],
    retry: Callable[[str], bool],
    on_resume: Callable[[Path], None] | None = None,
) -> EditResult:
    """Open the note in `editor` until it is valid or the user gives up (`retry` says no)."""
    path = store.path_for(arxiv_id)
    current = store.read_text(arxiv_id)  # a broken note opens: that is how it is fixed
    draft = draft_path(store, arxiv_id)
    made = not draft.exists()
    if made:
        with store.lock():  # temporary files in the folder are made under the lock only
            write_atomic(draft, current.encode())
    elif on_resume:
        on_resume(draft)
    while True:
        failure = _run(editor, draft)
        if failure:
            if made and _read(draft) == current.encode():
                with contextlib.suppress(FileNotFoundError):
                    draft.unlink()  # nothing was typed into it: no draft is left behind
                raise PapernotesError(f"{failure}; the note is unchanged")
            raise PapernotesError(
                f"{failure}; the note is unchanged and your edit is kept in {draft}: "
                f"`papernotes edit {arxiv_id.base}` reopens it"
            )
        data = _read(draft)
        if data is None:
            raise PapernotesError(
                f"{draft} was removed while the editor was open; {path} is unchanged"
            )
        try:
            text = data.decode()
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            problem: str | None = f"{draft}: line {line}: not UTF-8 text: save it as UTF-8"
        else:
            if text == current:
                draft.unlink()
                return EditResult.UNCHANGED
            try:
                problem = _problem(text, draft, arxiv_id)
            except NoteFileError as err:
                problem = str(err)
        if problem is None:
            with store.lock():
                if store.read_text(arxiv_id) != current:
                    raise NoteFileError(
                        f"{path} changed on disk while you were editing it, so it was not "
                        f"overwritten; your edit is kept in {draft}: compare the two, then "
                        f"`papernotes edit {arxiv_id.base}` reopens your edit"
                    )
                write_atomic(path, text.encode())
            with contextlib.suppress(FileNotFoundError):
                draft.unlink()
            return EditResult.SAVED
        if not retry(problem):
            raise NoteFileError(
                f"{problem}. {path} is unchanged; your edit is kept in that draft: "
                f"`papernotes edit {arxiv_id.base}` reopens it"
            )


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _problem(text: str, draft: Path, arxiv_id: ArxivId) -> str | None:
    note = load_note(text, str(draft))
    if note.id != arxiv_id.base:
        lines = text.splitlines()
        line = next((n for n, s in enumerate(lines, 1) if s.startswith("id:")), 1)
        return (
            f"{draft}: line {line}: the id was changed from {arxiv_id.base} to {note.id}; "
            "a note is named after its paper, so change it back"
        )
    return None


def _run(editor: list[str], draft: Path) -> str | None:
    """Run the editor on the draft; what went wrong, or None if it closed normally."""
    try:
        status = subprocess.run([*editor, str(draft)], check=False).returncode
    except FileNotFoundError:
        return f"editor {editor[0]!r} not found: check $VISUAL / $EDITOR"
    except OSError as err:
        return f"editor {editor[0]!r} could not be started ({err})"
    return f"editor {editor[0]!r} exited with status {status}" if status else None
