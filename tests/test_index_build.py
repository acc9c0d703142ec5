"""Building and editing the search index: its sections as runs of lines, workers' spools."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from papernotes.ids import parse_id
from papernotes.note import Author, Note
from papernotes.search_index import EDITABLE, FILE, SEARCH_INDEX_NAME, LineRuns, SearchIndex
from papernotes.store import NoteStore, Refresh


def written(lines: LineRuns) -> list[bytes]:
    data = b"".join(lines.chunks())
    assert data.endswith(b"\n") or not data
    found = data.split(b"\n")[:-1]
    assert [len(line) for line in found] == list(lines.sizes)
    return found


def test_line_runs_keep_any_lines_from_any_mix_of_sources(tmp_path: Path) -> None:
    rng = random.Random(7)
    spool = tmp_path / "spool"
    spool.write_bytes(b"".join(b"file line %d\n" % n for n in range(40)))
    fd = os.open(spool, os.O_RDONLY)
    try:
        for _ in range(50):
            lines, model = LineRuns(), []
            at = 0
            for n in range(rng.randrange(1, 60)):
                if rng.random() < 0.5 and at < 40:  # the next line of the file
                    line = b"file line %d" % at
                    start = sum(len(b"file line %d\n" % k) for k in range(at))
                    lines.append_at(fd, start, len(line))
                    at += rng.choice([1, 1, 1, 2])  # mostly one run, sometimes a gap
                else:
                    line = b"memory line %d" % n if n % 7 else b""
                    lines.append(line)
                model.append(line)
            for _ in range(3):  # keep some, then keep some of those
                keep = sorted(rng.sample(range(len(model)), rng.randrange(len(model) + 1)))
                lines, model = lines.kept(keep), [model[i] for i in keep]
                assert written(lines) == model
                assert len(lines) == len(model)
    finally:
        os.close(fd)


def test_line_runs_merge_neighbouring_lines_into_one_run() -> None:
    source = b"a\nbb\nccc\n"
    lines = LineRuns()
    for start, size in ((0, 1), (2, 2), (5, 3)):
        lines.append_at(source, start, size)
    assert len(lines.runs) == 1 and written(lines) == [b"a", b"bb", b"ccc"]
    assert len(lines.kept([0, 2]).runs) == 2


def note(number: int, title: str) -> Note:
    return Note(
        id=f"1905.{number:05d}",
        version=1,
        title=title,
        authors=[Author("Ann Author"), Author("Борис Автор")],
        abstract=f"Abstract {number} about lattice bosons and {title.lower()}.",
        tags=["physics"] if number % 2 else [],
        commentary="Короткая статья." if number % 3 else "",
        published="2019-05-01T00:00:00Z",
        added=f"2020-01-{1 + number % 28:02d}T00:00:00Z",
    )


def by_file(index: SearchIndex) -> dict[str, tuple[object, ...]]:
    """Everything the index holds of each note, by note file: order left out."""
    lines = {name: index.section(name).split(b"\n") for name in EDITABLE if name != "shown"}
    found: dict[str, tuple[object, ...]] = {}
    for position in range(index.notes):
        row = index.row(position)
        kept = tuple(lines[name][position] for name in lines)
        found[row[FILE]] = (tuple(row), index.shown(position), kept)
    return found


def collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, *, parallel: bool
) -> NoteStore:
    """A notes folder of `count` notes, read by workers (however few) or in one process."""
    import papernotes.reading as reading

    monkeypatch.setattr(reading, "PARALLEL_FROM", 1 if parallel else 10**9)
    store = NoteStore(tmp_path / "notes")
    for number in range(1, count + 1):
        store.create(note(number, f"Title {number}"))
    return store


def edit(store: NoteStore, number: int) -> None:
    """Give note `number` a new title, and its file a later time."""
    store.save(note(number, f"Edited title {number}"))
    path = store.path_for(parse_id(f"1905.{number:05d}"))
    os.utime(path, ns=(1, path.stat().st_mtime_ns + 10**9))


def rebuilt(store: NoteStore) -> dict[str, tuple[object, ...]]:
    store.reindex()
    return by_file(SearchIndex.open(store.root / SEARCH_INDEX_NAME))


@pytest.mark.parametrize("parallel", [False, True], ids=["one-process", "workers"])
def test_an_edited_index_holds_what_a_rebuilt_one_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    store = collection(tmp_path, monkeypatch, 60, parallel=parallel)
    store.search_index()
    for number in (3, 4, 5, 30, 60):  # a run of edits, one alone, the last
        edit(store, number)
    store.remove(parse_id("1905.00010"))
    store.create(note(99, "A new one"))

    edited_index = store.search_index()  # a few changed: the index is edited, not rebuilt
    assert edited_index.notes == 60
    edited = by_file(edited_index)
    assert edited == rebuilt(store)
    assert "edited title 30" in str(edited["1905.00030.yaml"])


@pytest.mark.parametrize("parallel", [False, True], ids=["one-process", "workers"])
def test_a_search_index_made_beside_a_partly_current_tinydb_index_holds_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    store = collection(tmp_path, monkeypatch, 40, parallel=parallel)
    store.root.joinpath("1905.00050.yaml").write_text("id: [broken\n")
    store.search_index()
    (store.root / SEARCH_INDEX_NAME).unlink()
    for number in (2, 20):  # the TinyDB index is now stale for these two only
        edit(store, number)

    made = by_file(store.search_index())
    reports: list[Refresh] = []
    store.search_index(reports.append)  # current now: what is broken comes from the index
    assert made == rebuilt(store)
    assert len(made) == 40 and "edited title 20" in str(made["1905.00020.yaml"])
    assert len(reports[0].broken) == 1


def test_workers_spool_in_the_notes_folder_and_leave_nothing_behind_or_left_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papernotes.reading as reading

    store = collection(tmp_path, monkeypatch, 40, parallel=True)
    left = store.root / ".spool-killed.tmp"  # by a process killed while it read
    left.mkdir()
    (left / "1234.spool").write_bytes(b"x" * 1000)
    before = set(store.root.iterdir()) - {left}
    spools = []
    real_start = reading.Spool.start

    def start(self: reading.Spool) -> str:
        spools.append(Path(real_start(self)))
        return str(spools[-1])

    monkeypatch.setattr(reading.Spool, "start", start)
    store.reindex()
    store.refresh(rebuild=True)  # the TinyDB index alone: records only
    assert len(spools) > 1 and {p.parent for p in spools} == {store.root}
    assert all(p.name.startswith(".spool-") and p.name.endswith(".tmp") for p in spools)
    assert {p.name for p in set(store.root.iterdir()) - before} == {
        ".index.json",
        ".search.idx",
        ".gitignore",
    }
    assert len(store.search_index().listed(range(40))) == 40
