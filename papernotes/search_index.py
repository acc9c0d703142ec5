"""The full-text side of the index: every note's words, laid out to be scanned at C speed.

It lives beside the TinyDB index (`.search.idx`) and is synced to the same records. A JSON
document store must be parsed whole before one query can run, which at 100,000 notes costs
seconds and hundreds of megabytes; this file is memory-mapped and searched in place:

- a header (JSON): format, the (file, mtime, size) of every note file as one string (the
  freshness check of every search is one comparison), broken note files, average field
  lengths, and the size of each section;
- one section per searchable field: a line per note, each word of it preceded by a space
  (` lottery ticket hypothesis`);
- `rows`: a JSON array with a row of scalars per note (id, date, tags, words per field);
- `shown`: per note, JSON of what a result line shows (title, authors, year, tags, and
  the texts a snippet is cut from), so printing results reads no YAML;
- `listed`: per note, its line of `list` output, ready to print, so listing reads no
  YAML and builds nothing per note it does not print;
- `starts`: where each note's line starts in each lined section (uint32, native order);
- `newest`: note positions in `list`'s default order, newest added first (uint32), so a
  plain `list` parses no row;
- `stems`: a line `stem<TAB>word word ...` for every stem with more than one form, so a
  query word widens to every form sharing its stem.

A word is found with `find(b" word")` over a whole section (memchr speed) and a check of
the byte after it; match offsets map to notes by bisecting the line starts.
"""

from __future__ import annotations

import mmap
import os
import re
import sys
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, chain, pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from papernotes.listing import SortKey, byline, ordered, title_line
from papernotes.text import fold, index_words, stem, tsv_cell

if TYPE_CHECKING:
    from papernotes.note_index import IndexFile as NotesOnDisk

SEARCH_INDEX_NAME = ".search.idx"
FORMAT = 14
MAGIC = b"papernotes-search\n"
FIELDS = ("title", "tldr", "tags", "authors", "notes", "abstract", "extra")
EDITABLE = (*FIELDS, "shown", "listed")  # sections kept as lines while updating
LINED = (*FIELDS, "rows", "shown", "listed")  # sections with a line (a record) per note
SECTIONS = (*LINED, "starts", "lengths", "newest", "stems")
_START_BYTES = array("I").itemsize
_FIND_BUDGET = 2000
_WORD_ENDS = (ord(" "), ord("\n"))

# The keys of a note a result line and its snippet need.
SHOWN = (
    "id", "version", "title", "published", "tags", "tldr", "findings", "commentary",
    "abstract", "pending",
)  # fmt: skip

# Positions in a row, then the words per field from LENGTHS on. Lists are kept as joined
# strings: a row of scalars parses twice as fast, and most searches never look at them.
FILE, MTIME, SIZE, ID, PUBLISHED, CATEGORIES, TAGS, ADDED, PRIMARY, LENGTHS = range(10)


def categories_of(row: list[Any]) -> list[str]:
    """arXiv categories of a row."""
    return str(row[CATEGORIES]).split()


def tags_of(row: list[Any]) -> list[str]:
    """Folded tags of a row."""
    return str(row[TAGS]).split("\t") if row[TAGS] else []


def field_texts(record: Mapping[str, Any]) -> dict[str, str]:
    """The text of each searchable field of a note record (a note's plain data)."""
    extra = [str(record.get(k) or "") for k in ("id", "doi", "journal_ref", "comment")]
    return {
        "title": record.get("title") or "",
        "tldr": record.get("tldr") or "",
        "tags": " ".join(record.get("tags") or []),
        "authors": " ".join(a.get("name", "") for a in record.get("authors") or []),
        "notes": "\n".join([*(record.get("findings") or []), record.get("commentary") or ""]),
        "abstract": record.get("abstract") or "",
        "extra": " ".join([*extra, *(record.get("categories") or [])]),
    }


class Entry:
    """One note as `list` and `export` choose and order it: a view of its row."""

    __slots__ = ("position", "row")

    def __init__(self, row: list[Any], position: int) -> None:
        self.row, self.position = row, position

    @property
    def file(self) -> str:
        return str(self.row[FILE])

    @property
    def id(self) -> str:
        return str(self.row[ID])

    @property
    def tags(self) -> list[str]:
        return tags_of(self.row)

    @property
    def categories(self) -> list[str]:
        return categories_of(self.row)

    @property
    def primary_category(self) -> str | None:
        return self.row[PRIMARY] or None

    @property
    def published(self) -> str | None:
        return self.row[PUBLISHED] or None

    @property
    def added(self) -> str | None:
        return self.row[ADDED] or None

    @property
    def year(self) -> int | None:
        return year_of(self.row)


def listed_line(record: Mapping[str, Any]) -> str:
    """A note's line of `list` output: id, year, title, first author, tags, tab-separated."""
    published = str(record.get("published") or "")
    names = [str(a.get("name", "")) for a in (record.get("authors") or [])[:2]]
    tags = record.get("tags") or []
    cells = (
        str(record["id"]),
        published[:4] if published[:4].isdigit() else "",
        title_line(record.get("title") or "", bool(record.get("pending"))),
        byline(names),  # two names tell whether there are more
        "#" + " #".join(tags) if tags else "",
    )
    return "\t".join(map(tsv_cell, cells))


def year_of(row: list[Any]) -> int | None:
    """Year of first publication of a header row, when known."""
    published: str = row[PUBLISHED]
    return int(published[:4]) if published[:4].isdigit() else None


class LineRuns:
    """One lined section while an index is built or edited, without a bytes object per line
    held meanwhile: runs of consecutive lines, each read when the index is written from a
    file (the index being edited, or a worker's spool) or from memory, and every line's size.

    At 100,000 notes the sections hold a quarter of a gigabyte; held line by line, they
    took most of a command's memory.
    """

    def __init__(self) -> None:
        # [source, start, end]: bytes from memory, or an open file's descriptor (read with
        # pread, so no page of it stays mapped); every line in the range ends with "\n".
        self.runs: list[list[Any]] = []
        self.sizes = array("I")  # each line's size, its newline left out
        self._new = bytearray()  # lines appended from memory, not yet a run

    def __len__(self) -> int:
        return len(self.sizes)

    def append(self, line: bytes) -> None:
        """Add a line held in memory."""
        self._new += line
        self._new += b"\n"
        self.sizes.append(len(line))

    def append_at(self, source: int | bytes, start: int, size: int) -> None:
        """Add the line of `size` bytes found at `start` of `source` (followed by "\n")."""
        last = self.runs[-1] if self.runs and not self._new else None
        if last is not None and last[0] is source and last[2] == start:
            last[2] += size + 1  # the usual case, a line after the last: done in place
        else:
            self._run(source, start, start + size + 1)
        self.sizes.append(size)

    def _run(self, source: int | bytes, start: int, end: int) -> None:
        self._flush()
        last = self.runs[-1] if self.runs else None
        if last is not None and last[0] is source and last[2] == start:
            last[2] = end
        else:
            self.runs.append([source, start, end])

    def _flush(self) -> None:
        """Make the lines held in memory a run."""
        if self._new:
            held = bytes(self._new)
            self._new.clear()
            self.runs.append([held, 0, len(held)])

    @classmethod
    def of_section(cls, source: int | bytes, start: int, starts: Sequence[int]) -> LineRuns:
        """The lines of a serialised section at `start` of `source`, with their `starts`."""
        lines = cls()
        lines.sizes = array("I", [b - a - 1 for a, b in pairwise(starts)])
        if lines.sizes:
            lines.runs.append([source, start, start + starts[-1]])
        return lines

    def kept(self, positions: Iterable[int]) -> LineRuns:
        """The lines at these positions (ascending), as runs of the same sources."""
        self._flush()
        offsets = list(accumulate(map((1).__add__, self.sizes), initial=0))
        run_ends = list(accumulate(end - start for _, start, end in self.runs))
        lines = LineRuns()
        for first, last in _ranges(positions):
            at, stop = offsets[first], offsets[last]  # bytes, counted over all runs
            while at < stop:
                number = bisect_right(run_ends, at)
                source, start, end = self.runs[number]
                begins = run_ends[number] - (end - start)
                upto = min(stop, run_ends[number])
                lines._run(source, start + at - begins, start + upto - begins)
                at = upto
            lines.sizes.extend(self.sizes[first:last])
        return lines

    def chunks(self) -> Iterator[bytes]:
        """The lines, each followed by "\n", in pieces of at most a megabyte."""
        self._flush()
        for source, start, end in self.runs:
            for at in range(start, end, 1 << 20):
                upto = min(end, at + (1 << 20))
                yield source[at:upto] if isinstance(source, bytes) else _pread(source, at, upto)


def _pread(fd: int, start: int, end: int) -> bytes:
    data = os.pread(fd, end - start, start)
    if len(data) != end - start:
        raise OSError("a file the search index is copied from was cut short while read")
    return data


def _ranges(positions: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Runs of consecutive numbers as [first, last) pairs: 1 2 3 7 8 -> (1, 4), (7, 9)."""
    first = last = -1
    for position in positions:
        if position != last:
            if first >= 0:
                yield first, last
            first = position
        last = position + 1
    if first >= 0:
        yield first, last


class IndexBuilder:
    """The index as editable sections: synced to the records, then serialised."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []
        self.sections: dict[str, LineRuns] = {name: LineRuns() for name in EDITABLE}
        # The note files as the folder listed them (name -> (mtime_ns, size)), broken ones
        # too: searches compare their own listing with it to know the index is current.
        self.files: dict[str, tuple[int, int]] = {}
        self.stems: dict[str, set[str]] = {}
        self.seen: set[str] = set()  # words whose stem this builder has looked up
        self.broken: list[list[Any]] = []  # [file, mtime_ns, size, problem]
        self._source: SearchIndex | None = None  # kept open: sections are read from it

    @classmethod
    def from_index(cls, index: SearchIndex) -> IndexBuilder:
        """An editable copy of a serialised index (raises ValueError when damaged); its
        sections are read from the index's file only when the copy is written out."""
        builder = cls()
        builder._source = index
        builder.rows = index.all_rows()
        builder.broken = [list(b) for b in index.broken]
        source = bytes(index.data) if index.fd is None else index.fd
        for name in EDITABLE:
            starts = index._line_starts(name)
            if starts[-1] != index.spans[name][1] - index.spans[name][0]:
                raise ValueError(f"section {name} does not end where its lines do")
            lines = LineRuns.of_section(source, index.spans[name][0], starts)
            if len(lines) != len(builder.rows):
                raise ValueError(f"section {name} has the wrong number of lines")
            builder.sections[name] = lines
        for line in index.section("stems").decode().splitlines():
            key, _, forms = line.partition("\t")
            builder.stems[key] = set(forms.split())
        return builder

    def stamps(self) -> dict[str, tuple[int, int]]:
        """file -> (mtime_ns, size) of every note file indexed, broken ones too."""
        found = {row[FILE]: (row[MTIME], row[SIZE]) for row in self.rows}
        found.update((b[0], (b[1], b[2])) for b in self.broken)
        return found

    def sync(self, notes: NotesOnDisk, prepared: dict[str, Parts] | None = None) -> bool:
        """Match the index to every note of `notes` (the TinyDB index's records): only
        notes whose file, time or size differ are read into words again (or taken from
        `prepared`). Returns True when anything changed."""
        known = self.stamps()
        fresh = [name for name, stamp in notes.stamps.items() if known.get(name) != stamp]
        gone = known.keys() - notes.stamps.keys()
        if not fresh and not gone:
            return False
        self.update(fresh, notes.record, gone, prepared)
        return True

    def update(
        self,
        names: Iterable[str],
        read: Callable[[str], Mapping[str, Any]],
        gone: Iterable[str] = (),
        prepared: dict[str, Parts] | None = None,
    ) -> None:
        """Replace the notes of the files `names` with their records (note data with
        `_file`, `_mtime_ns`, `_size`, or `_error`) as `read(name)` gives them, one at a
        time, or with their `note_parts` from `prepared` (taken out of it); drop the files
        `gone`."""
        names = sorted(names)
        replaced = {*names, *gone}
        keep = [i for i, row in enumerate(self.rows) if row[FILE] not in replaced]
        if len(keep) < len(self.rows):
            self.rows = [self.rows[i] for i in keep]
            self.sections = {name: lines.kept(keep) for name, lines in self.sections.items()}
        self.broken = [b for b in self.broken if b[0] not in replaced]
        for name in names:
            if prepared and name in prepared:
                self.add(prepared.pop(name))
                continue
            record = read(name)
            if "_error" in record:
                self.broken.append(
                    [record["_file"], record["_mtime_ns"], record["_size"], record["_error"]]
                )
            else:
                self.add(note_parts(record, self.seen))
        # The stems of a word come with the first note it was read in, which may be one
        # that was prepared but not replaced here: keep them all.
        for _, _, stems in (prepared or {}).values():
            self._add_stems(stems)

    @property
    def empty(self) -> bool:
        """True when no note has been added yet, broken ones included."""
        return not self.rows and not self.broken

    def take(self, name: str, parts: Parts) -> None:
        """`add`, called as a mapping's item is set: with the note's file name first."""
        self.add(parts)

    def add(self, parts: Parts) -> None:
        """Add one note from `note_parts` (or its lines' places in a worker's spool)."""
        lines, row, stems = parts
        if isinstance(lines, list):
            for name, line in zip(EDITABLE, lines, strict=True):
                self.sections[name].append(line)
        else:
            fd, starts, sizes = lines
            for name, start, size in zip(EDITABLE, starts, sizes, strict=True):
                self.sections[name].append_at(fd, start, size)
        self.rows.append(row)
        self._add_stems(stems)

    def _add_stems(self, stems: Iterable[tuple[str, str]]) -> None:
        for key, word in stems:
            self.stems.setdefault(key, set()).add(word)

    def to_bytes(self) -> bytes:
        """The serialised index."""
        return b"".join(self.chunks())

    def chunks(self) -> Iterator[bytes]:
        """The serialised index, piece by piece: written out without joining it first."""
        rows = [_kept(orjson.dumps(row)) for row in self.rows]
        starts = array("I")
        sizes = []
        for name in LINED:  # where each note's line starts, and the section's end
            lengths = map(len, rows) if name == "rows" else self.sections[name].sizes
            starts.extend(accumulate(map((1).__add__, lengths), initial=0))
            sizes.append(starts[-1])
        # Words per field, a run of len(FIELDS) per note.
        lengths = array("I", chain.from_iterable(row[LENGTHS:] for row in self.rows))
        entries = [Entry(row, position) for position, row in enumerate(self.rows)]
        newest = array("I", [e.position for e in ordered(entries, SortKey.ADDED)])
        stems = "".join(
            f"{key}\t{' '.join(sorted(forms))}\n" for key, forms in sorted(self.stems.items())
        ).encode()
        sizes += [len(a) * a.itemsize for a in (starts, lengths, newest)] + [len(stems)]
        header = orjson.dumps(
            {
                "format": FORMAT,
                "notes": len(self.rows),
                "names": list(self.files),
                "stamps": [n for stamp in self.files.values() for n in stamp],
                "broken": self.broken,
                "averages": [
                    _average(row[LENGTHS + i] for row in self.rows) for i in range(len(FIELDS))
                ],
                "byteorder": sys.byteorder,
                "sizes": sizes,
            }
        )
        # Every section starts after a newline, so a line is always "\n" + its content.
        yield MAGIC + header + b"\n"
        for name in LINED:
            if name == "rows":
                for at in range(0, len(rows), 4096):  # in batches: no section copied whole
                    yield b"\n".join(rows[at : at + 4096]) + b"\n"
            else:
                yield from self.sections[name].chunks()
            yield b"\n"
        yield starts.tobytes() + b"\n"
        yield lengths.tobytes() + b"\n"
        yield newest.tobytes() + b"\n"
        yield stems


# What one note adds to the index: its line in each EDITABLE section (or, spooled by a
# worker, the open spool file and where each line starts there and its size), its row, and
# the (stem, word) pairs of its words whose stem differs.
Spooled = tuple[int, list[int], list[int]]
Parts = tuple[list[bytes] | Spooled, list[Any], list[tuple[str, str]]]
NoteParts = tuple[list[bytes], list[Any], list[tuple[str, str]]]  # as `note_parts` makes them


def note_parts(record: Mapping[str, Any], seen: set[str] | None = None) -> NoteParts:
    """The index's share of one note record: a plain function of plain data, so that
    worker processes can compute it while the index is built.

    With `seen` (the words already looked at while building one index), stems are looked
    up only for words not in it, which are then added: the stem table needs each word once.
    """
    lines, lengths = [], []
    words: set[str] = set()
    for text in field_texts(record).values():
        found = index_words(text)
        words.update(found)
        lines.append(b" " + " ".join(found).encode() if found else b"")
        lengths.append(len(found))
    if seen is not None:
        words -= seen
        seen |= words
    stems = [(key, word) for word in words if (key := stem(word)) != word]
    shown = {key: record.get(key) for key in SHOWN}
    shown["authors"] = [{"name": a.get("name", "")} for a in record.get("authors") or []]
    lines.append(orjson.dumps(shown))
    lines.append(listed_line(record).encode())
    row = [
        record["_file"],
        record["_mtime_ns"],
        record["_size"],
        record["id"],
        record.get("published") or "",
        " ".join(record.get("categories") or []),
        "\t".join(fold(t) for t in record.get("tags") or []),
        record.get("added") or "",
        record.get("primary_category") or "",
        *lengths,
    ]
    return lines, row, stems


def _kept(data: bytes) -> bytes:
    """A right-sized copy of orjson's output, to keep many of: a short `orjson.dumps` result
    holds the 4 KB buffer it was written into, 100,000 of them 400 MB."""
    return memoryview(data).tobytes()


def _average(lengths: Iterable[int]) -> float:
    """Mean length over the notes where the field is not empty (as Lucene does).

    Over all notes, a field few notes fill (a TL;DR, tags) would get a tiny average and
    its hits a length penalty that sinks them below abstract hits.
    """
    filled = [n for n in lengths if n]
    return sum(filled) / len(filled) if filled else 1.0


class SearchIndex:
    """A read-only view of a serialised index (bytes or a memory map)."""

    def __init__(self, data: bytes | mmap.mmap, fd: int | None = None) -> None:
        if data[: len(MAGIC)] != MAGIC:
            raise ValueError("not a papernotes search index")
        end = data.find(b"\n", len(MAGIC))
        try:
            header = orjson.loads(data[len(MAGIC) : end])
        except orjson.JSONDecodeError as err:
            raise ValueError(f"damaged header ({err})") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError("search index from another version")
        if header["byteorder"] != sys.byteorder:
            raise ValueError("search index from a machine of another byte order")
        self.data = data
        self.notes: int = header["notes"]
        self._names: list[str] = header["names"]
        self._stamps: list[int] = header["stamps"]
        self.broken: list[list[Any]] = header["broken"]
        self.averages: list[float] = [a or 1.0 for a in header["averages"]]
        self.spans: dict[str, tuple[int, int]] = {}
        position = end + 1
        for name, size in zip(SECTIONS, header["sizes"], strict=True):
            self.spans[name] = (position, position + size)
            position += size + 1
        if position - 1 != len(data):
            raise ValueError("search index is truncated")
        self.fd = fd  # of the file mapped, kept open to read copies of sections from
        self._starts: dict[str, array[int]] = {}
        self._rows: dict[int, list[Any]] = {}
        self._lengths: array[int] | None = None

    def row(self, position: int) -> list[Any]:
        """The row of one note (see FILE, ID, ...), parsed on first use."""
        found = self._rows.get(position)
        if found is None:
            found = self._rows[position] = self._line("rows", position)
        return found

    def all_rows(self) -> list[list[Any]]:
        """Every row, parsed in one go."""
        rows = self._all_lines("rows")
        self._rows = dict(enumerate(rows))
        return rows

    def entries(self) -> list[Entry]:
        """What `list` and `export` choose and order by, for every note in index order."""
        return [Entry(row, position) for position, row in enumerate(self.all_rows())]

    def newest(self) -> array[int]:
        """Every note's position in `list`'s default order: newest added first."""
        order = array("I")
        order.frombytes(self.data[slice(*self.spans["newest"])])
        return order

    def listed(self, positions: Iterable[int]) -> list[str]:
        """The `list` output lines of the notes at these positions."""
        starts = self._line_starts("listed")
        start = self.spans["listed"][0]
        data = self.data
        return [data[start + starts[p] : start + starts[p + 1] - 1].decode() for p in positions]

    def _all_lines(self, name: str) -> list[Any]:
        """Every line of a JSON-lined section, parsed in one go."""
        if not self.notes:
            return []
        start, end = self.spans[name]
        lines: list[Any] = orjson.loads(
            b"[" + bytes(self.data[start : end - 1]).replace(b"\n", b",") + b"]"
        )
        return lines

    def is_current(self, files: Mapping[str, tuple[int, int]]) -> bool:
        """True when `files` (name -> (mtime_ns, size)), in the folder's listing order, are
        the ones it was made from. A listing in another order only costs a resync."""
        return (
            list(files) == self._names
            and [n for stamp in files.values() for n in stamp] == self._stamps
        )

    @classmethod
    def open(cls, path: Path) -> SearchIndex:
        """Map the file at `path` (raises OSError or ValueError)."""
        with path.open("rb") as handle:
            if path.stat().st_size == 0:
                raise ValueError("empty search index")
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            fd = os.dup(handle.fileno())
        try:
            return cls(data, fd)
        except ValueError:
            os.close(fd)
            raise

    def section(self, name: str) -> bytes:
        """A copy of a whole section. Read from the file when there is one: copying from
        the memory map would also keep every page of it resident."""
        start, end = self.spans[name]
        if self.fd is None:
            return bytes(self.data[start:end])
        return os.pread(self.fd, end - start, start)

    def __del__(self) -> None:
        fd = getattr(self, "fd", None)
        if fd is not None:
            os.close(fd)

    @property
    def problems(self) -> list[str]:
        """What is wrong with each note file that could not be read."""
        return [str(b[3]) for b in self.broken]

    def shown(self, position: int) -> dict[str, Any]:
        """What a result line shows of the note at `position` (see SHOWN), as indexed."""
        data: dict[str, Any] = self._line("shown", position)
        return data

    def _line(self, name: str, position: int) -> Any:
        starts = self._line_starts(name)
        start = self.spans[name][0]
        return orjson.loads(self.data[start + starts[position] : start + starts[position + 1] - 1])

    def forms(self, word: str) -> list[str]:
        """`word`, then every other indexed word sharing its stem (and the stem itself)."""
        key = stem(word)
        start, end = self.spans["stems"]
        found = dict.fromkeys([word, key])
        at = self.data.find(b"\n" + key.encode() + b"\t", start - 1, end)
        if at != -1:
            line_end = self.data.find(b"\n", at + 1, end)
            line = bytes(self.data[at + 1 : line_end])
            found.update(dict.fromkeys(line.decode().partition("\t")[2].split()))
        return list(found)

    def count(self, name: str, needles: list[bytes], *, whole: bool = True) -> Counter[int]:
        """How often any of `needles` occurs in each note's `name` field, by note position.

        A needle is a space and one or more words (`b" ticket"`, `b" lottery ticket"`);
        with `whole` it must end where a word ends, otherwise it is a prefix. Rare words are
        found with `find` (memchr speed, nothing scanned twice); past a few thousand hits a
        regular expression takes over, finding every form in one pass.
        """
        start, end = self.spans[name]
        data = self.data
        positions: list[int] = []
        for needle in needles:
            size = len(needle)
            at = data.find(needle, start, end)
            while at != -1:
                if not whole or data[at + size] in _WORD_ENDS:
                    positions.append(at)
                    if len(positions) > _FIND_BUDGET:
                        positions = [
                            m.start() for m in _pattern(needles, whole).finditer(data, start, end)
                        ]
                        return self._by_note(name, positions)
                at = data.find(needle, at + size, end)
        return self._by_note(name, positions)

    def _by_note(self, name: str, positions: list[int]) -> Counter[int]:
        start = self.spans[name][0]
        counts: Counter[int] = Counter()
        if positions:
            starts = self._line_starts(name)
            counts.update(bisect_right(starts, at - start) - 1 for at in positions)
        return counts

    def lengths(self) -> array[int]:
        """Words per field, a run of len(FIELDS) per note in index order."""
        if self._lengths is None:
            start, end = self.spans["lengths"]
            self._lengths = array("I")
            self._lengths.frombytes(self.data[start:end])
        return self._lengths

    def _line_starts(self, name: str) -> array[int]:
        """Offsets, from the section's start, of each note's line and of the section's end."""
        if name not in self._starts:
            size = self.notes + 1
            first = self.spans["starts"][0] + LINED.index(name) * size * _START_BYTES
            starts = array("I")
            starts.frombytes(self.data[first : first + size * _START_BYTES])
            self._starts[name] = starts
        return self._starts[name]


def _pattern(needles: list[bytes], whole: bool) -> re.Pattern[bytes]:
    alternatives = b"|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
    return re.compile(b"(?:" + alternatives + b")" + (rb"(?=[ \n])" if whole else b""))


def needles(parts: list[list[str]], limit: int = 512) -> list[bytes]:
    """The byte strings to look for: every combination of the forms of consecutive words.

    Each part lists the word as typed first, then its other forms. Past `limit`
    combinations (a long phrase of words with many forms) only the typed words are kept.
    """
    combos = [b""]
    for forms in parts:
        chosen = forms if len(combos) * len(forms) <= limit else forms[:1]
        combos = [c + b" " + w.encode() for c in combos for w in chosen]
    return combos
