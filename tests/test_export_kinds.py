"""Exports of notes of every kind (arXiv, DOI, link): BibTeX entry types, Markdown links,
and all of it through the real `export` command over notes written by hand in papernotes'
own format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_export import DECODE, Block, blocks, kinds, notes_in, parse_bib, unbrace
from test_kinds import DOI_NOTE, LINK_NOTE, write

from papernotes.export import bibtex as bibtex_export
from papernotes.export import markdown as markdown_export
from papernotes.export.bibtex import cite_keys, entry_type
from papernotes.note import Author, Note, load_note
from papernotes.refs import parse_ref

# A paper in a conference's proceedings, with a subtitle and the arXiv preprint it names.
PROCEEDINGS_NOTE = """\
id: doi:10.1109/icdcsw.2003.1203662
kind: doi
title: Peer-to-peer overlays
subtitle: a measurement study
authors:
- Ana Lima
- Bo Chen
container: 23rd International Conference on Distributed Computing Systems Workshops
pages: 112-117
publisher: IEEE
type: proceedings-article
published: '2003'
arxiv: cs/0301001
url: http://dx.doi.org/10.1109/icdcsw.2003.1203662
"""

CHAPTER_NOTE = """\
id: doi:10.1007/978-3-540-24605-3_37
kind: doi
title: Fast String Matching
authors: [Lena Berg]
container: Theoretical Aspects of Computing
volume: '3407'
pages: 500-514
publisher: Springer Berlin Heidelberg
type: book-chapter
published: 2005-02
url: https://link.springer.com/chapter/10.1007/978-3-540-24605-3_37
"""

BOOK_NOTE = """\
id: doi:10.1017/cbo9780511804441
kind: doi
title: Convex Optimization
authors: [Stephen Boyd, Lieven Vandenberghe]
publisher: Cambridge University Press
type: book
published: 2004-03-08
"""

PREPRINT_NOTE = """\
id: doi:10.1101/2020.03.01.971234
kind: doi
title: A preprint on bioRxiv
authors: [Ana Lima]
publisher: Cold Spring Harbor Laboratory
type: posted-content
published: 2020-03-03
"""

# A blog post: a site, an author and a date, and the day it was added.
BLOG_NOTE = """\
id: https://distill.pub/2016/augmented-rnns
kind: link
title: Attention and Augmented Recurrent Neural Networks
authors: [Chris Olah, Shan Carter]
site: Distill
published: 2016-09-08
url: https://distill.pub/2016/augmented-rnns
added: 2024-05-01T10:00:00Z
"""

NOTES = {
    "10.1103/physrevb.91.184507": DOI_NOTE,
    "10.1109/icdcsw.2003.1203662": PROCEEDINGS_NOTE,
    "10.1007/978-3-540-24605-3_37": CHAPTER_NOTE,
    "10.1017/cbo9780511804441": BOOK_NOTE,
    "10.1101/2020.03.01.971234": PREPRINT_NOTE,
    "https://github.com/NVIDIA/mellotron": LINK_NOTE + "added: 2024-04-02\n",
    "https://distill.pub/2016/augmented-rnns": BLOG_NOTE,
}


def note(text: str) -> Note:
    return load_note(text, "note.yaml")


@pytest.fixture
def every_kind(cli, arxiv, notes_dir: Path) -> Path:
    """One arXiv note added from the fake arXiv, and a hand-written note of each other sort."""
    cli("add", "1706.03762")
    for ref, text in NOTES.items():
        write(notes_dir, ref, text)
    return notes_dir


# --- BibTeX: entry types --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("crossref_type", "expected"),
    [
        ("journal-article", "article"),
        ("proceedings-article", "inproceedings"),
        ("book", "book"),
        ("monograph", "book"),
        ("edited-book", "book"),
        ("book-chapter", "incollection"),
        ("book-part", "incollection"),
        ("book-section", "incollection"),
        ("Journal-Article", "article"),  # typed by hand
        ("posted-content", "misc"),
        ("dissertation", "misc"),
        ("report", "misc"),
        ("dataset", "misc"),
        ("something-new", "misc"),
        (None, "misc"),  # a placeholder, or a note written without one
    ],
)
def test_a_doi_s_entry_type_is_its_crossref_type_s(crossref_type: str | None, expected: str):
    assert entry_type(Note(id="doi:10.1000/x", kind="doi", type=crossref_type)) == expected


def test_a_link_is_online_unless_it_is_code() -> None:
    page = Note(id="https://distill.pub/2016/augmented-rnns", kind="link")
    assert entry_type(page) == "online"
    page.type = "blog"
    assert entry_type(page) == "online"
    for software in ("software", "SoftwareSourceCode", "SoftwareApplication"):
        page.type = software
        assert entry_type(page) == "software"
    repository = Note(id="https://github.com/a/b", kind="link", repository={"owner": "a"})
    assert entry_type(repository) == "software"


def test_an_arxiv_note_stays_arxiv_s_misc_even_with_journal_details() -> None:
    plain = Note(
        id="1706.03762",
        version=7,
        title="Attention Is All You Need",
        authors=[Author("Ashish Vaswani")],
        published="2017-06-12T17:57:34Z",
        primary_category="cs.CL",
    )
    before = bibtex_export.render([plain])
    plain.container, plain.volume, plain.type = "NeurIPS", "30", "proceedings-article"
    assert bibtex_export.render([plain]) == before
    assert before.startswith("@misc{vaswani2017attention,\n")


# --- BibTeX: the fields of each type --------------------------------------------------------


def fields(text: str) -> dict[str, object]:
    (entry,) = parse_bib(bibtex_export.render([note(text)]))
    return entry


def test_a_journal_article() -> None:
    assert fields(DOI_NOTE) == {
        "key": "lima2015magnetic",
        "type": "article",
        "title": "{Magnetic order in a frustrated lattice}",
        "author": ["Ana Lima"],
        "year": "2015",
        "journal": "Physical Review B",
        "volume": "91",
        "number": "18",
        "pages": "184507",
        "publisher": "American Physical Society (APS)",
        "doi": "10.1103/physrevb.91.184507",
    }  # no `url`: the resolver's link is the DOI again


def test_a_proceedings_paper_with_a_subtitle_and_its_preprint() -> None:
    assert fields(PROCEEDINGS_NOTE) == {
        "key": "lima2003peer",
        "type": "inproceedings",
        "title": "{Peer-to-peer overlays: a measurement study}",
        "author": ["Ana Lima", "Bo Chen"],
        "year": "2003",
        "booktitle": "23rd International Conference on Distributed Computing Systems Workshops",
        "pages": "112-117",
        "publisher": "IEEE",
        "doi": "10.1109/icdcsw.2003.1203662",
        "eprint": "cs/0301001",
        "archivePrefix": "arXiv",
    }


def test_the_preprint_is_an_eprint_without_version_and_only_when_it_is_an_arxiv_id() -> None:
    paper = note(DOI_NOTE)
    paper.arxiv = "1706.03762v2"
    (entry,) = parse_bib(bibtex_export.render([paper]))
    assert (entry["eprint"], entry["archivePrefix"]) == ("1706.03762", "arXiv")
    paper.arxiv = "see the preprint"  # written by hand
    (entry,) = parse_bib(bibtex_export.render([paper]))
    assert "eprint" not in entry and "archivePrefix" not in entry


def test_a_book_chapter_keeps_a_url_that_is_not_the_doi() -> None:
    entry = fields(CHAPTER_NOTE)
    assert entry["type"] == "incollection"
    assert entry["booktitle"] == "Theoretical Aspects of Computing"
    assert (entry["volume"], entry["pages"]) == ("3407", "500-514")
    assert entry["publisher"] == "Springer Berlin Heidelberg"
    assert entry["doi"] == "10.1007/978-3-540-24605-3_37"  # verbatim, `_` and all
    assert entry["url"] == "https://link.springer.com/chapter/10.1007/978-3-540-24605-3_37"


def test_a_book_and_a_preprint() -> None:
    book = fields(BOOK_NOTE)
    assert (book["type"], book["key"]) == ("book", "boyd2004convex")
    assert book["publisher"] == "Cambridge University Press"
    assert book["author"] == ["Stephen Boyd", "Lieven Vandenberghe"]
    preprint = fields(PREPRINT_NOTE)
    assert preprint["type"] == "misc"
    assert preprint["howpublished"] == "Cold Spring Harbor Laboratory"  # its only venue
    assert "publisher" not in preprint  # @misc has none
    assert preprint["doi"] == "10.1101/2020.03.01.971234"


def test_a_repository_is_software_and_a_blog_post_is_online() -> None:
    repository = note(LINK_NOTE + "added: 2024-04-02\n")
    (entry,) = parse_bib(bibtex_export.render([repository]))
    assert entry == {
        "key": "nvidiamellotron",  # no authors: named by the repository's owner
        "type": "software",
        "title": "{Mellotron: multispeaker expressive voice synthesis}",
        "publisher": "GitHub",
        "url": "https://github.com/NVIDIA/mellotron",
        "urldate": "2024-04-02",
    }
    assert fields(BLOG_NOTE) == {
        "key": "olah2016attention",
        "type": "online",
        "title": "{Attention and Augmented Recurrent Neural Networks}",
        "author": ["Chris Olah", "Shan Carter"],
        "year": "2016",
        "organization": "Distill",
        "url": "https://distill.pub/2016/augmented-rnns",
        "urldate": "2024-05-01",  # the day it was added, in UTC as papernotes writes it
    }


def test_a_link_placeholder_has_its_url_and_no_urldate_from_a_partial_date() -> None:
    placeholder = Note.placeholder(parse_ref("https://example.org/a_b"), [], "")
    (entry,) = parse_bib(bibtex_export.render([placeholder]))
    assert entry == {"key": "anon", "type": "online", "url": "https://example.org/a_b"}
    page = note(BLOG_NOTE.replace("2024-05-01T10:00:00Z", "2024-05"))
    assert "urldate" not in parse_bib(bibtex_export.render([page]))[0]


def test_text_of_every_kind_is_escaped_and_control_characters_left_out() -> None:
    doi = note(DOI_NOTE)
    doi.container, doi.pages = "Journal of 50% & C# \x1b[2J", "1_2"
    link = note(BLOG_NOTE)
    link.site, link.subtitle = "Site {with} braces\x9b", "$x$ ~ fast"
    out = bibtex_export.render([doi, link])
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)
    first, second = parse_bib(out)
    assert first["journal"] == r"Journal of 50\% \& C\# [2J"
    assert DECODE(str(first["journal"])) == "Journal of 50% & C# [2J"
    assert first["pages"] == r"1\_2"
    assert DECODE(str(second["organization"])) == "Site {with} braces"
    title = DECODE(unbrace(str(second["title"])))
    assert title == "Attention and Augmented Recurrent Neural Networks: $x$ ~ fast"


def test_cite_keys_are_unique_across_kinds() -> None:
    arxiv = Note(
        id="1505.00001", title="Magnetic order", authors=[Author("Ana Lima")], published="2015"
    )
    doi = note(DOI_NOTE)
    keys = cite_keys([arxiv, doi, note(LINK_NOTE), note(LINK_NOTE.replace("NVIDIA", "nv"))])
    assert keys == ["lima2015magnetica", "lima2015magneticb", "nvidiamellotron", "nvmellotron"]
    assert cite_keys([doi]) == ["lima2015magnetic"]


# --- Through the command ----------------------------------------------------------------------


def test_a_bibliography_of_every_kind_parses(cli, every_kind: Path) -> None:
    out = cli("export", "--all", "-f", "bibtex").stdout
    entries = parse_bib(out)
    types = sorted(str(e["type"]) for e in entries)
    assert types == [
        "article", "book", "incollection", "inproceedings", "misc", "misc", "online", "software",
    ]  # fmt: skip
    keys = [e["key"] for e in entries]
    assert len(set(keys)) == len(keys) == len(NOTES) + 1
    # The arXiv note's entry is the one it gets alone, arXiv's @misc.
    alone = cli("export", "1706.03762", "-f", "bibtex").stdout
    assert alone.startswith("@misc{vaswani2017attention,\n  title = {{Attention Is All")
    assert alone.rstrip("\n") in out.split("\n\n")
    # Every entry in the house form: one field per line, a blank line between entries.
    for text in out.rstrip("\n").split("\n\n"):
        lines = text.split("\n")
        assert re.fullmatch(r"@[a-z]+\{[a-z0-9]+,", lines[0]), lines[0]
        assert all(re.fullmatch(r"  [A-Za-z]+ = \{.*\},", line) for line in lines[1:-2])
        assert re.fullmatch(r"  [A-Za-z]+ = \{.*\}", lines[-2]) and lines[-1] == "}"


# --- Markdown -------------------------------------------------------------------------------


def where(out: str) -> tuple[str, list[str]]:
    """A post's line that says where the work is (after the authors): its text and links."""
    (para,) = [b for b in blocks(out) if b.kind == "paragraph" and "link_open" in kinds(b.inline)]
    links = [c.attrs["href"] for c in para.inline.children or [] if c.type == "link_open"]
    return para.text, [str(href) for href in links]


def test_a_doi_post_names_its_journal_and_links_its_doi() -> None:
    out = markdown_export.render([note(DOI_NOTE)])
    assert where(out) == (
        "Physical Review B, 91(18), 184507, 2015 · doi:10.1103/physrevb.91.184507",
        ["https://doi.org/10.1103/physrevb.91.184507"],
    )
    assert blocks(out)[1].text == "Ana Lima (Universidade de Lisboa)"


def test_a_doi_post_links_the_preprint_it_names_and_a_book_its_publisher() -> None:
    text, links = where(markdown_export.render([note(PROCEEDINGS_NOTE)]))
    assert text == (
        "23rd International Conference on Distributed Computing Systems Workshops, 112-117, "
        "2003 · doi:10.1109/icdcsw.2003.1203662 · arXiv:cs/0301001"
    )
    assert links == [
        "https://doi.org/10.1109/icdcsw.2003.1203662",  # the DOI, not the note's dx.doi.org
        "https://arxiv.org/abs/cs/0301001",
    ]
    assert where(markdown_export.render([note(BOOK_NOTE)]))[0] == (
        "Cambridge University Press, 2004 · doi:10.1017/cbo9780511804441"
    )
    chapter = where(markdown_export.render([note(CHAPTER_NOTE)]))
    assert chapter == (
        "Theoretical Aspects of Computing, 3407, 500-514, 2005 · doi:10.1007/978-3-540-24605-3_37",
        ["https://doi.org/10.1007/978-3-540-24605-3_37"],
    )


def test_a_link_post_names_its_site_and_links_its_url() -> None:
    assert where(markdown_export.render([note(LINK_NOTE)])) == (
        "GitHub · github.com/NVIDIA/mellotron",
        ["https://github.com/NVIDIA/mellotron"],
    )
    page = note(BLOG_NOTE)
    page.url = "https://distill.pub/2016/augmented-rnns/?a=(b)"  # its own link, kept
    page.doi, page.arxiv = "10.23915/distill.00001", "1706.03762v2"
    assert where(markdown_export.render([page])) == (
        "Distill · distill.pub/2016/augmented-rnns/?a=(b) · doi:10.23915/distill.00001"
        " · arXiv:1706.03762v2",
        [
            "https://distill.pub/2016/augmented-rnns/?a=%28b%29",
            "https://doi.org/10.23915/distill.00001",
            "https://arxiv.org/abs/1706.03762v2",
        ],
    )
    page.url, page.doi, page.arxiv = "javascript:alert(1)", "not a doi", "not an id"
    assert where(markdown_export.render([page])) == (
        "Distill · distill.pub/2016/augmented-rnns",
        ["https://distill.pub/2016/augmented-rnns"],  # the note's id, the normalised link
    )


def test_placeholders_of_each_kind_say_who_had_not_answered() -> None:
    doi = Note.placeholder(parse_ref("10.1000/xyz_1"), [], "2024-01-01")
    link = Note.placeholder(parse_ref("https://example.org/a_b"), [], "2024-01-01")
    doc = blocks(markdown_export.render([doi]))
    assert [b.text for b in doc] == [
        "doi:10.1000/xyz_1",
        "Metadata pending: Crossref had not answered when this note was made.",
        "doi:10.1000/xyz_1",
    ]
    doc = blocks(markdown_export.render([link]))
    assert [b.text for b in doc] == [
        "https://example.org/a_b",
        "Metadata pending: the page had not been read when this note was made.",
        "example.org/a_b",
    ]


def test_markup_and_control_characters_of_every_kind_render_as_written() -> None:
    doi = note(DOI_NOTE)
    doi.container, doi.volume = "Journal of *Stars* & <b>Bold</b> #1 \x1b[2J", "[9]"
    link = note(LINK_NOTE)
    link.site = "_Git_ | Hub ~x~"
    out = markdown_export.render([doi, link], title="Kinds")
    assert "\x1b" not in out
    first, second = notes_in(out)
    assert where_in(first) == "Journal of *Stars* & <b>Bold</b> #1 \\x1b[2J, [9](18), 184507, 2015"
    assert where_in(second) == "_Git_ | Hub ~x~"


def where_in(blocks_of_note: list[Block]) -> str:
    """The text before the first link of a note's where-line: its venue or site."""
    para = next(b for b in blocks_of_note if "link_open" in kinds(b.inline))
    assert kinds(para.inline) <= {"text", "link_open", "link_close"}  # no markup of its own
    return para.text.split(" · ")[0]


def test_a_digest_of_every_kind_has_an_anchor_for_each(cli, every_kind: Path) -> None:
    out = cli("export", "--all", "--title", "Everything").stdout
    heads = [b for b in blocks(out) if b.kind == "heading" and b.tag == "h2"]
    assert len(heads) == len(NOTES) + 1
    anchors = re.findall(r'<a id="([a-z0-9-]+)"></a>', out)
    assert len(set(anchors)) == len(anchors) == len(heads)
    assert "doi-10-1103-physrevb-91-184507" in anchors
    assert "link-github-com-nvidia-mellotron" in anchors
    assert "arxiv-1706-03762" in anchors
    toc = blocks(out)[1]
    hrefs = [c.attrs["href"] for t in toc.tokens if t.type == "inline" for c in t.children or []
             if c.type == "link_open"]  # fmt: skip
    assert hrefs == [f"#{a}" for a in anchors]
    posts = notes_in(out)
    links = {where_in_links(p) for p in posts}
    assert {
        "https://arxiv.org/abs/1706.03762v7",
        "https://doi.org/10.1103/physrevb.91.184507",
        "https://github.com/NVIDIA/mellotron",
        "https://distill.pub/2016/augmented-rnns",
    } <= links


def where_in_links(blocks_of_note: list[Block]) -> str:
    """The first link of a note's where-line."""
    para = next(b for b in blocks_of_note if "link_open" in kinds(b.inline))
    return str(next(c for c in para.inline.children or [] if c.type == "link_open").attrs["href"])


# --- One file per note ------------------------------------------------------------------------


def test_a_folder_gets_one_flat_file_per_note_of_every_kind(cli, every_kind: Path) -> None:
    result = cli("export", "--all", "-o", "posts/")
    assert "Exported 8 notes to 8 files in posts/." in result.stderr
    names = {p.name for p in Path("posts").iterdir()}
    assert all(Path("posts", name).is_file() for name in names)  # no doi/ or link/ inside
    assert {"1706.03762.md", "doi_10.1103_physrevb.91.184507.md"} <= names
    assert {n for n in names if n.startswith("link_github.com_nvidia_mellotron-")}
    assert len(names) == len(NOTES) + 1
    doi_post = Path("posts", "doi_10.1103_physrevb.91.184507.md").read_text(encoding="utf-8")
    assert doi_post.startswith("# Magnetic order in a frustrated lattice\n")
    cli("export", "--all", "-f", "bibtex", "-o", "refs/")
    assert {p.name for p in Path("refs").iterdir()} == {n[:-3] + ".bib" for n in names}


def test_a_file_name_from_a_doi_never_leaves_the_folder(cli, notes_dir: Path) -> None:
    odd = "10.1000/../../x"
    write(notes_dir, odd, DOI_NOTE.replace("10.1103/physrevb.91.184507", odd))
    cli("export", "--all", "-o", "out/")
    (written,) = Path("out").iterdir()
    assert written.name.startswith("doi_10.1000_.._.._x") and written.suffix == ".md"
    assert sorted(p.name for p in Path().iterdir()) == ["notes", "out"]  # nothing beside it


def test_exporting_to_a_folder_again_needs_force(cli, every_kind: Path) -> None:
    cli("export", "10.1103/physrevb.91.184507", "https://distill.pub/2016/augmented-rnns",
        "-o", "posts/")  # fmt: skip
    post = Path("posts", "doi_10.1103_physrevb.91.184507.md")
    post.write_text("mine", encoding="utf-8")
    result = cli("export", "--all", "-o", "posts/", code=1)
    assert "posts/doi_10.1103_physrevb.91.184507.md" in result.stderr
    assert "already exists; add --force" in result.stderr
    assert post.read_text(encoding="utf-8") == "mine"  # nothing written, not even the others
    assert len(list(Path("posts").iterdir())) == 2
    cli("export", "--all", "-o", "posts/", "--force")
    assert post.read_text(encoding="utf-8").startswith("# Magnetic order")


# --- JSON -------------------------------------------------------------------------------------


def test_json_carries_every_field_of_every_kind(cli, every_kind: Path) -> None:
    exported = json.loads(cli("export", "--all", "-f", "json").stdout)
    by_id = {n["id"]: n for n in exported}
    assert {n["kind"] for n in exported} == {"arxiv", "doi", "link"}
    for ref, text in NOTES.items():
        expected = note(text).to_dict()
        assert by_id[parse_ref(ref).base] == expected
    doi = by_id["doi:10.1103/physrevb.91.184507"]
    assert doi["authors"][0]["orcid"] == "https://orcid.org/0000-0002-1825-0097"
    assert (doi["container"], doi["volume"], doi["issue"], doi["pages"]) == (
        "Physical Review B", "91", "18", "184507",
    )  # fmt: skip
    assert (doi["type"], doi["references_count"], doi["cited_by_count"]) == (
        "journal-article", 41, 7,
    )  # fmt: skip
    assert by_id["doi:10.1109/icdcsw.2003.1203662"]["subtitle"] == "a measurement study"
    assert by_id["doi:10.1109/icdcsw.2003.1203662"]["arxiv"] == "cs/0301001"
    link = by_id["https://github.com/NVIDIA/mellotron"]
    assert link["repository"] == {
        "owner": "NVIDIA", "name": "mellotron", "language": "Jupyter Notebook",
    }  # fmt: skip
    assert (link["site"], link["added"]) == ("GitHub", "2024-04-02")
    assert by_id["1706.03762"]["kind"] == "arxiv"
