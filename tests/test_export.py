"""Exporters: Markdown read back by a CommonMark parser, BibTeX by bibtexparser, JSON by json."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field

import bibtexparser
import pytest
from bibtexparser.middlewares import SeparateCoAuthors
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from papernotes.errors import UsageError
from papernotes.export import EXTENSIONS, FORMATS, render
from papernotes.export import bibtex as bibtex_export
from papernotes.export import json as json_export
from papernotes.export import markdown as markdown_export
from papernotes.export.bibtex import cite_key, cite_keys, latex_escape
from papernotes.export.markdown import escape
from papernotes.ids import ArxivId
from papernotes.note import Author, Note

TRICKY_TITLE = (
    r"Why *stars*, snake_case & #hashtags: <b>bold</b> [x](y) with `code` | pipes! ~x~ a\b"
)
RUSSIAN = (
    "Первый абзац: авторы честно сравнивают с «классическим» декодером.\n"
    "Вторая строка того же абзаца.\n"
    "\n"
    "Второй абзац — сомнения: 3 антенны — это мало."
)


def attention() -> Note:
    """A full note with eight authors (Łukasz Kaiser among them) and every reader field."""
    names = [
        ("Ashish Vaswani", ["Google Brain"]),
        ("Noam Shazeer", ["Google Brain"]),
        ("Niki Parmar", ["Google Research"]),
        ("Jakob Uszkoreit", []),
        ("Llion Jones", []),
        ("Aidan N. Gomez", ["University of Toronto"]),
        ("Łukasz Kaiser", ["Google Brain"]),
        ("Illia Polosukhin", []),
    ]
    return Note(
        id="1706.03762",
        version=7,
        title="Attention Is All You Need",
        authors=[Author(name, places) for name, places in names],
        abstract="The dominant sequence transduction models are based on recurrence.",
        published="2017-06-12T17:57:34Z",
        primary_category="cs.CL",
        categories=["cs.CL", "cs.LG"],
        url="https://arxiv.org/abs/1706.03762v7",
        tldr="Self-attention alone translates better and trains faster.",
        findings=[
            "28.4 BLEU on WMT 2014 English-German.",
            "- Multi-head attention beats single-head by 0.9 BLEU",
            "1. Sinusoidal positions work as well as learned ones,\nand may extrapolate.",
        ],
        commentary="The paper that made attention the default block.",
        tags=["attention", "ricci-flow", "self attention"],
        added="2024-01-10T09:00:00Z",
    )


def tricky() -> Note:
    """Markup characters everywhere, Dirk Wübben, a Russian commentary, LaTeX in the abstract."""
    return Note(
        id="1905.01234",
        version=2,
        title=TRICKY_TITLE,
        authors=[
            Author("Dirk Wübben", ["Universität Bremen"]),
            Author("Анна Иванова", ["МГУ"]),
            Author("Jean-Luc O'Neil_2", ["Lab <A> & [B]"]),
        ],
        abstract="We fix 95% of cases where $x_1$ > 0, with a lone { brace, ~, ^ and C#.",
        published="2019-05-03T12:00:00Z",
        primary_category="eess.SP",
        doi="10.1109/TSP.2019.123_45",
        journal_ref="IEEE Trans. Signal Process. & Comm. 67 (2019) 1-10",
        url="https://arxiv.org/abs/1905.01234v2",
        tldr="Escapes: *not bold*, _not italic_, &amp; stays as typed.",
        findings=["`not code`", "<i>not html</i>", "# not a heading", "> not a quote"],
        commentary=RUSSIAN,
        tags=["mimo", "c++", "-x-", "ИИ"],
        added="2024-03-05T18:30:00Z",
    )


def smith(n: int, first: str, title: str) -> Note:
    """One of two notes whose cite keys collide (`smith2020learning`)."""
    return Note(
        id=f"200{n}.0000{n}",
        title=title,
        authors=[Author(f"{first} Smith")],
        published=f"2020-0{n}-01T00:00:00Z",
        primary_category="cs.LG",
        tldr=f"Only a TL;DR for paper {n}.",
        tags=["meta"],
        added="2024-02-01T00:00:00Z",
    )


def pending() -> Note:
    """A placeholder: arXiv could not be reached when it was added."""
    return Note.placeholder(ArxivId("2401.00001"), ["todo"], "2024-02-15T08:00:00Z")


def bare() -> Note:
    """Metadata only, no reader fields; an old-style id and a CJK first author."""
    return Note(
        id="hep-th/9901001",
        version=1,
        title="An Old Style Paper on Strings",
        authors=[Author("张伟"), Author("Paul Erdős")],
        published="1999-01-04T00:00:00Z",
        primary_category="hep-th",
        url="https://arxiv.org/abs/hep-th/9901001v1",
    )


def collection() -> list[Note]:
    return [
        attention(),
        tricky(),
        smith(1, "John", "Learning to Learn"),
        smith(2, "Jane", "The Learning Machine"),
        pending(),
        bare(),
    ]


# --- Markdown: helpers over markdown-it tokens ------------------------------------------

MD = MarkdownIt("commonmark")


def text_of(inline: Token) -> str:
    """The characters an inline token renders as text: links, html and markup tags left out."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def kinds(inline: Token) -> set[str]:
    return {child.type for child in inline.children or []}


@dataclass
class Block:
    """A top-level block of the document: its type (`heading`, `paragraph`, ...) and tokens."""

    kind: str
    tag: str
    tokens: list[Token] = field(default_factory=list)

    @property
    def inline(self) -> Token:
        return next(t for t in self.tokens if t.type == "inline")

    @property
    def text(self) -> str:
        return text_of(self.inline)

    @property
    def items(self) -> list[str]:
        """A list's items as text, paragraphs within an item joined by a blank line."""
        items: list[list[str]] = []
        for token in self.tokens:
            if token.type == "list_item_open" and token.level == 1:
                items.append([])
            elif token.type == "inline":
                items[-1].append(text_of(token))
        return ["\n\n".join(parts) for parts in items]


def blocks(markdown: str) -> list[Block]:
    """The top-level blocks of a Markdown text as CommonMark parses it."""
    found: list[Block] = []
    for token in MD.parse(markdown):
        if token.level == 0 and token.nesting in (1, 0):
            found.append(Block(token.type.removesuffix("_open"), token.tag))
        found[-1].tokens.append(token)
    return found


def notes_in(markdown: str) -> list[list[Block]]:
    """The blocks of each note of a digest: from its `##` heading to the next rule or heading."""
    notes: list[list[Block]] = []
    for block in blocks(markdown):
        if block.kind == "heading" and block.tag == "h2":
            notes.append([])
        if notes and block.kind != "hr":
            notes[-1].append(block)
    return notes


def section(note: list[Block], label: str) -> list[Block]:
    """The blocks after a bold label paragraph (`**Findings**`) up to the next label or tags."""
    starts = [
        i
        for i, b in enumerate(note)
        if b.kind == "paragraph" and "strong_open" in kinds(b.inline) and b.text == label
    ]
    assert len(starts) == 1, f"{label!r} appears {len(starts)} times"
    rest = []
    for block in note[starts[0] + 1 :]:
        if block.kind == "paragraph" and (
            "strong_open" in kinds(block.inline) or block.text.startswith("#")
        ):
            break
        rest.append(block)
    return rest


def labels(note: list[Block]) -> list[str]:
    """The bold labels of a note's sections, in order (`TL;DR:` is inline with its text)."""
    found = []
    for block in note:
        if block.kind != "paragraph":
            continue
        children = [c for c in block.inline.children or [] if c.content or c.type != "text"]
        if children and children[0].type == "strong_open":
            found.append(children[1].content)
    return found


# --- Markdown: escaping -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        TRICKY_TITLE,
        "- not a list",
        "+ not a list either",
        "* nor this",
        "1. not an ordered list",
        "12. nor this",
        "2) nor this",
        "= not a setext underline",
        "---",
        "___",
        "***",
        "# not a heading",
        "> not a quote",
        "<div>not an HTML block</div>",
        "<!-- not a comment -->",
        "<https://example.org> is not an autolink",
        "![not an image](src.png)",
        "[not a link][ref]",
        "~~not struck~~ ~~~",
        "| not | a table |",
        "&amp; &#169; &#x41; &copy; stay as typed, & alone too, &copy without ;",
        "back\\slash at the end\\",
        "```",
        "line one\n- line two\n1. line three\n> line four",
        "Unicode kept: Wübben, Łukasz, ёлка, 漢字, 🙂, naïve — “quotes”",
    ],
)
def test_escaped_text_renders_as_written(text: str) -> None:
    tokens = MD.parse(escape(text))
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert text_of(tokens[1]) == text
    assert kinds(tokens[1]) <= {"text", "softbreak"}


def test_escape_keeps_unicode_and_plain_text_as_is() -> None:
    assert (
        escape("Wübben, Łukasz, ёлка, 漢字 1.5 a-b a+b") == "Wübben, Łukasz, ёлка, 漢字 1.5 a-b a+b"
    )


# --- Markdown: one note -------------------------------------------------------------------


def test_single_note_is_a_post_under_one_top_heading() -> None:
    out = markdown_export.render([attention()])
    assert out.startswith("# Attention Is All You Need\n")
    assert out.endswith("\n") and not out.endswith("\n\n")
    doc = blocks(out)
    headings = [b for b in doc if b.kind == "heading"]
    assert [(h.tag, h.text) for h in headings] == [("h1", "Attention Is All You Need")]
    assert "html_inline" not in kinds(headings[0].inline)  # no anchor needed without a TOC
    assert not any(b.kind == "hr" for b in doc)


def test_authors_beyond_four_are_first_two_and_et_al_with_affiliations() -> None:
    doc = blocks(markdown_export.render([attention()]))
    assert doc[1].text == "Ashish Vaswani (Google Brain), Noam Shazeer (Google Brain), et al."


def test_up_to_four_authors_are_all_named_with_their_affiliations() -> None:
    note = tricky()
    note.authors.append(Author("Andrew Gould", ["Ohio State", "KASI"]))
    doc = blocks(markdown_export.render([note]))
    assert doc[1].text == (
        "Dirk Wübben (Universität Bremen), Анна Иванова (МГУ), "
        "Jean-Luc O'Neil_2 (Lab <A> & [B]), Andrew Gould (Ohio State, KASI)"
    )
    assert kinds(doc[1].inline) == {"text"}


def test_link_is_the_notes_url_or_the_abstract_page() -> None:
    def link(note: Note) -> tuple[str, str]:
        para = blocks(markdown_export.render([note]))[2].inline
        assert [c.type for c in para.children or []] == ["link_open", "text", "link_close"]
        return text_of(para), str((para.children or [])[0].attrs["href"])

    assert link(attention()) == ("arXiv:1706.03762v7", "https://arxiv.org/abs/1706.03762v7")
    note = attention()
    note.url = None
    assert link(note)[1] == "https://arxiv.org/abs/1706.03762"
    note.url = "javascript:alert(1)"
    assert link(note)[1] == "https://arxiv.org/abs/1706.03762"
    note.url = "https://example.org/a (b)<c>"
    assert link(note)[1] == "https://arxiv.org/abs/1706.03762"  # white space: not a URL
    note.url = "https://example.org/a_(b)<c>"
    assert link(note)[1] == "https://example.org/a_%28b%29%3Cc%3E"


def test_sections_of_a_full_note() -> None:
    out = markdown_export.render([attention()])
    note = blocks(out)
    assert labels(note) == ["TL;DR:", "Findings", "Commentary"]
    tldr = next(b for b in note if b.kind == "paragraph" and b.text.startswith("TL;DR:"))
    assert tldr.text == "TL;DR: Self-attention alone translates better and trains faster."
    (findings,) = section(note, "Findings")
    assert findings.kind == "bullet_list"
    assert findings.items == attention().findings  # markers inside items stay text
    (commentary,) = section(note, "Commentary")
    assert commentary.text == "The paper that made attention the default block."
    assert note[-1].text == "#attention #ricci_flow #self_attention"
    assert kinds(note[-1].inline) == {"text"}


def test_russian_commentary_keeps_its_two_paragraphs() -> None:
    note = blocks(markdown_export.render([tricky()]))
    paragraphs = section(note, "Commentary")
    assert [b.kind for b in paragraphs] == ["paragraph", "paragraph"]
    assert [b.text for b in paragraphs] == RUSSIAN.split("\n\n")


def test_markup_in_every_field_renders_as_written() -> None:
    note = tricky()
    doc = blocks(markdown_export.render([note]))
    assert doc[0].text == TRICKY_TITLE
    assert kinds(doc[0].inline) == {"text"}
    tldr = next(b for b in doc if b.text.startswith("TL;DR:"))
    assert tldr.text == f"TL;DR: {note.tldr}"
    (findings,) = section(doc, "Findings")
    assert findings.items == note.findings
    for token in findings.tokens:
        if token.type == "inline":
            assert kinds(token) == {"text"}
    assert doc[-1].text == "#mimo #c #x #ИИ"


def test_note_without_reader_fields_has_no_empty_sections() -> None:
    out = markdown_export.render([bare()])
    doc = blocks(out)
    assert [b.kind for b in doc] == ["heading", "paragraph", "paragraph"]
    assert doc[0].text == "An Old Style Paper on Strings"
    assert doc[1].text == "张伟, Paul Erdős"
    assert doc[2].text == "arXiv:hep-th/9901001v1"
    for word in ("TL;DR", "Findings", "Commentary", "#"):
        assert word not in out.split("\n", 1)[1]


def test_pending_placeholder_renders_its_id_and_says_so() -> None:
    doc = blocks(markdown_export.render([pending()]))
    assert [b.kind for b in doc] == ["heading", "paragraph", "paragraph", "paragraph"]
    assert doc[0].text == "arXiv:2401.00001"
    assert doc[1].text.startswith("Metadata pending")
    link = (doc[2].inline.children or [])[0]
    assert link.attrs["href"] == "https://arxiv.org/abs/2401.00001"
    assert doc[3].text == "#todo"


def test_white_space_in_fields_cannot_make_code_blocks_or_hard_breaks() -> None:
    note = bare()
    note.title = "A title\n   wrapped by arXiv"
    note.commentary = "    indented four spaces  \n\ttabbed\n\n\n\n   last   "
    doc = blocks(markdown_export.render([note]))
    assert doc[0].text == "A title wrapped by arXiv"
    paragraphs = section(doc, "Commentary")
    assert [b.kind for b in paragraphs] == ["paragraph", "paragraph"]
    assert [b.text for b in paragraphs] == ["indented four spaces\ntabbed", "last"]


def test_a_finding_of_several_paragraphs_stays_in_its_item() -> None:
    note = bare()
    note.findings = ["first paragraph\n\nsecond paragraph", "", "   ", "next"]
    (findings,) = section(blocks(markdown_export.render([note])), "Findings")
    assert findings.items == ["first paragraph\n\nsecond paragraph", "next"]


def test_tex_in_titles_and_names_renders_as_the_characters_it_stands_for() -> None:
    note = bare()
    note.title = r"On R\'{e}nyi entropies of $\ell_1$ balls, 95\% \& more"
    note.authors = [Author(r"Paul Erd\H{o}s", [r"Universit\"at Bonn"]), Author(r"A. R\'enyi")]
    note.commentary = r"As typed: R\'enyi"
    doc = blocks(markdown_export.render([note]))
    assert doc[0].text == r"On Rényi entropies of $\ell_1$ balls, 95% & more"  # math kept
    assert kinds(doc[0].inline) == {"text"}
    assert doc[1].text == "Paul Erdős (Universität Bonn), A. Rényi"
    assert [b.text for b in section(doc, "Commentary")] == [r"As typed: R\'enyi"]
    digest = blocks(markdown_export.render([note, attention()]))
    assert digest[1].items[0] == r"On Rényi entropies of $\ell_1$ balls, 95% & more"


# --- Markdown: a digest -------------------------------------------------------------------


def test_digest_has_a_title_a_toc_and_one_heading_per_note() -> None:
    notes = collection()
    out = markdown_export.render(notes)
    doc = blocks(out)
    assert (doc[0].kind, doc[0].tag) == ("heading", "h1")
    assert doc[0].text == "Reading notes, 2024-01-10 – 2024-03-05"
    assert [b.tag for b in doc if b.kind == "heading"].count("h1") == 1

    expected = [n.title or f"arXiv:{n.id}" for n in notes]
    headings = [b for b in doc if b.kind == "heading" and b.tag == "h2"]
    assert [h.text for h in headings] == expected

    # Each heading carries an explicit anchor; the TOC links to exactly those, in order.
    anchors = []
    for heading in headings:
        html = [c.content for c in heading.inline.children or [] if c.type == "html_inline"]
        assert len(html) == 2 and html[1] == "</a>"
        match = re.fullmatch(r'<a id="([a-z0-9-]+)">', html[0])
        assert match, html
        anchors.append(match.group(1))
    assert len(set(anchors)) == len(anchors)
    toc = doc[1]
    assert toc.kind == "bullet_list"
    items = [t.children or [] for t in toc.tokens if t.type == "inline"]
    assert all([c.type for c in item] == ["link_open", "text", "link_close"] for item in items)
    assert [item[0].attrs["href"] for item in items] == [f"#{a}" for a in anchors]
    assert toc.items == expected


def test_digest_notes_are_separated_by_rules() -> None:
    notes = collection()
    doc = blocks(markdown_export.render(notes))
    kinds_in_order = [b.kind for b in doc]
    assert kinds_in_order.count("hr") == len(notes) - 1
    first = kinds_in_order.index("heading", 1)
    assert "hr" not in kinds_in_order[:first]  # none between the TOC and the first note
    for i, kind in enumerate(kinds_in_order):
        if kind == "hr":
            assert (doc[i + 1].kind, doc[i + 1].tag) == ("heading", "h2")


def test_digest_notes_keep_their_own_sections() -> None:
    notes = collection()
    per_note = notes_in(markdown_export.render(notes))
    assert [labels(n) for n in per_note] == [
        ["TL;DR:", "Findings", "Commentary"],
        ["TL;DR:", "Findings", "Commentary"],
        ["TL;DR:"],
        ["TL;DR:"],
        [],
        [],
    ]
    (findings,) = section(per_note[1], "Findings")
    assert findings.items == tricky().findings
    assert [b.text for b in section(per_note[1], "Commentary")] == RUSSIAN.split("\n\n")
    assert per_note[4][1].text.startswith("Metadata pending")
    assert per_note[2][-1].text == "#meta"


def test_digest_title_given_or_from_the_dates() -> None:
    notes = [attention(), bare()]
    assert blocks(markdown_export.render(notes, title="Week *3* <review>"))[0].text == (
        "Week *3* <review>"
    )
    assert blocks(markdown_export.render(notes))[0].text == "Reading notes, 2024-01-10"
    for note in notes:
        note.added = None
    assert blocks(markdown_export.render(notes))[0].text == "Reading notes"


def test_a_title_makes_a_digest_even_of_one_note() -> None:
    doc = blocks(markdown_export.render([attention()], title="This week"))
    assert [(b.tag, b.text) for b in doc if b.kind == "heading"] == [
        ("h1", "This week"),
        ("h2", "Attention Is All You Need"),
    ]


def test_the_same_paper_twice_gets_two_anchors() -> None:
    out = markdown_export.render([attention(), attention()])
    assert '<a id="arxiv-1706-03762">' in out and '<a id="arxiv-1706-03762-2">' in out
    assert "(#arxiv-1706-03762)" in out and "(#arxiv-1706-03762-2)" in out


def test_hashtags_are_words_telegram_and_slack_accept() -> None:
    note = bare()
    note.tags = [
        "ricci-flow",
        "c++",
        "--x--",
        "multi word tag",
        "ёлка",
        "a.b/c",
        "!!!",
        "ricci-flow",
    ]
    doc = blocks(markdown_export.render([note]))
    assert doc[-1].text == "#ricci_flow #c #x #multi_word_tag #ёлка #a_b_c"
    assert kinds(doc[-1].inline) == {"text"}  # no `_` ever opens emphasis


# --- BibTeX -------------------------------------------------------------------------------


def latex_decoder() -> LatexNodes2Text:
    """pylatexenc, told what these text macros print (by default it drops or misreads them)."""
    db = get_default_latex_context_db()
    exact = {
        "textbraceleft": "{",
        "textbraceright": "}",
        "textasciicircum": "^",
        "textless": "<",
        "textgreater": ">",
        "textbar": "|",
    }
    db.add_context_category(
        "exact", prepend=True, macros=[MacroTextSpec(k, v) for k, v in exact.items()]
    )
    return LatexNodes2Text(latex_context=db, math_mode="verbatim")


DECODE = latex_decoder().latex_to_text


def parse_bib(text: str) -> list[dict[str, object]]:
    """Entries as bibtexparser reads them: key, type and raw fields (authors split)."""
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors()])
    assert library.failed_blocks == []
    assert len(library.blocks) == len(library.entries)  # nothing but entries
    return [
        {"key": e.key, "type": e.entry_type, **{f.key: f.value for f in e.fields}}
        for e in library.entries
    ]


def unbrace(value: str) -> str:
    """A value without one pair of protecting braces around the whole of it."""
    assert value.startswith("{") and value.endswith("}"), value
    return value[1:-1]


def test_bibtex_fields_match_the_notes() -> None:
    notes = collection()
    entries = parse_bib(bibtex_export.render(notes))
    assert len(entries) == len(notes)
    for note, entry in zip(notes, entries, strict=True):
        assert entry["type"] == "misc"
        expected: dict[str, object] = {
            "eprint": note.id,
            "archivePrefix": "arXiv",
            "url": note.url or f"https://arxiv.org/abs/{note.id}",
        }
        if note.title:
            expected["title"] = note.title
        if note.authors:
            expected["author"] = [a.name for a in note.authors]
        if note.year:
            expected["year"] = str(note.year)
        if note.primary_category:
            expected["primaryClass"] = note.primary_category
        if note.doi:
            expected["doi"] = note.doi
        if note.journal_ref:
            expected["note"] = note.journal_ref
        got = {k: v for k, v in entry.items() if k not in ("key", "type")}
        assert set(got) == set(expected), note.id
        if "title" in got:
            got["title"] = DECODE(unbrace(str(got["title"])))
        if "author" in got:
            assert isinstance(got["author"], list)
            got["author"] = [DECODE(name) for name in got["author"]]
        if "note" in got:
            got["note"] = DECODE(str(got["note"]))
        assert got == expected, note.id


def test_bibtex_escapes_are_the_expected_latex() -> None:
    out = bibtex_export.render([tricky()])
    assert (
        "  title = {{Why *stars*, snake\\_case \\& \\#hashtags: \\textless{}b\\textgreater{}" in out
    )
    assert "  note = {IEEE Trans. Signal Process. \\& Comm. 67 (2019) 1-10},\n" in out
    escaped = bibtex_export.latex_escape(tricky().abstract)
    assert "95\\% of cases where \\$x\\_1\\$ \\textgreater{} 0" in escaped
    assert (
        "a lone \\textbraceleft{} brace, \\textasciitilde{}, \\textasciicircum{} and C\\#."
        in escaped
    )
    assert "abstract" not in out  # like arXiv's own export
    assert "  doi = {10.1109/TSP.2019.123_45},\n" in out  # verbatim, as biblatex reads it
    assert "  author = {Dirk Wübben and Анна Иванова and Jean-Luc O'Neil\\_2},\n" in out


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("50% & $5 #1 a_b", r"50\% \& \$5 \#1 a\_b"),
        ("{x} ~ ^", r"\textbraceleft{}x\textbraceright{} \textasciitilde{} \textasciicircum{}"),
        ("C:\\dir\\", r"C:\textbackslash{}dir\textbackslash{}"),
        ("a < b | c > d", r"a \textless{} b \textbar{} c \textgreater{} d"),
        ("Wübben  Łukasz\nёлка", "Wübben Łukasz ёлка"),
    ],
)  # fmt: skip
def test_latex_escape_round_trips(text: str, escaped: str) -> None:
    assert latex_escape(text) == escaped
    assert DECODE(escaped) == " ".join(text.split())


def test_bibtex_form_one_field_per_line_blank_line_between_entries() -> None:
    notes = collection()
    out = bibtex_export.render(notes)
    assert out.endswith("}\n") and not out.endswith("\n\n")
    entries = out.rstrip("\n").split("\n\n")
    assert len(entries) == len(notes)
    for entry in entries:
        lines = entry.split("\n")
        assert re.fullmatch(r"@misc\{[a-z0-9]+,", lines[0])
        assert lines[-1] == "}"
        for line in lines[1:-2]:
            assert re.fullmatch(r"  [A-Za-z]+ = \{.*\},", line), line
        assert re.fullmatch(r"  [A-Za-z]+ = \{.*\}", lines[-2]), lines[-2]
    first = entries[0].split("\n")
    assert first[1] == "  title = {{Attention Is All You Need}},"
    assert first[2].startswith("  author = {Ashish Vaswani and Noam Shazeer and ")
    assert "Łukasz Kaiser and Illia Polosukhin}," in first[2]


def test_bibtex_placeholder_has_eprint_and_url() -> None:
    (entry,) = parse_bib(bibtex_export.render([pending()]))
    assert entry == {
        "key": "anon",
        "type": "misc",
        "eprint": "2401.00001",
        "archivePrefix": "arXiv",
        "url": "https://arxiv.org/abs/2401.00001",
    }


def test_bibtex_names_that_would_split_wrongly_are_braced() -> None:
    note = bare()
    note.authors = [
        Author("Research and Development Team"),
        Author("John Smith, Jr."),
        Author("Anderson Sand"),
    ]
    out = bibtex_export.render([note])
    assert (
        "author = {{Research and Development Team} and {John Smith, Jr.} and Anderson Sand}" in out
    )
    (entry,) = parse_bib(out)
    assert entry["author"] == [
        "{Research and Development Team}",
        "{John Smith, Jr.}",
        "Anderson Sand",
    ]
    assert entry["key"] == "team1999old"


def test_cite_keys_of_the_collection() -> None:
    keys = [e["key"] for e in parse_bib(bibtex_export.render(collection()))]
    assert keys == [
        "vaswani2017attention",
        "wubben2019stars",  # "Why" is a stopword
        "smith2020learninga",
        "smith2020learningb",
        "anon",
        "anon1999old",  # 张伟 has no Latin letters; "An" is a stopword
    ]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[a-z0-9]+", str(k)) for k in keys)


def test_cite_keys_are_stable_and_follow_order_of_appearance() -> None:
    notes = collection()
    assert bibtex_export.render(notes) == bibtex_export.render(collection())
    reordered = cite_keys([notes[3], notes[0], notes[2]])
    assert reordered == ["smith2020learninga", "vaswani2017attention", "smith2020learningb"]
    many = [smith(1, "A", "Learning"), smith(2, "B", "Learning"), smith(3, "C", "Learning")]
    assert cite_keys(many) == ["smith2020learninga", "smith2020learningb", "smith2020learningc"]
    assert cite_keys([attention()]) == ["vaswani2017attention"]


def test_a_suffixed_key_never_takes_another_notes_key() -> None:
    twins = [smith(1, "A", "Learning"), smith(2, "B", "Learning")]
    taken = smith(3, "C", "Learninga")  # its plain key is what the first twin would get
    assert cite_keys([*twins, taken]) == [
        "smith2020learningb",
        "smith2020learningc",
        "smith2020learninga",
    ]


@pytest.mark.parametrize(
    ("name", "surname"),
    [
        ("Dirk Wübben", "wubben"),
        ("Jan Łukasiewicz", "lukasiewicz"),
        ("Łukasz Kaiser", "kaiser"),
        ("Paul Erdős", "erdos"),
        ("Søren Kierkegaard-Østergaard", "kierkegaardostergaard"),
        ("John Smith, Jr.", "smith"),
        ("Smith, John", "smith"),
        ("Martin Luther King Jr.", "king"),
        ("Wei Zhang 张伟", "zhang"),
        ("张伟", "anon"),
        ("山田 太郎", "anon"),
        ("", "anon"),
    ],
)
def test_cite_key_surname(name: str, surname: str) -> None:
    note = Note(id="1706.03762", title="A Study", authors=[Author(name)], published="2017-01-01")
    assert cite_key(note) == f"{surname}2017study"


def test_cite_key_title_word_and_missing_parts() -> None:
    def key(title: str, published: str | None = "2020-05-05") -> str:
        return cite_key(Note(id="2005.00001", title=title, authors=[], published=published))

    assert key("The Ẅeird-Thing: on it") == "anon2020weird"
    assert key("On the Origin of Species", None) == "anonorigin"
    assert key("深層学習 Deep Learning") == "anon2020deep"
    assert key("") == "anon2020"


# --- JSON ---------------------------------------------------------------------------------


def test_json_is_the_notes_dicts() -> None:
    notes = collection()
    out = json_export.render(notes)
    assert json.loads(out) == [n.to_dict() for n in notes]
    assert out.endswith("]\n")
    assert "Wübben" in out and "Первый абзац" in out  # not \u escapes
    assert out.startswith('[\n  {\n    "id": "1706.03762",\n')


def test_json_of_nothing_and_of_odd_extra_values() -> None:
    import datetime as dt

    assert json_export.render([]) == "[]\n"
    note = bare()
    note.extra = {"read_on": dt.date(2024, 5, 1), "stars": 5}
    (data,) = json.loads(json_export.render([note]))
    assert data["read_on"] == "2024-05-01" and data["stars"] == 5


# --- The package --------------------------------------------------------------------------


def test_formats_and_extensions() -> None:
    assert set(FORMATS) == set(EXTENSIONS) == {"markdown", "bibtex", "json", "telegram"}
    assert EXTENSIONS == {"markdown": "md", "bibtex": "bib", "json": "json", "telegram": "html"}
    notes = collection()
    modules = {"markdown": markdown_export, "bibtex": bibtex_export, "json": json_export}
    for name, module in modules.items():
        assert "".join(FORMATS[name](notes, title="T")) == module.render(notes, title="T")
        assert render(name, notes) == module.render(notes)
        assert render(name, notes, title="T") == module.render(notes, title="T")


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"unknown export format 'html'.*markdown, bibtex, json"):
        render("html", [attention()])


def test_format_modules_load_on_first_use() -> None:
    code = (
        "import sys, papernotes.export as e\n"
        "assert not any(m.startswith('papernotes.export.') for m in sys.modules), sys.modules\n"
        "e.render('json', [])\n"
        "assert 'papernotes.export.json' in sys.modules\n"
        "assert 'papernotes.export.markdown' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_title_ending_in_hashes_keeps_them() -> None:
    title = "Notes on C #"
    tokens = MD.parse(markdown_export.render([Note(id="1905.01234", title=title)]))
    heading = next(t for i, t in enumerate(tokens) if i and tokens[i - 1].type == "heading_open")
    assert heading.children is not None
    assert "".join(c.content for c in heading.children if c.type == "text") == title


# --- Control characters -------------------------------------------------------------------

# The user trial's title: retitles the terminal, then clears it.
HACKED = "\x1b]0;HACKED\x07\x1b[2J"
# Every C0 and C1 control character (and DEL) but tab and line feed, which are text.
CONTROLS = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n")
ANY_CONTROL = re.compile(f"[{re.escape(CONTROLS)}]")


def hostile() -> Note:
    """Control characters in every field a format writes, the URL and DOI included."""
    return Note(
        id="1706.03762",
        version=7,
        title=f"Attention {HACKED} Is All\x9b2J You Need",
        authors=[Author("Eve \x1b[5mBlink", ["Lab\x07 one"]), Author("Mallory\x00")],
        published="2017-06-12T17:57:34Z",
        primary_category="cs.CL\x1b",
        categories=["cs.CL"],
        doi="10.1/\x1b]8;;x\x07",
        journal_ref="Journal\x7f 1",
        url="https://example.org/\x1b[2J",
        tldr=f"every control: {CONTROLS} end",
        findings=["finding \x1b[?25l\x9b hides the cursor"],
        commentary="commentary \x1bc resets\n\x1f the terminal",
        tags=["tag\x1b[7m"],
    )


@pytest.mark.parametrize("digest", [False, True], ids=["post", "digest"])
def test_markdown_shows_control_characters_as_escapes(digest: bool) -> None:
    out = markdown_export.render([hostile(), attention()] if digest else [hostile()])
    assert not ANY_CONTROL.findall(out)
    document = blocks(out)
    heading = notes_in(out)[0][0] if digest else document[0]
    assert heading.text == "Attention \\x1b]0;HACKED\\x07\\x1b[2J Is All\\x9b2J You Need"
    rendered = MD.render(out)  # what a renderer shows: the escapes as text, never the controls
    assert not ANY_CONTROL.findall(rendered)
    for shown in ("Eve \\x1b[5mBlink (Lab\\x07 one)", "Mallory\\x00", "\\x1bc resets"):
        assert shown in rendered
    assert "every control: \\x00\\x01" in rendered and "\\x9e\\x9f end" in rendered
    assert 'href="https://arxiv.org/abs/1706.03762"' in rendered  # not the URL with ESC


def test_escape_makes_each_control_character_visible() -> None:
    assert escape("a\x1bb\x7fc\x9bd\te\nf") == "a\\\\x1bb\\\\x7fc\\\\x9bd\te\nf"
    tokens = MD.parse(escape(HACKED))
    assert text_of(tokens[1]) == "\\x1b]0;HACKED\\x07\\x1b[2J"


def test_bibtex_leaves_control_characters_out() -> None:
    out = bibtex_export.render([hostile()])
    assert not ANY_CONTROL.findall(out)
    (entry,) = parse_bib(out)
    assert entry["title"] == "{Attention ]0;HACKED[2J Is All2J You Need}"
    assert entry["author"] == ["Eve [5mBlink", "Mallory"]
    assert entry["primaryClass"] == "cs.CL"
    assert entry["note"] == "Journal 1"
    assert entry["doi"] == "10.1/]8;;x"
    assert entry["url"] == "https://example.org/[2J"
    assert latex_escape("a \x1b b\x1cc\x85d") == "a b c d"  # white-space controls: spaces


def test_json_escapes_every_control_character() -> None:
    note = hostile()
    out = json_export.render([note])
    assert not ANY_CONTROL.findall(out)
    assert "\\u001b]0;HACKED\\u0007" in out and "\\u009b2J" in out and "Journal\\u007f" in out
    assert json.loads(out) == [note.to_dict()]
    assert "Wübben" in json_export.render([tricky()])  # other text is still written as it is
