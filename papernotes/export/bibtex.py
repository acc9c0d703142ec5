"""BibTeX: arXiv papers in the form arXiv itself exports (`@misc` with `eprint`,
`archivePrefix`, `primaryClass`); papers known by DOI as the entry type their Crossref type
names (`@article`, `@inproceedings`, `@book`, `@incollection`, else `@misc`); web links as
`@online`, or `@software` for a code repository, with the date they were added as `urldate`.

Names and other Unicode text are kept as UTF-8 (biber and bibtexparser read it); LaTeX's
special characters are escaped so a title like `50% of C# & F#` prints as written, and so
is math: `$x_1$` in a title prints as those five characters. `url` and `doi` are written
as they are: biblatex reads them verbatim, so an escape would end up in the link. Control
characters (C0 and C1) are left out of every field: TeX has no use for them, and a .bib
printed to a terminal must not act on it. Like arXiv's own export, entries carry no
abstract: a bibliography is for citing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from papernotes.errors import InvalidIdError
from papernotes.ids import parse_id
from papernotes.note import Note, normalise_space
from papernotes.refs import DOI_KEY

# LaTeX's ten special characters, and three that print as other glyphs in the default
# OT1 font encoding (`<` as ¡, `>` as ¿, `|` as —). `\{` and `\}` would unbalance the
# braces BibTeX counts, so braces get text macros too.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_LATEX_SPECIAL = re.compile("[" + re.escape("".join(_LATEX)) + "]")
# Letters NFKD does not take apart into an ASCII letter and an accent.
_ASCII_LETTERS = str.maketrans(
    {
        "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
        "þ": "th", "Þ": "Th", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
        "ı": "i", "ħ": "h", "Ħ": "H", "ŋ": "ng", "Ŋ": "NG",
    }
)  # fmt: skip
# Title words a key skips: `On the Origin of Species` gives `darwin1859origin`.
_STOPWORD_TEXT = (
    "a an the and or of on in at to for from by with without via into onto over under "
    "about as is are be do does how what when why which who this that these those we our "
    "its it not no can"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_AND = re.compile(r"\sand\s", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_VERSION = re.compile(r"v[0-9]+$")
_NOT_VERBATIM = re.compile(r"[{}\\\s]")
# C0 and C1 control characters that are not white space (those become spaces, or %-escapes
# in a URL): removed.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


# Crossref's work types (https://api.crossref.org/types) and the entry types they are; a
# type not named here (posted-content, dissertation, report, dataset, ...) is `@misc`.
ENTRY_TYPES = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-chapter": "incollection",
    "book-part": "incollection",
    "book-section": "incollection",
    "reference-entry": "incollection",
}
# Where each entry type names the work's container (the journal, proceedings or book).
_CONTAINER_FIELD = {
    "article": "journal",
    "inproceedings": "booktitle",
    "incollection": "booktitle",
    "book": "series",
    "misc": "howpublished",
}
# What a link note's `type` says when the page is code (web pages' kind, or schema.org's).
_SOFTWARE_TYPES = frozenset({"software", "softwaresourcecode", "softwareapplication"})
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def entry_type(note: Note) -> str:
    """The BibTeX entry type of a note: `misc` for arXiv (as arXiv exports), the Crossref
    type's for a DOI, `software` or `online` for a link."""
    if note.kind == "doi":
        return ENTRY_TYPES.get((note.type or "").strip().lower(), "misc")
    if note.kind == "link":
        software = note.repository is not None or (note.type or "").lower() in _SOFTWARE_TYPES
        return "software" if software else "online"
    return "misc"


def render(notes: Sequence[Note], *, title: str | None = None) -> str:
    """One entry per note, one field per line, entries separated by a blank line.

    `title` is accepted for a uniform signature and not used: a .bib file has no title.
    """
    return "".join(chunks(notes, title=title))


def chunks(notes: Sequence[Note], *, title: str | None = None) -> Iterator[str]:
    """`render`, an entry at a time."""
    for i, (note, key) in enumerate(zip(notes, cite_keys(notes), strict=True)):
        yield ("\n\n" if i else "") + _entry(note, key)
    if notes:
        yield "\n"


def latex_escape(text: str) -> str:
    """`text` with LaTeX's special characters escaped, its white space collapsed and its
    control characters removed."""
    text = normalise_space(_CONTROL.sub("", text))
    return _LATEX_SPECIAL.sub(lambda m: _LATEX[m.group()], text)


def cite_keys(notes: Sequence[Note]) -> list[str]:
    """`vaswani2017attention` for each note; repeats get `a`, `b`, ... in order of appearance."""
    bases = [cite_key(n) for n in notes]
    counts = Counter(bases)
    taken = {base for base in bases if counts[base] == 1}
    used: Counter[str] = Counter()
    keys = []
    for base in bases:
        key = base
        while counts[base] > 1 and (key == base or key in taken):
            key = base + _letters(used[base])
            used[base] += 1
        taken.add(key)
        keys.append(key)
    return keys


def cite_key(note: Note) -> str:
    """First author's surname, year, first title word that is not a stopword: lowercase ASCII.

    A web link without authors is named by its repository's owner or its site instead.
    """
    surname = _surname(note.authors[0].name) if note.authors else ""
    if not surname and note.kind == "link":
        owner = (note.repository or {}).get("owner") or note.site or ""
        surname = next((w for w in map(_ascii, _WORD.findall(owner)) if w), "")
    word = next(
        (w for w in map(_ascii, _WORD.findall(note.title)) if w and w not in _STOPWORDS),
        "",
    )
    return f"{surname or 'anon'}{note.year or ''}{word}"


def _entry(note: Note, key: str) -> str:
    if note.kind == "doi":
        return _doi_entry(note, key)
    if note.kind == "link":
        return _link_entry(note, key)
    return _arxiv_entry(note, key)


def _arxiv_entry(note: Note, key: str) -> str:
    eprint = _VERSION.sub("", note.id)
    fields = [
        ("title", "{" + latex_escape(note.title) + "}" if note.title.strip() else ""),
        ("author", " and ".join(_name(a.name) for a in note.authors if a.name.strip())),
        ("year", str(note.year or "")),
        ("eprint", eprint),
        ("archivePrefix", "arXiv"),
        ("primaryClass", latex_escape(note.primary_category)),
        ("doi", _verbatim(note.doi or "")),
        # arXiv's journal reference is a whole citation ("Phys. Rev. D 76, 013009 (2007)"),
        # not a journal's name, and `@misc` prints `note` in every style but ignores
        # `journal`: so it goes into `note`, kept whole.
        ("note", latex_escape(note.journal_ref or "")),
        ("url", _verbatim(note.url or f"https://arxiv.org/abs/{eprint}")),
    ]
    return _written("misc", key, fields)


def _doi_entry(note: Note, key: str) -> str:
    """A paper known by its DOI: where it appeared, in the fields its entry type has."""
    kind = entry_type(note)
    doi = note.id.removeprefix(DOI_KEY)
    container = note.container or ""
    if kind == "misc" and not container:
        container = note.publisher or ""  # bioRxiv's preprints name only their publisher
    fields = [
        *_work(note),
        (_CONTAINER_FIELD[kind], latex_escape(container)),
        ("volume", latex_escape(note.volume or "")),
        ("number", latex_escape(note.issue or "")),
        ("pages", latex_escape(note.pages or "")),
        ("publisher", latex_escape(note.publisher or "") if kind != "misc" else ""),
        ("doi", _verbatim(doi)),
        *_eprint(note),
        # The resolver's link is the DOI again: a URL only when it leads somewhere else.
        ("url", _verbatim(note.url) if note.url and not _is_resolver(note.url) else ""),
    ]
    return _written(kind, key, fields)


def _link_entry(note: Note, key: str) -> str:
    """A web page or a code repository: its link and the day it was read."""
    kind = entry_type(note)
    added = (note.added or "")[:10]
    fields = [
        *_work(note),
        ("organization" if kind == "online" else "publisher", latex_escape(note.site or "")),
        ("doi", _verbatim(note.doi or "")),
        *_eprint(note),
        ("url", _verbatim(note.url or note.id)),
        ("urldate", added if _DAY.fullmatch(added) else ""),
    ]
    return _written(kind, key, fields)


def _work(note: Note) -> list[tuple[str, str]]:
    """Title (with any subtitle), authors and year: the fields every entry starts with."""
    title = normalise_space(note.title)
    subtitle = normalise_space(note.subtitle or "")
    if title and subtitle:
        title += (" " if title[-1] in ":?!." else ": ") + subtitle
    return [
        ("title", "{" + latex_escape(title) + "}" if title else ""),
        ("author", " and ".join(_name(a.name) for a in note.authors if a.name.strip())),
        ("year", str(note.year or "")),
    ]


def _eprint(note: Note) -> list[tuple[str, str]]:
    """The arXiv paper a DOI or a page names, as biblatex cites an eprint."""
    try:
        paper = parse_id(note.arxiv or "")
    except InvalidIdError:  # none, or a hand-written one that is not an arXiv id
        return []
    return [("eprint", paper.base), ("archivePrefix", "arXiv")]


def _is_resolver(url: str) -> bool:
    """Whether `url` is a DOI resolver's link (https://doi.org/…, http://dx.doi.org/…)."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:  # a hand-written URL that is not one: kept as written
        return False
    return host in ("doi.org", "dx.doi.org")


def _written(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    """An entry, one field per line; empty fields left out."""
    lines = [f"  {name} = {{{value}}}" for name, value in fields if value]
    return f"@{kind}{{{key},\n" + ",\n".join(lines) + "\n}"


def _name(name: str) -> str:
    """A name as arXiv gives it; braced when a comma or a lone `and` would split it wrongly."""
    escaped = latex_escape(name)
    return f"{{{escaped}}}" if "," in escaped or _AND.search(escaped) else escaped


def _verbatim(value: str) -> str:
    """A URL or DOI unescaped; only what could break the entry (braces, spaces) encoded,
    control characters removed."""
    value = _CONTROL.sub("", value).strip()
    if not _NOT_VERBATIM.search(value):
        return value
    return "".join(f"%{ord(c):02X}" if c in "{}\\" or c.isspace() else c for c in value)


def _surname(name: str) -> str:
    """The last word of a name (before any comma: `Smith, Jr.`, `Smith, John`), ASCII-folded.

    Words with no Latin letter or digit (CJK, Cyrillic) are skipped; none left gives "".
    """
    words = [w for w in map(_ascii, name.split(",")[0].split()) if w]
    while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
        words.pop()
    return words[-1] if words else ""


def _ascii(word: str) -> str:
    """Lowercase ASCII letters and digits of a word: Wübben -> wubben, Łukasz -> lukasz."""
    if word.isascii():
        return _NOT_ALNUM.sub("", word.lower())
    decomposed = unicodedata.normalize("NFKD", word.translate(_ASCII_LETTERS)).lower()
    return _NOT_ALNUM.sub("", decomposed)


def _letters(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa, ...: suffixes for repeated keys."""
    out = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out
