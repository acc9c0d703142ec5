"""The three-way merge of a note file, for git's merge driver (`papernotes merge-note`).

Field by field: what one side changed is taken; what both changed is merged by the field's
nature. The reader's lists are ordered unions that honour deletions, the reader's text goes
through `git merge-file`, and the source's metadata is one block taken whole from the
newer side, so a title never comes from one version of a paper and its abstract from another.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from papernotes.errors import NoteFileError, PapernotesError
from papernotes.note import KEY_ORDER, Note, dump_note, load_note
from papernotes.store import write_atomic
from papernotes.text import fold

# The reader's own fields; every other known key is the source's, merged as one block.
_LISTS = ("tags", "findings", "links")
_TEXTS = ("tldr", "commentary")
_IDENTITY = ("id", "kind")
_METADATA = tuple(k for k in KEY_ORDER if k not in (*_IDENTITY, *_LISTS, *_TEXTS, "added"))
_LABELS = ("ours", "base", "theirs")  # as `git merge-file -L` names the sides in its markers
# What `git merge-file` leaves around a conflict: a line of seven < and, below, of seven >.
_CONFLICT = re.compile(r"^<{7}(?: |$).*^>{7}(?: |$)", re.MULTILINE | re.DOTALL)


class _Missing:
    """A key one side does not have (a key added by hand, or removed)."""

    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()


@dataclass
class Merged:
    """The merged file's text and what the merge could not decide."""

    text: str
    conflicts: list[str] = field(default_factory=list)  # fields with conflict markers in them
    problem: str | None = None  # why the file was not merged field by field, for the user

    @property
    def clean(self) -> bool:
        """Whether the merge is complete: nothing left for the user to decide."""
        return not self.conflicts and self.problem is None


def has_conflict(text: str) -> bool:
    """Whether `text` still holds the markers of a merge conflict (<<<<<<< ... >>>>>>>)."""
    return "<<<<<<<" in text and _CONFLICT.search(text) is not None


def conflicted_fields(note: Note) -> list[str]:
    """The fields of a note that hold the markers of a merge conflict (in their text, or in
    an item of their list)."""

    def texts(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [text for item in value for text in texts(item)]
        if isinstance(value, dict):
            return [text for item in value.values() for text in texts(item)]
        return []

    return [k for k, v in note.to_dict().items() if any(map(has_conflict, texts(v)))]


def merge_notes(base: str, ours: str, theirs: str, source: str) -> Merged:
    """Merge three versions of a note file's text; `source` (the file's path) names it in
    messages. An empty `base` means both sides added the note."""
    sides: list[Note | None] = []
    for label, text in zip(_LABELS, (ours, base, theirs), strict=True):
        if label == "base" and not text.strip():
            sides.append(None)
            continue
        try:
            sides.append(load_note(text, f"{source} ({label})"))
        except (NoteFileError, UnicodeEncodeError) as err:  # the latter: bytes not UTF-8
            problem = (
                str(err) if isinstance(err, NoteFileError) else f"{source} ({label}): not UTF-8"
            )
            merged, _ = merge_text(ours, base, theirs)
            return Merged(
                merged,
                problem=f"{problem}; merged line by line as plain text: fix the file by hand",
            )
    mine, old, other = sides
    assert mine is not None and other is not None
    for key in _IDENTITY:
        if getattr(mine, key) != getattr(other, key):
            return Merged(
                ours,
                [key],
                f"{source}: ours has {key} {getattr(mine, key)!r}, theirs "
                f"{getattr(other, key)!r}: ours is kept as it was; merge the two by hand",
            )
    data, conflicts = _merge_data(
        mine.to_dict(), old.to_dict() if old else {}, other.to_dict(), old is None
    )
    return Merged(dump_note(Note.from_dict(data, source)), conflicts)


def merge_note_files(base: Path, ours: Path, theirs: Path, source: str) -> Merged:
    """Merge the files as git's merge driver does: the result replaces `ours`, atomically.

    Bytes that are not UTF-8 are carried through as they are (a side holding them is not a
    note, and is merged as plain text).
    """
    old, mine, other = (
        p.read_bytes().decode("utf-8", "surrogateescape") for p in (base, ours, theirs)
    )
    merged = merge_notes(old, mine, other, source)
    if merged.text != mine:
        write_atomic(ours, merged.text.encode("utf-8", "surrogateescape"))
    return merged


def merge_text(ours: str, base: str, theirs: str) -> tuple[str, bool]:
    """git's own three-way merge of three texts (`git merge-file`): the result, and whether
    it holds conflicts (marked between <<<<<<< ours and >>>>>>> theirs)."""
    with tempfile.TemporaryDirectory(prefix="papernotes-merge-") as folder:
        paths = []
        for label, text in zip(_LABELS, (ours, base, theirs), strict=True):
            path = Path(folder) / label
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
            paths.append(str(path))
        labels = [arg for label in _LABELS for arg in ("-L", label)]
        try:
            done = subprocess.run(
                ["git", "merge-file", "-p", *labels, *paths], capture_output=True, check=False
            )
        except OSError as err:
            raise PapernotesError(
                f"cannot run git to merge the notes' text ({err.strerror or err}): "
                "install git or put it on PATH"
            ) from None
    if not 0 <= done.returncode < 128:  # a count of conflicts, or -1 (255) on an error
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PapernotesError(
            f"git merge-file failed ({problem[0] if problem else done.returncode}): "
            "check that git works"
        )
    return done.stdout.decode("utf-8", "surrogateescape"), done.returncode > 0


def _merge_data(
    ours: dict[str, Any], base: dict[str, Any], theirs: dict[str, Any], added: bool
) -> tuple[dict[str, Any], list[str]]:
    """The merged note's data and the fields left in conflict; `added`: there is no base."""
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    if _block(ours) == _block(theirs) or _block(theirs) == _block(base):
        source = ours
    elif _block(ours) == _block(base):
        source = theirs
    else:
        source = _newer(ours, theirs)
    keys = list(dict.fromkeys([*ours, *theirs]))
    for key in keys:
        if key in _METADATA:
            merged[key] = source.get(key)
            continue
        mine, old, other = (
            ours.get(key, _MISSING),
            base.get(key, _MISSING),
            theirs.get(key, _MISSING),
        )
        if added and key in (*_LISTS, *_TEXTS):
            old = [] if key in _LISTS else ""
        if mine == other or other == old:
            value = mine
        elif mine == old:
            value = other
        elif key in _LISTS:
            value = _union(mine, old, other, fold if key == "tags" else str)
        elif key == "added":
            value = min(v for v in (mine, other) if isinstance(v, str))
        elif all(isinstance(v, str) or v is _MISSING for v in (mine, old, other)):
            value, conflicted = merge_text(*(_line(v) for v in (mine, old, other)))
            if not any(isinstance(v, str) and v.endswith("\n") for v in (mine, other)):
                value = value.removesuffix("\n")
            if conflicted:
                conflicts.append(key)
        else:  # a value added by hand, not text, changed on both sides
            value = mine
        if value is not _MISSING:
            merged[key] = value
    return merged, conflicts


def _block(data: dict[str, Any]) -> tuple[Any, ...]:
    """The source's metadata of a note, to compare as one."""
    return tuple(data.get(key) for key in _METADATA)


def _newer(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """The side whose metadata is newer: filled over a placeholder, then by the source's
    version, then by its `updated` date; ours when they are equal."""

    def age(data: dict[str, Any]) -> tuple[bool, int, str]:
        return (not data.get("pending"), data.get("version") or 0, data.get("updated") or "")

    return theirs if age(theirs) > age(ours) else ours


def _union(
    ours: list[str], base: list[str], theirs: list[str], key: Callable[[str], str]
) -> list[str]:
    """Ours in its order, then theirs' additions; what either side deleted from the base is
    gone. Items are compared by `key` (folded, for tags), each kept once."""
    had = {key(item) for item in base}
    kept_by = ({key(item) for item in ours}, {key(item) for item in theirs})
    merged: dict[str, str] = {}
    for item, other in [(i, kept_by[1]) for i in ours] + [(i, kept_by[0]) for i in theirs]:
        folded = key(item)
        if folded in had and folded not in other:
            continue  # deleted by the other side
        merged.setdefault(folded, item)
    return list(merged.values())


def _line(value: Any) -> str:
    """A text as `git merge-file` takes it: ended by a newline (a missing key is empty)."""
    if value is _MISSING or value == "":
        return ""
    text: str = value
    return text if text.endswith("\n") else f"{text}\n"
