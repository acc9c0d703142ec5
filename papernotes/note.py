"""The Note model and its YAML round trip: fixed key order, block style for long text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from papernotes.errors import InvalidIdError, NoteFileError, NoteYamlError
from papernotes.ids import ArxivId, parse_id

if TYPE_CHECKING:
    import yaml

_TEXT = ("title", "abstract", "tldr", "commentary", "primary_category")
_OPTIONAL_TEXT = ("published", "updated", "doi", "journal_ref", "comment", "url", "pdf_url")
_TEXT_LISTS = ("findings", "tags", "categories")
_INDEXED = (*_TEXT, *_OPTIONAL_TEXT, *_TEXT_LISTS, "id", "version", "added", "pending")
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
        """Validate plain data (from YAML or the index); `source` names it in errors."""
        if not isinstance(data, dict):
            raise NoteFileError(f"{source}: expected a mapping of keys like 'id:' and 'title:'")
        raw_id = data.get("id")
        if raw_id is None:
            raise NoteFileError(f"{source}: the 'id' key is missing")
        try:
            arxiv_id = parse_id(str(raw_id))
        except InvalidIdError as err:
            raise NoteFileError(f"{source}: 'id' {raw_id!r} is not an arXiv identifier") from err
        values: dict[str, Any] = {"id": arxiv_id.base}
        values["version"] = _version(data.get("version", arxiv_id.version), source)
        for key in _TEXT:
            values[key] = _text(data.get(key), key, source) or ""
        for key in _OPTIONAL_TEXT:
            values[key] = _text(data.get(key), key, source)
        for key in _TEXT_LISTS:
            values[key] = _text_list(data.get(key), key, source)
        values["added"] = _text(data.get("added"), "added", source)
        values["authors"] = _authors(data.get("authors"), source)
        pending = data.get("pending", False)
        if not isinstance(pending, bool):
            raise NoteFileError(f"{source}: 'pending' must be true or false")
        values["pending"] = pending
        unknown = data.keys() - _KNOWN_KEYS  # set difference in C: most notes have none
        values["extra"] = {str(k): v for k, v in data.items() if k in unknown}
        for key, value in values["extra"].items():
            _check_shape(value, key, source)
        return cls(**values)


# Bounds on a hand-added value, counted as written out: YAML aliases can make a value that
# contains itself, or one that doubles at each level (a "billion laughs"), and JSON, the
# index and the exports write every value out in full.
MAX_DEPTH = 64
MAX_VALUES = 100_000


def _check_shape(value: Any, key: str, source: str) -> None:
    """Refuse a hand-added value nested deeper than MAX_DEPTH or of over MAX_VALUES values."""
    stack, count = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_VALUES:
            raise NoteFileError(
                f"{source}: {key!r} is nested over {MAX_DEPTH} levels deep or holds over "
                f"{MAX_VALUES:,} values (YAML aliases counted in full): simplify it"
            )
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend((v, depth + 1) for v in item)


def _version(value: Any, source: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise NoteFileError(f"{source}: 'version' must be a whole number from 1, not {value!r}")
    return value


def _text(value: Any, key: str, source: str) -> str | None:
    """A scalar as text: YAML may read `title: 0` as a number or a date as a date."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return f"{value.isoformat()}Z"
    if isinstance(value, (bool, int, float, dt.date)):
        return str(value).lower() if isinstance(value, bool) else str(value)
    raise NoteFileError(f"{source}: '{key}' must be text, not a {_kind(value)}")


def _text_list(value: Any, key: str, source: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):  # a lone string where a list belongs: keep it
        return [value] if value.strip() else []
    if not isinstance(value, list):
        raise NoteFileError(f"{source}: '{key}' must be a list, not a {_kind(value)}")
    return [t for t in (_text(v, key, source) for v in value) if t is not None]


def _authors(value: Any, source: str) -> list[Author]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise NoteFileError(f"{source}: 'authors' must be a list, not a {_kind(value)}")
    authors = []
    for item in value:
        if isinstance(item, dict):
            name = _text(item.get("name"), "authors", source) or ""
            affiliations = _text_list(item.get("affiliations"), "affiliations", source)
            authors.append(Author(name, affiliations))
        else:
            authors.append(Author(_text(item, "authors", source) or ""))
    return authors


def _kind(value: Any) -> str:
    kinds: dict[type, str] = {dict: "mapping", list: "list"}
    return kinds.get(type(value), type(value).__name__)


def normalise_space(text: str) -> str:
    """Collapse runs of white space (arXiv wraps titles and abstracts) to single spaces."""
    return " ".join(text.split())  # str.split splits on exactly what `\s` matches


@cache
def _loader() -> type[yaml.SafeLoader]:
    """The safe loader (libyaml's when present), reading unquoted decimals as text.

    `id: 1501.00010` written by hand keeps its last zero. Built on first use so that
    commands that never read YAML do not import it.
    """
    import yaml

    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    table = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:float"]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    # What PyYAML tries on a plain scalar, by its first character: its rules for that
    # character, then those for any (none by default), joined once rather than per scalar.
    anywhere = tuple(table.get(None, []))
    by_first = {first: (*rules, *anywhere) for first, rules in table.items() if first is not None}

    class Loader(base):  # type: ignore[valid-type,misc]
        yaml_implicit_resolvers = table

        def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> Any:
            """PyYAML's `resolve`, quicker for scalars where no path resolver is set."""
            if kind is not yaml.ScalarNode or self.yaml_path_resolvers:
                return super().resolve(kind, value, implicit)
            if implicit[0]:
                for tag, pattern in by_first.get(value[:1], anywhere):
                    if pattern.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG

    return Loader


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


def warm_up() -> None:
    """Import PyYAML and build the loader now (before forking workers that will use it)."""
    _loader()


def load_note(text: str, source: str) -> Note:
    """Parse a note's YAML with the safe loader; errors name the file and line."""
    import yaml

    try:
        data = _parse_yaml(text)
    except yaml.YAMLError as err:
        raise NoteYamlError(f"{source}: {_yaml_problem(err)}") from None
    return Note.from_dict(data, source)


def _parse_yaml(text: str) -> Any:
    """`yaml.load(text, Loader=_loader())`, in three quarters of the time.

    PyYAML's constructor spends most of a note's load on bookkeeping for each node, and a
    note's nodes are nearly all strings, mappings, lists, nulls, booleans and small whole
    numbers: those are built here directly, as the constructor builds them. Every other
    node (other numbers, dates, tags, merge keys) goes to the loader's own constructor, so
    what is accepted and what is refused does not change.
    """
    loader = _loader()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _builder()(loader, node, {})
        except _Recursive:
            return loader.construct_document(node)
    finally:
        loader.dispose()


_STR, _MAP, _SEQ, _NULL, _BOOL, _INT = (
    f"tag:yaml.org,2002:{kind}" for kind in ("str", "map", "seq", "null", "bool", "int")
)
_BUILDING = object()


class _Recursive(Exception):
    """A mapping or list that contains itself: PyYAML's constructor knows how to build it."""


@cache
def _builder() -> Callable[[yaml.SafeLoader, yaml.Node, dict[int, Any]], Any]:
    """`build(loader, node, built)`, the value of `node`; made once, with PyYAML's node
    classes bound, since it runs for every node of every note read.

    A mapping or list an alias repeats is built once (`built`), as PyYAML does, so aliases
    cannot multiply work; one that contains itself, and anything else unusual, is left to
    the loader's constructor.
    """
    from yaml import MappingNode, ScalarNode, SequenceNode
    from yaml.constructor import SafeConstructor

    bools = SafeConstructor.bool_values

    def build(loader: yaml.SafeLoader, node: yaml.Node, built: dict[int, Any]) -> Any:
        kind = type(node)
        if kind is ScalarNode:
            tag, text = node.tag, node.value
            if tag == _STR:
                return text
            if tag == _NULL:
                return None
            if tag == _BOOL and text.lower() in bools:
                return bools[text.lower()]
            if tag == _INT and text.isdigit() and text.isascii() and text[0] != "0":
                return int(text)  # what PyYAML's constructor does with plain decimals
            return loader.construct_object(node, deep=True)
        done = built.get(id(node))
        if done is not None:
            if done is _BUILDING:
                raise _Recursive
            return done
        built[id(node)] = _BUILDING
        value: Any
        # Text is most of what a note holds: taken in place, without a call each.
        if kind is SequenceNode and node.tag == _SEQ:
            value = [
                item.value
                if type(item) is ScalarNode and item.tag == _STR
                else build(loader, item, built)
                for item in node.value
            ]
        elif (
            kind is MappingNode
            and node.tag == _MAP
            and all(type(key) is ScalarNode and key.tag == _STR for key, _ in node.value)
        ):
            value = {
                key.value: item.value
                if type(item) is ScalarNode and item.tag == _STR
                else build(loader, item, built)
                for key, item in node.value
            }
        else:
            value = loader.construct_object(node, deep=True)
        built[id(node)] = value
        return value

    return build


def _yaml_problem(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or "not valid YAML"
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem} (fix the YAML there)"
