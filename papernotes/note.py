"""The Note model and its YAML round trip: fixed key order, block style for long text."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from papernotes.errors import InvalidIdError, NoteFileError, NoteYamlError
from papernotes.ids import MAX_VERSION, ArxivId, parse_id

if TYPE_CHECKING:
    import yaml

    from papernotes.refs import NoteRef

# refs.py (DOIs and links) is imported where a note of those kinds is met: `list` of an
# arXiv collection never needs it.

_TEXT = ("title", "abstract", "tldr", "commentary", "primary_category")
# Text a source has for some notes only, written when it does: arXiv's DOI, journal reference
# and comment; a DOI's subtitle, container, volume, issue, pages, publisher and type
# (Crossref's); a page's site and language; the arXiv paper a DOI or a page names.
_SOURCE_TEXT = (
    "subtitle", "container", "volume", "issue", "pages", "publisher", "type", "site",
    "language", "doi", "arxiv", "journal_ref", "comment",
)  # fmt: skip
_OPTIONAL_TEXT = (*_SOURCE_TEXT, "url", "pdf_url")
_COUNTS = ("references_count", "cited_by_count")  # as Crossref counts them
_DATES = ("published", "updated", "added")
_TEXT_LISTS = ("findings", "tags", "categories", "links")
_INDEXED = (
    *_TEXT, *_OPTIONAL_TEXT, *_COUNTS, *_DATES, *_TEXT_LISTS,
    "id", "kind", "version", "pending", "repository",
)  # fmt: skip
# The order keys are written in: what a reader edits first, then the source's record.
KEY_ORDER = (
    "id", "kind", "version", "title", "subtitle", "authors", "tags", "tldr", "findings",
    "commentary", "abstract", "published", "updated", "primary_category", "categories",
    "container", "volume", "issue", "pages", "publisher", "type", "site", "language",
    "repository", "doi", "arxiv", "journal_ref", "comment", "url", "pdf_url", "links",
    "references_count", "cited_by_count", "added", "pending",
)  # fmt: skip
_KNOWN_KEYS = frozenset(KEY_ORDER)
_AFTER_CATEGORIES = KEY_ORDER[KEY_ORDER.index("container") : KEY_ORDER.index("added")]
# arXiv's own fields, left out of the files of other kinds when empty.
_ARXIV_ONLY = ("version", "updated", "primary_category", "categories", "pdf_url")
REPOSITORY_KEYS = ("owner", "name", "description", "language")  # a GitHub repository's


@dataclass
class Author:
    """One author as arXiv lists them."""

    name: str
    affiliations: list[str] = field(default_factory=list)
    orcid: str | None = None  # as Crossref gives it: https://orcid.org/0000-…


@dataclass
class Note:
    """One note: the source's metadata (arXiv's, Crossref's, a web page's) and the reader's
    own fields, the same for every kind."""

    id: str
    kind: str = "arxiv"  # arxiv, doi or link (refs.KINDS)
    version: int | None = None
    title: str = ""
    subtitle: str | None = None
    authors: list[Author] = field(default_factory=list)
    abstract: str = ""
    published: str | None = None
    updated: str | None = None
    primary_category: str = ""
    categories: list[str] = field(default_factory=list)
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    url: str | None = None
    pdf_url: str | None = None
    container: str | None = None  # the journal or proceedings
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    type: str | None = None  # Crossref's: journal-article, proceedings-article, book-chapter
    site: str | None = None  # a page's site name
    language: str | None = None
    repository: dict[str, str] | None = None  # a GitHub repository: REPOSITORY_KEYS
    arxiv: str | None = None  # the arXiv paper a DOI's record or a page names
    links: list[str] = field(default_factory=list)  # pages about it: where it was found
    references_count: int | None = None
    cited_by_count: int | None = None
    tldr: str = ""
    findings: list[str] = field(default_factory=list)
    commentary: str = ""
    tags: list[str] = field(default_factory=list)
    added: str | None = None
    pending: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> NoteRef:
        """What the note is about: its kind and id, parsed (an arXiv id without version)."""
        if self.kind == "arxiv":
            return ArxivId(self.id)
        from papernotes.refs import ref_of

        return ref_of(self.kind, self.id)

    @property
    def year(self) -> int | None:
        """Year of first publication (on arXiv; of the work; of the page), when known."""
        return int(self.published[:4]) if self.published and self.published[:4].isdigit() else None

    @classmethod
    def placeholder(cls, ref: NoteRef, tags: list[str], added: str) -> Note:
        """A note whose source could not be read yet."""
        url = getattr(ref, "url", None)  # a link's, or a DOI's resolver
        return cls(
            id=ref.base, kind=ref.kind, version=ref.version, url=url, tags=tags, added=added,
            pending=True,
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the fixed key order, the shape of the YAML file and of `--json`."""
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "version": self.version,
            "title": self.title,
            "subtitle": self.subtitle,
            "authors": [_author_data(a) for a in self.authors],
            "tags": list(self.tags),
            "tldr": self.tldr,
            "findings": list(self.findings),
            "commentary": self.commentary,
            "abstract": self.abstract,
            "published": self.published,
            "updated": self.updated,
            "primary_category": self.primary_category,
            "categories": list(self.categories),
        }
        for key in _AFTER_CATEGORIES:
            data[key] = getattr(self, key)
        data["links"] = list(self.links)
        if self.repository is not None:
            data["repository"] = dict(self.repository)
        data["added"], data["pending"] = self.added, self.pending
        data.update((k, v) for k, v in self.extra.items() if k not in data)
        return data

    @classmethod
    def from_index(cls, record: dict[str, Any]) -> Note:
        """A note from a record of the index, which holds only notes validated on reading.

        No validation, so listing 10,000 notes does not check 10,000 notes again; a record
        of the wrong shape raises KeyError, TypeError or ValueError.
        """
        values = {key: record[key] for key in _INDEXED}
        values["authors"] = [
            Author(a["name"], list(a["affiliations"]), a.get("orcid")) for a in record["authors"]
        ]
        unknown = record.keys() - _KNOWN_KEYS  # set difference in C: most notes have none
        values["extra"] = {k: record[k] for k in unknown if not k.startswith("_")}
        return cls(**values)

    @classmethod
    def from_dict(cls, data: Any, source: str) -> Note:
        """Validate plain data (from YAML or the index); `source` names it in errors.

        Every value is made one JSON can hold, as the index and `--json` write notes as JSON.
        """
        if not isinstance(data, dict):
            raise NoteFileError(f"{source}: expected a mapping of keys like 'id:' and 'title:'")
        kind = data.get("kind", "arxiv")
        if kind != "arxiv":
            from papernotes.refs import KINDS

            if kind not in KINDS:
                raise NoteFileError(
                    f"{source}: 'kind' must be one of {', '.join(KINDS)}, not {_shown(kind)}"
                )
        ref = _id(data.get("id"), kind, source)
        values: dict[str, Any] = {"id": ref.base, "kind": kind}
        values["version"] = _version(data.get("version", ref.version), source)
        plain = _plain_note(data, source)
        for key in _TEXT:
            values[key] = _text(plain.get(key), key, source) or ""
        for key in _OPTIONAL_TEXT:
            values[key] = _text(plain.get(key), key, source)
        for key in _COUNTS:
            values[key] = _count(plain.get(key), key, source)
        values["repository"] = _repository(plain.get("repository"), source)
        for key in _DATES:
            values[key] = _date(plain.get(key), key, source)
        for key in _TEXT_LISTS:
            values[key] = _text_list(plain.get(key), key, source)
        values["authors"] = _authors(plain.get("authors"), source)
        pending = plain.get("pending", False)
        if not isinstance(pending, bool):
            raise NoteFileError(f"{source}: 'pending' must be true or false")
        values["pending"] = pending
        values["extra"] = {k: v for k, v in plain.items() if k not in _KNOWN_KEYS}
        return cls(**values)


def _id(value: Any, kind: str, source: str) -> NoteRef:
    if value is None:
        raise NoteFileError(f"{source}: the 'id' key is missing")
    if not isinstance(value, str | int | float):
        raise NoteFileError(f"{source}: 'id' must be text like '1911.12246', not {_shown(value)}")
    if kind != "arxiv":
        from papernotes.refs import ref_of

        try:
            return ref_of(kind, str(value))
        except InvalidIdError as err:
            raise NoteFileError(f"{source}: 'id' of a {kind} note: {err}") from None
    try:
        return parse_id(str(value))
    except InvalidIdError as err:
        if isinstance(value, float):  # YAML reads an unquoted 0704.0010 as 704.001
            raise NoteFileError(
                f"{source}: 'id' {value!r} was read as a number, which drops zeros: "
                "put the id in quotes"
            ) from err
        other = _other_kind(str(value))
        hint = f" (a {other} note says so: add `kind: {other}`)" if other else ""
        raise NoteFileError(
            f"{source}: 'id' {_shown(value)} is not an arXiv identifier{hint}"
        ) from err


def _other_kind(text: str) -> str | None:
    """The kind an id that is not arXiv's would be, if any."""
    from papernotes.refs import parse_ref

    try:
        return parse_ref(text).kind
    except InvalidIdError:
        return None


def _count(value: Any, key: str, source: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise NoteFileError(f"{source}: '{key}' must be a whole number, not {_shown(value)}")
    return value


def _repository(value: Any, source: str) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise NoteFileError(f"{source}: 'repository' must be a mapping, not {_kind(value)}")
    return {k: _text(v, f"repository.{k}", source) or "" for k, v in value.items() if v is not None}


def _version(value: Any, source: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VERSION:
        raise NoteFileError(
            f"{source}: 'version' must be a whole number from 1 to {MAX_VERSION}, "
            f"not {_shown(value)}"
        )
    return value


# Bounds on a value, counted as written out: YAML aliases can make a value that contains
# itself, or one that doubles at each level (a "billion laughs"), and JSON, the index and
# the exports write every value out in full.
MAX_DEPTH = 64
MAX_VALUES = 100_000
# Signed 64 bits: whole numbers 64-bit JSON readers take (orjson, for the index, refuses
# anything wider).
_INT64 = range(-(2**63), 2**63)


def _plain_note(data: dict[Any, Any], source: str) -> dict[str, Any]:
    """The note's keys and values as JSON can hold them, or NoteFileError naming the key."""
    plain: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = _key_text(raw_key)
        if key is None:
            raise NoteFileError(f"{source}: a key is {_shown(raw_key)}: keys must be text")
        if key in plain:
            raise NoteFileError(f"{source}: {_twice(key)}")
        plain[key] = _Plain(key, source).copy(value, 1)
    return plain


class _Plain:
    """Copies one top-level value of a note as JSON can hold it, the key named in errors."""

    def __init__(self, key: str, source: str) -> None:
        self.key, self.source, self.count = key, source, 0

    def error(self, problem: str) -> NoteFileError:
        return NoteFileError(f"{self.source}: {self.key!r} {problem}")

    def copy(self, value: Any, depth: int) -> Any:
        """`value` with dates as ISO text and keys as text; refuses what JSON cannot hold.

        Stops at the first value past MAX_DEPTH or MAX_VALUES, so a value that aliases
        multiply is refused in at most MAX_VALUES steps.
        """
        self.count += 1
        if depth > MAX_DEPTH or self.count > MAX_VALUES:
            raise self.error(
                f"is nested over {MAX_DEPTH} levels deep or holds over {MAX_VALUES:,} values "
                "(YAML aliases counted in full): simplify it"
            )
        if isinstance(value, list | tuple):  # a tuple: a pair of YAML's !!omap or !!pairs
            return [self.copy(item, depth + 1) for item in value]
        if isinstance(value, dict):
            copied: dict[str, Any] = {}
            for raw_key, item in value.items():
                key = _key_text(raw_key)
                if key is None:
                    raise self.error(f"has a key that is {_shown(raw_key)}: keys must be text")
                if key in copied:
                    raise self.error(f"has {_twice(key)}")
                copied[key] = self.copy(item, depth + 1)
            return copied
        if value is None or isinstance(value, str | bool):
            return value
        if isinstance(value, int):
            if value not in _INT64:
                raise self.error(
                    "holds a whole number beyond 64 bits, which JSON tools cannot read: "
                    "put it in quotes to keep it as text"
                )
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                spelled = ".nan" if math.isnan(value) else f"{'-' if value < 0 else ''}.inf"
                raise self.error(
                    f"holds {spelled}, which JSON cannot hold: put it in quotes to keep it as text"
                )
            return value
        if isinstance(value, dt.date):  # and dt.datetime: kept, so a hand edit round-trips
            return value
        raise self.error(
            f"holds {_shown(value)}, which a note cannot keep: "
            "use text, numbers, true/false, lists and mappings"
        )


def _key_text(key: Any) -> str | None:
    """A mapping key as JSON's text (YAML allows `1: x`, `null: y`), None for a list or such."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool):
        return "null" if key is None else str(key).lower()
    if isinstance(key, int | float):
        return str(key)
    return _iso(key) if isinstance(key, dt.date) else None


def _twice(key: str) -> str:
    return f"the key {key!r} twice (once as text, once as a number, date or true/false): keep one"


def _iso(moment: dt.date) -> str:
    """A date as YYYY-MM-DD; a date-time in UTC as arXiv writes it, `...T17:57:34Z`.

    A date-time without zone is UTC, as YAML has it.
    """
    if not isinstance(moment, dt.datetime):
        return moment.isoformat()
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
        except OverflowError:  # in year 1 or 9999: kept with its offset
            return moment.isoformat()
    return f"{moment.isoformat()}Z"


def _text(value: Any, key: str, source: str) -> str | None:
    """A scalar as text: YAML may read `title: 0` as a number or `title: yes` as true."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return _iso(value)
    raise NoteFileError(f"{source}: '{key}' must be text, not {_kind(value)}")


# A date as precise as its source knows it (Crossref gives a work's year, or its month, at
# times), or a date-time.
_ISO_DATE = re.compile(
    r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})"
    r"(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?(?:Z|[+-]([0-9]{2}):([0-9]{2}))?)?)?)?"
)


def _date(value: Any, key: str, source: str) -> str | None:
    """An ISO 8601 date or date-time, as arXiv and papernotes write them."""
    if value is None:
        return None
    if isinstance(value, dt.date):  # an unquoted date typed by hand
        return _iso(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)  # an unquoted year: `published: 2003`
    match = _ISO_DATE.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        year, month, day, hour, minute, second, zone_hour, zone_minute = match.groups()
        try:
            dt.date(int(year), int(month or 1), int(day or 1))
            if hour is not None:
                dt.time(int(hour), int(minute), int(second or 0))
            if zone_hour is not None:
                dt.time(int(zone_hour), int(zone_minute))
        except ValueError:
            pass
        else:
            return str(value)
    raise NoteFileError(
        f"{source}: '{key}' must be an ISO 8601 date or date-time like 2017-06-12 (or 2017-06, "
        f"2017) or 2017-06-12T17:57:34Z, not {_shown(value)}"
    )


def _text_list(value: Any, key: str, source: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):  # a lone string where a list belongs: keep it
        return [value] if value.strip() else []
    if not isinstance(value, list):
        raise NoteFileError(f"{source}: '{key}' must be a list, not {_kind(value)}")
    return [t for t in (_text(v, key, source) for v in value) if t is not None]


def _authors(value: Any, source: str) -> list[Author]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise NoteFileError(f"{source}: 'authors' must be a list, not {_kind(value)}")
    authors = []
    for item in value:
        if isinstance(item, dict):
            name = _text(item.get("name"), "authors", source) or ""
            affiliations = _text_list(item.get("affiliations"), "affiliations", source)
            authors.append(Author(name, affiliations, _text(item.get("orcid"), "orcid", source)))
        else:
            authors.append(Author(_text(item, "authors", source) or ""))
    return authors


# What a value YAML can read is, in a reader's words (YAML's own, not Python's `int`, `str`).
_KINDS: dict[type, str] = {
    bool: "true/false",
    int: "an integer",
    float: "a decimal number",
    str: "a string",
    list: "a list",
    tuple: "a list",
    dict: "a mapping",
    dt.date: "a date",
    dt.datetime: "a date and time",
    bytes: "binary data (!!binary)",
    set: "a set (!!set)",
    type(None): "null",
}


def _kind(value: Any) -> str:
    """`an integer`, `a mapping`, `true/false`: what a value is, for an error message."""
    return _KINDS.get(type(value)) or f"a {type(value).__name__}"


def _shown(value: Any) -> str:
    """A value for an error message: a short repr, or the kind of value it is.

    Never a list or mapping written out, which aliases may have made exponentially large.
    Scalars as YAML spells them: `true`, `null`, `.nan`.
    """
    if isinstance(value, bool) or value is None:
        return "null" if value is None else str(value).lower()
    if isinstance(value, int) and value not in _INT64:
        return "a whole number beyond 64 bits"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else f"{'-' if value < 0 else ''}.inf"
    if isinstance(value, str | int | float):
        text = repr(value)
        return text if len(text) <= 40 else f"{text[:36]}...{text[-1]}"
    return _kind(value)


def _author_data(author: Author) -> dict[str, Any]:
    data: dict[str, Any] = {"name": author.name, "affiliations": list(author.affiliations)}
    if author.orcid:
        data["orcid"] = author.orcid
    return data


def _author_file(data: dict[str, Any]) -> Any:
    """An author as a note file writes it: the name alone when that is all there is."""
    return data if data["affiliations"] or data.get("orcid") else data["name"]


def normalise_space(text: str) -> str:
    """Collapse runs of white space (arXiv wraps titles and abstracts) to single spaces."""
    return " ".join(text.split())  # str.split splits on exactly what `\s` matches


def _loader() -> type[yaml.SafeLoader | yaml.CSafeLoader]:
    """PyYAML's safe loader, libyaml's when present (PyYAML is imported on first use)."""
    import yaml

    return yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


@cache
def _dumper() -> type[yaml.SafeDumper]:
    """The safe dumper: long text folded, multi-line text literal, never aliases."""
    import yaml

    base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[valid-type,misc]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    Dumper.add_representer(str, _represent_str)
    return Dumper


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = None
    if text[:1].isspace() or any(c in text for c in "\x85\u2028\u2029"):
        style = None  # block styles cannot keep these exactly: let PyYAML quote the text
    elif "\n" in text:
        style = "|"
    elif len(text) > 80:
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def dump_note(note: Note) -> str:
    """The note as YAML text, in the fixed key order, UTF-8 characters kept as they are."""
    data = note.to_dict()
    if not data["pending"]:
        del data["pending"]
    if note.kind == "arxiv":  # an arXiv note's file as it has always been
        del data["kind"]
    for key in (*_SOURCE_TEXT, *_COUNTS, "repository"):  # what some notes have: when they do
        if data.get(key) is None:
            data.pop(key, None)
    if not data["links"]:
        del data["links"]
    if note.kind != "arxiv":
        for key in _ARXIV_ONLY:
            if not data[key]:
                del data[key]
    # An author is a name, unless the source lists affiliations or an ORCID: most list none.
    # Shorter files, and a quarter fewer YAML nodes to read: a note parses faster.
    data["authors"] = [_author_file(a) for a in data["authors"]]
    import yaml

    text: str = yaml.dump(
        data,
        Dumper=_dumper(),
        sort_keys=False,
        allow_unicode=True,
        width=88,
        default_flow_style=False,
    )
    return text


def load_note(text: str, source: str) -> Note:
    """Parse a note's YAML with the safe loader; errors name the file and line."""
    import yaml

    try:
        data = yaml.load(text, Loader=_loader())
    except yaml.YAMLError as err:
        raise NoteYamlError(f"{source}: {_yaml_problem(err)}") from None
    except RecursionError:  # PyYAML's own loader, without libyaml, which stops at 1000
        raise NoteYamlError(f"{source}: nested too deep to read: simplify it") from None
    except _UNBUILDABLE as err:
        # PyYAML's constructors let these through for a value matching a tag's pattern but
        # not one it can build: `2019-02-30`, `!!timestamp 2019`, a 5000-digit number. Up to
        # a `;`: Python's advice on its limit of 4300 digits is not for notes.
        problem = str(err).split(";")[0].splitlines()[0] if str(err) else type(err).__name__
        raise NoteYamlError(
            f"{source}: {_unbuildable(text)}YAML cannot build this value ({problem}): "
            "fix it, or put it in quotes to keep it as text"
        ) from None
    return Note.from_dict(data, source)


_UNBUILDABLE = (ValueError, TypeError, AttributeError, OverflowError)


def _unbuildable(text: str) -> str:
    """Where the scalar PyYAML cannot build is, `line 3, column 12: 'published': `, or ''.

    Found again, for the error message only: PyYAML's exception does not say.
    """
    import yaml

    loader = _loader()("")  # a constructor for single scalars, whose state is fresh
    try:
        root = yaml.compose(text, Loader=_loader())
        top = root.value if isinstance(root, yaml.MappingNode) else [(None, root)]
        todo: list[tuple[Any, Any]] = [
            (node, key.value if isinstance(key, yaml.ScalarNode) else None)
            for key, value in reversed(top)
            for node in (value, key)
        ]  # a stack, taken in the order PyYAML builds the values, to find the one it failed on
        seen: set[int] = set()
        while todo:
            node, key = todo.pop()
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.ScalarNode):
                try:
                    loader.construct_object(node)
                except _UNBUILDABLE:
                    mark = node.start_mark
                    named = f"{key!r}: " if key is not None else ""
                    return f"line {mark.line + 1}, column {mark.column + 1}: {named}"
            elif isinstance(node, yaml.SequenceNode):
                todo.extend((item, key) for item in reversed(node.value))
            elif isinstance(node, yaml.MappingNode):
                todo.extend((item, key) for pair in reversed(node.value) for item in pair[::-1])
    finally:
        loader.dispose()
    return ""


def _yaml_problem(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or "not valid YAML"
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem} (fix the YAML there)"
