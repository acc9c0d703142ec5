"""Build the site into a folder, and bring it up to date after edits.

A manifest in the folder (`.papernotes-site.json`) records a digest of every file the
build wrote. A note's page is rendered again only when its note (its record in the index)
or the site's look (title, templates, version) changed; listings, the tag pages and the
feed are rendered each time and written only when their text changed. Pages of notes gone
are removed. Nothing else in the folder is touched, and a folder that holds files papernotes
did not write is refused rather than mixed into. The search index is made last, and only
when a note's page changed.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from papernotes.errors import UsageError
from papernotes.index import Collection
from papernotes.note import Note
from papernotes.settings import SITE_TITLE
from papernotes.site import feed, pages, search_index
from papernotes.site.pages import NoteView, SiteInfo, TagView
from papernotes.text import fold

MANIFEST = ".papernotes-site.json"
_FORMAT = 1
# Files of the package (in assets/) and where the site has them.
ASSETS = {
    "style.css": "assets/style.css",
    "search.js": "assets/search.js",
    "favicon.svg": "favicon.svg",
}


@dataclass(frozen=True)
class SiteOptions:
    """What the person building the site chose."""

    title: str = SITE_TITLE.default
    base_url: str | None = None  # https://lab.example.org/papers/: the feed's links absolute
    search: bool = True  # make Pagefind's index


@dataclass
class BuildReport:
    """What one build did."""

    folder: Path
    notes: int = 0
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: int = 0  # files already as they should be
    searched: bool = False  # the search index was made anew


def build(
    collection: Collection,
    folder: Path,
    options: SiteOptions,
    on_search: Callable[[], None] | None = None,
) -> BuildReport:
    """Write (or bring up to date) the site of the collection's notes in `folder`."""
    check_folder(folder)
    old = _read_manifest(folder)
    site_key = _site_key(options)
    written_before: dict[str, str] = old.get("pages", {})
    site = _Writer(folder, written_before if old.get("site") == site_key else {})
    records = _records(collection)
    report = site.report
    report.notes = len(records)
    info = SiteInfo(options.title)
    views = [pages.view(note) for _, note in records]
    for (record, _), view in zip(records, views, strict=True):
        site.put(
            pages.note_page(view.note),
            _digest(record),
            functools.partial(pages.note_html, info, view),
        )
    gone_notes = site.remove_gone(written_before, under="notes/")
    wanted = options.search and bool(
        report.written or gone_notes or not search_index.exists(folder)
    )
    indexing = None
    try:
        if wanted and records:  # Pagefind reads only the notes' pages, all written by now
            indexing = _index(folder, on_search)
        for path, text in _listings(info, views, options):
            site.put(path, _digest(text.encode()), functools.partial(str, text))
        site.remove_gone(written_before)
        if wanted and not records:  # no notes: the listings are what it indexes
            indexing = _index(folder, on_search)
        if indexing:
            indexing.wait()
            report.searched = True
    finally:
        if indexing and not report.searched:
            indexing.stop()
    _write_manifest(folder, site_key, site.digests)
    return report


class _Writer:
    """The files of one build: each written unless the manifest shows it as it should be."""

    def __init__(self, folder: Path, unchanged_if: dict[str, str]) -> None:
        self.folder, self.before = folder, unchanged_if
        self.digests: dict[str, str] = {}
        self.report = BuildReport(folder)

    def put(self, path: str, digest: str, text: Callable[[], str]) -> None:
        """The file at `path` (below the folder) with this digest; `text` made only if needed."""
        self.digests[path] = digest
        if self.before.get(path) == digest and (self.folder / path).is_file():
            self.report.kept += 1
            return
        _write(self.folder / path, text())
        self.report.written.append(path)

    def remove_gone(self, written_before: dict[str, str], under: str = "") -> list[str]:
        """Remove the files of the last build (below `under`) that this one has not put."""
        done = set(self.report.removed)
        gone = sorted(
            p for p in written_before.keys() - self.digests.keys()
            if p.startswith(under) and p not in done
        )  # fmt: skip
        for path in gone:
            _remove(self.folder, path)
        self.report.removed += gone
        return gone


def _index(folder: Path, on_search: Callable[[], None] | None) -> search_index.Indexing:
    if on_search:
        on_search()
    return search_index.Indexing(folder)


def check_folder(folder: Path) -> None:
    """Refuse a folder the site cannot go into: a file, or one with files of its own."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: not a folder; name a new or empty folder for the site")
    if folder.is_dir() and not (folder / MANIFEST).is_file() and any(folder.iterdir()):
        raise UsageError(
            f"{folder}/ holds files papernotes did not write; name a new or empty folder "
            "for the site (or the folder of a site built before)"
        )


def _records(collection: Collection) -> list[tuple[bytes, Note]]:
    """Every shown note with its index record, newest added first."""
    rowids = [entry[0] for entry in collection.entries()]
    raw = collection.database.records(rowids)
    import orjson

    return [(r, Note.from_index(orjson.loads(r))) for r in raw]


def _listings(
    info: SiteInfo, views: Sequence[NoteView], options: SiteOptions
) -> Iterable[tuple[str, str]]:
    """(path, text) of the index pages, the tag pages, the tag index, the feed and the assets."""
    count = f"{len(views)} note{'s' * (len(views) != 1)}, newest first."
    yield from pages.listing_pages(info, views, heading=options.title, first="index.html",
                                   intro=count)  # fmt: skip
    tagged: dict[str, list[NoteView]] = {}
    names: dict[str, str] = {}
    for note in views:
        for tag in note.tags:
            key = fold(tag.name)
            names.setdefault(key, tag.name)
            tagged.setdefault(key, []).append(note)
    tags = sorted(
        (TagView(names[k], pages.tag_page(names[k]), len(v)) for k, v in tagged.items()),
        key=lambda t: fold(t.name),
    )
    for tag in tags:
        members = tagged[fold(tag.name)]
        intro = f"{len(members)} note{'s' * (len(members) != 1)} tagged #{tag.name}."
        yield from pages.listing_pages(info, members, heading=f"#{tag.name}", first=tag.page,
                                       intro=intro)  # fmt: skip
    yield "tags/index.html", pages.tags_html(info, tags)
    yield "feed.xml", feed.render(options.title, views, options.base_url)
    for name, path in ASSETS.items():
        yield path, (resources.files("papernotes.site") / "assets" / name).read_text("utf-8")


def _site_key(options: SiteOptions) -> str:
    """What every note's page depends on beyond its note: the title, the templates, the tool."""
    from papernotes import __version__

    templates = resources.files("papernotes.site") / "templates"
    parts = [__version__, options.title]
    parts += [t.read_text("utf-8") for t in sorted(templates.iterdir(), key=lambda t: t.name)]
    return _digest("\0".join(parts).encode())


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _write(path: Path, text: str) -> None:
    """Through a temporary file and a rename, so a server never sends half a page. No fsync:
    the site is made again from the notes at any time (and 10,000 fsyncs cost seconds)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, "utf-8")
    os.replace(temporary, path)


def _remove(folder: Path, path: str) -> None:
    """A page the site no longer has; its folders too once empty (never the site's own)."""
    target = folder / path
    target.unlink(missing_ok=True)
    for parent in target.parents:
        if parent == folder or not parent.is_relative_to(folder):
            break
        try:
            parent.rmdir()
        except OSError:
            break


def _read_manifest(folder: Path) -> dict[str, Any]:
    import orjson

    try:
        data = orjson.loads((folder / MANIFEST).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}  # none, or damaged: every page is written again
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return {}
    if not isinstance(data.get("pages"), dict):
        return {}
    return data


def _write_manifest(folder: Path, site_key: str, written: dict[str, str]) -> None:
    import orjson

    data = {"format": _FORMAT, "site": site_key, "pages": written}
    _write(folder / MANIFEST, orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode())
