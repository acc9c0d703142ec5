"""`refresh`: fetch arXiv's metadata again and update arXiv's fields, never the reader's.

TL;DR, findings, commentary, tags, the date added and any key the reader added by hand are
kept as they are in the file at the moment of writing: each note is read again, under the
folder's lock, right before it is replaced.

A version going down (the note says v9, arXiv's latest is v7) is an anomaly: a version
typed by hand, or an answer from an out-of-date mirror. It is reported and not applied;
like a paper arXiv did not find or could not answer for, it makes `refresh` exit with 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from papernotes.arxiv_source import ArxivSource
from papernotes.errors import NoteFileError, NoteNotFoundError
from papernotes.ids import ArxivId
from papernotes.note import Note
from papernotes.store import NoteStore

# arXiv's fields, and the names a report gives to the ones a reader cares about.
ARXIV_FIELDS = (
    "version", "title", "authors", "abstract", "published", "updated", "primary_category",
    "categories", "doi", "journal_ref", "comment", "url", "pdf_url",
)  # fmt: skip
NAMES = {
    "title": "title",
    "authors": "authors",
    "abstract": "abstract",
    "doi": "DOI",
    "journal_ref": "journal reference",
    "comment": "comment",
    "categories": "categories",
    "primary_category": "categories",
}


@dataclass
class Change:
    """What refresh found for one paper."""

    arxiv_id: ArxivId
    status: str  # updated, completed, unchanged, anomaly, not found, failed
    changed: list[str] = field(default_factory=list)
    old_version: int | None = None
    new_version: int | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        """False when arXiv could not tell us about this paper, or told us something odd."""
        return self.status not in ("not found", "failed", "anomaly")

    def describe(self) -> str:
        """`v1 → v3; title, DOI changed`, `pending → v2` and the like."""
        if self.status == "anomaly":
            return f"v{self.old_version} → v{self.new_version}: {self.message}"
        parts = []
        if self.status == "completed" and self.new_version:  # a placeholder's first fill
            parts.append(f"pending → v{self.new_version}")
        elif self.old_version != self.new_version and self.new_version:
            old = f"v{self.old_version}" if self.old_version else "no version"
            parts.append(f"{old} → v{self.new_version}")
        if self.changed:
            parts.append(", ".join(self.changed) + " changed")
        if not parts and self.status == "updated":
            parts.append("dates or links changed")
        return "; ".join(parts) or self.message


def arxiv_changes(current: Note, fetched: Note) -> list[str]:
    """Names of arXiv's fields that differ, in report order, without repeats."""
    before, after = current.to_dict(), fetched.to_dict()
    names = [NAMES[key] for key in ARXIV_FIELDS if key in NAMES and before[key] != after[key]]
    return list(dict.fromkeys(names))


def merged(current: Note, fetched: Note) -> Note:
    """`current` with arXiv's fields taken from `fetched`; everything else kept."""
    values: dict[str, Any] = {key: getattr(fetched, key) for key in ARXIV_FIELDS}
    for key, value in values.items():
        setattr(current, key, value)
    current.pending = False
    return current


def refresh_notes(
    store: NoteStore,
    source: ArxivSource,
    notes: Iterable[Note],
    *,
    dry_run: bool = False,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[Change]:
    """Fetch every paper of `notes` again (latest version) and update what changed."""
    chosen = list(notes)
    wanted = [ArxivId(n.id) for n in chosen]
    if on_total:
        on_total(len(wanted))
    report = source.fetch(wanted, on_progress)
    changes = []
    for note, arxiv_id in zip(chosen, wanted, strict=True):
        change = Change(arxiv_id, "unchanged", old_version=note.version)
        if arxiv_id in report.found:
            _apply(store, note, report.found[arxiv_id], change, dry_run=dry_run)
        elif arxiv_id in report.missing or arxiv_id in report.rejected:
            change.status, change.message = "not found", "not found on arXiv; note unchanged"
        else:
            reason = report.failed.get(arxiv_id, "no answer")
            change.status, change.message = "failed", f"{reason}; note unchanged"
        changes.append(change)
    return changes


OLDER = "arXiv's latest version is older than the note's; note unchanged"


def _older(note: Note, fetched: Note) -> bool:
    """Whether arXiv's answer would take a note with metadata back to an older version.

    A placeholder's version is only the one asked for: its first fill is never an anomaly.
    """
    if note.pending or note.version is None or fetched.version is None:
        return False
    return fetched.version < note.version


def _apply(store: NoteStore, note: Note, fetched: Note, change: Change, *, dry_run: bool) -> None:
    change.new_version = fetched.version
    if _older(note, fetched):
        change.status, change.message = "anomaly", OLDER
        return
    change.changed = arxiv_changes(note, fetched)
    different = note.pending or any(
        getattr(note, key) != getattr(fetched, key) for key in ARXIV_FIELDS
    )
    if not different:
        change.message = "up to date"
        return
    change.status = "completed" if note.pending else "updated"
    if dry_run:
        return
    with store.lock():
        try:
            current = store.get(change.arxiv_id)  # the file as it is now, hand edits included
        except NoteNotFoundError:
            change.status, change.message = "failed", "the note was removed meanwhile"
            return
        except NoteFileError as err:
            change.status, change.message = "failed", f"{err}; note unchanged"
            return
        if _older(current, fetched):  # a version typed by hand while arXiv answered
            change.status, change.message = "anomaly", OLDER
            change.old_version, change.changed = current.version, []
            return
        store.save(merged(current, fetched))
