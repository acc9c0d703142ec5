"""JSON: an array of notes with the same keys as `show --json`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from papernotes.note import Note

# JSON must escape C0 controls, and orjson does; DEL and the C1 controls (U+0080 to U+009F,
# two bytes in UTF-8) it writes as they are, and a terminal may act on them (U+009B starts
# an escape sequence, as ESC [ does). Found as bytes, only ever inside strings.
_UNESCAPED_CONTROL = re.compile(b"\x7f|\xc2[\x80-\x9f]")


def _escaped(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(match.group().decode())


def dumps(data: Any) -> bytes:
    """JSON as UTF-8 bytes, text as it is (\\u escapes only for control characters),
    two-space indent.

    orjson, because the standard library's encoder runs in pure Python once it indents:
    10,000 notes took it a second and a half. A value JSON has no type for (a date YAML
    read in a key papernotes does not know) is written as its text.
    """
    import orjson

    option = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS  # keys of hand-added mappings
    found = orjson.dumps(data, default=str, option=option)
    return _UNESCAPED_CONTROL.sub(_escaped, found) if _UNESCAPED_CONTROL.search(found) else found


def render(notes: Sequence[Note], *, title: str | None = None) -> str:
    """A JSON array of `note.to_dict()`. `title` is accepted for a uniform signature."""
    return "".join(chunks(notes, title=title))


def chunks(notes: Sequence[Note], *, title: str | None = None) -> Iterator[str]:
    """`render`, a note at a time."""
    yield from array_chunks(note.to_dict() for note in notes)


def array_chunks(items: Iterable[Any]) -> Iterator[str]:
    """A JSON array as `dumps` writes it (and a newline), an item at a time."""
    separator = "[\n  "
    for item in items:
        yield separator + dumps(item).decode().replace("\n", "\n  ")
        separator = ",\n  "
    yield "[]\n" if separator == "[\n  " else "\n]\n"
