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


class Indexing:
    """Pagefind at work on a folder's pages, in its own process: the build goes on with the
    listings meanwhile, which Pagefind does not read (on two cores, a rebuild's seconds)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # A site of no notes still gets a bundle (of its listings), so its search box loads.
        pages = GLOB if any((folder / "notes").rglob("*.html")) else "**/*.html"
        command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--glob", pages]
        try:
            self._process = subprocess.Popen(
                [*command, "--silent"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        except OSError as error:
            raise SearchIndexError(
                f"could not run Pagefind for the search index: {error}"
            ) from None

    def wait(self) -> None:
        """Until the index is written; SearchIndexError with Pagefind's reason if it failed."""
        out, err = self._process.communicate()
        if self._process.returncode != 0:
            said = (err.strip() or out.strip()).splitlines()
            reason = said[-1] if said else f"exit code {self._process.returncode}"
            raise SearchIndexError(
                f"Pagefind could not make the search index of {self.folder}/: {reason} "
                "(reinstalling papernotes brings Pagefind's binary again)"
            )

    def stop(self) -> None:
        """Stop it (the build failed): no half-made index is waited for."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.communicate()
