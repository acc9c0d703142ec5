"""arXiv identifiers: parse every form people paste, reject impossible ones, name files safely.

Validation is strict on purpose: the arXiv API fails a whole batch with HTTP 400 when one id
in it is malformed, so anything that cannot be a real identifier is rejected before asking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from papernotes.errors import InvalidIdError

# Archives that had old-style identifiers (archive/YYMMNNN), before April 2007.
OLD_ARCHIVES = frozenset(
    {
        "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an",
        "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an",
        "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrn-th",
        "nlin", "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio",
        "quant-ph", "solv-int", "supr-con",
    }
)  # fmt: skip

_PREFIX = re.compile(r"^arxiv:\s*", re.IGNORECASE)
# arXiv's DOI for a paper, registered with DataCite: 10.48550/arXiv.<id>, any case as DOIs
# are. mentions.py finds DOIs in a text with this same prefix.
DOI_PREFIX = r"10\.48550/arxiv\."
_DOI = re.compile(
    rf"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)?{DOI_PREFIX}(?P<rest>.+)$", re.IGNORECASE
)
# A paper's page off arxiv.org: arxiv.com (which redirects to it), and well-known mirrors
# and readers. mentions.py finds links in a text by these same pages.
MIRROR_PAGES = (
    r"(?:www\.)?arxiv\.com/(?:abs|pdf|html)|ar5iv\.org/(?:abs|html)"
    r"|(?:www\.)?alphaxiv\.org/abs|huggingface\.co/papers"
)
_LINK = re.compile(
    r"^(?:https?://)?(?:(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)"
    rf"|ar5iv\.labs\.arxiv\.org/(?:abs|html)|{MIRROR_PAGES})/(?P<rest>.+?)/?$",
    re.IGNORECASE,
)
# The stamp arXiv prints down the side of a PDF, `arXiv:1911.04594v1 [cs.LG] 11 Nov 2019`,
# and beside the id on its abstract and listing pages: `[cs.LG]` or `[pdf, html, other]`.
_STAMP = re.compile(
    r"^(?P<id>[^\s\[\]]+)"
    r"(?:\s*\[(?P<bracket>[a-z]+(?:-[a-z]+)?(?:\.[a-z]+(?:-[a-z]+)?)?"
    r"|(?:pdf|ps|html|other|src)(?:\s*,\s*(?:pdf|ps|html|other|src))*)\])?"
    r"(?P<date>\s*\b(?:0?[1-9]|[12][0-9]|3[01])\s*"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s*[0-9]{4})?$",
    re.IGNORECASE,
)
# What arXiv's own identifier code tidies before reading an id: a file extension, one
# leading slash, doubled slashes and dashes.
_EXTENSION = re.compile(r"\.(?:pdf|ps|gz|ps\.gz)$", re.IGNORECASE)
_REPEATED = re.compile(r"(?<=/)/+|(?<=-)-+")
_NEW = re.compile(r"^(?P<yymm>[0-9]{4})\.(?P<num>[0-9]{4,5})(?:v(?P<v>[0-9]+))?$")
# As arXiv reads ids in its paths: anything after a `/` or `#` that ends the id is not part
# of it (hep-th/9901001/extra), unless it holds a `..`, which climbs back out of the id
# (arxiv.org/abs/1706.03762/../x is arxiv.org/abs/x); `V` counts as `v` in a new-style id.
_AFTER = r"(?:[#/](?:(?!\.\.).)*)?$"
_NEW_IN_PATH = re.compile(
    rf"^(?P<yymm>[0-9]{{4}})\.(?P<num>[0-9]{{4,5}})(?:[vV](?P<v>[0-9]+))?{_AFTER}"
)
_OLD = re.compile(
    r"^(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?P<subject>[a-z-]{2,}))?/"
    rf"(?P<yymm>[0-9]{{4}})(?P<num>[0-9]+)(?:v(?P<v>[0-9]+))?{_AFTER}",
    re.IGNORECASE,
)
# arXiv reads an archive name typed without its dash (hepth, condmat, astroph, grqc).
_DASHLESS = re.compile(r"(?<=[^a-])(ph|ex|th|qc|mat|lat|sci)$")
# The highest version believed: arXiv papers reach a few dozen versions at most. Bounds the
# number written into notes and the index (JSON) and sent to arXiv.
MAX_VERSION = 9999
_HINT = (
    "expected an arXiv id like 1911.12246, arXiv:1911.12246v2 [cs.LG], hep-th/9901001, "
    "its DOI 10.48550/arXiv.1911.12246, or an arxiv.org, ar5iv, alphaxiv or "
    "huggingface.co/papers link"
)


@dataclass(frozen=True, order=True)
class ArxivId:
    """A validated identifier: `base` without version (old style without subject class)."""

    base: str
    version: int | None = None

    kind: ClassVar[str] = "arxiv"  # the kind of note it names (refs.py has the others)

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"

    @property
    def stem(self) -> str:
        """The note's file name without extension: the id without version, `/` as `_`."""
        return self.base.replace("/", "_")


def parse_id(text: str, *, today: date | None = None) -> ArxivId:
    """Parse any accepted form of an arXiv identifier, or raise `InvalidIdError` naming it."""
    raw = text.strip()
    if match := _NEW.match(raw):  # the common case, as every note file holds it
        return _new_style(raw, match, today or date.today())
    if match := _OLD.match(raw):  # the next most common one, an old-style note's id
        return _old_style(raw, match)
    candidate = _PREFIX.sub("", raw)
    without_query = candidate.split("?", 1)[0].split("#", 1)[0]
    if found := _LINK.match(without_query) or _DOI.match(without_query):
        candidate = found.group("rest")
    elif (stamp := _STAMP.match(candidate)) and (stamp.group("bracket") or stamp.group("date")):
        candidate = stamp.group("id")
    candidate = _EXTENSION.sub("", candidate).removeprefix("/")
    candidate = _REPEATED.sub("", candidate)
    if match := _NEW_IN_PATH.match(candidate):
        return _new_style(raw, match, today or date.today())
    if match := _OLD.match(candidate):
        return _old_style(raw, match)
    raise InvalidIdError(f"{raw!r}: not an arXiv identifier ({_HINT})")


def id_from_stem(stem: str) -> ArxivId | None:
    """The id a note file name stands for, or None when the name is not one."""
    try:
        found = parse_id(stem.replace("_", "/", 1) if "_" in stem else stem)
    except InvalidIdError:
        return None
    return found if found.version is None and found.stem == stem else None


def _version(raw: str, value: str | None) -> int | None:
    if value is None:
        return None
    digits = value.lstrip("0") or "0"  # measured before int(): Python refuses 4301 digits
    if len(digits) > len(str(MAX_VERSION)) or int(digits) > MAX_VERSION:
        raise InvalidIdError(f"{raw!r}: versions go from v1 to v{MAX_VERSION}")
    number = int(digits)
    if number < 1:
        raise InvalidIdError(f"{raw!r}: versions start at v1")
    return number


def _new_style(raw: str, match: re.Match[str], today: date) -> ArxivId:
    yymm, num = match.group("yymm"), match.group("num")
    year, month = 2000 + int(yymm[:2]), int(yymm[2:])
    if not 1 <= month <= 12:
        raise InvalidIdError(f"{raw!r}: month {yymm[2:]} does not exist ({_HINT})")
    if (year, month) < (2007, 4):
        raise InvalidIdError(
            f"{raw!r}: ids of the form YYMM.NNNNN start in April 2007 (0704); "
            "older papers look like hep-th/9901001"
        )
    if (year, month) > (today.year, today.month):
        raise InvalidIdError(f"{raw!r}: {yymm} is a month in the future")
    if year >= 2015 and len(num) != 5:
        raise InvalidIdError(f"{raw!r}: ids from January 2015 on have a 5-digit number")
    if year < 2015 and len(num) != 4:
        raise InvalidIdError(f"{raw!r}: ids before 2015 have a 4-digit number")
    if int(num) == 0:
        raise InvalidIdError(f"{raw!r}: paper numbers start at 1")
    return ArxivId(f"{yymm}.{num}", _version(raw, match.group("v")))


def _old_style(raw: str, match: re.Match[str]) -> ArxivId:
    archive, yymm, num = match.group("archive").lower(), match.group("yymm"), match.group("num")
    if archive not in OLD_ARCHIVES and match.group("subject") is None:
        dashed = _DASHLESS.sub(r"-\1", archive)
        archive = dashed if dashed in OLD_ARCHIVES else archive
    if archive not in OLD_ARCHIVES:
        raise InvalidIdError(f"{raw!r}: {archive!r} is not an arXiv archive ({_HINT})")
    if len(num) != 3:
        raise InvalidIdError(f"{raw!r}: old-style ids have 7 digits after the '/' (YYMMNNN)")
    year, month = int(yymm[:2]), int(yymm[2:])
    year += 1900 if year >= 91 else 2000
    if not 1 <= month <= 12:
        raise InvalidIdError(f"{raw!r}: month {yymm[2:]} does not exist ({_HINT})")
    if not (1991, 8) <= (year, month) <= (2007, 3):
        raise InvalidIdError(
            f"{raw!r}: old-style ids run from August 1991 to March 2007; "
            "newer papers look like 1911.12246"
        )
    if int(num) == 0:
        raise InvalidIdError(f"{raw!r}: paper numbers start at 1")
    return ArxivId(f"{archive}/{yymm}{num}", _version(raw, match.group("v")))


# What a note file's name looks like when named after its paper: checked by one regex, for
# completion, which looks at every name and cannot afford `id_from_stem` on each.
_STEM = re.compile(r"[0-9]{4}\.[0-9]{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[a-z]{2})?_[0-9]{7}", re.I)


def id_of_stem(stem: str) -> str | None:
    """The id a note file's name shows, unchecked beyond its shape (None if not an id)."""
    return stem.replace("_", "/", 1) if _STEM.fullmatch(stem) else None
