"""Words for search: folding (case, accents, compatibility forms), tokens, stems, stopwords.

Index and query go through the same functions, so `Wübben` finds `wubben`, `Ёлка` finds
`елка`, and `tickets` and `ticket` share a stem. Stems come from the Snowball algorithms:
English for Latin script, Russian for Cyrillic; other scripts are matched as written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
_BREVE = "\u0306"

# Words too common to help a search; left out of the index and of queries alike.
_ENGLISH_STOPWORDS = (
    "a an and are as at be by for from has have in is it its of on or that the this to was "
    "were which with we our these those their there then than also can not no but into via "
    "using use used been being such may more most other some all any each both between"
)
_RUSSIAN_STOPWORDS = (
    "и в во не на с со что как а но к ко по из за от до для о об при это его ее её их же ли "
    "бы то так также или уже у мы они она он оно был была было были быть ещё еще лишь только"
)
STOPWORDS = frozenset(f"{_ENGLISH_STOPWORDS} {_RUSSIAN_STOPWORDS}".split())


_CONTROLS_BUT_CELL = r"\x00-\x08\x0b-\x1e\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROLS = _CONTROLS_BUT_CELL + r"\x1f"
_CONTROL = re.compile(f"[{_CONTROLS}]")
_NOT_A_CELL = re.compile(f"[{_CONTROLS}\t\n\r]")  # what a TSV cell must not hold as it is
_CELL_BREAKS = str.maketrans({"\t": "\\t", "\n": "\\n", "\r": "\\r"})


def safe(text: str) -> str:
    """`text` with control characters shown as escapes (\\x1b) instead of acting on a terminal."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


CELL = "\x1f"  # joins the cells of `tsv_lines`' lines (a note's text never holds it as it is)
_NOT_IN_LINES = re.compile(f"[{_CONTROLS_BUT_CELL}\t\r]")


def tsv_lines(lines: list[str]) -> str:
    """Lines of cells joined by CELL as tab-separated text, escaped as `tsv_cell` does."""
    text = "\n".join(lines)
    if text.count("\n") != len(lines) - 1 or _NOT_IN_LINES.search(text):  # rare: look closer
        return "".join("\t".join(map(tsv_cell, line.split(CELL))) + "\n" for line in lines)
    return text.replace(CELL, "\t") + "\n" if lines else ""


def tsv_cell(text: str) -> str:
    """`text` safe as a cell of tab-separated output: no control character, tab or line
    break left as it is, so no field can add a column or a row of its own."""
    if not _NOT_A_CELL.search(text):
        return text
    return safe(text).translate(_CELL_BREAKS)


def fold(text: str) -> str:
    """Case-fold and strip accents: 'Wübben' -> 'wubben', 'ﬁne' -> 'fine', 'Ёж' -> 'еж'.

    `й` keeps its breve: it is a letter of its own in Russian, and the stemmer needs it to
    recognise endings like -ый and -ей.
    """
    if text.isascii():
        return text.lower()
    # Only the runs of other characters change: most text is ASCII with an accent or two.
    return _NOT_ASCII.sub(_fold_run, text.casefold())


_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(match: re.Match[str]) -> str:
    decomposed = unicodedata.normalize("NFKD", match.group())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c == _BREVE)
    if _BREVE in kept:
        kept = kept.replace("и" + _BREVE, "й").replace(_BREVE, "")
    return kept


def words(text: str) -> list[str]:
    """The folded words of `text`, stopwords included (phrases and highlighting need them)."""
    return _WORD.findall(fold(text))


STOP_MARK = "~"  # stopwords are indexed as ~the: phrases find them, words never do


def terms(found: list[str]) -> list[str]:
    """The index's tokens for the folded `words` of a text: stemmed, `_` runs dropped.

    Stopwords are kept, marked (`~the`), so that a phrase matches exactly the words in
    order while a word or a prefix never matches a stopword.
    """
    tokens = [STOP_MARK + word if word in STOPWORDS else stem(word) for word in found]
    return [t for t in tokens if t.strip("_")] if "_" in "".join(found) else tokens


@lru_cache(maxsize=1)
def _stemmers() -> tuple[Any, Any]:
    import snowballstemmer

    return snowballstemmer.stemmer("english"), snowballstemmer.stemmer("russian")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one folded word (unchanged for scripts without a stemmer, and numbers)."""
    english, russian = _stemmers()
    if _LATIN.search(word):
        return str(english.stemWord(word))
    if _CYRILLIC.search(word):
        return str(russian.stemWord(word))
    return word
