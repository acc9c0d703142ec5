"""`papernotes site`: the pages, the feed, safety, the incremental rebuild and the preview.

The pages are read back with html.parser (every tag closed, attributes as parsed) and the
feed with ElementTree; every link inside the site must name a file the build wrote.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

import html5lib
import pytest

from papernotes.index import Collection
from papernotes.note import Author, Note, dump_note
from papernotes.site import SiteOptions, build
from papernotes.site.builder import MANIFEST
from papernotes.site.feed import ATOM, NEWEST
from papernotes.site.pages import PER_PAGE

SHIPPED = Path(__file__).parent.parent / "notes"
VOID = {"meta", "link", "br", "hr", "img", "input", "source", "wbr"}
A = f"{{{ATOM}}}"


class Page(HTMLParser):
    """A page as parsed: its elements (name, attributes), headings, text, and nesting errors."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.headings: list[tuple[int, str]] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self._open: list[str] = []
        self._heading: list[str] | None = None
        self.feed(text)
        self.close()
        if self._open:
            self.errors.append(f"not closed: {self._open}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("h1", "h2", "h3", "h4"):
            self._heading = []
            self.headings.append((int(tag[1]), ""))
        if tag not in VOID:
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self._open[-1:] or 'nothing'}")
            return
        self._open.pop()
        if tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            self.headings[-1] = (self.headings[-1][0], "".join(self._heading).strip())
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.elements if name == tag]

    @property
    def h1(self) -> str:
        return next(text for level, text in self.headings if level == 1)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def read(path: Path) -> Page:
    return Page(path.read_text("utf-8"))


def note(arxiv_id: str, title: str, added: str, **fields: object) -> Note:
    fields.setdefault("authors", [Author("Ann Author")])
    return Note(id=arxiv_id, version=1, title=title, added=added,
                published="2020-01-02T00:00:00Z", **fields)  # type: ignore[arg-type]  # fmt: skip


def write(folder: Path, *notes: Note) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for each in notes:
        (folder / f"{each.ref.stem}.yaml").write_text(dump_note(each), "utf-8")


@pytest.fixture
def shipped(notes_dir: Path) -> Path:
    shutil.copytree(SHIPPED, notes_dir, ignore=shutil.ignore_patterns(".index*"))
    return notes_dir


@pytest.fixture
def public(isolated: Path) -> Path:
    return isolated / "public"


def site_of(notes: Path, public: Path, **options: object) -> None:
    collection = Collection(notes)
    collection.sync()
    build(collection, public, SiteOptions(search=False, **options))  # type: ignore[arg-type]
    collection.close()


def test_the_shipped_notes_make_a_site_every_link_of_which_is_there(cli, shipped, public) -> None:
    result = cli("site", "-o", str(public), "--title", "Papers we read")
    assert "Built the site of 8 notes" in result.stderr
    pages = sorted(public.rglob("*.html"))
    notes = sorted(public.glob("notes/**/*.html"))
    assert len(notes) == 8
    assert (public / "feed.xml").is_file() and (public / "favicon.svg").is_file()
    assert (public / "pagefind" / "pagefind-ui.js").is_file()
    for path in pages:
        if path.is_relative_to(public / "pagefind"):
            continue
        page = read(path)
        assert page.errors == [], path
        html5lib.HTMLParser(strict=True).parse(path.read_bytes())  # raises on a parse error
        assert page.all("html")[0]["lang"] == "en"
        levels = [level for level, _ in page.headings]
        assert levels[0] == 1 and levels.count(1) == 1, path
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (path, levels)
        assert all("alt" in img for img in page.all("img"))
        for tag, attribute in (("a", "href"), ("link", "href"), ("script", "src")):
            for attrs in page.all(tag):
                url = attrs.get(attribute, "")
                if urlsplit(url).scheme:
                    assert tag == "a" and url.startswith(("https://", "http://")), url
                    assert attrs.get("rel") == "noopener", url
                    continue
                target = public / unquote(urljoin(str(path.relative_to(public)), url))
                assert target.is_file(), f"{path.name}: {url} is not in the site"


def test_the_index_is_newest_added_first_with_the_fields_a_reader_looks_for(
    cli, shipped, public
) -> None:
    cli("site", "-o", str(public))
    collection = Collection(shipped)
    collection.sync()
    newest = [n for n in collection.notes([e[0] for e in collection.entries()])]
    page = read(public / "index.html")
    titles = [text for level, text in page.headings if level == 2]
    assert len(titles) == 8
    assert titles[0] == newest[0].title.strip() and titles[-1] == newest[-1].title.strip()
    perelman = next(n for n in newest if n.id == "math/0211159")
    assert "Grisha Perelman" in page.plain and "#ricci-flow" in page.plain
    assert perelman.tldr.split()[0] in page.plain and "2002-11-11" in page.plain


def test_a_note_page_shows_every_field_a_reader_wrote(cli, shipped, public) -> None:
    cli("site", "-o", str(public))
    page = read(public / "notes" / "math_0211159.html")
    assert page.h1 == "The entropy formula for the Ricci flow and its geometric applications"
    text = page.plain
    assert "энтропия W, монотонная вдоль потока Риччи" in text  # commentary
    assert "no-local-collapsing theorem" in text  # TL;DR
    assert "kappa-solutions" in text  # a finding
    assert "monotonic expression for the Ricci flow" in text  # abstract
    assert "39 pages" in text and "math.DG" in text
    hrefs = [a["href"] for a in page.all("a")]
    assert "https://arxiv.org/abs/math/0211159v1" in hrefs
    assert "../tags/ricci-flow.html" in hrefs
    tag_page = read(public / "tags" / "ricci-flow.html")
    assert tag_page.h1 == "#ricci-flow"
    assert [a["href"] for a in tag_page.all("a") if "notes/" in a["href"]] == [
        "../notes/math_0211159.html"
    ]
    assert "#ricci-flow" in read(public / "tags" / "index.html").plain


def test_nothing_a_note_holds_can_put_script_or_a_handler_on_a_page(notes_dir, public) -> None:
    hostile = note(
        "2001.00001",
        "<script>alert('title')</script> R\\'{e}nyi entropy of $\\alpha$-particles",
        "2026-01-01T00:00:00Z",
        authors=[Author('"><img src=x onerror=alert(1)>', ["<b>Lab</b>"])],
        tldr="Raw <img src=x onerror=alert(2)> and [a link](javascript:alert(3)) and "
        "![pixel](https://tracker.example/p.gif)",
        commentary="<script>alert(4)</script>\n\n**bold** and [ok](https://example.org/x)",
        findings=["<iframe src=https://evil.example></iframe>"],
        tags=["<b>x</b>", "Физика"],
        url="javascript:alert(5)",
        extra={"my_key": "<script>alert(6)</script>"},
    )
    write(notes_dir, hostile)
    site_of(notes_dir, public)
    for path in public.rglob("*.html"):
        page = read(path)
        scripts = [s.get("src", "") for s in page.all("script")]
        assert all(s.endswith(("pagefind-ui.js", "assets/search.js")) for s in scripts), path
        assert not [n for n, _ in page.elements if n in ("img", "iframe", "object", "embed")]
        for _, attrs in page.elements:
            assert not [k for k in attrs if k.startswith("on")], (path, attrs)
            assert not attrs.get("href", "").lower().startswith("javascript"), (path, attrs)
    page = read(public / "notes" / "2001.00001.html")
    assert page.h1.startswith("<script>alert('title')</script> Rényi entropy")  # shown as text
    assert "<script>alert(4)</script>" in page.plain
    assert "https://tracker.example/p.gif" in [a["href"] for a in page.all("a")]  # a link
    assert "https://arxiv.org/abs/2001.00001" in [a["href"] for a in page.all("a")]
    assert (public / "tags" / "физика.html").is_file()
    assert "<b>Lab</b>" in page.plain and "<script>alert(6)</script>" in page.plain


def test_tags_that_differ_only_in_signs_get_pages_of_their_own(notes_dir, public) -> None:
    plus = note("2001.00004", "Templates", "2026-01-01T00:00:00Z", tags=["C++"])
    sharp = note("2001.00005", "Delegates", "2026-01-02T00:00:00Z", tags=["c#", "Ricci-Flow"])
    write(notes_dir, plus, sharp)
    site_of(notes_dir, public)
    cloud = read(public / "tags" / "index.html")
    listed = [a["href"] for a in cloud.all("a") if a["href"].startswith("../tags/")]
    tag_pages = sorted({p.removeprefix("../tags/") for p in listed} - {"index.html"})
    assert len(tag_pages) == 3 and "ricci-flow.html" in tag_pages
    headings = sorted(read(public / "tags" / p).h1 for p in tag_pages)
    assert headings == ["#C++", "#Ricci-Flow", "#c#"]


def test_tex_in_titles_and_abstracts_reads_as_text(notes_dir, public) -> None:
    write(notes_dir, note("2001.00002", "Schr\\\"odinger's R\\'enyi", "2026-01-01T00:00:00Z",
                          abstract="We study $\\mathcal{N}=4$ and Erd\\H{o}s graphs."))  # fmt: skip
    site_of(notes_dir, public)
    page = read(public / "notes" / "2001.00002.html")
    assert page.h1 == "Schrödinger's Rényi"
    assert "Erdős graphs" in page.plain
    assert "Schrödinger's Rényi" in read(public / "index.html").plain


def test_the_feed_holds_the_newest_notes_with_absolute_links_given_the_address(
    cli, notes_dir, public
) -> None:
    write(notes_dir, *(
        note(f"2001.{n:05d}", f"Paper {n}", f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}Z",
             tldr=f"Finding {n}", tags=["weekly"])
        for n in range(1, 61)
    ))  # fmt: skip
    cli("site", "-o", str(public), "--title", "Lab & friends", "--base-url",
        "https://lab.example.org/papers")  # fmt: skip
    feed = ET.parse(public / "feed.xml").getroot()
    assert feed.tag == f"{A}feed" and feed.findtext(f"{A}title") == "Lab & friends"
    entries = feed.findall(f"{A}entry")
    assert len(entries) == NEWEST
    assert entries[0].findtext(f"{A}title") == "Paper 60"
    assert entries[0].findtext(f"{A}summary") == "Finding 60"
    assert entries[0].find(f"{A}link").get("href") == (  # type: ignore[union-attr]
        "https://lab.example.org/papers/notes/2001.00060.html"
    )
    assert entries[0].findtext(f"{A}id") == "https://arxiv.org/abs/2001.00060"
    assert entries[0].find(f"{A}category").get("term") == "weekly"  # type: ignore[union-attr]
    # The index is cut into pages, each linked from the one before.
    assert len(read(public / "index.html").all("li")) >= PER_PAGE // 2
    site_of(notes_dir, public / "again")
    relative = ET.parse(public / "again" / "feed.xml").getroot()
    link = relative.findall(f"{A}entry")[0].find(f"{A}link")
    assert link is not None and link.get("href") == "notes/2001.00060.html"


def test_a_long_listing_is_cut_into_linked_pages(notes_dir, public) -> None:
    count = PER_PAGE + 5
    write(notes_dir, *(
        note(f"2002.{n:05d}", f"Paper {n}", f"2026-02-01T00:{n // 60:02d}:{n % 60:02d}Z",
             tags=["big"])
        for n in range(1, count + 1)
    ))  # fmt: skip
    site_of(notes_dir, public)
    first, second = read(public / "index.html"), read(public / "page" / "2.html")
    assert len([1 for level, _ in first.headings if level == 2]) == PER_PAGE
    assert len([1 for level, _ in second.headings if level == 2]) == 5
    assert any(a.get("rel") == "next" and a["href"] == "page/2.html" for a in first.all("a"))
    assert any(a.get("rel") == "prev" and a["href"] == "../index.html" for a in second.all("a"))
    assert (public / "tags" / "big.2.html").is_file()


def test_a_rebuild_rewrites_only_the_changed_notes_pages_and_the_listings(
    cli, shipped, public
) -> None:
    cli("site", "-o", str(public))
    pages = {p: p.stat().st_mtime_ns for p in public.glob("notes/**/*.html")}
    untouched_listing = public / "tags" / "classic.html"
    listing_before = untouched_listing.stat().st_mtime_ns
    cli("note", "1706.03762", "--tldr", "Attention, and nothing else")
    tags = cli("tag", "1706.03762").stdout.split()
    result = cli("site", "-o", str(public))
    # The note's page, the index, the feed and the pages of its tags: nothing else.
    assert f"{3 + len(tags)} files written" in result.stderr
    changed = [p.name for p, mtime in pages.items() if p.stat().st_mtime_ns != mtime]
    assert changed == ["1706.03762.html"]
    assert "Attention, and nothing else" in read(public / "index.html").plain
    assert untouched_listing.stat().st_mtime_ns == listing_before
    assert "Attention, and nothing else" in (public / "feed.xml").read_text("utf-8")

    cli("remove", "1706.03762", "--yes")
    result = cli("site", "-o", str(public))
    assert "removed" in result.stderr
    assert not (public / "notes" / "1706.03762.html").exists()
    assert "Attention Is All You Need" not in read(public / "index.html").plain

    result = cli("site", "-o", str(public), "--title", "A new look")
    assert "0 unchanged" not in result.stderr and "unchanged" not in result.stderr
    assert read(public / "notes" / "math_0211159.html").all("title") is not None
    assert "A new look" in (public / "notes" / "math_0211159.html").read_text("utf-8")


def test_a_damaged_manifest_means_a_full_build_not_an_error(cli, shipped, public) -> None:
    cli("site", "-o", str(public))
    (public / MANIFEST).write_text("{not json", "utf-8")
    result = cli("site", "-o", str(public))
    assert "unchanged" not in result.stderr
    assert json.loads((public / MANIFEST).read_text("utf-8"))["format"] == 1


def test_the_search_index_holds_the_notes_pages_only(cli, shipped, public) -> None:
    cli("site", "-o", str(public))
    entry = json.loads((public / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == 8
    assert "Indexing" not in cli("site", "-o", str(public)).stderr  # nothing changed
    write(shipped, note("2001.00003", "A ninth note", "2026-01-01T00:00:00Z"))
    assert "Indexing" in cli("site", "-o", str(public)).stderr
    entry = json.loads((public / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == 9


def test_a_folder_with_files_of_its_own_is_refused_and_left_as_it_was(cli, shipped, isolated):
    mine = isolated / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("my work", "utf-8")
    result = cli("site", "-o", str(mine), code=2)
    assert "holds files papernotes did not write" in result.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.tex"]
    a_file = isolated / "file.txt"
    a_file.write_text("x", "utf-8")
    assert "not a folder" in cli("site", "-o", str(a_file), code=2).stderr
    assert "-o DIR" in cli("site", code=2).stderr
    assert "base_url" in cli("site", "-o", "x", "--base-url", "ftp://a", code=2).stderr


def test_an_empty_collection_makes_a_site_that_says_how_to_begin(cli, notes_dir, public):
    notes_dir.mkdir()
    cli("site", "-o", str(public))
    assert "papernotes add" in read(public / "index.html").plain


def test_the_title_comes_from_the_settings_file_too(cli, shipped, public) -> None:
    (shipped / "papernotes.toml").write_text('[site]\ntitle = "Journal club"\n', "utf-8")
    cli("site", "-o", str(public))
    assert read(public / "index.html").h1 == "Journal club"


def test_serve_previews_on_loopback_only_and_cleans_up(shipped, isolated) -> None:
    command = [sys.executable, "-m", "papernotes", "--dir", str(shipped), "site", "--serve",
               "--port", "0"]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env) as server:
        try:
            assert server.stderr is not None
            line = ""
            while "Serving" not in line:
                line = server.stderr.readline()
                assert line, "the server stopped before serving"
            url = line.split(" at ")[1].split()[0]
            assert url.startswith("http://127.0.0.1:")
            folder = Path(line.split("Serving ")[1].split("/ at ")[0])
            with urllib.request.urlopen(url + "notes/math_0211159.html", timeout=10) as answer:
                assert answer.status == 200
                assert "Perelman" in answer.read().decode()
            with urllib.request.urlopen(url + "pagefind/pagefind.js", timeout=10) as answer:
                assert answer.status == 200
        finally:
            server.send_signal(2)  # Ctrl-C
            server.wait(timeout=20)
    assert server.returncode == 0
    assert not folder.exists()
