"""Where a note's paper or page is read on the web."""

from __future__ import annotations

import re

from papernotes.errors import UsageError
from papernotes.ids import ArxivId
from papernotes.refs import NoteRef

ARXIV_SITE = "https://arxiv.org"
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
# Who had not answered when a placeholder was made, by kind of note.
_NOT_ANSWERED = {"arxiv": "arXiv had not answered", "doi": "Crossref had not answered"}


def web_url(url: str | None) -> str:
    """An http(s) address without white space or control characters; "" for anything else
    (`javascript:`, a broken one): what every export and the site may link to."""
    url = (url or "").strip()
    if not url.lower().startswith(("https://", "http://")) or _SPACE_OR_CONTROL.search(url):
        return ""
    return url


def not_answered(kind: str) -> str:
    """Why a placeholder of this kind has no metadata, in words."""
    return f"{_NOT_ANSWERED.get(kind, 'the page had not been read')} when this note was made"


def paper_url(ref: NoteRef, *, pdf: bool = False) -> str:
    """The paper's page on arXiv (its PDF with `pdf`: the version asked for, else the
    newest), a DOI's resolver link, or the page itself."""
    if isinstance(ref, ArxivId):
        return f"{ARXIV_SITE}/{'pdf' if pdf else 'abs'}/{ref}"
    if pdf:
        raise UsageError(f"--pdf: only arXiv papers have a PDF address here; {ref} has a page")
    return ref.url  # a DOI's resolver link, or the page
