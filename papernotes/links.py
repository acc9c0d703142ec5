"""Where a paper is read on the web."""

from __future__ import annotations

from papernotes.ids import ArxivId

ARXIV_SITE = "https://arxiv.org"


def paper_url(arxiv_id: ArxivId, *, pdf: bool = False) -> str:
    """The paper's page on arXiv (its PDF with `pdf`): the version asked for, else the newest."""
    return f"{ARXIV_SITE}/{'pdf' if pdf else 'abs'}/{arxiv_id}"
