"""`refresh`: fetch each note's source again (arXiv, Crossref, the page) and update the
source's fields, never the reader's. With `journal`, an arXiv note that has a DOI also takes
its journal version's details from Crossref.

TL;DR, findings, commentary, tags, the date added and any key the reader added by hand are
kept as they are in the file at the moment of writing: each note is read again, under the
folder's lock, right before it is replaced.

A version going down (the note says v9, arXiv's latest is v7) is an anomaly: a version
typed by hand, or an answer from an out-of-date mirror. It is reported and not applied;
like a paper arXiv did not find or could not answer for, it makes `refresh` exit with 1.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papernotes.errors import InvalidIdError, NoteFileError, NoteNotFoundError
from papernotes.ids import ArxivId
from papernotes.note import Note
from papernotes.store import NoteStore

if TYPE_CHECKING:
    from papernotes.intake import Sources
    from papernotes.refs import NoteRef

# Each source's fields, and the names a report gives to the ones a reader cares about.
ARXIV_FIELDS = (
    "version", "title", "authors", "abstract", "published", "updated", "primary_category",
    "categories", "doi", "journal_ref", "comment", "url", "pdf_url",
)  # fmt: skip
# What Crossref says of a journal's version of an arXiv paper (`refresh --crossref`).
JOURNAL_FIELDS = (
    "container", "volume", "issue", "pages", "publisher", "type", "references_count",
    "cited_by_count",
)  # fmt: skip
CROSSREF_FIELDS = (
    "title", "subtitle", "authors", "abstract", "published", *JOURNAL_FIELDS, "arxiv", "url",
)  # fmt: skip
# A page's; its title only while the note has none (a title given with --title stays).
PAGE_FIELDS = (
    "authors", "abstract", "published", "site", "language", "repository", "arxiv", "doi",
)  # fmt: skip
NAMES = {
    "title": "title",
    "subtitle": "title",
    "authors": "authors",
    "abstract": "abstract",
    "doi": "DOI",
    "arxiv": "arXiv id",
    "journal_ref": "journal reference",
    "comment": "comment",
    "categories": "categories",
    "primary_category": "categories",
    "container": "journal",
    "volume": "volume",
    "issue": "issue",
    "pages": "pages",
    "publisher": "publisher",
    "references_count": "counts",
    "cited_by_count": "counts",
    "site": "site",
    "repository": "repository",
}


@dataclass
class Change:
    """What refresh found for one paper."""

    arxiv_id: NoteRef  # the note's reference, of any kind
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


def arxiv_changes(current: Note, fetched: Note, fields: Sequence[str] = ARXIV_FIELDS) -> list[str]:
    """Names of the source's fields that differ, in report order, without repeats."""
    before, after = current.to_dict(), fetched.to_dict()
    names = [NAMES[key] for key in fields if key in NAMES and before[key] != after[key]]
    return list(dict.fromkeys(names))


def merged(current: Note, fetched: Note, fields: Sequence[str] = ARXIV_FIELDS) -> Note:
    """`current` with the source's fields taken from `fetched`; everything else kept."""
    for key in fields:
        setattr(current, key, getattr(fetched, key))
    if current.kind == "link" and not current.title:
        current.title = fetched.title
    current.pending = False
    return current


@dataclass
class _Answers:
    """What the sources said, by note id: the fetched note, or why there is none."""

    found: dict[str, Note] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def refresh_notes(
    store: NoteStore,
    sources: Sources,
    notes: Iterable[Note],
    *,
    journal: bool = False,
    dry_run: bool = False,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[Change]:
    """Fetch every note's source again (an arXiv paper's latest version) and update what
    changed; with `journal`, arXiv notes with a DOI take Crossref's journal details too."""
    chosen = list(notes)
    papers = [n for n in chosen if n.kind == "arxiv"]
    if on_total:
        on_total(len(chosen) + (len(papers) if journal else 0))
    answers = _Answers()
    if papers:
        _from_arxiv(sources, papers, answers, on_progress)
    # the DOI arXiv gives now, else the one the note holds
    with_doi = [answers.found.get(n.id, n) for n in papers] if journal else []
    with_doi = [n for n in with_doi if n.doi]
    dois = [n for n in chosen if n.kind == "doi"]
    journals: dict[str, Note] = {}
    if dois or with_doi:
        _from_crossref(sources, dois, with_doi, answers, journals, on_progress)
    for note in (n for n in chosen if n.kind == "link"):
        page = sources.web().read(note.ref)  # type: ignore[arg-type]
        if page.note is None:
            answers.failed[note.id] = page.problem or "no answer"
        else:
            answers.found[note.id] = page.note
        if on_progress:
            on_progress(1)
    changes = []
    for note in chosen:
        change = Change(note.ref, "unchanged", old_version=note.version)
        fields = _fields(note, journal=note.id in journals)
        if note.id in answers.found:
            fetched = answers.found[note.id]
            if note.id in journals:
                for key in JOURNAL_FIELDS:
                    setattr(fetched, key, getattr(journals[note.id], key))
            _apply(store, note, fetched, fields, change, dry_run=dry_run)
        elif note.id in answers.missing:
            change.status, change.message = (
                "not found",
                f"{answers.missing[note.id]}; note unchanged",
            )
        else:
            reason = answers.failed.get(note.id, "no answer")
            change.status, change.message = "failed", f"{reason}; note unchanged"
        changes.append(change)
    return changes


def _fields(note: Note, *, journal: bool) -> tuple[str, ...]:
    if note.kind == "doi":
        return CROSSREF_FIELDS
    if note.kind == "link":
        return PAGE_FIELDS
    return (*ARXIV_FIELDS, *JOURNAL_FIELDS) if journal else ARXIV_FIELDS


def _from_arxiv(
    sources: Sources,
    papers: list[Note],
    answers: _Answers,
    on_progress: Callable[[int], None] | None,
) -> None:
    wanted = [ArxivId(n.id) for n in papers]
    report = sources.arxiv.fetch(wanted, on_progress)
    for arxiv_id in wanted:
        if arxiv_id in report.found:
            answers.found[arxiv_id.base] = report.found[arxiv_id]
        elif arxiv_id in report.missing or arxiv_id in report.rejected:
            answers.missing[arxiv_id.base] = "not found on arXiv"
        else:
            answers.failed[arxiv_id.base] = report.failed.get(arxiv_id, "no answer")


def _from_crossref(
    sources: Sources,
    dois: list[Note],
    with_doi: list[Note],
    answers: _Answers,
    journals: dict[str, Note],
    on_progress: Callable[[int], None] | None,
) -> None:
    from papernotes.crossref_source import NOT_FOUND, note_from_work
    from papernotes.refs import normalise_doi

    asked = {n.id: n.ref.doi for n in dois}  # type: ignore[union-attr]
    for note in with_doi:
        with contextlib.suppress(InvalidIdError):
            asked[note.id] = normalise_doi(note.doi or "")
    report = sources.crossref().fetch(list(dict.fromkeys(asked.values())), on_progress)
    for note_id, doi in asked.items():
        work = report.found.get(doi)
        is_doi_note = note_id.startswith("doi:")
        if work is not None:
            (answers.found if is_doi_note else journals)[note_id] = note_from_work(work)
        elif not is_doi_note:
            continue  # the journal's details are a bonus: the arXiv refresh stands alone
        elif doi in report.missing:
            answers.missing[note_id] = NOT_FOUND
        else:
            answers.failed[note_id] = report.failed.get(doi, "no answer")


OLDER = "arXiv's latest version is older than the note's; note unchanged"


def _older(note: Note, fetched: Note) -> bool:
    """Whether arXiv's answer would take a note with metadata back to an older version.

    A placeholder's version is only the one asked for: its first fill is never an anomaly.
    """
    if note.pending or note.version is None or fetched.version is None:
        return False
    return fetched.version < note.version


def _apply(
    store: NoteStore,
    note: Note,
    fetched: Note,
    fields: Sequence[str],
    change: Change,
    *,
    dry_run: bool,
) -> None:
    change.new_version = fetched.version
    if _older(note, fetched):
        change.status, change.message = "anomaly", OLDER
        return
    change.changed = arxiv_changes(note, fetched, fields)
    different = note.pending or any(getattr(note, key) != getattr(fetched, key) for key in fields)
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
        store.save(merged(current, fetched, fields), store.path_for(change.arxiv_id))
