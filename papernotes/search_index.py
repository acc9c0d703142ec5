"""The full-text side of the index: every note's words, laid out to be scanned at C speed.

It lives beside the TinyDB index (`.search.idx`) and is derived from the same records in
the same refresh. A JSON document store must be parsed whole before one query can run,
which at 100,000 notes costs seconds and hundreds of megabytes; this file is memory-mapped
and searched in place instead:

- a JSON header: format, one row per note (file, mtime, size, id, dates, categories,
  tags, word count per field) and the byte span of each section;
- one section per field: a line per note, in header order, of its folded words;
- a `stems` section: `stem<TAB>word word ...` for every word in the collection, so a
  query word can be widened to every form that shares its stem.

A term is found with one compiled regular expression per field over the whole section;
the byte offsets of the matches map to notes through the line starts.
"""

from __future__ import annotations

import json
import mmap
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papernotes.text import fold, index_words, stem

SEARCH_INDEX_NAME = ".search.idx"
FORMAT = 1
MAGIC = b"papernotes-search\n"
_NEWLINE = re.compile(b"\n")
FIELDS = ("title", "tldr", "tags", "authors", "notes", "abstract", "extra")


def field_texts(record: Mapping[str, Any]) -> dict[str, str]:
    """The text of each searchable field of a note record (a note's plain data)."""
    return {
        "title": record.get("title") or "",
        "tldr": record.get("tldr") or "",
        "tags": " ".join(record.get("tags") or []),
        "authors": " ".join(a.get("name", "") for a in record.get("authors") or []),
        "notes": "\n".join([*(record.get("findings") or []), record.get("commentary") or ""]),
        "abstract": record.get("abstract") or "",
        "extra": " ".join(str(record.get(k) or "") for k in ("id", "doi", "journal_ref", "comment"))
        + " "
        + " ".join(record.get("categories") or []),
    }


@dataclass
class Doc:
    """One note as the search index knows it."""

    file: str
    mtime_ns: int
    size: int
    id: str
    published: str
    categories: list[str]
    tags: list[str]  # folded, whole
    lengths: list[int]  # words per field

    @property
    def year(self) -> int | None:
        """Year of first publication, when known."""
        return int(self.published[:4]) if self.published[:4].isdigit() else None

    def row(self) -> list[Any]:
        return [
            self.file,
            self.mtime_ns,
            self.size,
            self.id,
            self.published,
            self.categories,
            self.tags,
            self.lengths,
        ]


class IndexBuilder:
    """The index as editable lines: synced to the records, then serialised."""

    def __init__(self) -> None:
        self.docs: list[Doc] = []
        self.lines: dict[str, list[bytes]] = {f: [] for f in FIELDS}
        self.stems: dict[str, set[str]] = {}
        self.broken: list[list[Any]] = []  # [file, mtime_ns, size, problem]

    @classmethod
    def from_bytes(cls, data: bytes | mmap.mmap) -> IndexBuilder:
        """An editable copy of a serialised index (raises ValueError when damaged)."""
        view = SearchIndex(data)
        builder = cls()
        builder.docs = list(view.docs)
        builder.broken = list(view.broken)
        for name in FIELDS:
            start, end = view.spans[name]
            body = bytes(data[start:end])
            builder.lines[name] = body.split(b"\n")[:-1] if body else []
            if len(builder.lines[name]) != len(builder.docs):
                raise ValueError(f"section {name} has the wrong number of lines")
        start, end = view.spans["stems"]
        for line in bytes(data[start:end]).decode().splitlines():
            key, _, forms = line.partition("\t")
            builder.stems[key] = set(forms.split())
        return builder

    def sync(self, records: Iterable[Mapping[str, Any]]) -> bool:
        """Match the index to `records` (plain note data with `_file`, `_mtime_ns`, `_size`).

        Only notes whose file, time or size differ are re-read into words. Returns True
        when anything changed.
        """
        records = list(records)
        broken = [
            [r["_file"], r["_mtime_ns"], r["_size"], r["_error"]] for r in records if "_error" in r
        ]
        broken_changed = broken != self.broken
        self.broken = broken
        wanted = {r["_file"]: r for r in records if "_error" not in r}
        keep = [
            i
            for i, d in enumerate(self.docs)
            if d.file in wanted
            and (d.mtime_ns, d.size) == (wanted[d.file]["_mtime_ns"], wanted[d.file]["_size"])
        ]
        unchanged = {self.docs[i].file for i in keep}
        fresh = [r for f, r in sorted(wanted.items()) if f not in unchanged]
        if not fresh and len(keep) == len(self.docs):
            return broken_changed
        self.docs = [self.docs[i] for i in keep]
        self.lines = {f: [self.lines[f][i] for i in keep] for f in FIELDS}
        for record in fresh:
            self._add(record)
        return True

    def _add(self, record: Mapping[str, Any]) -> None:
        lengths = []
        for name, text in field_texts(record).items():
            found = index_words(text)
            for word in found:
                key = stem(word)
                if key != word:  # `forms` always adds the stem itself
                    self.stems.setdefault(key, set()).add(word)
            self.lines[name].append(" ".join(found).encode())
            lengths.append(len(found))
        self.docs.append(
            Doc(
                file=record["_file"],
                mtime_ns=record["_mtime_ns"],
                size=record["_size"],
                id=record["id"],
                published=record.get("published") or "",
                categories=list(record.get("categories") or []),
                tags=[fold(t) for t in record.get("tags") or []],
                lengths=lengths,
            )
        )

    def to_bytes(self) -> bytes:
        """The serialised index."""
        bodies = [b"".join(line + b"\n" for line in self.lines[f]) for f in FIELDS]
        stems = "".join(
            f"{key}\t{' '.join(sorted(forms))}\n" for key, forms in sorted(self.stems.items())
        ).encode()
        bodies.append(stems)
        sizes = [len(b) for b in bodies]
        header = json.dumps(
            {
                "format": FORMAT,
                "docs": [d.row() for d in self.docs],
                "broken": self.broken,
                "sizes": sizes,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        # Every section starts after a newline, so word boundaries hold at its first byte.
        return MAGIC + header + b"\n" + b"\n".join(bodies)


class SearchIndex:
    """A read-only view of a serialised index (bytes or a memory map)."""

    def __init__(self, data: bytes | mmap.mmap) -> None:
        if data[: len(MAGIC)] != MAGIC:
            raise ValueError("not a papernotes search index")
        end = data.find(b"\n", len(MAGIC))
        header = json.loads(bytes(data[len(MAGIC) : end]))
        if header.get("format") != FORMAT:
            raise ValueError("search index from another version")
        self.data = data
        self.docs = [Doc(*row) for row in header["docs"]]
        self.broken: list[list[Any]] = header["broken"]
        self.spans: dict[str, tuple[int, int]] = {}
        position = end + 1
        for name, size in zip((*FIELDS, "stems"), header["sizes"], strict=True):
            self.spans[name] = (position, position + size)
            position += size + 1
        if position - 1 != len(data):
            raise ValueError("search index is truncated")
        self._starts: dict[str, list[int]] = {}

    @classmethod
    def open(cls, path: Path) -> SearchIndex:
        """Map the file at `path` (raises OSError or ValueError)."""
        with path.open("rb") as handle:
            if path.stat().st_size == 0:
                raise ValueError("empty search index")
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return cls(data)

    def stats(self) -> dict[str, tuple[int, int]]:
        """file -> (mtime_ns, size) of every note file it was made from, broken ones too."""
        stats = {d.file: (d.mtime_ns, d.size) for d in self.docs}
        stats.update((b[0], (b[1], b[2])) for b in self.broken)
        return stats

    @property
    def problems(self) -> list[str]:
        """What is wrong with each note file that could not be read."""
        return [str(b[3]) for b in self.broken]

    def forms(self, word: str) -> set[str]:
        """Every indexed word sharing the stem of `word`, and the word itself."""
        key = stem(word)
        start, end = self.spans["stems"]
        line = re.compile(rb"^" + re.escape(key.encode()) + rb"\t(.*)$", re.M)
        match = line.search(self.data, start, end)
        found = {word, key}
        if match:
            found.update(match.group(1).decode().split())
        return found

    def count(self, name: str, pattern: re.Pattern[bytes]) -> Counter[int]:
        """How often `pattern` matches in each note's `name` field, by note position."""
        start, end = self.spans[name]
        counts: Counter[int] = Counter()
        matches = pattern.finditer(self.data, start, end)
        first = next(matches, None)
        if first is None:
            return counts
        starts = self._line_starts(name)
        counts[bisect_right(starts, first.start()) - 1] += 1
        for match in matches:
            counts[bisect_right(starts, match.start()) - 1] += 1
        return counts

    def _line_starts(self, name: str) -> list[int]:
        if name not in self._starts:
            start, end = self.spans[name]
            starts = [start]
            starts.extend(m.end() for m in _NEWLINE.finditer(self.data, start, end))
            self._starts[name] = starts
        return self._starts[name]


def word_pattern(alternatives: Iterable[str], *, prefix: bool = False) -> re.Pattern[bytes]:
    """Whole words (any of `alternatives`), or words starting with one when `prefix`."""
    body = b"|".join(re.escape(w.encode()) for w in sorted(alternatives, key=len, reverse=True))
    tail = rb"[^ \n]*" if prefix else rb"(?![^ \n])"
    return re.compile(rb"(?<![^ \n])(?:" + body + rb")" + tail)


def phrase_pattern(parts: list[set[str]]) -> re.Pattern[bytes]:
    """Consecutive words, each any of its forms."""
    pieces = [
        rb"(?:"
        + b"|".join(re.escape(w.encode()) for w in sorted(forms, key=len, reverse=True))
        + rb")"
        for forms in parts
    ]
    return re.compile(rb"(?<![^ \n])" + rb" ".join(pieces) + rb"(?![^ \n])")
