"""Safety with real processes and files: concurrent writers, SIGKILL, hostile input.

Many writers at once, writers killed at any moment, hostile notes, ids, answers and editors.
Everything here runs the installed `papernotes` command, or a small `python -c` script using
the library, as separate processes on the notes folder of the test, against the local fake
arXiv. Every wait has a timeout, so a hang fails the test instead of the run.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import random
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fake_arxiv import ATOM, ENTRIES, SEARCH_IDS, FakeArxiv, Reply

from papernotes.ids import parse_id
from papernotes.index.database import DATABASE_NAME
from papernotes.index.tinydb_file import TINYDB_NAME
from papernotes.note import Author, Note, dump_note, load_note
from papernotes.store import LOCK_NAME, NoteStore

TIMEOUT = 30.0  # seconds for any one process; the whole file takes far less
DERIVED = {".gitignore", TINYDB_NAME, DATABASE_NAME, LOCK_NAME}
# SQLite's side files of `.index.sqlite`: there while a process has the database open, and
# after a kill (or an exit that never closed it); SQLite recovers from them by itself.
SIDE_FILES = {f"{DATABASE_NAME}-wal", f"{DATABASE_NAME}-shm"}
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colour codes rich writes itself
# What must never reach a terminal from a note: C0 controls but newline and tab, DEL, C1
# controls, and the bidi overrides that make text display in another order than it reads.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def installed() -> str:
    found = Path(sys.executable).parent / "papernotes"
    return str(found) if found.exists() else shutil.which("papernotes") or "papernotes"


PAPERNOTES = installed()


# --- processes ------------------------------------------------------------------------------


@dataclass(repr=False)
class Done:
    """A finished process (its repr is what a failed assertion shows)."""

    code: int
    out: str
    err: str
    args: list[str]

    def __repr__(self) -> str:
        return f"{self.args}: exit {self.code}\nstdout: {self.out[-2000:]}\nstderr: {self.err}"


class Processes:
    """Starts processes with the test's environment; whatever is left running is killed."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[str]] = []

    def start(self, *argv: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [str(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            env={**os.environ, **(env or {})},
        )
        self.started.append(proc)
        return proc

    def papernotes(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return self.start(PAPERNOTES, *args, env=env)

    def script(self, code: str, *args: str | Path) -> subprocess.Popen[str]:
        return self.start(sys.executable, "-c", code, *args)

    def finish(self, proc: subprocess.Popen[str], timeout: float = TIMEOUT) -> Done:
        try:
            out, err = proc.communicate(timeout=max(timeout, 0.1))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate(timeout=10)
            pytest.fail(f"{proc.args} did not finish within {timeout:.0f} s")
        return Done(proc.returncode, out, err, list(proc.args))  # type: ignore[arg-type]

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = TIMEOUT) -> Done:
        return self.finish(self.papernotes(*args, env=env), timeout)

    def wait_for_line(self, proc: subprocess.Popen[str], timeout: float = TIMEOUT) -> str:
        """The first line the process prints (a child says it is about to start its loop)."""
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        line = proc.stdout.readline() if ready else ""
        if not line:
            proc.kill()
            _, err = proc.communicate(timeout=10)
            pytest.fail(f"{proc.args[:2]} never got going: {err}")
        return line.strip()

    def sigkill(self, proc: subprocess.Popen[str]) -> None:
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL, f"it had ended by itself: {err}"

    def stop_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired, ValueError):
                proc.communicate(timeout=10)


@pytest.fixture
def procs() -> Iterator[Processes]:
    processes = Processes()
    yield processes
    processes.stop_all()


# --- notes on disk ----------------------------------------------------------------------------


def note_files(notes_dir: Path) -> list[Path]:
    """The note files, as commands see them (hidden drafts and temp files are not notes)."""
    return sorted(p for p in notes_dir.glob("*.yaml") if not p.name.startswith("."))


def fresh_scan(notes_dir: Path) -> dict[str, dict[str, Any]]:
    """Every note read straight from its YAML file: id -> the note's plain data."""
    found: dict[str, dict[str, Any]] = {}
    for path in note_files(notes_dir):
        text = path.read_text(encoding="utf-8")
        assert isinstance(yaml.safe_load(text), dict), f"{path} is not a mapping"
        note = load_note(text, str(path))
        assert path.name == f"{note.ref.stem}.yaml", f"{path} holds {note.id}"
        assert note.id not in found, f"{note.id} has two files"
        found[note.id] = note.to_dict()
    return found


def temp_files(notes_dir: Path) -> list[str]:
    return sorted(p.name for p in notes_dir.glob(".*.tmp"))


def by_id(listed: str) -> dict[str, dict[str, Any]]:
    """`list --json` or `search --json` output as id -> note (search's extras dropped)."""
    notes = json.loads(listed)
    for note in notes:
        note.pop("score", None)
        note.pop("snippet", None)
    result = {n["id"]: n for n in notes}
    assert len(result) == len(notes), "a note was listed twice"
    return result


def arxiv_title(arxiv_id: str) -> str:
    """The title arXiv gives the paper, white space collapsed as notes keep it."""
    return " ".join((ENTRIES[arxiv_id][1].findtext(f"{{{ATOM}}}title") or "").split())


def assert_index_not_stale(notes_dir: Path) -> None:
    """Every record of `.index.json` that claims to match its file's stamp holds its content.

    A record whose stamp differs is fine (the next command reads the file again); a record
    with the file's stamp but other content would be trusted forever.
    """
    index = json.loads((notes_dir / TINYDB_NAME).read_bytes())
    for record in index["notes"].values():
        path = notes_dir / record["_file"]
        assert not record["_file"].startswith("."), f"{record['_file']} is indexed"
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        if (stat.st_mtime_ns, stat.st_size) != (record["_mtime_ns"], record["_size"]):
            continue
        indexed = {k: v for k, v in record.items() if not k.startswith("_")}
        assert indexed == load_note(path.read_text(encoding="utf-8"), str(path)).to_dict()


def assert_indexes_whole(notes_dir: Path) -> None:
    """Both index files are absent or complete: never a half-written file.

    `.index.json` is complete JSON with its table; `.index.sqlite` opens and passes
    SQLite's own integrity check (SQLite recovers a killed writer's WAL by itself).
    """
    index = notes_dir / TINYDB_NAME
    if index.exists():
        data = json.loads(index.read_bytes())
        assert isinstance(data, dict) and "notes" in data
    database = notes_dir / DATABASE_NAME
    if database.exists():
        connection = sqlite3.connect(database, timeout=TIMEOUT)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            connection.close()


def seed(notes_dir: Path, *notes: Note) -> None:
    store = NoteStore(notes_dir)
    for note in notes:
        assert store.create(note)


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


# An $EDITOR: appends a finding or sets the TL;DR, editing the YAML as data. With
# EDIT_OPENED it says when it has read the file; with EDIT_WAIT_FOR it keeps the file
# "open" until told to save, as a person in an editor would.
EDITOR_SCRIPT = """\
import os
import sys
import time
from pathlib import Path

import yaml

mode, value, path = sys.argv[1], sys.argv[2], Path(sys.argv[3])
data = yaml.safe_load(path.read_text(encoding="utf-8"))
if os.environ.get("EDIT_OPENED"):
    Path(os.environ["EDIT_OPENED"]).touch()
if os.environ.get("EDIT_WAIT_FOR"):
    deadline = time.monotonic() + 20
    while not Path(os.environ["EDIT_WAIT_FOR"]).exists():
        if time.monotonic() > deadline:
            sys.exit(3)
        time.sleep(0.01)
if mode == "finding":
    data["findings"] = [*data["findings"], value]
else:
    data["tldr"] = value
path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
"""


def editor(tmp: Path, mode: str, value: str) -> str:
    script = tmp / "editor.py"
    if not script.exists():
        script.write_text(EDITOR_SCRIPT, encoding="utf-8")
    return f"{sys.executable} {script} {mode} '{value}'"


# --- 1. many processes at once ------------------------------------------------------------------

SEEDED = ["1706.03762", "1605.08386", "astro-ph/0601001", "1710.08557", "math/0211159"]
NEW = ["1707.08567", *SEARCH_IDS]
ADDS = [  # overlapping: every new paper is asked for by two to four processes at once
    [*SEARCH_IDS[0:5], "1706.03762"],
    [*SEARCH_IDS[3:8], "1605.08386"],
    [*SEARCH_IDS[6:], "1707.08567"],
    [*SEARCH_IDS[::2], "astro-ph/0601001"],
    ["1707.08567", *SEARCH_IDS[1::2]],
    list(SEARCH_IDS),
    ["1707.08567", "1710.08557", "math/0211159", SEARCH_IDS[9]],
]
EDITS = {  # one edit per existing note, so each is sure to save; plus one with no note
    "1706.03762": ("finding", "stressmarker finding from edit 1"),
    "1605.08386": ("finding", "stressmarker finding from edit 2"),
    "astro-ph/0601001": ("finding", "stressmarker finding from edit 3"),
    "1710.08557": ("tldr", "stressmarker tldr from edit 4"),
    "1911.12246": ("tldr", "never saved: no note"),
}


def test_twenty_processes_at_once(arxiv: FakeArxiv, notes_dir: Path, isolated: Path, procs):
    seeded = procs.run("add", *SEEDED)
    assert seeded.code == 0, seeded
    jobs: list[tuple[str, list[str], dict[str, str] | None]] = [
        ("add", ["add", *ids], None) for ids in ADDS
    ]
    jobs += [
        ("edit", ["edit", paper], {"EDITOR": editor(isolated, *change)})
        for paper, change in EDITS.items()
    ]
    jobs += [
        ("search", ["search", "stressmarker", "--json", "--limit", "100"], None),
        ("search", ["search", "luttinger"], None),
        ("search", ["search", "year:1900..2100", "--json", "--limit", "100"], None),
        ("list", ["list", "--json"], None),
        ("list", ["list", "--json"], None),
        ("list", ["list"], None),
        ("reindex", ["reindex"], None),
        ("reindex", ["reindex"], None),
    ]
    assert len(jobs) == 20
    random.Random(7).shuffle(jobs)

    started = [(kind, args, procs.papernotes(*args, env=env)) for kind, args, env in jobs]
    deadline = time.monotonic() + 45
    results = [
        (kind, args, procs.finish(p, deadline - time.monotonic())) for kind, args, p in started
    ]

    added: Counter[str] = Counter()
    for kind, args, done in results:
        expected = 1 if args == ["edit", "1911.12246"] else 0
        assert done.code == expected, done
        assert "Traceback" not in done.err, done
        if kind == "add":
            lines = [line.split() for line in done.out.splitlines()]
            assert sorted(line[1] for line in lines) == sorted(args[1:]), done
            assert {line[0] for line in lines} <= {"added", "exists"}, done
            added.update(line[1] for line in lines if line[0] == "added")
        if kind == "list" and "--json" in args:
            for note in json.loads(done.out):  # a reader never sees half a note
                assert note["title"] == arxiv_title(note["id"]) and not note["pending"]
        if args == ["edit", "1911.12246"]:
            assert "no note for 1911.12246" in done.err
    assert added == Counter(NEW), "every new paper is written by exactly one process"

    # The folder: every note whole and right, nothing lost, nothing twice, nothing left over.
    names = {p.name for p in notes_dir.iterdir()}
    stems = {parse_id(i).stem + ".yaml" for i in [*SEEDED, *NEW]}
    assert names - SIDE_FILES == stems | DERIVED, f"unexpected: {names - stems - DERIVED}"
    scan = fresh_scan(notes_dir)
    assert set(scan) == {*SEEDED, *NEW}
    for paper, note in scan.items():
        assert note["title"] == arxiv_title(paper) and not note["pending"]
        assert note["version"] == ENTRIES[paper][0] and note["authors"]
        mode, value = EDITS.get(paper, ("", ""))
        assert note["findings"] == ([value] if mode == "finding" else [])
        assert note["tldr"] == (value if mode == "tldr" else "")
    assert_index_not_stale(notes_dir)

    # The index agrees with the files.
    listed = procs.run("list", "--json")
    assert listed.code == 0 and "Warning" not in listed.err, listed
    assert by_id(listed.out) == scan
    everything = procs.run("search", "year:1900..2100", "--json", "--limit", "100")
    assert everything.code == 0 and by_id(everything.out) == scan, everything
    marked = procs.run("search", "stressmarker", "--json", "--limit", "100")
    assert set(by_id(marked.out)) == {p for p in EDITS if p in scan}
    luttinger = procs.run("search", "luttinger", "--json", "--limit", "100")
    assert set(by_id(luttinger.out)) == {
        p for p, n in scan.items() if "luttinger" in json.dumps(n).lower()
    }
    checked = procs.run("check")
    assert checked.code == 0 and checked.out == "", checked
    assert f"Checked {len(scan)} notes: 0 errors, 0 warnings" in checked.err


def test_two_edits_of_one_note_never_lose_either(notes_dir: Path, isolated: Path, procs):
    seed(notes_dir, Note(id="1706.03762", version=7, title="Attention Is All You Need"))
    opened, save = isolated / "first-opened", isolated / "first-may-save"
    first = procs.papernotes(
        "edit",
        "1706.03762",
        env={
            "EDITOR": editor(isolated, "finding", "from the first editor"),
            "EDIT_OPENED": str(opened),
            "EDIT_WAIT_FOR": str(save),
        },
    )
    deadline = time.monotonic() + TIMEOUT
    while not opened.exists():
        assert time.monotonic() < deadline and first.poll() is None, "first editor never opened"
        time.sleep(0.01)
    # A second edit starts and saves while the first editor is still open.
    second = procs.run(
        "edit", "1706.03762", env={"EDITOR": editor(isolated, "finding", "from the second")}
    )
    assert second.code == 0 and "Saved" in second.err, second
    save.touch()
    done = procs.finish(first)
    assert done.code == 1 and "changed on disk" in done.err, done
    note = yaml.safe_load((notes_dir / "1706.03762.yaml").read_text(encoding="utf-8"))
    assert note["findings"] == ["from the second"]
    draft = notes_dir / ".1706.03762.draft.yaml"
    assert "from the first editor" in draft.read_text(encoding="utf-8")  # kept, not lost
    assert procs.run("check").code == 0  # a draft is a warning


# --- 2. SIGKILL at any moment -------------------------------------------------------------------

# Rewrites every note in a loop: version A through NoteStore.save, version B through
# write_atomic directly; says "go" just before the first write.
CHURN = """\
import sys
from pathlib import Path

from papernotes.note import load_note
from papernotes.store import NoteStore, write_atomic

store, versions = NoteStore(Path(sys.argv[1])), Path(sys.argv[2])
a = [load_note(p.read_text(encoding="utf-8"), str(p)) for p in sorted((versions / "A").iterdir())]
b = [(p.name, p.read_bytes()) for p in sorted((versions / "B").iterdir())]
for note in a:  # one round before "go": every file is A or B from here on, never the original
    store.save(note)
print("go", flush=True)
while True:
    for note in a:
        store.save(note)
    for name, data in b:
        write_atomic(store.root / name, data)
"""


def two_versions(path: Path) -> tuple[bytes, bytes]:
    """Version A and B of a note: the reader's fields differ, and so does the length."""
    note = load_note(path.read_text(encoding="utf-8"), str(path))
    note.tldr, note.findings = "version A", ["alpha"]
    a = dump_note(note).encode()
    note.tldr, note.findings = "version B, a longer one", ["beta", "gamma: ünïcode"]
    return a, dump_note(note).encode()


def test_sigkill_while_notes_are_rewritten(arxiv, notes_dir: Path, isolated: Path, procs):
    papers = ["1706.03762", "astro-ph/0601001", "1605.08386"]
    assert procs.run("add", *papers).code == 0
    assert procs.run("list").code == 0  # an index of the first versions, outdated from now on
    versions = isolated / "versions"
    expected = {}
    for path in note_files(notes_dir):
        a, b = two_versions(path)
        assert dump_note(load_note(a.decode(), "A")).encode() == a  # save() writes these bytes
        for name, data in (("A", a), ("B", b)):
            (versions / name).mkdir(parents=True, exist_ok=True)
            (versions / name / path.name).write_bytes(data)
        expected[path.name] = (a, b)

    rng = random.Random(20240229)
    seen: Counter[str] = Counter()
    for kill in range(30):
        child = procs.script(CHURN, notes_dir, versions)
        assert procs.wait_for_line(child) == "go"
        time.sleep(rng.uniform(0.001, 0.050))
        procs.sigkill(child)
        for name, (a, b) in expected.items():
            data = (notes_dir / name).read_bytes()
            assert data in (a, b), f"kill {kill}: {name} is neither version:\n{data!r}"
            seen["A" if data == a else "B"] += 1
        listed = procs.run("list", "--json")
        assert listed.code == 0, listed
        assert by_id(listed.out) == fresh_scan(notes_dir), f"kill {kill}: stale index"
    assert seen["A"] and seen["B"], f"the kills all landed at one point: {seen}"

    # Temp files a kill left behind are not notes: plant one with a note of its own too.
    ghost = Note(id="1501.00001", version=1, title="Ghost in a temp file", tldr="ghostword")
    (notes_dir / ".1501.00001.yaml.planted.tmp").write_text(dump_note(ghost), encoding="utf-8")
    (notes_dir / ".1706.03762.yaml.planted.tmp").write_bytes(b"id: '1706.03762'\ntitle: [half")
    assert len(temp_files(notes_dir)) >= 2
    listed = procs.run("list", "--json")
    assert listed.code == 0 and listed.err == "", listed
    assert set(by_id(listed.out)) == set(papers)
    ghostly = procs.run("search", "ghostword", "--json")
    assert ghostly.code == 0 and json.loads(ghostly.out) == [], ghostly
    reindexed = procs.run("reindex")
    assert reindexed.code == 0 and "Indexed 3 notes" in reindexed.out, reindexed
    checked = procs.run("check")
    assert checked.code == 0 and ".tmp" not in checked.out + checked.err, checked
    index = json.loads((notes_dir / TINYDB_NAME).read_bytes())
    assert {r["_file"] for r in index["notes"].values()} == set(expected)


# Rebuilds both indexes (one sync writes them both) in a loop, as fast as it can.
INDEXER = """\
import sys
from pathlib import Path

from papernotes.index import Collection

collection = Collection(Path(sys.argv[1]))
print("go", flush=True)
while True:
    collection.sync(rebuild=True)
"""


def synthetic(n: int) -> Note:
    return Note(
        id=f"2101.{n:05d}",
        version=1,
        title=f"Synthetic paper number {n} on lattice bosons",
        authors=[Author(f"Author {n}"), Author("Common Coauthor")],
        abstract="A generated abstract with enough words to make the index work. " * 5,
        published="2021-01-04T00:00:00Z",
        tags=["synthetic"],
    )


def test_sigkill_while_the_indexes_are_written(notes_dir: Path, procs) -> None:
    papers = [synthetic(n) for n in range(1, 101)]
    seed(notes_dir, *papers)
    store = NoteStore(notes_dir)
    rng = random.Random(99)

    def change_one(round_: int) -> str:
        """Rewrite one note, so the index the killed process was writing is out of date."""
        note = papers[round_ * 7]
        note.tldr = f"round{round_} marker"
        store.save(note)
        return note.id

    def assert_next_command_correct(round_: int, changed: str) -> None:
        assert_indexes_whole(notes_dir)
        if round_ % 2:
            listed = procs.run("list", "--json")
            assert listed.code == 0, listed
            assert by_id(listed.out) == fresh_scan(notes_dir), f"round {round_}: stale list"
        else:
            found = procs.run("search", f"round{round_}", "--json")
            assert found.code == 0, found
            assert list(by_id(found.out)) == [changed], f"round {round_}: stale search"

    # The library in a tight loop, killed anywhere in reading, building or writing.
    for round_ in range(10):
        changed = change_one(round_)
        child = procs.script(INDEXER, notes_dir)
        assert procs.wait_for_line(child) == "go"
        time.sleep(rng.uniform(0.001, 0.080))
        procs.sigkill(child)
        assert_next_command_correct(round_, changed)

    # The real command, killed at points spread over its run.
    began = time.monotonic()
    assert procs.run("reindex").code == 0
    length = time.monotonic() - began
    for round_ in range(10, 14):
        changed = change_one(round_)
        proc = procs.papernotes("reindex")
        time.sleep(length * (round_ - 9) / 5)
        proc.send_signal(signal.SIGKILL)
        procs.finish(proc)
        assert_next_command_correct(round_, changed)
    assert by_id(procs.run("search", "synthetic", "--json", "--limit", "500").out) == fresh_scan(
        notes_dir
    )


# --- 3. hostile input ----------------------------------------------------------------------------


def pwned(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*pwned*"))


def test_python_tags_in_a_note_are_reported_never_run(notes_dir: Path, isolated: Path, procs):
    seed(notes_dir, Note(id="1710.08557", version=1, title="Fine paper about grasping"))
    (notes_dir / "1706.03762.yaml").write_text(
        "id: '1706.03762'\ntitle: !!python/object/apply:os.system [\"touch pwned\"]\n"
    )
    (notes_dir / "1605.08386.yaml").write_text(
        '!!python/object/apply:subprocess.check_call [["touch", "pwned2"]]\n'
    )
    (notes_dir / "math_0211159.yaml").write_text(
        "id: math/0211159\ntitle: !!python/name:os.system\ntldr: grasping\n"
    )
    bad = ["1706.03762.yaml", "1605.08386.yaml", "math_0211159.yaml"]

    listed = procs.run("list")
    assert listed.code == 0 and listed.out.startswith("1710.08557\t"), listed
    assert len(listed.out.splitlines()) == 1
    assert all(name in listed.err for name in bad), listed
    assert by_id(procs.run("list", "--json").out).keys() == {"1710.08557"}
    found = procs.run("search", "grasping")
    assert found.code == 0 and found.out.startswith("1710.08557\t"), found
    assert all(name in found.err for name in bad), found
    checked = procs.run("check")
    assert checked.code == 1, checked
    assert all(f"{name}: error" in checked.out for name in bad), checked
    assert procs.run("show", "1706.03762").code == 1
    assert procs.run("export", "--all", "-f", "json").code == 0
    assert procs.run("reindex").code == 0
    assert pwned(isolated) == []


HOSTILE = (
    "[bold]x[/bold] hostile \x1b[31mred\x1b[0m \x1b]0;evil\x07 \x1b[2J"
    " bell\x07 back\x08space cr\rret nul\x00 del\x7f csi\x9b6n \u202eevil-rtl"
)


@pytest.mark.parametrize("mode", ["piped", "force_color"])
def test_control_characters_in_a_note_are_shown_not_obeyed(notes_dir: Path, procs, mode: str):
    data = {
        "id": "1706.03762",
        "version": 7,
        "title": HOSTILE,
        "authors": [{"name": "Eve \x1b[5mBlink\x1b[25m"}, {"name": "Mallory"}],
        "tags": ["tag\x1b[7m"],
        "tldr": "hostile link \x1b]8;;http://evil.example\x07click\x1b]8;;\x07",
        "findings": ["finding \x1b[?25l hides the cursor"],
        "commentary": "commentary \x1bc resets the terminal",
        "abstract": "abstract [link=http://evil.example]x[/link] \x1b[1A up",
        "published": "2017-06-12T17:57:34Z",
    }
    notes_dir.mkdir()
    (notes_dir / "1706.03762.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    assert load_note((notes_dir / "1706.03762.yaml").read_text(), "x").title == HOSTILE
    env = {"FORCE_COLOR": "1"} if mode == "force_color" else None

    for command in (["show", "1706.03762"], ["list"], ["search", "hostile"]):
        done = procs.run(*command, env=env)
        assert done.code == 0, done
        out = done.out
        if mode == "piped":
            assert "\x1b" not in out, f"{command}: {out!r}"
        else:
            assert "\x1b[" in out  # rich is styling: this really is the terminal path
            for injected in ("\x1b[31m", "\x1b]", "\x1b[2J", "\x1b[5m", "\x1b[7m"):
                assert injected not in out, f"{command}: {injected!r} reached stdout"
            out = SGR.sub("", out)
        assert not UNSAFE.findall(out), f"{command}: {UNSAFE.findall(out)} in {out!r}"
        assert "[bold]x[/bold]" in out, f"{command}: markup was interpreted: {out!r}"
        if command[0] == "show":
            assert "\\x1b[31mred" in out and "\\x1b]0;evil\\x07" in out
            assert "[link=http://evil.example]x[/link]" in out


HUGE_VALUES = {
    "nested": "id: '1706.03762'\nmine: " + "[" * 300 + "]" * 300 + "\n",
    "contains itself": "id: '1706.03762'\nmine: &loop [1, *loop]\n",
    "billion laughs": "id: '1706.03762'\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n"
        for i in range(8)
    ),
}


@pytest.mark.parametrize("text", HUGE_VALUES.values(), ids=HUGE_VALUES.keys())
def test_hand_added_values_too_deep_or_too_large_are_refused_in_one_line(
    notes_dir: Path, procs, text: str
):
    seed(notes_dir, Note(id="1710.08557", version=1, title="Fine paper about grasping"))
    (notes_dir / "1706.03762.yaml").write_text(text)
    listed = procs.run("list")
    assert listed.code == 0 and listed.out.startswith("1710.08557\t"), listed
    assert "is nested over 64 levels deep or holds over 100,000 values" in listed.err, listed
    shown = procs.run("show", "1706.03762")
    assert shown.code == 1 and len(shown.err.splitlines()) == 1, shown
    assert "Traceback" not in listed.err + shown.err
    for command in (["list", "--json"], ["export", "--all", "-f", "json"], ["reindex"]):
        assert procs.run(*command).code == 0, command


def test_control_characters_in_an_extra_key_are_shown_not_obeyed(notes_dir: Path, procs):
    notes_dir.mkdir()
    (notes_dir / "1706.03762.yaml").write_text(
        yaml.safe_dump({"id": "1706.03762", "title": "T", "note\x1b]0;evil\x07": "v"}),
        encoding="utf-8",
    )
    done = procs.run("show", "1706.03762")
    assert done.code == 0, done
    assert "\x1b" not in done.out and "\x07" not in done.out, repr(done.out)
    assert "note\\x1b]0;evil\\x07: v" in done.out


def test_one_line_per_note_even_with_newlines_and_tabs_in_fields(notes_dir: Path, procs):
    seed(
        notes_dir,
        Note(
            id="1706.03762",
            version=7,
            title="Attention\n9999.99999\t2099\tForged row\tnobody\t#forged",
            tags=["one\ttwo"],
            published="2017-06-12T17:57:34Z",
        ),
    )
    listed = procs.run("list")
    assert listed.code == 0, listed
    assert [line.count("\t") for line in listed.out.splitlines()] == [4], repr(listed.out)
    found = procs.run("search", "attention")
    assert found.code == 0, found
    assert [line.count("\t") for line in found.out.splitlines()] == [5], repr(found.out)


def test_check_shows_hostile_file_names_literally(notes_dir: Path, procs):
    seed(notes_dir, Note(id="1706.03762", version=7, title="Attention Is All You Need"))
    (notes_dir / "x\x1b]0;evil\x07.yaml").write_text("id: [broken\n")
    done = procs.run("check")
    assert done.code == 1, done
    assert "\x1b" not in done.out and "\x07" not in done.out, repr(done.out)
    assert "x\\x1b]0;evil\\x07.yaml" in done.out


TRAVERSALS = ["../../etc/passwd", "hep-th/../../x", "1706.03762/../x"]


def test_ids_that_climb_out_of_the_folder_are_rejected(
    arxiv: FakeArxiv, notes_dir: Path, isolated: Path, procs
):
    seed(notes_dir, Note(id="1706.03762", version=7, title="Attention Is All You Need"))
    marker = isolated / "editor-ran"
    env = {"EDITOR": f"{sys.executable} -c \"open('{marker}', 'w')\""}
    outside, before = {p.name for p in isolated.parent.iterdir()}, tree(isolated)
    started = [procs.papernotes(c, bad) for c in ("add", "show") for bad in ("..", "../1706.03762")]
    for bad in TRAVERSALS:
        for command in (
            ["add", bad],
            ["show", bad],
            ["edit", bad],
            ["remove", "--yes", bad],
            ["refresh", bad],
            ["export", bad, "-o", "posts/"],
        ):
            started.append(procs.papernotes(*command, env=env))
    for proc in started:
        done = procs.finish(proc)
        assert done.code == 1, done
        assert "Traceback" not in done.err and "not an arXiv" in done.err, done
    assert arxiv.requests == []
    assert not marker.exists()
    assert {p.name for p in isolated.parent.iterdir()} == outside
    created = tree(isolated) - before
    assert {Path(p).name for p in created} <= DERIVED | SIDE_FILES, created
    assert [p.name for p in note_files(notes_dir)] == ["1706.03762.yaml"]


def test_export_into_a_folder_stays_in_it(arxiv, notes_dir: Path, isolated: Path, procs):
    papers = ["1706.03762", "astro-ph/0601001", "math/0211159", "cond-mat/0412498"]
    assert procs.run("add", *papers).code == 0
    before = tree(isolated)
    for fmt, folder, ext in (("markdown", "posts", "md"), ("bibtex", "bib", "bib")):
        done = procs.run("export", "--all", "-f", fmt, "-o", f"{folder}/")
        assert done.code == 0, done
        assert sorted(p.name for p in (isolated / folder).iterdir()) == sorted(
            f"{parse_id(p).stem}.{ext}" for p in papers
        )
        assert all(p.is_file() for p in (isolated / folder).iterdir())  # no astro-ph/ folder
    created = tree(isolated) - before
    assert all(p.split(os.sep)[0] in ("posts", "bib", "notes") for p in created), created


@functools.cache
def thirty_megabytes() -> bytes:
    return b"<feed>" + b"x" * 30_000_000


def test_a_30_mb_answer_is_an_error_and_leaves_a_placeholder(
    arxiv: FakeArxiv, notes_dir: Path, procs
):
    arxiv.script("1605.08386", Reply(body=thirty_megabytes()))
    began = time.monotonic()
    done = procs.run("add", "1605.08386", env={"PAPERNOTES_ARXIV_TIMEOUT": "10"}, timeout=60)
    assert time.monotonic() - began < 30
    assert done.code == 1 and "Traceback" not in done.err, done
    assert "larger than 20 MB" in done.err and "placeholder" in done.err, done
    assert [p.name for p in note_files(notes_dir)] == ["1605.08386.yaml"]
    note = yaml.safe_load((notes_dir / "1605.08386.yaml").read_text(encoding="utf-8"))
    assert note["pending"] is True and note["title"] == "" and note["abstract"] == ""
    assert temp_files(notes_dir) == []
    checked = procs.run("check")
    assert checked.code == 0 and "pending" in checked.out, checked


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("touch pwned; true", 1),
        ("no-such-editor; touch pwned", 1),
        ("no-such-editor && touch pwned", 1),
        ("no-such-editor | touch pwned", 1),
        ("no-such-editor $(touch pwned)", 1),
        ("no-such-editor `touch pwned`", 1),
        ("true ; touch pwned", 1),
    ],
)
def test_editor_is_never_run_through_a_shell(
    notes_dir: Path, isolated: Path, procs, value: str, code: int | None
):
    seed(notes_dir, Note(id="1706.03762", version=7, title="Attention Is All You Need"))
    before = (notes_dir / "1706.03762.yaml").read_bytes()
    done = procs.run("edit", "1706.03762", env={"EDITOR": value})
    assert not (isolated / "pwned").exists(), done
    assert (notes_dir / "1706.03762.yaml").read_bytes() == before
    if code is not None:
        assert done.code == code, done
    if code == 1:  # refused before anything runs, naming the value and the problem
        assert "shell syntax" in done.err and "Traceback" not in done.err, done
        assert not list(isolated.glob("pwned*")) and not (isolated / "true").exists()


def test_editor_with_shell_syntax_is_refused(notes_dir: Path, isolated: Path, procs):
    seed(notes_dir, Note(id="1706.03762", version=7, title="Attention Is All You Need"))
    before = tree(isolated)
    done = procs.run("edit", "1706.03762", env={"EDITOR": "touch pwned; true"})
    derived = {f"notes/{name}" for name in DERIVED | SIDE_FILES if name != LOCK_NAME}
    assert tree(isolated) - before <= derived, done
    assert done.code == 1, done
    assert "touch pwned; true" in done.err or "'touch'" in done.err, done
