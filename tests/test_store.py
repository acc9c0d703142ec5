"""The notes folder: note files named after their paper, written atomically, under a lock."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from papernotes.errors import NoteNotFoundError
from papernotes.ids import parse_id
from papernotes.note import Author, Note, dump_note
from papernotes.store import LOCK_NAME, NoteStore, is_note_file, write_atomic


def make_note(arxiv_id: str, title: str, **fields: object) -> Note:
    parsed = parse_id(arxiv_id)
    return Note(id=parsed.base, version=1, title=title, authors=[Author("A. Author")], **fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> NoteStore:
    store = NoteStore(tmp_path / "notes")
    store.create(make_note("1706.03762", "Attention Is All You Need", tags=["attention"]))
    store.create(make_note("hep-th/9901001", "Old style"))
    return store


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_files_are_named_after_the_id_without_version(store: NoteStore) -> None:
    assert visible(store.root) == ["1706.03762.yaml", "hep-th_9901001.yaml"]
    assert store.path_for(parse_id("1706.03762v5")) == store.root / "1706.03762.yaml"
    assert store.exists(parse_id("hep-th/9901001v2"))
    assert not store.exists(parse_id("1911.12246"))


def test_a_note_is_written_as_its_yaml(store: NoteStore) -> None:
    note = make_note("1605.08386", "Heat-bath random walks", tags=["markov"])
    assert store.create(note) is True
    assert (store.root / "1605.08386.yaml").read_text(encoding="utf-8") == dump_note(note)
    assert store.get(parse_id("1605.08386")) == note
    assert store.load("1605.08386.yaml") == note


def test_create_never_overwrites(store: NoteStore) -> None:
    path = store.path_for(parse_id("1706.03762"))
    before = path.read_bytes(), path.stat().st_mtime_ns
    assert store.create(make_note("1706.03762", "Something else")) is False
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert not [p for p in store.root.iterdir() if p.name.endswith(".tmp")]


def test_save_replaces_the_note_and_can_write_another_file(store: NoteStore) -> None:
    note = store.get(parse_id("1706.03762"))
    note.tldr = "Attention alone translates well."
    assert store.save(note) == store.root / "1706.03762.yaml"
    assert store.get(parse_id("1706.03762")).tldr == "Attention alone translates well."
    renamed = store.root / "attention.yaml"
    assert store.save(note, renamed) == renamed
    assert store.load("attention.yaml") == note


def test_write_atomic_leaves_no_temporary_files_and_normal_permissions(tmp_path: Path) -> None:
    target = tmp_path / "a" / "note.yaml"
    assert write_atomic(target, b"one") is True
    assert write_atomic(target, [b"t", b"w", b"o"]) is True  # in pieces
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["note.yaml"]
    assert target.stat().st_mode & 0o044  # readable by others, like any file the user makes


def test_write_atomic_without_replace_keeps_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "note.yaml"
    target.write_bytes(b"mine")
    assert write_atomic(target, b"theirs", replace=False) is False
    assert target.read_bytes() == b"mine"
    assert [p.name for p in tmp_path.iterdir()] == ["note.yaml"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "note.yaml"
    target.write_bytes(b"old")

    def pieces() -> list[bytes]:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, (piece for piece in pieces()))
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["note.yaml"]


def test_get_reads_the_file_as_it_is_now(store: NoteStore) -> None:
    path = store.path_for(parse_id("1706.03762"))
    path.write_text(path.read_text().replace("Attention Is All You Need", "Edited"))
    assert store.get(parse_id("1706.03762")).title == "Edited"


def test_missing_note_names_the_id_and_the_fix(store: NoteStore) -> None:
    with pytest.raises(NoteNotFoundError, match=r"1911\.12246.*papernotes add 1911\.12246"):
        store.get(parse_id("1911.12246"))


def test_remove_deletes_the_file_and_says_when_it_is_gone(store: NoteStore) -> None:
    path = store.path_for(parse_id("hep-th/9901001"))
    store.remove(path)
    assert visible(store.root) == ["1706.03762.yaml"]
    with pytest.raises(NoteNotFoundError, match="removed already"):
        store.remove(path)


def test_windows_and_old_mac_line_breaks_read_as_written(store: NoteStore) -> None:
    note = store.get(parse_id("1706.03762"))
    note.commentary = "first line\nsecond line"
    path = store.save(note)
    text = path.read_text(encoding="utf-8")
    for newline in ("\r\n", "\r"):
        path.write_bytes(text.replace("\n", newline).encode())
        assert store.get(parse_id("1706.03762")) == note
        assert store.load(path.name) == note


@pytest.mark.parametrize(
    ("name", "note"),
    [
        ("1706.03762.yaml", True),
        ('say "hi" \\ there.yaml', True),
        (".1706.03762.draft.yaml", False),
        (".1706.03762.yaml.abc123.tmp", False),
        ("..index.json.abc123.tmp", False),
        (".index.json", False),
        ("README.md", False),
        ("1706.03762.yml", False),
    ],
)
def test_which_names_are_note_files(name: str, note: bool) -> None:
    assert is_note_file(name) is note


def test_scan_lists_note_files_only_with_their_stamps(store: NoteStore) -> None:
    (store.root / ".1706.03762.draft.yaml").write_text("id: 1911.12246\n")
    (store.root / ".1706.03762.yaml.abc.tmp").write_text("garbage")
    (store.root / "README.md").write_text("not a note")
    (store.root / "folder.yaml").mkdir()
    (store.root / "dangling.yaml").symlink_to(store.root / "nowhere.yaml")
    found = store.scan()
    assert sorted(found) == ["1706.03762.yaml", "hep-th_9901001.yaml"]
    stat = (store.root / "1706.03762.yaml").stat()
    assert found["1706.03762.yaml"] == (stat.st_mtime_ns, stat.st_size)


def test_scan_of_a_missing_folder_is_empty_and_creates_nothing(tmp_path: Path) -> None:
    assert NoteStore(tmp_path / "nowhere").scan() == {}
    assert not (tmp_path / "nowhere").exists()


def test_the_lock_removes_temporary_files_a_killed_writer_left(store: NoteStore) -> None:
    left = [store.root / ".1706.03762.yaml.xyz.tmp", store.root / "..index.json.abc123.tmp"]
    for path in left:
        path.write_bytes(b"half a file")
    kept = store.root / "notes.tmp"  # not hidden: not one of ours
    kept.write_bytes(b"the user's")
    assert all(p.exists() for p in left)  # reading takes no lock and removes nothing
    writer = NoteStore(store.root)  # the next writer, as a new process has it
    with writer.lock():
        assert not any(p.exists() for p in left)
        with writer.lock():  # reentrant within a process
            pass
        assert writer.create(make_note("1605.08386", "Under the lock"))
    assert kept.read_bytes() == b"the user's"
    assert (store.root / LOCK_NAME).is_file()


def test_the_lock_is_held_against_other_processes(store: NoteStore) -> None:
    fcntl = pytest.importorskip("fcntl")
    with store.lock():
        fd = os.open(store.root / LOCK_NAME, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    fd = os.open(store.root / LOCK_NAME, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released: free now
    finally:
        os.close(fd)
