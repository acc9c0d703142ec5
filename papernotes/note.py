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

_TEXT = ("title", "abstract", "tldr", "commentary", "primary_category")
_OPTIONAL_TEXT = ("doi", "journal_ref", "comment", "url", "pdf_url")
_DATES = ("published", "updated", "added")
_TEXT_LISTS = ("findings", "tags", "categories")
_INDEXED = (*_TEXT, *_OPTIONAL_TEXT, *_DATES, *_TEXT_LISTS, "id", "version", "pending")
# The order keys are written in: what a reader edits first, then arXiv's record.
KEY_ORDER = (
    "id", "version", "title", "authors", "tags", "tldr", "findings", "commentary",
    "abstract", "published", "updated", "primary_category", "categories",
    "doi", "journal_ref", "comment", "url", "pdf_url", "added", "pending",
)  # fmt: skip
_KNOWN_KEYS = frozenset(KEY_ORDER)
_ARXIV_OPTIONAL = ("doi", "journal_ref", "comment")


@dataclass
class Author:
    """One author as arXiv lists them."""

    name: str
    affiliations: list[str] = field(default_factory=list)


@dataclass
class Note:
    """One paper's note: arXiv's metadata plus the reader's own fields."""

    id: str
    version: int | None = None
    title: str = ""
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
    tldr: str = ""
    findings: list[str] = field(default_factory=list)
    commentary: str = ""
    tags: list[str] = field(default_factory=list)
    added: str | None = None
    pending: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def arxiv_id(self) -> ArxivId:
        """The parsed identifier (without version)."""
        return ArxivId(self.id)

    @property
    def year(self) -> int | None:
        """Year of first publication on arXiv, when known."""
        return int(self.published[:4]) if self.published and self.published[:4].isdigit() else None

    @classmethod
    def placeholder(cls, arxiv_id: ArxivId, tags: list[str], added: str) -> Note:
        """A note for a paper whose metadata could not be fetched yet."""
        return cls(id=arxiv_id.base, version=arxiv_id.version, tags=tags, added=added, pending=True)

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the fixed key order, the shape of the YAML file and of `--json`."""
        data: dict[str, Any] = {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "authors": [
                {"name": a.name, "affiliations": list(a.affiliations)} for a in self.authors
            ],
            "tags": list(self.tags),
            "tldr": self.tldr,
            "findings": list(self.findings),
            "commentary": self.commentary,
            "abstract": self.abstract,
            "published": self.published,
            "updated": self.updated,
            "primary_category": self.primary_category,
            "categories": list(self.categories),
            "doi": self.doi,
            "journal_ref": self.journal_ref,
            "comment": self.comment,
            "url": self.url,
            "pdf_url": self.pdf_url,
            "added": self.added,
            "pending": self.pending,
        }
        data.update((k, v) for k, v in self.extra.items() if k not in data)
        return data

    @classmethod
    def from_index(cls, record: dict[str, Any]) -> Note:
        """A note from a record of the index, which holds only notes validated on reading.

        No validation, so listing 10,000 notes does not check 10,000 notes again; a record
        of the wrong shape raises KeyError, TypeError or ValueError.
        """
        values = {key: record[key] for key in _INDEXED}
        values["authors"] = [Author(a["name"], list(a["affiliations"])) for a in record["authors"]]
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
        arxiv_id = _id(data.get("id"), source)
        values: dict[str, Any] = {"id": arxiv_id.base}
        values["version"] = _version(data.get("version", arxiv_id.version), source)
        plain = _plain_note(data, source)
        for key in _TEXT:
            values[key] = _text(plain.get(key), key, source) or ""
        for key in _OPTIONAL_TEXT:
            values[key] = _text(plain.get(key), key, source)
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


def _id(value: Any, source: str) -> ArxivId:
    if value is None:
        raise NoteFileError(f"{source}: the 'id' key is missing")
    if not isinstance(value, str | int | float):
        raise NoteFileError(f"{source}: 'id' must be text like '1911.12246', not {_shown(value)}")
    try:
        return parse_id(str(value))
    except InvalidIdError as err:
        if isinstance(value, float):  # YAML reads an unquoted 0704.0010 as 704.001
            raise NoteFileError(
                f"{source}: 'id' {value!r} was read as a number, which drops zeros: "
                "put the id in quotes"
            ) from err
        raise NoteFileError(f"{source}: 'id' {_shown(value)} is not an arXiv identifier") from err


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


_ISO_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?(?:Z|[+-]([0-9]{2}):([0-9]{2}))?)?"
)


def _date(value: Any, key: str, source: str) -> str | None:
    """An ISO 8601 date or date-time, as arXiv and papernotes write them."""
    if value is None:
        return None
    if isinstance(value, dt.date):  # an unquoted date typed by hand
        return _iso(value)
    match = _ISO_DATE.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        year, month, day, hour, minute, second, zone_hour, zone_minute = match.groups()
        try:
            dt.date(int(year), int(month), int(day))
            if hour is not None:
                dt.time(int(hour), int(minute), int(second or 0))
            if zone_hour is not None:
                dt.time(int(zone_hour), int(zone_minute))
        except ValueError:
            pass
        else:
            return str(value)
    raise NoteFileError(
        f"{source}: '{key}' must be an ISO 8601 date or date-time like 2017-06-12 or "
        f"2017-06-12T17:57:34Z, not {_shown(value)}"
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
            authors.append(Author(name, affiliations))
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
    for key in _ARXIV_OPTIONAL:  # what arXiv has for some papers only: written when it does
        if data[key] is None:
            del data[key]
    # An author is a name, unless arXiv lists affiliations: most list none. Shorter files,
    # and a quarter fewer YAML nodes to read: a note parses in three quarters of the time.
    data["authors"] = [a if a["affiliations"] else a["name"] for a in data["authors"]]
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
