"""The site's search index, made by Pagefind's own binary (PyPI's `pagefind` wheel ships it).

Pagefind reads the built pages and writes `pagefind/` beside them: the index in pieces,
its WebAssembly and its search box, all loaded by the browser from the site itself.
Only note pages are indexed (they mark their content `data-pagefind-body`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from papernotes.errors import PapernotesError

BUNDLE = "pagefind"
GLOB = "notes/**/*.html"  # only notes are searched: listings would cost parsing, not add words


class SearchIndexError(PapernotesError):
    """Pagefind could not make the search index."""


def exists(folder: Path) -> bool:
    return (folder / BUNDLE / "pagefind.js").is_file()


def make(folder: Path) -> None:
    """Index the notes' pages in `folder` (Pagefind replaces its bundle as a whole).

    A site of no notes still gets a bundle (of its listings), so its search box loads.
    """
    pages = GLOB if any((folder / "notes").rglob("*.html")) else "**/*.html"
    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--glob", pages, "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise SearchIndexError(f"could not run Pagefind for the search index: {error}") from None
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip()).splitlines()
        reason = said[-1] if said else f"exit code {done.returncode}"
        raise SearchIndexError(
            f"Pagefind could not make the search index of {folder}/: {reason} "
            "(reinstalling papernotes brings Pagefind's binary again)"
        )
