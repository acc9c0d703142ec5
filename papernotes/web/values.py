"""A page's words made safe to keep: plain text, bounded, and dates, languages and DOIs in one
form each.

Everything a page says is untrusted: markup in a value is reduced to its text, control and
direction-changing characters are dropped, runs of white space become one space, and each
value is cut to a length that fits its use.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timezone
from urllib.parse import urljoin, urlsplit

from papernotes.errors import InvalidIdError
from papernotes.ids import ArxivId, parse_id
from papernotes.refs import normalise_doi
from papernotes.web.markup import text_of

TITLE_CHARS = 500
DESCRIPTION_CHARS = 5000
NAME_CHARS = 200
MAX_AUTHORS = 2000
URL_CHARS = 2000
SHORT_CHARS = 200  # a site's name, a DOI
DATE_CHARS = 100  # a date kept as written, when it cannot be read

# C0 and C1 controls, and the marks that reorder or hide text on a terminal or a page (bidi
# embeddings, overrides and isolates, byte-order marks); lone surrogates, which JSON can
# hold but no file can encode; the two non-characters.
_UNWANTED = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
    "\ud800-\udfff\ufffe\uffff]"
)
_MARKUP = re.compile(r"<[a-zA-Z/!]")
_ELLIPSIS = "…"


def clean(value: str | None, limit: int) -> str | None:
    """`value` as plain text on one line, at most `limit` characters (None if nothing is left).

    Longer text is cut at a word when one ends near the limit, and ends with an ellipsis.
    """
    if value is None:
        return None
    text = value[: limit * 8]  # bounds the work on a huge value; the rest would be cut anyway
    if _MARKUP.search(text):
        text = text_of(text)
    elif "&" in text:
        text = html.unescape(text)  # entities escaped twice, as some pages' tags have them
    text = " ".join(_UNWANTED.sub("", text).split())
    if len(text) <= limit:
        return text or None
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + _ELLIPSIS


# A name suffix, or a company's, after a comma: "Martin Luther King, Jr.", "Google, Inc."
_NOT_GIVEN = re.compile(
    r"(?:jr|sr|i{2,3}|iv|inc|ltd|llc|plc|gmbh|ag|co|corp|s\.?a|b\.?v)\.?", re.IGNORECASE
)


def person(value: str | None) -> str | None:
    """An author's name as notes keep it: `Family, Given` turned to `Given Family`; a link or
    a handle (`@name`) is not a name (None)."""
    name = clean(value, NAME_CHARS)
    if name is None or name.startswith("@") or "://" in name:
        return None
    family, comma, given = name.partition(",")
    if comma and "," not in given:
        family, given = family.strip(), given.strip()
        if family and given and not _NOT_GIVEN.fullmatch(given):
            return f"{given} {family}"
    return name


def people(values: list[str]) -> list[str]:
    """Authors' names, each once (in any case), in their order, at most MAX_AUTHORS."""
    found: dict[str, str] = {}
    for value in values:
        if len(found) >= MAX_AUTHORS:
            break
        if (name := person(value)) is not None:
            found.setdefault(name.casefold(), name)
    return list(found.values())


_DATE = re.compile(
    r"(?P<y>[0-9]{4})(?:[-/](?P<m>[0-9]{1,2})(?:[-/](?P<d>[0-9]{1,2})"
    r"(?:[T ](?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2})?)(?:\.[0-9]+)?"
    r"\s*(?P<zone>Z|[+-][0-9]{2}:?[0-9]{2})?)?)?)?",
    re.IGNORECASE,
)


def when(value: str | None) -> str | None:
    """A date as ISO 8601: YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SSZ when the page gives a time with
    its zone (turned to UTC); YYYY-MM or YYYY when it names only those. A time without a
    zone keeps only its day, as the instant is unknown. A date that cannot be read is kept
    as written."""
    text = clean(value, DATE_CHARS)
    if text is None:
        return None
    if match := _DATE.fullmatch(text):
        return _iso(match) or text
    from email.utils import parsedate_to_datetime  # 15 ms to import, for a rare form

    try:
        moment = parsedate_to_datetime(text)  # the e-mail and HTTP form: Tue, 07 Jan 2025 ...
    except (TypeError, ValueError, IndexError):
        return text
    if moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso(match: re.Match[str]) -> str | None:
    year, month, day = match.group("y"), match.group("m"), match.group("d")
    if month is None:
        return year
    if not 1 <= int(month) <= 12:
        return None
    if day is None:
        return f"{year}-{int(month):02d}"
    try:
        day_of = date(int(year), int(month), int(day))
    except ValueError:
        return None
    clock, zone = match.group("time"), match.group("zone")
    if clock is None or zone is None:
        return day_of.isoformat()
    zone = "+00:00" if zone.upper() == "Z" else zone
    try:
        moment = datetime.fromisoformat(f"{day_of.isoformat()}T{clock}{zone}")
    except ValueError:
        return day_of.isoformat()
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_LANGUAGE = re.compile(r"(?P<lang>[a-z]{2,3})(?P<rest>(?:[-_][a-z0-9]{1,8})*)", re.IGNORECASE)


def language(value: str | None) -> str | None:
    """A language tag in its usual case (`en_us`, `EN-us` -> `en-US`; `ja_JP` -> `ja-JP`),
    or None when the value is not one (`English`, `x-default`)."""
    text = clean(value, SHORT_CHARS)
    match = _LANGUAGE.fullmatch(text or "")
    if match is None:
        return None
    parts = [match.group("lang").lower()]
    for part in match.group("rest").replace("_", "-").split("-")[1:]:
        if len(part) == 2 and part.isalpha():
            parts.append(part.upper())  # a region
        elif len(part) == 4 and part.isalpha():
            parts.append(part.title())  # a script
        else:
            parts.append(part.lower())
    return "-".join(parts)


def doi(value: str | None) -> str | None:
    """A DOI, lower-cased as DOIs compare, without a `doi:` or doi.org prefix (None if the
    value is not a DOI)."""
    text = clean(value, SHORT_CHARS)
    try:
        return normalise_doi(text) if text else None
    except InvalidIdError:
        return None


def arxiv_id(value: str | None) -> ArxivId | None:
    """The arXiv id a value names (an id, `arXiv:` one, its DOI or an arXiv link), or None."""
    text = clean(value, SHORT_CHARS)
    if text is None:
        return None
    try:
        return parse_id(text)
    except InvalidIdError:
        return None


def link(value: str | None, base: str) -> str | None:
    """An http(s) address, relative ones read against the page's own `base` (None if not)."""
    text = clean(value, URL_CHARS)
    if text is None:
        return None
    try:
        address = urljoin(base, text)
        scheme = urlsplit(address).scheme.lower()
    except ValueError:  # a malformed address, such as an unclosed IPv6 bracket
        return None
    return address if scheme in ("http", "https") else None
