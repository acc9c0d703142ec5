"""Quick edits without an editor: a note's tags and the reader's fields.

Each edit takes the folder's lock, reads the note file as it is right then (hand edits
made a moment ago included), changes it and writes it atomically, so no concurrent edit
is lost. A note that the edit leaves as it was is not written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from papernotes.errors import UsageError
from papernotes.note import Note
from papernotes.store import NoteStore
from papernotes.text import fold


@dataclass(frozen=True)
class Edited:
    """A note after a quick edit, and whether its file changed."""

    note: Note
    path: Path
    changed: bool


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags without surrounding space or a leading '#', empty ones and repeats dropped
    (repeats as search sees them: `BERT` repeats `bert`)."""
    cleaned = (t.strip().lstrip("#").strip() for t in tags)
    kept: dict[str, str] = {}
    for tag in cleaned:
        if any(c < " " or "\x7f" <= c <= "\x9f" for c in tag):
            raise UsageError(
                f"tag {tag!r} holds a line break or control character: a tag is one line"
            )
        if tag:
            kept.setdefault(fold(tag), tag)
    return list(kept.values())


def retag(
    store: NoteStore, path: Path, *, add: Sequence[str] = (), drop: Sequence[str] = ()
) -> Edited:
    """Add the tags `add` (those the note lacks) and remove the tags `drop` (whatever
    their case or accents) from the note in `path`."""
    dropped = {fold(t) for t in clean_tags(drop)}

    def change(note: Note) -> None:
        kept = [t for t in note.tags if fold(t) not in dropped]
        note.tags = clean_tags([*kept, *add])

    return update(store, path, change)


def annotate(
    store: NoteStore,
    path: Path,
    *,
    tldr: str | None = None,
    findings: Sequence[str] = (),
    replace_findings: bool = False,
    commentary: str | None = None,
) -> Edited:
    """Set the TL;DR and the commentary (when given) of the note in `path`, and append
    `findings` to its findings (or put them in their place with `replace_findings`)."""
    new_findings = [f.strip() for f in findings if f.strip()]

    def change(note: Note) -> None:
        if tldr is not None:
            note.tldr = tldr.strip()
        if commentary is not None:
            note.commentary = commentary.strip()
        if replace_findings:
            note.findings = new_findings
        else:
            note.findings = [*note.findings, *(f for f in new_findings if f not in note.findings)]

    return update(store, path, change)


def update(store: NoteStore, path: Path, change: Callable[[Note], None]) -> Edited:
    """Apply `change` to the note in `path` under the folder's lock; write it if it changed."""
    with store.lock():
        note = store.load(path.relative_to(store.root).as_posix())
        before = note.to_dict()
        change(note)
        if note.to_dict() == before:
            return Edited(note, path, changed=False)
        store.save(note, path)
    return Edited(note, path, changed=True)
