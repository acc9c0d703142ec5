"""The notes folder and its derived index: writes, refresh after hand edits, repair."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from papernotes.errors import NoteNotFoundError
from papernotes.ids import parse_id
from papernotes.index_storage import IndexStorage
from papernotes.note import Author, Note, dump_note
from papernotes.store import INDEX_NAME, NoteStore, write_atomic


def make_note(arxiv_id: str, title: str, **fields: object) -> Note:
    parsed = parse_id(arxiv_id)
    return Note(id=parsed.base, version=1, title=title, authors=[Author("A. Author")], **fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> NoteStore:
    store = NoteStore(tmp_path / "notes")
    store.create(make_note("1706.03762", "Attention Is All You Need", tags=["attention"]))
    store.create(make_note("hep-th/9901001", "Old style"))
    return store


def titles(store: NoteStore) -> set[str]:
    return {n.title for n in store.notes()}


def touch_later(path: Path) -> None:
    """Make sure a rewrite is seen even on file systems with coarse timestamps."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_files_are_named_after_the_id_without_version(store: NoteStore) -> None:
    names = sorted(p.name for p in store.root.iterdir() if not p.name.startswith("."))
    assert names == ["1706.03762.yaml", "hep-th_9901001.yaml"]


def test_the_index_is_git_ignored_inside_the_folder(store: NoteStore) -> None:
    store.refresh()
    ignore = store.root / ".gitignore"
    assert ".index.json" in ignore.read_text().splitlines()
    ignore.write_text("mine\n")
    (store.root / INDEX_NAME).unlink()
    store.refresh()
    assert ignore.read_text() == "mine\n"  # never overwritten


def test_create_never_overwrites(store: NoteStore) -> None:
    before = store.path_for(parse_id("1706.03762")).read_bytes()
    assert store.create(make_note("1706.03762", "Something else")) is False
    assert store.path_for(parse_id("1706.03762")).read_bytes() == before
    assert not [p for p in store.root.iterdir() if p.name.endswith(".tmp")]


def test_write_atomic_leaves_no_temporary_files_and_normal_permissions(tmp_path: Path) -> None:
    target = tmp_path / "a" / "note.yaml"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["note.yaml"]
    assert target.stat().st_mode & 0o044  # readable by others, like any file the user makes


def test_get_reads_the_file_not_the_index(store: NoteStore) -> None:
    store.notes()  # index built
    path = store.path_for(parse_id("1706.03762"))
    path.write_text(path.read_text().replace("Attention Is All You Need", "Edited"))
    assert store.get(parse_id("1706.03762")).title == "Edited"


def test_missing_note_names_the_id_and_the_fix(store: NoteStore) -> None:
    with pytest.raises(NoteNotFoundError, match=r"1911\.12246.*papernotes add 1911\.12246"):
        store.get(parse_id("1911.12246"))


def test_index_is_built_then_reused(store: NoteStore) -> None:
    first = store.refresh()
    assert first.read == 2 and not first.rebuilt  # nothing to report: it was missing
    assert (store.root / INDEX_NAME).is_file()
    second = store.refresh()
    assert second.read == 0 and not second.rebuilt


def test_hand_edit_added_and_deleted_files_are_picked_up(store: NoteStore) -> None:
    store.notes()
    path = store.path_for(parse_id("1706.03762"))
    path.write_text(path.read_text().replace("Attention Is All You Need", "Hand edited"))
    touch_later(path)
    (store.root / "1605.08386.yaml").write_text(dump_note(make_note("1605.08386", "By hand")))
    store.path_for(parse_id("hep-th/9901001")).unlink()
    refresh = store.refresh()
    assert refresh.read == 2 and refresh.dropped == 1
    assert titles(store) == {"Hand edited", "By hand"}


def test_same_size_edit_with_new_time_is_seen(store: NoteStore) -> None:
    store.notes()
    path = store.path_for(parse_id("1706.03762"))
    path.write_text(path.read_text().replace("Attention", "Attentive"[:9]))
    touch_later(path)
    assert "Attentive Is All You Need" in titles(store)


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[1, 2]", b'{"notes": {"1": 5}'])
def test_damaged_index_is_rebuilt(store: NoteStore, damage: bytes) -> None:
    store.notes()
    (store.root / INDEX_NAME).write_bytes(damage)
    refresh = store.refresh()
    assert refresh.rebuilt and "damaged" in refresh.rebuilt
    assert titles(store) == {"Attention Is All You Need", "Old style"}
    json.loads((store.root / INDEX_NAME).read_text())  # valid again


def test_index_from_another_version_is_rebuilt(store: NoteStore) -> None:
    store.notes()
    index = store.root / INDEX_NAME
    data = json.loads(index.read_text())
    data["meta"]["1"]["format"] = 0
    index.write_text(json.dumps(data))
    refresh = store.refresh()
    assert refresh.rebuilt and "another version" in refresh.rebuilt
    assert refresh.read == 2


def test_broken_note_is_reported_and_others_still_work(store: NoteStore) -> None:
    broken = store.root / "1605.08386.yaml"
    broken.write_text("id: 1605.08386\ntitle: [unclosed\n")
    refresh = store.refresh()
    assert len(refresh.broken) == 1
    assert "1605.08386.yaml" in refresh.broken[0] and "line" in refresh.broken[0]
    assert titles(store) == {"Attention Is All You Need", "Old style"}
    # reported again by the next command, without reading the file again
    again = store.refresh()
    assert again.read == 0 and len(again.broken) == 1


def test_temporary_and_hidden_files_are_not_notes(store: NoteStore) -> None:
    (store.root / ".1706.03762.draft.yaml").write_text("id: 1911.12246\ntitle: Draft\n")
    (store.root / ".1706.03762.yaml.abc.tmp").write_text("garbage")
    (store.root / "README.md").write_text("not a note")
    assert titles(store) == {"Attention Is All You Need", "Old style"}


def test_empty_or_missing_folder_has_no_notes_and_creates_nothing(tmp_path: Path) -> None:
    store = NoteStore(tmp_path / "nowhere")
    assert store.notes() == []
    assert store.reindex().read == 0
    assert not (tmp_path / "nowhere").exists()
    (tmp_path / "empty").mkdir()
    store = NoteStore(tmp_path / "empty")
    assert store.notes() == [] and store.search_index().notes == 0
    assert store.reindex().read == 0
    assert list((tmp_path / "empty").iterdir()) == []


def test_remove(store: NoteStore) -> None:
    store.remove(parse_id("hep-th/9901001"))
    assert titles(store) == {"Attention Is All You Need"}
    with pytest.raises(NoteNotFoundError):
        store.remove(parse_id("hep-th/9901001"))


def test_hand_added_keys_of_any_yaml_shape_do_not_break_the_index(store: NoteStore) -> None:
    path = store.path_for(parse_id("1706.03762"))
    path.write_text(path.read_text() + "read_on: 2024-05-01\nratings:\n  2019: 5\n  2020: 4\n")
    touch_later(path)
    [note] = [n for n in store.notes() if n.id == "1706.03762"]
    ratings = {str(k): v for k, v in note.extra["ratings"].items()}  # JSON keeps keys as text
    assert ratings == {"2019": 5, "2020": 4}
    assert store.refresh().read == 0  # the index was written, and is read back next time
    [again] = [n for n in store.notes() if n.id == "1706.03762"]
    assert {str(k): v for k, v in again.extra["ratings"].items()} == ratings
    assert str(note.extra["read_on"]).startswith("2024-05-01")


# --- the index file: TinyDB's format, one record a line -------------------------------------


def test_tinydb_opens_the_index_and_finds_every_note(store: NoteStore) -> None:
    from tinydb import Query, TinyDB

    store.refresh()
    with TinyDB(store.root / INDEX_NAME) as db:
        notes = db.table("notes")
        assert len(notes) == 2
        [found] = notes.search(Query().title == "Old style")
        assert found["id"] == "hep-th/9901001" and found["_file"] == "hep-th_9901001.yaml"
        assert db.table("meta").get(doc_id=1)["format"] >= 2


def test_our_tinydb_storage_queries_the_index_reading_only_what_it_looks_at(
    store: NoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinydb import Query, TinyDB

    from papernotes.note_index import IndexFile

    store.refresh()
    read: list[str] = []
    raw = IndexFile.raw
    monkeypatch.setattr(IndexFile, "raw", lambda self, name: read.append(name) or raw(self, name))
    with TinyDB(store.root / INDEX_NAME, storage=IndexStorage) as db:
        notes = db.table("notes")
        assert len(notes) == 2 and read == []
        assert notes.get(doc_id=2)["title"] == "Old style" and read == ["hep-th_9901001.yaml"]
        assert notes.get(doc_id=3) is None
        [found] = notes.search(Query().tags.any(["attention"]))
        assert found["_file"] == "1706.03762.yaml" and found.doc_id == 1
        assert db.table("meta").get(doc_id=1)["format"] >= 2


def test_records_the_store_reads_come_through_tinydb(store: NoteStore) -> None:
    from tinydb.table import Document

    records = list(store.note_index().records())
    assert [type(r) for r in records] == [Document, Document]
    assert [r.doc_id for r in records] == [1, 2]


def test_a_change_made_through_tinydb_is_written_in_our_layout(store: NoteStore) -> None:
    from tinydb import TinyDB

    store.refresh()
    with TinyDB(store.root / INDEX_NAME, storage=IndexStorage) as db:
        db.table("notes").update({"tldr": "Changed through TinyDB."}, doc_ids=[1])
    lines = (store.root / INDEX_NAME).read_text().splitlines()
    assert len(lines) == 4 and '"tldr":"Changed through TinyDB."' in lines[1]
    on_disk = store.note_index()  # still current: the files did not change
    assert on_disk.record("1706.03762.yaml")["tldr"] == "Changed through TinyDB."


def test_an_index_with_a_document_id_twice_is_rebuilt(store: NoteStore) -> None:
    store.refresh()
    index = store.root / INDEX_NAME
    index.write_bytes(index.read_bytes().replace(b'"2":{', b'"1":{'))
    refresh = store.refresh()
    assert refresh.rebuilt and "damaged" in refresh.rebuilt
    assert titles(store) == {"Attention Is All You Need", "Old style"}


def test_the_index_holds_one_record_a_line_with_its_stamps_first(store: NoteStore) -> None:
    store.refresh()
    lines = (store.root / INDEX_NAME).read_text().splitlines()
    assert len(lines) == 2 + 2  # the tables' opening, a line per note, the closing
    for line, name in zip(lines[1:3], ["1706.03762.yaml", "hep-th_9901001.yaml"], strict=True):
        assert line.split(":", 1)[1].startswith(f'{{"_file":"{name}","_mtime_ns":')


def test_unchanged_records_are_copied_and_changed_ones_read(store: NoteStore) -> None:
    store.refresh()
    before = (store.root / INDEX_NAME).read_text().splitlines()
    path = store.path_for(parse_id("1706.03762"))
    path.write_text(path.read_text().replace("Attention Is", "Attention Was"))
    touch_later(path)
    refresh = store.refresh()
    after = (store.root / INDEX_NAME).read_text().splitlines()
    assert refresh.read == 1
    assert after[2] == before[2] and after[1] != before[1]
    assert "Attention Was All You Need" in titles(store)


@pytest.mark.parametrize("cut", [1, 10, 200])
def test_a_cut_short_index_is_rebuilt(store: NoteStore, cut: int) -> None:
    store.refresh()
    index = store.root / INDEX_NAME
    data = index.read_bytes()
    index.write_bytes(data[: len(data) - cut])
    refresh = store.refresh()
    assert refresh.rebuilt and "damaged" in refresh.rebuilt and refresh.read == 2
    assert index.read_bytes() == data


def test_an_index_written_by_tinydb_itself_is_rebuilt_in_our_layout(store: NoteStore) -> None:
    from tinydb import TinyDB

    store.refresh()
    records = json.loads((store.root / INDEX_NAME).read_text())["notes"]
    (store.root / INDEX_NAME).unlink()
    with TinyDB(store.root / INDEX_NAME) as db:
        db.table("meta").insert({"format": 2})
        db.table("notes").insert_multiple(records.values())
    refresh = store.refresh()
    assert refresh.rebuilt and refresh.read == 2
    assert titles(store) == {"Attention Is All You Need", "Old style"}
    assert store.refresh().read == 0


def test_odd_file_names_are_indexed_once(store: NoteStore) -> None:
    store.refresh()
    odd = store.root / 'say "hi" \\ there.yaml'
    odd.write_text(dump_note(make_note("1605.08386", "Odd name")))
    first = store.refresh()
    assert first.read == 1
    again = store.refresh()
    assert again.read == 0 and not again.rebuilt


# --- many notes are read by worker processes ------------------------------------------------


def _bulk(root: Path, count: int) -> NoteStore:
    store = NoteStore(root)
    for n in range(count):
        store.create(
            make_note(f"2101.{n + 1:05d}", f"Bulk note {n} on lattice bosons", tags=[f"t{n % 7}"])
        )
    (root / "2101.99999.yaml").write_text("id: 2101.99999\ntitle: [unclosed\n")  # broken
    for path in root.glob("*.yaml"):
        os.utime(path, ns=(1, 1_700_000_000_000_000_000))
    return store


def test_workers_build_the_same_indexes_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papernotes.reading as store_module
    from papernotes.search_index import SEARCH_INDEX_NAME, SECTIONS, SearchIndex

    built = {}
    for name, threshold in (("serial", 10**9), ("parallel", 1)):
        monkeypatch.setattr(store_module, "PARALLEL_FROM", threshold)
        shutil.rmtree(tmp_path / "notes", ignore_errors=True)  # one path: errors name it
        store = _bulk(tmp_path / "notes", 150)
        found = []
        refresh = store.reindex()
        store.search_index(found.append)
        assert refresh.read == 151 and len(refresh.broken) == 1 and "line" in refresh.broken[0]
        assert found[0].broken == refresh.broken
        index = SearchIndex.open(store.root / SEARCH_INDEX_NAME)
        sections = [index.section(section) for section in SECTIONS]
        assert sections[SECTIONS.index("stems")] == b"boson\tbosons\nlattic\tlattice\n"
        built[name] = ((store.root / INDEX_NAME).read_bytes(), sections)
    assert built["serial"] == built["parallel"]


def test_a_note_with_windows_or_old_mac_line_breaks_reads_as_written(store: NoteStore) -> None:
    path = store.path_for(parse_id("1706.03762"))
    note = store.get(parse_id("1706.03762"))
    note.commentary = "first line\nsecond line"
    store.save(note)
    text = path.read_text(encoding="utf-8")
    for newline in ("\r\n", "\r"):
        path.write_bytes(text.replace("\n", newline).encode())
        touch_later(path)
        assert store.get(parse_id("1706.03762")) == note
        assert store.load_file(path.name) == note
        assert {n.commentary for n in store.notes()} == {"", "first line\nsecond line"}


def test_the_index_as_written_knows_what_reading_the_file_finds(store: NoteStore) -> None:
    from papernotes.note_index import IndexFile

    store.root.joinpath("2101.99999.yaml").write_text("id: 2101.99999\ntitle: [unclosed\n")
    for rebuild in (True, False):
        store.create(make_note(f"2102.0000{3 + rebuild}", "Another"))  # something to redo
        written, _ = store._refreshed(rebuild=rebuild)
        reread = IndexFile(store.index_path)
        assert written.broken == reread.broken == ["2101.99999.yaml"]
        assert written.stamps == reread.stamps and len(written) == len(reread) == 5 - rebuild
        assert written._places == reread._places and written._names == reread._names
        assert [written.raw(n) for n in written._names] == [reread.raw(n) for n in reread._names]
