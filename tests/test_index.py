"""The index derived from the note files, through `Collection` and the commands.

`.index.sqlite` (records and full text) and `.index.json` (TinyDB's layout) are brought up
to date by every command that reads the collection; the YAML files are the only truth.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from conftest import Cli
from fake_arxiv import FakeArxiv
from tinydb import Query, TinyDB
from typer.testing import Result

import papernotes.index.sync as sync_module
from papernotes.ids import parse_id
from papernotes.index import Collection, SyncReport
from papernotes.index.database import DATABASE_NAME, SCHEMA
from papernotes.index.tinydb_file import TINYDB_NAME
from papernotes.note import Author, Note, dump_note
from papernotes.search import parse_query
from papernotes.store import NoteStore

ATTENTION = "Attention Is All You Need"
OLD_STYLE = "Old style strings on lattices"


def make_note(arxiv_id: str, title: str, **fields: Any) -> Note:
    parsed = parse_id(arxiv_id)
    fields.setdefault("authors", [Author("Ann Author")])
    fields.setdefault("published", "2017-06-12T17:57:34Z")
    return Note(id=parsed.base, version=1, title=title, **fields)


def write_note(root: Path, note: Note, name: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / (name or f"{note.ref.stem}.yaml")
    path.write_text(dump_note(note), encoding="utf-8")
    return path


def touch_later(path: Path, seconds: int = 1) -> None:
    """A later mtime, so a rewrite is seen even on file systems with coarse timestamps."""
    stat = path.lstat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 10**9), follow_symlinks=False)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A notes folder of two notes, not indexed yet."""
    folder = tmp_path / "notes"
    write_note(folder, make_note("1706.03762", ATTENTION, tags=["attention"]))
    write_note(folder, make_note("hep-th/9901001", OLD_STYLE, published="1999-01-04T00:00:00Z"))
    return folder


@pytest.fixture
def opened() -> Iterator[Callable[[Path], Collection]]:
    """Opens collections, and closes every one at the end of the test."""
    made: list[Collection] = []

    def open_collection(folder: Path) -> Collection:
        made.append(Collection(folder))
        return made[-1]

    yield open_collection
    for collection in made:
        collection.close()


Open = Callable[[Path], Collection]


def synced(opened: Open, folder: Path, *, rebuild: bool = False) -> tuple[Collection, SyncReport]:
    collection = opened(folder)
    return collection, collection.sync(rebuild=rebuild)


def listed(collection: Collection) -> list[dict[str, Any]]:
    """The records of the notes `list` shows, in its order."""
    return collection.records([row for row, _ in collection.entries()])


def titles(collection: Collection) -> list[str]:
    return sorted(r["title"] for r in listed(collection))


def rows(collection: Collection) -> list[int]:
    return [row for row, _ in collection.entries()]


def ids(collection: Collection) -> list[str]:
    return [r["id"] for r in listed(collection)]


def found(collection: Collection, query: str) -> list[str]:
    return [r.note.id for r in collection.search(parse_query(query), None)[0]]


def tinydb_notes(folder: Path) -> list[dict[str, Any]]:
    """The documents of `.index.json` as plain TinyDB (its default JSONStorage) reads them."""
    with TinyDB(folder / TINYDB_NAME, access_mode="r") as db:
        return [dict(doc) for doc in db.table("notes").all()]


def hidden(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.startswith(".")}


# --- built, reused, kept current --------------------------------------------------------------


def test_index_is_built_then_reused(opened: Open, root: Path) -> None:
    collection, first = synced(opened, root)
    assert first.read == 2 and first.rebuilt is None  # nothing to report: it was missing
    assert titles(collection) == [ATTENTION, OLD_STYLE] and len(collection) == 2
    assert {DATABASE_NAME, TINYDB_NAME, ".gitignore"} <= hidden(root)
    before = {p.name: p.stat().st_mtime_ns for p in root.iterdir()}
    again, second = synced(opened, root)
    assert second == SyncReport()  # nothing read, nothing dropped, nothing to say
    assert titles(again) == [ATTENTION, OLD_STYLE]
    assert {p.name: p.stat().st_mtime_ns for p in root.iterdir()} == before  # nothing written


def test_the_indexes_are_git_ignored_inside_the_folder(opened: Open, root: Path) -> None:
    synced(opened, root)
    ignore = root / ".gitignore"
    lines = ignore.read_text().splitlines()
    assert ".index.json" in lines and ".*.tmp" in lines
    assert any(line.startswith(".index.sqlite") for line in lines)
    ignore.write_text("mine\n")
    (root / DATABASE_NAME).unlink()
    synced(opened, root)
    assert ignore.read_text() == "mine\n"  # never overwritten


def test_hand_edit_added_and_deleted_files_are_picked_up(opened: Open, root: Path) -> None:
    synced(opened, root)
    path = root / "1706.03762.yaml"
    path.write_text(path.read_text().replace(ATTENTION, "Hand edited"))
    touch_later(path)
    write_note(root, make_note("1605.08386", "By hand"))
    (root / "hep-th_9901001.yaml").unlink()
    collection, report = synced(opened, root)
    assert (report.read, report.dropped) == (2, 1)
    assert titles(collection) == ["By hand", "Hand edited"]
    assert sorted(found(collection, "hand")) == ["1605.08386", "1706.03762"]
    assert found(collection, "lattices") == [] and found(collection, "title:attention") == []
    assert synced(opened, root)[1].read == 0


def test_same_size_edit_with_a_new_time_is_seen(opened: Open, root: Path) -> None:
    synced(opened, root)
    path = root / "1706.03762.yaml"
    size = path.stat().st_size
    path.write_text(path.read_text().replace("Attention Is", "Attention As"))
    assert path.stat().st_size == size
    touch_later(path)
    collection, report = synced(opened, root)
    assert report.read == 1
    assert "Attention As All You Need" in titles(collection)


def test_the_index_is_current_for_a_collection_used_without_an_explicit_sync(root: Path) -> None:
    collection = Collection(root)
    try:
        assert len(collection) == 2  # synced on first use
        assert collection.note(parse_id("1706.03762")).title == ATTENTION
    finally:
        collection.close()


def test_a_note_is_what_its_file_says_after_the_next_sync(opened: Open, root: Path) -> None:
    collection, _ = synced(opened, root)
    path = root / "1706.03762.yaml"
    path.write_text(path.read_text().replace(ATTENTION, "Edited"))
    touch_later(path)
    collection.sync()  # what every command does first
    assert collection.note(parse_id("1706.03762")).title == "Edited"


# --- a damaged index is built anew, with a notice ---------------------------------------------


def _another_schema(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (name TEXT, body TEXT)")
        connection.execute("INSERT INTO notes VALUES ('1706.03762.yaml', 'x')")
    connection.close()


def _another_version(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA + 1}")
    connection.commit()
    connection.close()


def _our_version_other_tables(path: Path) -> None:
    path.unlink()
    connection = sqlite3.connect(path)
    connection.executescript(
        f"CREATE TABLE meta (key TEXT, value); CREATE TABLE notes (file TEXT);"
        f"PRAGMA user_version = {SCHEMA};"
    )
    connection.close()


def _cut(keep: Callable[[int], int]) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[: keep(len(data))])

    return damage


def _overwrite_pages(path: Path) -> None:
    """Zeros over every page but the first: the file opens, its tables cannot be read."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(4096)
        handle.write(bytes(size - 4096))


DAMAGE: dict[str, Callable[[Path], object]] = {
    "pages overwritten": _overwrite_pages,
    "garbage": lambda path: path.write_bytes(b"\x00garbage, not SQLite\xff" * 200),
    "empty": lambda path: path.write_bytes(b""),
    "header only": _cut(lambda size: 100),
    "first page only": _cut(lambda size: 4096),
    "half": _cut(lambda size: size // 2),
    "last page missing": _cut(lambda size: size - 4096),
    "another schema": _another_schema,
    "another user_version": _another_version,
    "our user_version, other tables": _our_version_other_tables,
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_sqlite_index_is_rebuilt_with_a_notice(
    opened: Open, root: Path, damage: Callable[[Path], object]
) -> None:
    synced(opened, root)
    tinydb_before = (root / TINYDB_NAME).read_bytes()
    damage(root / DATABASE_NAME)
    collection, report = synced(opened, root)
    assert report.rebuilt is not None and DATABASE_NAME in report.rebuilt
    assert "\n" not in report.rebuilt
    assert report.read == 2
    assert titles(collection) == [ATTENTION, OLD_STYLE]
    assert found(collection, "attention") == ["1706.03762"]
    assert (root / TINYDB_NAME).read_bytes() == tinydb_before
    again, quiet = synced(opened, root)
    assert quiet == SyncReport() and titles(again) == [ATTENTION, OLD_STYLE]


def test_rebuild_asked_for_reads_every_file_without_a_notice(opened: Open, root: Path) -> None:
    synced(opened, root)
    collection, report = synced(opened, root, rebuild=True)
    assert report.read == 2 and report.rebuilt is None
    assert titles(collection) == [ATTENTION, OLD_STYLE]


def _edit_through_tinydb(path: Path) -> None:
    with TinyDB(path) as db:
        db.table("notes").update({"title": "Changed through TinyDB"})


TINYDB_DAMAGE: dict[str, Callable[[Path], object]] = {
    "garbage": lambda path: path.write_bytes(b"{not json"),
    "empty": lambda path: path.write_bytes(b""),
    "edited by hand": lambda path: path.write_text(
        path.read_text().replace(ATTENTION, "Hand edited"), encoding="utf-8"
    ),
    "edited through TinyDB": _edit_through_tinydb,
    "a record removed": lambda path: path.write_text('{"notes": {}}'),
    "cut short": lambda path: path.write_bytes(path.read_bytes()[:-10]),
}


@pytest.mark.parametrize("damage", TINYDB_DAMAGE.values(), ids=TINYDB_DAMAGE.keys())
def test_a_changed_tinydb_index_is_written_again_from_sqlite(
    opened: Open, root: Path, damage: Callable[[Path], object]
) -> None:
    synced(opened, root)
    tinydb = root / TINYDB_NAME
    before = tinydb.read_bytes()
    damage(tinydb)
    touch_later(tinydb)  # a rewrite within the clock's tick is still a new file
    assert tinydb.read_bytes() != before
    _, report = synced(opened, root)
    assert report.read == 0  # from the SQLite index: no note file read again
    assert report.rebuilt is not None and TINYDB_NAME in report.rebuilt
    assert tinydb.read_bytes() == before
    assert {d["title"] for d in tinydb_notes(root)} == {ATTENTION, OLD_STYLE}
    assert synced(opened, root)[1] == SyncReport()


def test_a_deleted_tinydb_index_is_written_again(opened: Open, root: Path) -> None:
    synced(opened, root)
    tinydb = root / TINYDB_NAME
    before = tinydb.read_bytes()
    tinydb.unlink()
    _, report = synced(opened, root)
    assert report.read == 0 and tinydb.read_bytes() == before
    assert synced(opened, root)[1] == SyncReport()


def test_both_indexes_deleted_are_built_again(opened: Open, root: Path) -> None:
    synced(opened, root)
    (root / DATABASE_NAME).unlink()
    (root / TINYDB_NAME).unlink()
    collection, report = synced(opened, root)
    assert report.read == 2 and report.rebuilt is None
    assert titles(collection) == [ATTENTION, OLD_STYLE]
    assert len(tinydb_notes(root)) == 2


# --- what is, and is not, a note --------------------------------------------------------------


def test_a_broken_note_is_reported_and_the_others_still_work(opened: Open, root: Path) -> None:
    (root / "1605.08386.yaml").write_text("id: 1605.08386\ntitle: [unclosed\n")
    collection, report = synced(opened, root)
    assert len(report.broken) == 1
    assert "1605.08386.yaml" in report.broken[0] and "line" in report.broken[0]
    assert "\n" not in report.broken[0]
    assert titles(collection) == [ATTENTION, OLD_STYLE]
    assert found(collection, "unclosed") == []
    assert {d["id"] for d in tinydb_notes(root)} == {"1706.03762", "hep-th/9901001"}
    # reported again by the next command, from the index, without reading the file again
    again = synced(opened, root)[1]
    assert again.read == 0 and again.broken == report.broken
    # and mended by hand: no longer reported, and indexed
    write_note(root, make_note("1605.08386", "Mended"))
    touch_later(root / "1605.08386.yaml")
    mended, report = synced(opened, root)
    assert report.broken == [] and "Mended" in titles(mended)


def test_a_value_json_cannot_hold_fails_its_own_note_only(
    opened: Open, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Note.to_dict

    def to_dict(note: Note) -> dict[str, Any]:  # as if note.py let a value through
        data = real(note)
        if note.id == "1706.03762":
            data["rating"] = 2**70
        return data

    monkeypatch.setattr(Note, "to_dict", to_dict)
    collection, report = synced(opened, root)
    [problem] = report.broken
    assert "1706.03762.yaml" in problem and "JSON" in problem and "\n" not in problem
    assert titles(collection) == [OLD_STYLE]
    assert [d["id"] for d in tinydb_notes(root)] == ["hep-th/9901001"]


def test_temporary_and_hidden_files_are_not_notes(opened: Open, root: Path) -> None:
    (root / ".1706.03762.draft.yaml").write_text("id: '1911.12246'\ntitle: Draft\n")
    (root / ".1706.03762.yaml.abc.tmp").write_text("id: '1911.12247'\ntitle: Temporary\n")
    (root / ".hidden.yaml").write_text("id: '1911.12248'\ntitle: Hidden\n")
    (root / "README.md").write_text("id: '1911.12249'\ntitle: Not YAML by name\n")
    (root / "sub.yaml").mkdir()
    collection, report = synced(opened, root)
    assert titles(collection) == [ATTENTION, OLD_STYLE]
    assert report.broken == [] and report.duplicates == [] and report.read == 2


def test_an_empty_or_missing_folder_has_no_notes_and_creates_nothing(
    opened: Open, tmp_path: Path
) -> None:
    nowhere = tmp_path / "nowhere"
    for rebuild in (False, True):
        collection, report = synced(opened, nowhere, rebuild=rebuild)
        assert report == SyncReport() and len(collection) == 0
        assert collection.entries() == [] and found(collection, "anything") == []
    assert not nowhere.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    for rebuild in (False, True):
        collection, report = synced(opened, empty, rebuild=rebuild)
        assert report == SyncReport() and collection.entries() == []
        assert found(collection, "year:2017") == []
    assert list(empty.iterdir()) == []


def test_a_folder_whose_notes_were_all_deleted_has_none(opened: Open, root: Path) -> None:
    synced(opened, root)
    for path in root.glob("*.yaml"):
        path.unlink()
    collection, report = synced(opened, root)
    assert report.dropped == 2 and collection.entries() == [] and len(collection) == 0
    assert tinydb_notes(root) == []


def test_hand_added_keys_of_any_yaml_shape_do_not_break_the_index(opened: Open, root: Path) -> None:
    path = root / "1706.03762.yaml"
    path.write_text(
        path.read_text()
        + "read_on: 2024-05-01\n"
        + "ratings:\n  2019: 5\n  2020: 4.5\n"
        + "seen: [true, null, {at: 2024-05-01 10:00:00}, [1, [2, [3]]]]\n"
        + "'null': ~\n"
        + "empty: {}\n"
    )
    collection, report = synced(opened, root)
    assert report.broken == [] and report.read == 2
    [row] = [r for r, i in zip(rows(collection), ids(collection), strict=True) if i == "1706.03762"]
    [record] = collection.records([row])
    assert record["ratings"] == {"2019": 5, "2020": 4.5}  # JSON keeps keys as text
    assert record["read_on"] == "2024-05-01"
    assert record["seen"][:2] == [True, None] and record["seen"][3] == [1, [2, [3]]]
    assert record["seen"][2]["at"].startswith("2024-05-01T10:00:00")  # a date-time as text
    assert record["null"] is None and record["empty"] == {}
    extra = collection.notes([row])[0].extra
    assert extra.keys() == collection.note(parse_id("1706.03762")).extra.keys()
    again, report = synced(opened, root)
    assert report.read == 0  # written, and read back next time
    assert again.records([row]) == [record]
    [document] = [d for d in tinydb_notes(root) if d["id"] == "1706.03762"]
    assert document["ratings"] == {"2019": 5, "2020": 4.5}


ODD_NAMES = [
    'say "hi" \\ there.yaml',
    "заметка о статье.yaml",
    "tab\there.yaml",
    "a'b;c$(d).yaml",
    "-starts-with-a-dash.yaml",
    "very " + "long " * 40 + "name.yaml",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_file_names_are_indexed_once(opened: Open, root: Path, name: str) -> None:
    synced(opened, root)
    write_note(root, make_note("1605.08386", "Odd name"), name)
    collection, first = synced(opened, root)
    assert first.read == 1 and first.rebuilt is None
    assert "Odd name" in titles(collection)
    assert collection.path_of(parse_id("1605.08386")) == root / name
    again, second = synced(opened, root)
    assert second == SyncReport() and "Odd name" in titles(again)
    assert {d["_file"] for d in tinydb_notes(root)} == {
        "1706.03762.yaml",
        "hep-th_9901001.yaml",
        name,
    }


def test_a_file_name_that_is_not_utf8_is_reported_and_the_others_still_work(
    opened: Open, root: Path
) -> None:
    name = os.fsdecode(b"\xff\xfe note.yaml")
    try:
        write_note(root, make_note("1605.08386", "Badly named"), name)
    except (UnicodeEncodeError, OSError):
        pytest.skip("this file system refuses names that are not UTF-8")
    for _ in range(2):  # built, then from the index
        collection, report = synced(opened, root)
        [problem] = report.broken
        assert "note.yaml" in problem and "UTF-8" in problem and "\n" not in problem
        assert titles(collection) == [ATTENTION, OLD_STYLE]
        assert len(tinydb_notes(root)) == 2
    assert synced(opened, root, rebuild=True)[1].broken == [problem]


def test_windows_or_old_mac_line_breaks_read_as_written(opened: Open, root: Path) -> None:
    store = NoteStore(root)
    note = store.get(parse_id("1706.03762"))
    note.commentary = "first line\nsecond line"
    path = store.save(note)
    text = path.read_text(encoding="utf-8")
    synced(opened, root)
    for newline in ("\r\n", "\r"):
        path.write_bytes(text.replace("\n", newline).encode())
        touch_later(path)
        collection, report = synced(opened, root)
        assert report.read == 1 and report.broken == []
        assert collection.note(parse_id("1706.03762")) == note
        rows = [row for row, _ in collection.entries()]
        assert {n.commentary for n in collection.notes(rows)} == {"", "first line\nsecond line"}
        assert found(collection, '"second line"') == ["1706.03762"]


# --- many notes are read by worker processes ----------------------------------------------------


def _bulk(root: Path, count: int) -> None:
    for n in range(count):
        note = make_note(
            f"2101.{n + 1:05d}",
            f"Bulk note {n} on lattice bosons",
            tags=[f"t{n % 7}"],
            abstract=f"Generalized tickets number{n} and entropy энтропия {n % 3}.",
            commentary="Генерация" if n % 2 else "",
        )
        write_note(root, note)
    (root / "2101.99999.yaml").write_text("id: 2101.99999\ntitle: [unclosed\n")  # broken
    write_note(root, make_note("2101.00001", "A copy"), "copy of 2101.00001.yaml")  # duplicate
    for path in root.glob("*.yaml"):
        os.utime(path, ns=(1, 1_700_000_000_000_000_000))


def _everything(folder: Path) -> dict[str, object]:
    """Every row of every table of the SQLite index, and what searches find."""
    connection = sqlite3.connect(folder / DATABASE_NAME)
    try:
        tables = {
            "notes": connection.execute("SELECT * FROM notes ORDER BY rowid").fetchall(),
            "words": connection.execute("SELECT * FROM words ORDER BY word").fetchall(),
            "fulltext": connection.execute(
                "SELECT rowid, * FROM fulltext ORDER BY rowid"
            ).fetchall(),
        }
    finally:
        connection.close()
    collection = Collection(folder)
    try:
        searches = {
            query: [
                (r.note.id, r.score, r.snippet)
                for r in collection.search(parse_query(query), None)[0]
            ]
            for query in (
                "lattice",
                "generaliz*",
                "ticket",
                "энтропии",
                "генерации",
                "tag:t3",
                "number7",
            )
        }
    finally:
        collection.close()
    return {**tables, "searches": searches}


def test_workers_build_the_same_index_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pools: list[int] = []
    real_pool = concurrent.futures.ProcessPoolExecutor

    class CountedPool(real_pool):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(kwargs.get("max_workers") or 0)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountedPool)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # workers even on a machine of one core
    monkeypatch.setattr(sync_module, "BATCH", 40)  # several batches, so order counts
    built = {}
    folder = tmp_path / "notes"  # one path for both: errors name it
    for name, threshold in (("one process", 10**9), ("workers", 1)):
        monkeypatch.setattr(sync_module, "PARALLEL_FROM", threshold)
        shutil.rmtree(folder, ignore_errors=True)
        _bulk(folder, 150)
        collection = Collection(folder)
        try:
            report = collection.sync(rebuild=True)
            assert report.read == 152 and len(report.broken) == 1 and "line" in report.broken[0]
            assert len(report.duplicates) == 1 and len(collection) == 150
        finally:
            collection.close()
        built[name] = (_everything(folder), (folder / TINYDB_NAME).read_bytes())
        assert len(pools) == (name == "workers")
    assert built["one process"] == built["workers"]
    searches = built["workers"][0]["searches"]
    assert isinstance(searches, dict) and len(searches["lattice"]) == 150
    assert len(searches["generaliz*"]) == 150 and len(searches["генерации"]) == 75


def _by_file(folder: Path) -> dict[str, object]:
    """What the SQLite index holds of each note file, rowids left out, and its words."""
    connection = sqlite3.connect(folder / DATABASE_NAME)
    try:
        cursor = connection.execute("SELECT * FROM notes")
        names = [d[0] for d in cursor.description]
        notes: dict[str, object] = {}
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            rowid = row.pop("rowid")
            texts = connection.execute("SELECT * FROM fulltext WHERE rowid = ?", (rowid,))
            records = connection.execute("SELECT record FROM records WHERE rowid = ?", (rowid,))
            notes[row["file"]] = (row, texts.fetchall(), records.fetchall())
        words = connection.execute("SELECT * FROM words ORDER BY word").fetchall()
    finally:
        connection.close()
    return {"notes": notes, "words": words}


def _tinydb_by_file(folder: Path) -> dict[str, dict[str, Any]]:
    return {d["_file"]: d for d in tinydb_notes(folder)}


@pytest.mark.parametrize("parallel", [False, True], ids=["one process", "workers"])
def test_an_index_kept_current_holds_what_a_rebuilt_one_holds(
    opened: Open, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    monkeypatch.setattr(sync_module, "PARALLEL_FROM", 1 if parallel else 10**9)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(sync_module, "BATCH", 7)
    folder = tmp_path / "notes"
    for n in range(1, 41):
        tags = ["physics"] if n % 2 else []
        write_note(folder, make_note(f"1905.{n:05d}", f"Title {n} on lattice bosons", tags=tags))
    synced(opened, folder)
    for n in (3, 4, 5, 30, 40):  # a run of edits, one alone, the last
        path = write_note(folder, make_note(f"1905.{n:05d}", f"Edited title {n}, generalized"))
        touch_later(path)
    (folder / "1905.00010.yaml").unlink()
    write_note(folder, make_note("1905.00099", "A new one"))
    (folder / "1905.00020.yaml").write_text("id: '1905.00020'\ntitle: [broken\n")
    shutil.copyfile(folder / "1905.00007.yaml", folder / "copy.yaml")
    (folder / TINYDB_NAME).unlink()  # and the TinyDB index to write again

    _, report = synced(opened, folder)
    assert (report.read, report.dropped) == (8, 1)
    kept, kept_tinydb = _by_file(folder), _tinydb_by_file(folder)
    kept_searches = {q: found(opened(folder), q) for q in ("edited", "generaliz*", "physics")}
    synced(opened, folder, rebuild=True)
    assert kept == _by_file(folder)
    assert kept_tinydb == _tinydb_by_file(folder)
    assert kept_searches == {q: found(opened(folder), q) for q in kept_searches}
    assert len(kept_searches["edited"]) == 5 and "1905.00030" in kept_searches["edited"]


def test_workers_leave_nothing_behind_in_the_notes_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    folder = tmp_path / "notes"
    _bulk(folder, 30)
    notes = set(folder.iterdir())
    collection = Collection(folder)
    try:
        assert collection.sync(rebuild=True).read == 32
        assert collection.sync(rebuild=True).read == 32
    finally:
        collection.close()
    assert {p.name for p in set(folder.iterdir()) - notes} == {
        DATABASE_NAME,
        TINYDB_NAME,
        ".gitignore",
        ".lock",
    }


# --- .index.json: TinyDB opens it as it is ----------------------------------------------------


def test_plain_tinydb_opens_the_index_and_queries_it(opened: Open, root: Path) -> None:
    synced(opened, root)
    with TinyDB(root / TINYDB_NAME, access_mode="r") as db:
        notes = db.table("notes")
        assert len(notes) == 2
        [attention] = notes.search(Query().tags.any(["attention"]))
        assert attention["id"] == "1706.03762" and attention["title"] == ATTENTION
        assert attention["_file"] == "1706.03762.yaml"
        [old] = notes.search(Query().title == OLD_STYLE)
        assert old["id"] == "hep-th/9901001" and old["_file"] == "hep-th_9901001.yaml"
        assert notes.search(Query().authors.any(Query().name == "Ann Author")) != []
        assert notes.get(doc_id=old.doc_id) == old
    # the documents hold what `show --json` prints, after the file's name and stamps
    document = dict(attention)
    stat = (root / "1706.03762.yaml").stat()
    assert (document.pop("_file"), document.pop("_mtime_ns"), document.pop("_size")) == (
        "1706.03762.yaml",
        stat.st_mtime_ns,
        stat.st_size,
    )
    assert document == NoteStore(root).get(parse_id("1706.03762")).to_dict()
    json.loads((root / TINYDB_NAME).read_text(encoding="utf-8"))  # plain JSON, too


def test_tinydb_sees_hand_edits_after_the_next_sync(opened: Open, root: Path) -> None:
    synced(opened, root)
    path = root / "1706.03762.yaml"
    path.write_text(path.read_text().replace(ATTENTION, "Hand edited"))
    touch_later(path)
    (root / "hep-th_9901001.yaml").unlink()
    write_note(root, make_note("1605.08386", "Added by hand"))
    synced(opened, root)
    assert sorted((d["id"], d["title"]) for d in tinydb_notes(root)) == [
        ("1605.08386", "Added by hand"),
        ("1706.03762", "Hand edited"),
    ]


# --- a paper in two files ---------------------------------------------------------------------


def _copy(root: Path) -> Path:
    copy = root / "copy of attention.yaml"
    shutil.copyfile(root / "1706.03762.yaml", copy)
    return copy


def _symlink(root: Path) -> Path:
    link = root / "attention-link.yaml"
    link.symlink_to("1706.03762.yaml")
    return link


def _renamed(root: Path) -> Path:
    """An older note on the paper, renamed by hand, beside the one `add` made again."""
    renamed = root / "attention.yaml"
    write_note(root, make_note("1706.03762", "Renamed and edited"), renamed.name)
    return renamed


SECOND_FILE: dict[str, Callable[[Path], Path]] = {
    "copy": _copy,
    "symlink": _symlink,
    "renamed": _renamed,
}


@pytest.mark.parametrize("second", SECOND_FILE.values(), ids=SECOND_FILE.keys())
def test_a_paper_in_two_files_is_shown_once_from_its_own_file(
    opened: Open, root: Path, second: Callable[[Path], Path]
) -> None:
    other = second(root)
    for _ in range(2):  # built, then from the index
        collection, report = synced(opened, root)
        [warning] = report.duplicates
        assert other.name in warning and "1706.03762.yaml" in warning
        assert ids(collection).count("1706.03762") == 1
        assert collection.path_of(parse_id("1706.03762")) == root / "1706.03762.yaml"
        assert collection.note(parse_id("1706.03762")).title == ATTENTION
        assert found(collection, "id:1706.03762") == ["1706.03762"]
        assert [d["_file"] for d in tinydb_notes(root) if d["id"] == "1706.03762"] == [
            "1706.03762.yaml"
        ]


def test_of_two_files_neither_named_after_the_paper_the_first_by_name_is_shown(
    opened: Open, root: Path
) -> None:
    (root / "1706.03762.yaml").rename(root / "b.yaml")
    write_note(root, make_note("1706.03762", "In a.yaml"), "a.yaml")
    collection, report = synced(opened, root)
    assert report.duplicates == [
        f"{root / 'b.yaml'} also holds 1706.03762; {root / 'a.yaml'} is the one used"
    ]
    assert collection.note(parse_id("1706.03762")).title == "In a.yaml"


def test_a_renamed_file_alone_is_still_found(opened: Open, root: Path) -> None:
    (root / "1706.03762.yaml").rename(root / "attention.yaml")
    collection, report = synced(opened, root)
    assert report.duplicates == [] and report.broken == []
    assert collection.path_of(parse_id("1706.03762")) == root / "attention.yaml"
    assert collection.note(parse_id("1706.03762")).title == ATTENTION
    assert collection.remove(parse_id("1706.03762")) == root / "attention.yaml"
    assert not (root / "attention.yaml").exists()


def test_removing_the_shown_file_of_two_shows_the_other(opened: Open, root: Path) -> None:
    copy = _copy(root)
    collection, _ = synced(opened, root)
    assert collection.remove(parse_id("1706.03762")) == root / "1706.03762.yaml"
    again, report = synced(opened, root)
    assert report.duplicates == [] and report.dropped == 1
    assert again.path_of(parse_id("1706.03762")) == copy
    assert again.note(parse_id("1706.03762")).title == ATTENTION
    assert ids(again).count("1706.03762") == 1


# --- through the commands ---------------------------------------------------------------------


def run(cli: Cli, *args: str, code: int | None = 0) -> Result:
    """A command through Typer's runner, its exit code checked."""
    return cast(Result, cli(*args, code=code))


def lines_naming(text: str, *names: str) -> list[str]:
    return [line for line in text.splitlines() if all(name in line for name in names)]


@pytest.fixture
def two_notes(notes_dir: Path) -> Path:
    """Two good notes in the commands' notes folder."""
    write_note(notes_dir, make_note("1706.03762", ATTENTION, tags=["attention"]))
    write_note(notes_dir, make_note("hep-th/9901001", OLD_STYLE, published="1999-01-04T00:00:00Z"))
    return notes_dir


HEAT_BATH = make_note("1605.08386", "Heat-bath random walks", tags=["markov"])


def _beyond_json(field: str) -> str:
    """A note on 1605.08386 holding, in `field`, a value no JSON can hold."""
    text = dump_note(HEAT_BATH)
    if field == "version":
        return text.replace("version: 1\n", "version: 99999999999999999999\n")
    if field == "published":
        return text.replace("published: '2017-06-12T17:57:34Z'", "published: yesterday")
    return text + {"rating": "rating: 99999999999999999999\n", "x": "x: .nan\n"}[field]


BEYOND_JSON = ["version", "rating", "x", "published"]


@pytest.mark.parametrize("field", BEYOND_JSON)
def test_a_value_no_json_can_hold_skips_that_note_only(
    cli: Cli, two_notes: Path, field: str
) -> None:
    bad = two_notes / "1605.08386.yaml"
    bad.write_text(_beyond_json(field), encoding="utf-8")
    assert field in bad.read_text() and bad.read_text() != dump_note(HEAT_BATH)
    for command in (["list"], ["search", "attention OR lattices OR heat"], ["export", "--all"],
                    ["reindex"], ["list", "--json"]):  # fmt: skip
        result = run(cli, *command)
        assert len(result.stderr.splitlines()) == 1, (command, result.stderr)
        assert lines_naming(result.stderr, "1605.08386.yaml"), (command, result.stderr)
        assert "Heat-bath" not in result.stdout and "1605.08386" not in result.stdout
        if command[0] != "reindex":
            assert ATTENTION in result.stdout and OLD_STYLE in result.stdout, command
    assert "Indexed 2 notes" in run(cli, "reindex").stdout
    checked = run(cli, "check", code=1)
    [line] = lines_naming(checked.stdout, "1605.08386.yaml")
    assert repr(field) in line or f"'{field}'" in line, line
    assert lines_naming(checked.stdout, "1706.03762.yaml") == []


def test_a_version_no_json_can_hold_is_refused_before_asking_arxiv(
    cli: Cli, arxiv: FakeArxiv, notes_dir: Path
) -> None:
    result = run(cli, "add", "1706.03762v99999999999999999999", code=1)
    assert arxiv.requests == []
    assert len(result.stderr.strip().splitlines()) == 1 and "1706.03762v" in result.stderr
    assert result.stdout == ""
    assert not list(notes_dir.glob("*.yaml")) if notes_dir.exists() else True


def installed() -> str:
    found = Path(sys.executable).parent / "papernotes"
    return str(found) if found.exists() else shutil.which("papernotes") or "papernotes"


def papernotes(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command as a process of its own (the test's environment: `--dir` and
    arXiv's address come from PAPERNOTES_DIR and PAPERNOTES_ARXIV_API_URL)."""
    return subprocess.run(
        [installed(), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_values_no_json_can_hold_through_the_installed_command(two_notes: Path) -> None:
    bad = {}
    for number, field in enumerate(BEYOND_JSON, 1):
        name = f"2101.0000{number}.yaml"
        text = _beyond_json(field).replace("1605.08386", f"2101.0000{number}")
        (two_notes / name).write_text(text, encoding="utf-8")
        bad[name] = field
    for command in (["list"], ["search", "attention"], ["export", "--all"], ["reindex"]):
        done = papernotes(*command)
        assert done.returncode == 0, (command, done.stderr)
        for name in bad:
            assert len(lines_naming(done.stderr, name)) == 1, (command, name, done.stderr)
        assert "Heat-bath" not in done.stdout and "2101.0000" not in done.stdout
    checked = papernotes("check")
    assert checked.returncode == 1
    for name, field in bad.items():
        [line] = lines_naming(checked.stdout, name)
        assert f"'{field}'" in line, line


# --- a paper in two files, through the commands ----------------------------------------------


@pytest.mark.parametrize("second", SECOND_FILE.values(), ids=SECOND_FILE.keys())
def test_every_command_warns_once_of_a_paper_in_two_files_and_shows_it_once(
    cli: Cli, two_notes: Path, isolated: Path, second: Callable[[Path], Path]
) -> None:
    other = second(two_notes)
    own = "1706.03762.yaml"
    for command in (
        ["list"],
        ["search", "attention OR renamed"],
        ["show", "1706.03762"],
        ["export", "--all", "-o", "posts/"],
        ["reindex"],
        ["list", "--json"],
    ):
        result = run(cli, *command)
        assert len(lines_naming(result.stderr, other.name, own)) == 1, (command, result.stderr)
        assert len(lines_naming(result.stderr, other.name)) == 1, (command, result.stderr)
        if command[0] not in ("reindex", "export"):  # these print no notes
            assert ATTENTION in result.stdout and "Renamed and edited" not in result.stdout
    assert len(lines_naming(run(cli, "list").stdout, "1706.03762")) == 1
    assert [d["id"] for d in json.loads(run(cli, "list", "--json").stdout)].count("1706.03762") == 1
    posts = sorted((isolated / "posts").iterdir())
    assert [p.stem for p in posts] == ["1706.03762", "hep-th_9901001"]  # one file per paper
    assert ATTENTION in posts[0].read_text(encoding="utf-8")
    assert lines_naming(run(cli, "check", code=1).stdout, other.name, own)

    removed = run(cli, "remove", "1706.03762", "--yes")
    assert lines_naming(removed.stdout, "1706.03762", str(two_notes / own))
    listed = lines_naming(run(cli, "list").stdout, "1706.03762")
    if listed:  # whatever `list` still shows for the paper, `show` finds
        [line] = listed
        shown = run(cli, "show", "1706.03762")
        title = line.split("\t")[2]
        assert title in shown.stdout
    else:
        run(cli, "show", "1706.03762", code=1)
    assert ("1706.03762" in run(cli, "search", "id:1706.03762", code=None).stdout) == bool(listed)


def test_a_renamed_file_alone_is_found_by_every_command(cli: Cli, two_notes: Path) -> None:
    (two_notes / "1706.03762.yaml").rename(two_notes / "attention.yaml")
    assert ATTENTION in run(cli, "show", "1706.03762").stdout
    assert ATTENTION in run(cli, "export", "1706.03762").stdout
    assert lines_naming(run(cli, "list").stdout, "1706.03762", ATTENTION)
    removed = run(cli, "remove", "1706.03762", "--yes")
    assert lines_naming(removed.stdout, str(two_notes / "attention.yaml"))
    assert not (two_notes / "attention.yaml").exists()
    run(cli, "show", "1706.03762", code=1)


# --- .index.json is current after every command that reads -----------------------------------


def test_tinydb_is_current_after_a_command_that_reads(cli: Cli, two_notes: Path) -> None:
    run(cli, "list")
    path = two_notes / "1706.03762.yaml"
    path.write_text(path.read_text().replace(ATTENTION, "Hand edited"))
    touch_later(path)
    (two_notes / "hep-th_9901001.yaml").unlink()
    run(cli, "list")
    assert [(d["id"], d["title"]) for d in tinydb_notes(two_notes)] == [
        ("1706.03762", "Hand edited")
    ]
    with TinyDB(two_notes / TINYDB_NAME, access_mode="r") as db:
        [found_note] = db.table("notes").search(Query().tags.any(["attention"]))
        assert found_note["title"] == "Hand edited"


def test_tinydb_holds_no_removed_note_after_remove(cli: Cli, two_notes: Path) -> None:
    run(cli, "list")
    run(cli, "remove", "--yes", "hep-th/9901001")
    assert [d["id"] for d in tinydb_notes(two_notes)] == ["1706.03762"]


# --- temporary files left by a killed writer --------------------------------------------------


LEFT_OVER = ["..index.json.abc123.tmp", ".1706.03762.yaml.xyz.tmp"]


def _leave_temporary_files(folder: Path) -> list[Path]:
    left = [folder / name for name in LEFT_OVER]
    for path in left:
        path.write_bytes(b"half a file")
    return left


def _add(cli: Cli, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(cli, "add", "1605.08386")


def _edit(cli: Cli, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    editor = folder.parent / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "path = pathlib.Path(sys.argv[-1])\n"
        "path.write_text(path.read_text().replace(\"tldr: ''\", 'tldr: mine'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    run(cli, "edit", "1706.03762")


def _hand_edit_then_list(cli: Cli, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = folder / "hep-th_9901001.yaml"
    path.write_text(path.read_text().replace(OLD_STYLE, "Edited by hand"))
    touch_later(path)
    run(cli, "list")


Writer = Callable[[Cli, Path, pytest.MonkeyPatch], object]
WRITERS: dict[str, Writer] = {
    "add": _add,
    "edit": _edit,
    "reindex": lambda cli, folder, monkeypatch: run(cli, "reindex"),
    "remove": lambda cli, folder, monkeypatch: run(cli, "remove", "hep-th/9901001", "--yes"),
    "a sync that changes something": _hand_edit_then_list,
}


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_the_next_writer_removes_temporary_files_a_killed_writer_left(
    cli: Cli,
    arxiv: FakeArxiv,
    two_notes: Path,
    monkeypatch: pytest.MonkeyPatch,
    writer: Writer,
) -> None:
    run(cli, "list")
    left = _leave_temporary_files(two_notes)
    for command in (["list"], ["show", "1706.03762"], ["search", "attention"], ["check"]):
        run(cli, *command)
        assert all(p.exists() for p in left), command  # readers take no lock: left alone
    writer(cli, two_notes, monkeypatch)
    assert not any(p.exists() for p in left)
    assert ATTENTION in run(cli, "show", "1706.03762").stdout
    assert not [p for p in two_notes.iterdir() if p.name.endswith(".tmp")]


KILLED_WRITER = """
import sys, time
from pathlib import Path
from papernotes.store import NoteStore, write_atomic

store = NoteStore(Path(sys.argv[1]))

def chunks():
    yield b'{"notes": {'
    print("writing", flush=True)
    time.sleep(60)  # killed here
    yield b"}}"

with store.lock():
    write_atomic(store.root / ".index.json", chunks())
"""


def test_a_writer_killed_mid_write_leaves_a_temporary_file_the_next_writer_removes(
    two_notes: Path,
) -> None:
    assert papernotes("list").returncode == 0
    before = (two_notes / TINYDB_NAME).read_bytes()
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(two_notes)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
    finally:
        writer.kill()
        writer.wait(timeout=30)
    [left] = [p for p in two_notes.iterdir() if p.name.endswith(".tmp")]
    assert left.name.startswith("..index.json.")
    assert (two_notes / TINYDB_NAME).read_bytes() == before  # the old file, never half
    done = papernotes("list")
    assert done.returncode == 0 and ATTENTION in done.stdout
    assert left.exists()  # a reader on an unchanged collection takes no lock
    done = papernotes("reindex")
    assert done.returncode == 0 and not left.exists()
    assert (two_notes / TINYDB_NAME).read_bytes() == before
