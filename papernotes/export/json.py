"""JSON: an array of notes with the same keys as `show --json`."""

from __future__ import annotations

import json
from collections.abc import Sequence

from papernotes.note import Note


def render(notes: Sequence[Note], *, title: str | None = None) -> str:
    """A JSON array of `note.to_dict()`, UTF-8 text as it is, two-space indent.

    `title` is accepted for a uniform signature and not used. A value JSON has no type
    for (a date YAML read in a key papernotes does not know) is written as its text.
    """
    data = [note.to_dict() for note in notes]
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
