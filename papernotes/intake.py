"""Turning what a user pastes into notes: parse ids, skip known papers, fetch, write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from papernotes.annotating import clean_tags, retag
from papernotes.arxiv_source import ArxivSource
from papernotes.errors import InvalidIdError, NoteFileError
from papernotes.ids import ArxivId, parse_id
from papernotes.note import Note
from papernotes.store import NoteStore


class Status(str, Enum):
    """What happened to one requested paper."""

    ADDED = "added"
    COMPLETED = "completed"
    EXISTS = "exists"
    TAGGED = "tagged"
    PENDING = "pending"
    NOT_FOUND = "not found"
    INVALID = "invalid"

    @property
    def ok(self) -> bool:
        """True when the user got what they asked for."""
        return self in (Status.ADDED, Status.COMPLETED, Status.EXISTS, Status.TAGGED)


@dataclass
class Outcome:
    """One requested paper: the input as typed, its id when valid, and what happened."""

    given: str
    status: Status
    message: str
    arxiv_id: ArxivId | None = None
    note: Note | None = None

    def to_dict(self) -> dict[str, Any]:
        """`add --json`'s object: the input, its status, what happened, and the note's keys
        (`show --json`'s) when there is a note."""
        status = "added" if self.status is Status.COMPLETED else self.status.value
        ours = {"input": self.given, "status": status.replace(" ", "_"), "message": self.message}
        # ours first, and kept: a key of the same name added to the note by hand cannot hide them
        return {**ours, **(self.note.to_dict() if self.note is not None else {}), **ours}


def now_stamp() -> str:
    """The current UTC time as an ISO 8601 string, the form notes keep dates in."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_papers(
    store: NoteStore,
    source: ArxivSource,
    given: Iterable[str],
    *,
    tags: Iterable[str] = (),
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Add a note for every paper in `given`, in order; an existing note only gets the
    `tags` it lacks.

    A placeholder left when arXiv could not be reached is filled in when asked for again:
    arXiv's fields are written and everything the reader wrote in it is kept.
    """
    tag_list, added = clean_tags(tags), now_stamp()
    outcomes: list[Outcome] = []
    wanted: dict[str, Outcome] = {}
    for text in given:
        try:
            arxiv_id = parse_id(text)
        except InvalidIdError as err:
            outcomes.append(Outcome(text, Status.INVALID, str(err)))
            continue
        if arxiv_id.base in wanted:
            continue  # the same paper twice in one command
        outcome = Outcome(text, Status.PENDING, "", arxiv_id)
        wanted[arxiv_id.base] = outcome
        outcomes.append(outcome)
        if store.exists(arxiv_id):
            _mark_existing(store, outcome, tag_list)

    to_fetch = [
        o.arxiv_id
        for o in wanted.values()
        if o.arxiv_id and (o.status is Status.PENDING or (o.note is not None and o.note.pending))
    ]
    if on_total:
        on_total(len(to_fetch))
    if not to_fetch:
        return outcomes
    report = source.fetch(to_fetch, on_progress)
    for arxiv_id in to_fetch:
        outcome = wanted[arxiv_id.base]
        is_placeholder = outcome.status is Status.EXISTS
        keep = "; the placeholder note is kept" if is_placeholder else "; no note written"
        if arxiv_id in report.found:
            fetched = report.found[arxiv_id]
            if is_placeholder:
                _complete(store, outcome, fetched, tag_list)
            else:
                fetched.tags, fetched.added = list(tag_list), added
                _write_new(store, outcome, fetched, Status.ADDED, "added")
        elif arxiv_id in report.missing:
            outcome.status = Status.NOT_FOUND
            outcome.message = f"not found on arXiv (check the id){keep}"
        elif arxiv_id in report.rejected:
            outcome.status = Status.INVALID
            outcome.message = f"arXiv rejects this identifier{keep}"
        else:
            reason = report.failed.get(arxiv_id, "no answer")
            if is_placeholder:
                outcome.status = Status.PENDING
                outcome.message = f"metadata still pending ({reason}){keep}"
            else:
                note = Note.placeholder(arxiv_id, list(tag_list), added)
                message = f"metadata pending ({reason}); placeholder note written"
                _write_new(store, outcome, note, Status.PENDING, message)
    return outcomes


def _mark_existing(store: NoteStore, outcome: Outcome, tags: list[str]) -> None:
    """An existing note: tagged with the `tags` it lacks (a placeholder: once filled in)."""
    assert outcome.arxiv_id is not None
    outcome.status = Status.EXISTS
    outcome.message = "already has a note; left unchanged"
    try:
        outcome.note = store.get(outcome.arxiv_id)
        if tags and not outcome.note.pending:
            edited = retag(store, store.path_for(outcome.arxiv_id), add=tags)
            if edited.changed:
                new = [t for t in edited.note.tags if t not in outcome.note.tags]
                outcome.status = Status.TAGGED
                outcome.message = "already has a note; tagged " + " ".join(f"#{t}" for t in new)
            outcome.note = edited.note
    except NoteFileError as err:
        outcome.message = f"already has a note, which cannot be read: {err}"


def _complete(store: NoteStore, outcome: Outcome, fetched: Note, tags: list[str]) -> None:
    """Fill a placeholder with arXiv's fields, keeping what the reader wrote meanwhile."""
    assert outcome.arxiv_id is not None
    with store.lock():  # read and write as one step: no concurrent edit is lost
        current = store.get(outcome.arxiv_id)
        for name in ("tldr", "findings", "commentary", "added", "extra"):
            setattr(fetched, name, getattr(current, name))
        fetched.tags = clean_tags([*current.tags, *tags])
        store.save(fetched)
    outcome.status, outcome.message, outcome.note = Status.COMPLETED, "metadata filled in", fetched


def _write_new(
    store: NoteStore, outcome: Outcome, note: Note, status: Status, message: str
) -> None:
    if store.create(note):
        outcome.status, outcome.message, outcome.note = status, message, note
    else:  # another process wrote it meanwhile
        _mark_existing(store, outcome, note.tags)
