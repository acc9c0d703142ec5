"""Editing a note in the user's editor, validated before it replaces the file.

The editor works on a draft beside the note (`.<id>.draft.yaml`). Only a draft that parses
as a note with the same id replaces the note; an invalid draft is kept, so nothing typed is
lost, and the next `edit` of that paper resumes it.

With the draft, `.<id>.base.draft.yaml` records the note as it was when the draft was
made. A draft is saved without asking only over that same text. Over a note that changed
or was removed since, or when the record is missing (a draft from an earlier version),
`confirm` is asked first; without a yes the note and the draft stay as they are.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from papernotes.errors import NoteFileError, NoteNotFoundError, PapernotesError
from papernotes.note import load_note
from papernotes.refs import NoteRef
from papernotes.store import NoteStore, write_atomic
from papernotes.text import safe

DRAFT_SUFFIX = ".draft.yaml"
# Ends like a draft, so the .gitignore of every existing notes folder already covers it.
BASE_SUFFIX = ".base.draft.yaml"
BASE_HEADER = "# papernotes: the note as it was when the draft beside this file was made\n"


class EditResult(str, Enum):
    """How an edit ended."""

    SAVED = "saved"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Conflict:
    """A draft, and a note that is no longer the one the draft was made from."""

    note: Path
    draft: Path
    base: str | None  # the note the draft was made from; None: not recorded (an older draft)
    current: str | None  # the note now; None: it was removed

    def changes(self) -> list[str]:
        """The lines of the note changed since the draft was made: `-` before, `+` now."""
        if self.base is None or self.current is None:
            return []
        diff = difflib.unified_diff(
            self.base.splitlines(), self.current.splitlines(), lineterm="", n=0
        )
        return [line for line in diff if not line.startswith(("---", "+++", "@@"))]

    def question(self) -> str:
        """What to ask before the draft replaces the note (at most 20 changed lines shown)."""
        if self.current is None:
            return (
                f"{self.note} was removed after your draft was made.\n"
                f"Save your draft {self.draft} as the note again?"
            )
        if self.base is None:
            return (
                f"Your draft {self.draft} was made by an earlier papernotes, which did not "
                f"record the version of {self.note} it began from: the note may have changed "
                "since.\nSave the draft over the note?"
            )
        changes = [f"  {safe(line)}" for line in self.changes()] or ["  (line ends only)"]
        if len(changes) > 20:
            changes[19:] = [f"  ... and {len(changes) - 19} more changed lines"]
        shown = "\n".join(changes)
        return (
            f"{self.note} changed on disk since your draft was made:\n{shown}\n"
            f"Save your draft {self.draft} over it, losing the change above?"
        )


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


def draft_path(store: NoteStore, arxiv_id: NoteRef) -> Path:
    """Where an unfinished edit of this note is kept: beside it, hidden."""
    return _beside(store, arxiv_id, DRAFT_SUFFIX)


def base_path(store: NoteStore, arxiv_id: NoteRef) -> Path:
    """Where the note a draft was made from is recorded."""
    return _beside(store, arxiv_id, BASE_SUFFIX)


def _beside(store: NoteStore, ref: NoteRef, suffix: str) -> Path:
    """A hidden file in the note's folder (`doi/`, `link/` or the notes folder itself)."""
    note = store.path_for(ref)
    return note.with_name(f".{note.name.removesuffix('.yaml')}{suffix}")


def discard_draft(store: NoteStore, arxiv_id: NoteRef) -> Path | None:
    """Delete the draft of this note (and its record); the draft's path, None if there was none."""
    draft = draft_path(store, arxiv_id)
    with store.lock():
        existed = draft.exists()
        _drop(store, arxiv_id)
    return draft if existed else None


def edit_note(
    store: NoteStore,
    arxiv_id: NoteRef,
    *,
    editor: list[str],
    retry: Callable[[str], bool],
    confirm: Callable[[Conflict], bool] = lambda _: False,
    on_resume: Callable[[Path, Conflict | None], None] | None = None,
) -> EditResult:
    """Open the note's draft in `editor` until it is valid or `retry` says no, then save it.

    `confirm` decides whether a draft replaces a note that changed since the draft was made;
    `on_resume(draft, conflict)` is told when an earlier unsaved edit is opened again, with
    how the note differs from the one that draft was made from (None: it does not).
    """
    path, draft = store.path_for(arxiv_id), draft_path(store, arxiv_id)
    base, made = _open_draft(store, arxiv_id)
    if not made and on_resume:
        current = _current(store, arxiv_id)
        stale = base is None or base != current
        on_resume(draft, Conflict(path, draft, base, current) if stale else None)
    while True:
        failure = _run(editor, draft)
        if failure:
            if base is not None and made and _read(draft) == base.encode():
                with store.lock():
                    _drop(store, arxiv_id)  # nothing was typed into it: no draft is left
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
            if text in (base, _current(store, arxiv_id)):
                with store.lock():
                    _drop(store, arxiv_id)  # nothing to save: it holds no edit, or the note
                return EditResult.UNCHANGED
            try:
                problem = _problem(text, draft, arxiv_id)
            except NoteFileError as err:
                problem = str(err)
        if problem is None:
            return _save(store, arxiv_id, text, base, confirm)
        if not retry(problem):
            raise NoteFileError(
                f"{problem}. {path} is unchanged; your edit is kept in that draft: "
                f"`papernotes edit {arxiv_id.base}` reopens it, "
                f"`papernotes edit {arxiv_id.base} --discard` drops it"
            )


def _open_draft(store: NoteStore, arxiv_id: NoteRef) -> tuple[str | None, bool]:
    """The note the draft starts from (None: not recorded), and whether it is made just now.

    A draft that holds the note as it is now holds no unsaved edit: it starts afresh.
    """
    draft = draft_path(store, arxiv_id)
    with store.lock():  # temporary files in the folder are made under the lock only
        kept = _read(draft)
        try:
            current = store.read_text(arxiv_id)  # a broken note opens: that is how it is fixed
        except NoteNotFoundError:
            if kept is None:
                raise
            return _base(store, arxiv_id), False  # removed since: the draft still opens
        if kept is not None and kept != current.encode():
            return _base(store, arxiv_id), False
        if _base(store, arxiv_id) != current:  # written first: a draft never lacks its base
            write_atomic(base_path(store, arxiv_id), (BASE_HEADER + current).encode())
        if kept is None:
            write_atomic(draft, current.encode())
        return current, True


def _save(
    store: NoteStore,
    arxiv_id: NoteRef,
    text: str,
    base: str | None,
    confirm: Callable[[Conflict], bool],
) -> EditResult:
    """Write `text` over the note if the note is still `base`, or once `confirm` says so."""
    path, draft = store.path_for(arxiv_id), draft_path(store, arxiv_id)
    agreed, known = base, base is not None  # the note text `text` may replace
    while True:
        with store.lock():
            current = _current(store, arxiv_id)
            if current == text:  # the same change was saved meanwhile
                _drop(store, arxiv_id)
                return EditResult.UNCHANGED
            if known and current == agreed:
                write_atomic(path, text.encode())
                store.touched.append(path)
                _drop(store, arxiv_id)
                return EditResult.SAVED
            _keep(store, arxiv_id, text, base)
        conflict = Conflict(path, draft, base, current)
        if not confirm(conflict):  # asked without the lock: others may write meanwhile
            raise PapernotesError(_refusal(conflict, arxiv_id))
        agreed, known = current, True  # if it changed again while asking, ask again


def _refusal(conflict: Conflict, arxiv_id: NoteRef) -> str:
    note, draft = conflict.note, conflict.draft
    if conflict.current is None:
        what = f"{note} was removed after your draft {draft} was made, so it was not saved"
    elif conflict.base is None:
        what = (
            f"your draft {draft} was made by an earlier papernotes, which did not record the "
            f"version of {note} it began from, so it was not saved over the note"
        )
    else:
        what = (
            f"{note} changed on disk since your draft {draft} was made, so the draft was "
            "not saved over it"
        )
    return (
        f"{what}; compare the two, then `papernotes edit {arxiv_id.base}` at a terminal asks "
        "before saving the draft (add --overwrite to save it without asking), "
        f"`papernotes edit {arxiv_id.base} --discard` drops it"
    )


def _keep(store: NoteStore, arxiv_id: NoteRef, text: str, base: str | None) -> None:
    """Leave the draft and its record in place for the next edit (a concurrent edit that
    saved meanwhile removed both). Under the lock."""
    draft = draft_path(store, arxiv_id)
    if not draft.exists():
        write_atomic(draft, text.encode())
    if base is not None and _base(store, arxiv_id) != base:
        write_atomic(base_path(store, arxiv_id), (BASE_HEADER + base).encode())


def _drop(store: NoteStore, arxiv_id: NoteRef) -> None:
    """Remove the draft, then its record (alone, a record is harmless). Under the lock."""
    for path in (draft_path(store, arxiv_id), base_path(store, arxiv_id)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _current(store: NoteStore, arxiv_id: NoteRef) -> str | None:
    """The note's text now; None if it was removed."""
    try:
        return store.read_text(arxiv_id)
    except NoteNotFoundError:
        return None


def _base(store: NoteStore, arxiv_id: NoteRef) -> str | None:
    """The note the draft was made from, None if that is not recorded (or not readable)."""
    data = _read(base_path(store, arxiv_id))
    try:
        text = data.decode() if data is not None else ""
    except UnicodeDecodeError:
        return None
    return text.removeprefix(BASE_HEADER) if text.startswith(BASE_HEADER) else None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _problem(text: str, draft: Path, arxiv_id: NoteRef) -> str | None:
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
