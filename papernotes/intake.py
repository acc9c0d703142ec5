"""Turning what a user pastes into notes: parse each reference, skip known ones, fetch from
its source (arXiv, Crossref, the page itself), write.

A link to a page about a paper (it names an arXiv id or a DOI) becomes a note on that paper,
with the page kept among its `links`; when the paper's source does not know it or cannot be
reached, the page's own note keeps the paper's id. Whatever could not be read still gets a
placeholder note, marked pending, so nothing asked for is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from papernotes.annotating import clean_tags, retag, update
from papernotes.errors import InvalidIdError, NoteFileError
from papernotes.ids import ArxivId
from papernotes.note import Note
from papernotes.refs import DoiRef, LinkRef, NoteRef, parse_ref
from papernotes.store import NoteStore

if TYPE_CHECKING:
    from papernotes.arxiv_source import ArxivSource
    from papernotes.crossref_source import CrossrefSource
    from papernotes.web_source import WebSource


class Status(str, Enum):
    """What happened to one requested paper or page."""

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
    """One requested paper or page: the input as typed, its reference when valid, and what
    happened."""

    given: str
    status: Status
    message: str
    ref: NoteRef | None = None
    note: Note | None = None

    def to_dict(self) -> dict[str, Any]:
        """`add --json`'s object: the input, its status, what happened, and the note's keys
        (`show --json`'s) when there is a note."""
        status = "added" if self.status is Status.COMPLETED else self.status.value
        ours = {"input": self.given, "status": status.replace(" ", "_"), "message": self.message}
        # ours first, and kept: a key of the same name added to the note by hand cannot hide them
        return {**ours, **(self.note.to_dict() if self.note is not None else {}), **ours}


@dataclass
class Sources:
    """Where notes come from; Crossref and the web are made only when an input needs them."""

    arxiv: ArxivSource
    crossref: Callable[[], CrossrefSource]
    web: Callable[[], WebSource]


def now_stamp() -> str:
    """The current UTC time as an ISO 8601 string, the form notes keep dates in."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_papers(
    store: NoteStore,
    sources: Sources,
    given: Iterable[str],
    *,
    tags: Iterable[str] = (),
    title: str | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Add a note for every paper or page in `given`, in order; an existing note only gets
    the `tags` it lacks. `title` names a link's note, whatever its page says.

    A placeholder left when a source could not be reached is filled in when asked for again:
    the source's fields are written and everything the reader wrote in it is kept.
    """
    run = _Run(store, sources, clean_tags(tags), now_stamp(), title)
    outcomes: list[Outcome] = []
    for text in given:
        try:
            ref = parse_ref(text)
        except InvalidIdError as err:
            outcomes.append(Outcome(text, Status.INVALID, str(err)))
            continue
        if ref.base in run.wanted:
            continue  # the same paper twice in one command
        outcome = Outcome(text, Status.PENDING, "", ref)
        run.wanted[ref.base] = outcome
        outcomes.append(outcome)
        if store.exists(ref):
            run.mark_existing(outcome)
    to_fetch = [
        o.ref
        for o in run.wanted.values()
        if o.ref and (o.status is Status.PENDING or (o.note is not None and o.note.pending))
    ]
    if on_total:
        on_total(len(to_fetch))
    run.fetch(to_fetch, on_progress)
    return outcomes


# A paper's id -> the pages (their outcome and own note) that name it, in the order given.
About = dict[str, list[tuple[Outcome, Note]]]


class _Run:
    """One `add`: the outcomes by reference, and how each kind is fetched and written."""

    def __init__(
        self, store: NoteStore, sources: Sources, tags: list[str], added: str, title: str | None
    ) -> None:
        self.store, self.sources, self.tags, self.added, self.title = (
            store, sources, tags, added, title
        )  # fmt: skip
        self.wanted: dict[str, Outcome] = {}

    def fetch(self, refs: list[NoteRef], on_progress: Callable[[int], None] | None) -> None:
        papers = [r for r in refs if isinstance(r, ArxivId)]
        dois = [r for r in refs if isinstance(r, DoiRef)]
        links = [r for r in refs if isinstance(r, LinkRef)]
        about: About = {}
        for link in links:
            self.read_link(self.wanted[link.base], about)
            if on_progress:
                on_progress(1)
        for paper_id, pages in about.items():
            paper = parse_ref(paper_id)
            if self.store.exists(paper):
                for outcome, _ in pages:
                    self.page_of_known_paper(outcome, paper)
            elif isinstance(paper, ArxivId):
                papers.append(paper)
            elif isinstance(paper, DoiRef):
                dois.append(paper)
        if papers:
            self.fetch_arxiv(papers, about, on_progress)
        if dois:
            self.fetch_crossref(dois, about, on_progress)

    # --- arXiv and Crossref ------------------------------------------------------------

    def fetch_arxiv(
        self,
        papers: list[ArxivId],
        about: About,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        report = self.sources.arxiv.fetch(papers, on_progress)
        for paper in papers:
            found = report.found.get(paper)
            if paper.base in about and paper.base not in self.wanted:
                self.paper_of_pages(about[paper.base], found, "arXiv")
                continue
            if found is not None:
                self.found(self.wanted[paper.base], found)
            elif paper in report.missing:
                self.not_found(self.wanted[paper.base], "not found on arXiv (check the id)")
            elif paper in report.rejected:
                outcome = self.wanted[paper.base]
                outcome.status, outcome.message = Status.INVALID, "arXiv rejects this identifier"
                outcome.message += self.kept(outcome)
            else:
                self.unreachable(self.wanted[paper.base], report.failed.get(paper, "no answer"))

    def fetch_crossref(
        self,
        dois: list[DoiRef],
        about: About,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        from papernotes.crossref_source import NOT_FOUND, note_from_work

        report = self.sources.crossref().fetch([d.doi for d in dois], on_progress)
        for doi in dois:
            work = report.found.get(doi.doi)
            found = note_from_work(work) if work is not None else None
            if doi.base in about and doi.base not in self.wanted:
                self.paper_of_pages(about[doi.base], found, "Crossref")
            elif found is not None:
                self.found(self.wanted[doi.base], found)
            elif doi.doi in report.missing:
                self.not_found(self.wanted[doi.base], f"{NOT_FOUND} (check the DOI)")
            else:
                self.unreachable(self.wanted[doi.base], report.failed.get(doi.doi, "no answer"))

    # --- links -------------------------------------------------------------------------

    def read_link(self, outcome: Outcome, about: About) -> None:
        """Read a link's page: its own note, or (set aside in `about`) a page about a paper.
        A placeholder the page already has is filled in place: the reader wrote in it."""
        assert isinstance(outcome.ref, LinkRef)
        page = self.sources.web().read(outcome.ref, outcome.given)
        if page.note is None:
            self.unreachable(outcome, page.problem or "no answer")
            return
        if self.title:
            page.note.title = self.title
        for name in page.names if outcome.status is not Status.EXISTS else ():
            try:  # the paper the page is about: the note is that paper's
                paper = parse_ref(name)
            except InvalidIdError:
                continue
            if paper.base not in self.wanted:
                about.setdefault(paper.base, []).append((outcome, page.note))
                return
        self.found(outcome, page.note)

    def page_of_known_paper(self, outcome: Outcome, paper: NoteRef) -> None:
        """A page about a paper that has a note: the page joins its links (and the tags)."""
        assert outcome.ref is not None
        url = outcome.ref.base

        def change(note: Note) -> None:
            note.links = [*note.links, url] if url not in note.links else note.links
            note.tags = clean_tags([*note.tags, *self.tags])

        try:
            edited = update(self.store, self.store.path_for(paper), change)
        except NoteFileError as err:
            outcome.status, outcome.message = Status.EXISTS, f"about {paper}, whose note: {err}"
            return
        outcome.status, outcome.note = Status.EXISTS, edited.note
        outcome.message = f"the page is about {paper}, which has a note; kept among its links"

    def paper_of_pages(
        self, pages: list[tuple[Outcome, Note]], paper: Note | None, source: str
    ) -> None:
        """The note on the paper pages name, the pages among its links; each page's own
        note (which keeps the paper's id) when the paper's source does not know it or is
        down."""
        if paper is None:
            for outcome, page in pages:
                self.found(outcome, page)
                outcome.message = (
                    f"names {page.arxiv or page.doi}, which {source} did not give: kept as a link"
                )
            return
        paper.links = [outcome.ref.base for outcome, _ in pages if outcome.ref is not None]
        paper.tags, paper.added = list(self.tags), self.added
        if not self.store.create(paper):  # written meanwhile: the pages join its links
            for outcome, _ in pages:
                self.page_of_known_paper(outcome, paper.ref)
            return
        for outcome, _ in pages:
            outcome.status, outcome.note = Status.ADDED, paper
            outcome.message = f"added as {paper.id}, the paper it is about"

    # --- writing -----------------------------------------------------------------------

    def found(self, outcome: Outcome, fetched: Note) -> None:
        if outcome.status is Status.EXISTS:  # a placeholder there: filled in
            self.complete(outcome, fetched)
        else:
            fetched.tags, fetched.added = list(self.tags), self.added
            if self.title and fetched.kind == "link":
                fetched.title = self.title
            self.write_new(outcome, fetched, Status.ADDED, "added")

    def not_found(self, outcome: Outcome, why: str) -> None:
        outcome.message = why + self.kept(outcome)
        outcome.status = Status.NOT_FOUND

    def unreachable(self, outcome: Outcome, reason: str) -> None:
        assert outcome.ref is not None
        if outcome.status is Status.EXISTS:  # a placeholder there: still one
            outcome.status = Status.PENDING
            outcome.message = f"still pending ({reason}); the placeholder note is kept"
            return
        note = Note.placeholder(outcome.ref, list(self.tags), self.added)
        if self.title and note.kind == "link":
            note.title = self.title
        message = f"pending ({reason}); placeholder note written"
        self.write_new(outcome, note, Status.PENDING, message)

    @staticmethod
    def kept(outcome: Outcome) -> str:
        return (
            "; the placeholder note is kept"
            if outcome.status is Status.EXISTS
            else ("; no note written")
        )

    def mark_existing(self, outcome: Outcome) -> None:
        """An existing note: tagged with the tags it lacks (a placeholder: once filled in)."""
        assert outcome.ref is not None
        outcome.status = Status.EXISTS
        outcome.message = "already has a note; left unchanged"
        try:
            outcome.note = self.store.get(outcome.ref)
            if self.tags and not outcome.note.pending:
                edited = retag(self.store, self.store.path_for(outcome.ref), add=self.tags)
                if edited.changed:
                    new = [t for t in edited.note.tags if t not in outcome.note.tags]
                    outcome.status = Status.TAGGED
                    outcome.message = "already has a note; tagged " + " ".join(f"#{t}" for t in new)
                outcome.note = edited.note
        except NoteFileError as err:
            outcome.message = f"already has a note, which cannot be read: {err}"

    def complete(self, outcome: Outcome, fetched: Note) -> None:
        """Fill a placeholder with its source's fields, keeping what the reader wrote."""
        assert outcome.ref is not None
        with self.store.lock():  # read and write as one step: no concurrent edit is lost
            current = self.store.get(outcome.ref)
            for name in ("tldr", "findings", "commentary", "added", "extra"):
                setattr(fetched, name, getattr(current, name))
            if current.title and fetched.kind == "link":  # a title given with --title
                fetched.title = current.title
            fetched.links = [*current.links, *(u for u in fetched.links if u not in current.links)]
            fetched.tags = clean_tags([*current.tags, *self.tags])
            self.store.save(fetched, self.store.path_for(outcome.ref))
        outcome.status, outcome.message, outcome.note = (
            Status.COMPLETED, "metadata filled in", fetched
        )  # fmt: skip

    def write_new(self, outcome: Outcome, note: Note, status: Status, message: str) -> None:
        if self.store.create(note):
            outcome.status, outcome.message, outcome.note = status, message, note
        else:  # another process wrote it meanwhile
            self.mark_existing(outcome)
