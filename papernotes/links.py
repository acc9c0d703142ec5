"""Where a note's paper or page is read on the web."""

from __future__ import annotations

from papernotes.errors import UsageError
from papernotes.ids import ArxivId
from papernotes.refs import NoteRef

ARXIV_SITE = "https://arxiv.org"


def paper_url(ref: NoteRef, *, pdf: bool = False) -> str:
    """The paper's page on arXiv (its PDF with `pdf`: the version asked for, else the
    newest), a DOI's resolver link, or the page itself."""
    if isinstance(ref, ArxivId):
        return f"{ARXIV_SITE}/{'pdf' if pdf else 'abs'}/{ref}"
    if pdf:
        raise UsageError(f"--pdf: only arXiv papers have a PDF address here; {ref} has a page")
    return ref.url  # a DOI's resolver link, or the page
