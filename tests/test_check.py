"""`check`: every problem in a notes folder reported, nothing changed, nothing executed."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
import yaml

from papernotes.checking import CheckReport, Finding, check_notes
from papernotes.ids import ArxivId
from papernotes.note import Note, dump_note
from papernotes.store import NoteStore

BROKEN_YAML = "id: '1605.08386'\nversion: 1\ntitle: Heat-bath: random walks\n"
EXPLOIT = '!!python/object/apply:os.system ["touch pwned"]\n'


def note_file(notes_dir: Path, stem: str) -> Path:
    return notes_dir / f"{stem}.yaml"


def write(notes_dir: Path, name: str, text: str) -> Path:
    notes_dir.mkdir(parents=True, exist_ok=True)
    path = notes_dir / name
    path.write_text(text, encoding="utf-8")
    return path


def everything(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and modification time of every file in the folder, hidden ones included."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def kinds(report: CheckReport) -> list[tuple[str, str, str]]:
    return [(Path(f.file).name, f.severity, f.kind) for f in report.findings]


def check(notes_dir: Path) -> CheckReport:
    return check_notes(NoteStore(notes_dir))


@pytest.fixture
def collection(cli, arxiv, notes_dir: Path) -> Path:
    """Two complete notes, fetched from the fake arXiv, and the index commands keep."""
    cli("add", "1706.03762", "1710.08557", "--tag", "reading")
    cli("search", "attention")  # writes the full-text index too
    return notes_dir


# --- through the CLI ---------------------------------------------------------------------------


def test_a_clean_folder_passes(cli, collection: Path) -> None:
    result = cli("check")
    assert result.stdout == ""
    assert result.stderr.strip() == "Checked 2 notes: 0 errors, 0 warnings."


def test_a_missing_folder_has_nothing_to_check(cli, notes_dir: Path) -> None:
    result = cli("check")
    assert result.stderr.strip() == "Checked 0 notes: 0 errors, 0 warnings."
    assert not notes_dir.exists()


def test_broken_yaml_names_the_file_and_the_line(cli, collection: Path) -> None:
    path = write(collection, "1605.08386.yaml", BROKEN_YAML)
    result = cli("check", code=1)
    assert result.stdout.splitlines() == [
        f"{path}: error: line 3, column 17: mapping values are not allowed in this context "
        "(fix the YAML there)"
    ]
    assert result.stderr.strip() == "Checked 3 notes: 1 error, 0 warnings."


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("version: abc", "'version' must be a whole number from 1 to 9999, not 'abc'"),
        ("version: 0", "'version' must be a whole number from 1"),
        ("tags: {a: 1}", "'tags' must be a list, not a mapping"),
        ("tags: 5", "'tags' must be a list, not an integer"),
        ("findings: true", "'findings' must be a list, not true/false"),
        ("version: true", "'version' must be a whole number from 1 to 9999, not true"),
        ("authors: {name: Vaswani}", "'authors' must be a list, not a mapping"),
        ("title: [Attention, Is]", "'title' must be text, not a list"),
        ("pending: maybe", "'pending' must be true or false"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_key(cli, collection, line: str, words: str) -> None:
    path = note_file(collection, "1706.03762")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    key, value = line.split(": ", 1)
    data[key] = yaml.safe_load(value)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = cli("check", code=1)
    [printed] = result.stdout.splitlines()
    assert printed.startswith(f"{path}: error: {words}")
    report = check(collection)
    assert kinds(report) == [("1706.03762.yaml", "error", "schema")]
    assert words in report.findings[0].message


def test_a_note_that_is_not_a_mapping_or_has_no_id(cli, notes_dir: Path) -> None:
    write(notes_dir, "1706.03762.yaml", "- just\n- a list\n")
    write(notes_dir, "1710.08557.yaml", "title: no id here\n")
    write(notes_dir, "1605.08386.yaml", "id: 12345\n")
    cli("check", code=1)
    report = check(notes_dir)
    assert [(k[0], k[2]) for k in kinds(report)] == [
        ("1605.08386.yaml", "schema"),
        ("1706.03762.yaml", "schema"),
        ("1710.08557.yaml", "schema"),
    ]
    messages = [f.message for f in report.findings]
    assert "'id' 12345 is not an arXiv identifier" in messages[0]
    assert "expected a mapping" in messages[1]
    assert "the 'id' key is missing" in messages[2]


def test_a_copy_under_another_name_is_a_name_and_a_duplicate_error(cli, collection) -> None:
    original = note_file(collection, "1706.03762")
    copy = note_file(collection, "1605.08386")
    shutil.copy(original, copy)
    result = cli("check", code=1)
    assert (
        f"{copy}: error: holds 1706.03762; 1706.03762.yaml exists already: merge the two by hand"
        in result.stdout
    )
    report = check(collection)
    assert sorted(k[2] for k in kinds(report)) == ["duplicate", "name"]
    [duplicate] = [f for f in report.findings if f.kind == "duplicate"]
    assert duplicate.severity == "error"
    assert {duplicate.file, *duplicate.message.split()} >= {str(original), str(copy)}
    assert "Checked 3 notes: 2 errors, 0 warnings." in result.stderr


def test_the_duplicate_error_is_on_the_stray_copy(collection: Path) -> None:
    shutil.copy(note_file(collection, "1706.03762"), note_file(collection, "1605.08386"))
    report = check(collection)
    assert [f for f in report.findings if Path(f.file).name == "1706.03762.yaml"] == []
    assert sorted(k for k in kinds(report)) == [
        ("1605.08386.yaml", "error", "duplicate"),
        ("1605.08386.yaml", "error", "name"),
    ]


def test_a_placeholder_is_a_warning_and_passes(cli, notes_dir: Path) -> None:
    cli("add", "1605.08386", "--tag", "later", code=1)  # arXiv unreachable: a placeholder
    result = cli("check")
    path = note_file(notes_dir, "1605.08386")
    assert result.stdout.splitlines() == [
        f"{path}: warning: metadata pending: run `papernotes refresh --pending` to fill it in"
    ]
    assert result.stderr.strip() == "Checked 1 note: 0 errors, 1 warning."


@pytest.mark.parametrize("key", ["published", "updated"])
@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("yesterday", "must be an ISO 8601 date or date-time like 2017-06-12"),
        ("'2017-02-30'", "must be an ISO 8601 date or date-time"),
        ("2017-13-01", "YAML cannot build this value (month must be in 1..12)"),
    ],
)
def test_a_date_that_is_not_a_date_is_an_error(cli, collection, key, value, words) -> None:
    path = note_file(collection, "1706.03762")
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith(f"{key}:"))
    path.write_text(text.replace(old, f"{key}: {value}"), encoding="utf-8")
    [printed] = cli("check", code=1).stdout.splitlines()
    assert printed.startswith(f"{path}: error: ") and f"'{key}'" in printed and words in printed


@pytest.mark.parametrize("key", ["published", "updated"])
@pytest.mark.parametrize(
    ("value", "when"),
    [
        ("'1066-10-14T00:00:00Z'", "before arXiv began (1991)"),
        ("1990-12-31", "before arXiv began (1991)"),
        ("'2999-01-01T00:00:00Z'", "in the future"),
        ("0001-01-01", "before arXiv began (1991)"),
    ],
)
def test_a_year_before_arxiv_or_in_the_future_is_an_error(cli, collection, key, value, when):
    path = note_file(collection, "1706.03762")
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith(f"{key}:"))
    path.write_text(text.replace(old, f"{key}: {value}"), encoding="utf-8")
    result = cli("check", code=1)
    shown = value.strip("'")
    assert result.stdout.splitlines() == [
        f"{path}: error: '{key}' {shown} is {when}: fix the year, or run "
        "`papernotes refresh 1706.03762` to take arXiv's"
    ]
    assert result.stderr.strip() == "Checked 2 notes: 1 error, 0 warnings."
    assert kinds(check(collection)) == [("1706.03762.yaml", "error", "date")]
    cli("show", "1706.03762")  # the note is still readable: only check objects


def test_the_future_starts_after_this_year(notes_dir: Path) -> None:
    store = NoteStore(notes_dir)
    store.create(Note(id="1706.03762", published="1991-08-14", updated="2030-12-31T23:59:59Z"))
    assert kinds(check_notes(store, today=dt.date(2030, 1, 1))) == []
    late = check_notes(store, today=dt.date(2029, 12, 31))
    assert kinds(late) == [("1706.03762.yaml", "error", "date")]
    assert late.findings[0].message.startswith("'updated' 2030-12-31T23:59:59Z is in the future")
    assert check_notes(store, today=dt.date(2031, 1, 1)).findings == []
    store.save(Note(id="1706.03762", published="1990-12-31", updated="3000-01-01"))
    both = check_notes(store, today=dt.date(2031, 1, 1))
    assert [f.message.split(" is ")[0] for f in both.findings] == [
        "'published' 1990-12-31",
        "'updated' 3000-01-01",
    ]


EDITOR = """
import sys
import time
from pathlib import Path
path = Path(sys.argv[-1])
path.write_text(path.read_text(encoding="utf-8") + "tldr: [half typed\\n", encoding="utf-8")
"""


def test_a_leftover_draft_is_a_warning_that_says_how_to_reopen_it(
    cli, collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    cli("edit", "1706.03762", code=1)  # the broken edit is kept in a draft
    draft = collection / ".1706.03762.draft.yaml"
    assert draft.is_file()
    result = cli("check")
    assert result.stdout.splitlines() == [
        f"{draft}: warning: an unsaved edit: `papernotes edit 1706.03762` reopens it"
    ]
    assert result.stderr.strip() == "Checked 2 notes: 0 errors, 1 warning."


def test_json_lists_every_finding(cli, collection: Path) -> None:
    write(collection, "1605.08386.yaml", BROKEN_YAML)
    write(collection, ".astro-ph_0601001.draft.yaml", "id: astro-ph/0601001\n")
    result = cli("check", "--json", code=1)
    data = json.loads(result.stdout)
    assert data == {
        "checked": 3,
        "errors": 1,
        "findings": [
            {
                "file": str(collection / "1605.08386.yaml"),
                "severity": "error",
                "kind": "yaml",
                "message": "line 3, column 17: mapping values are not allowed in this context "
                "(fix the YAML there)",
            },
            {
                "file": str(collection / ".astro-ph_0601001.draft.yaml"),
                "severity": "warning",
                "kind": "draft",
                "message": "an unsaved edit: `papernotes edit astro-ph/0601001` reopens it",
            },
        ],
    }
    assert "Checked" not in result.stderr


def test_json_of_a_clean_folder(cli, collection: Path) -> None:
    data = json.loads(cli("check", "--json").stdout)
    assert data == {"checked": 2, "errors": 0, "findings": []}


def test_check_changes_no_file(cli, collection: Path) -> None:
    write(collection, "1605.08386.yaml", BROKEN_YAML)
    shutil.copy(note_file(collection, "1706.03762"), note_file(collection, "math_0211159"))
    write(collection, ".1710.08557.draft.yaml", "tldr: [\n")
    # the indexes are now older than the files: check must not bring them up to date
    write(collection, "astro-ph_0601001.yaml", "id: astro-ph/0601001\npending: true\n")
    assert (collection / ".index.json").is_file() and (collection / ".index.sqlite").is_file()
    before = everything(collection)
    cli("check", code=1)
    cli("check", "--json", code=1)
    assert everything(collection) == before


def test_yaml_tags_that_run_code_are_errors_and_run_nothing(cli, notes_dir, isolated) -> None:
    write(notes_dir, "1706.03762.yaml", EXPLOIT)
    write(notes_dir, "1605.08386.yaml", f"id: '1605.08386'\ntitle: {EXPLOIT}")
    result = cli("check", code=1)
    assert "could not determine a constructor" in result.stdout
    report = check(notes_dir)
    assert kinds(report) == [
        ("1605.08386.yaml", "error", "yaml"),
        ("1706.03762.yaml", "error", "yaml"),
    ]
    assert "line 2" in report.findings[0].message
    assert not list(isolated.rglob("pwned"))


# --- check_notes -------------------------------------------------------------------------------


def test_findings_for_every_kind_of_problem(notes_dir: Path) -> None:
    store = NoteStore(notes_dir)
    store.create(Note(id="1706.03762", version=7, title="Attention Is All You Need"))
    store.create(Note.placeholder(ArxivId("astro-ph/0601001"), ["later"], "2024-01-01T00:00:00Z"))
    write(notes_dir, "1605.08386.yaml", BROKEN_YAML)
    write(notes_dir, "1710.08557.yaml", "id: '1710.08557'\nfindings: {a: 1}\n")
    write(notes_dir, "math_0211159.yaml", dump_note(Note(id="math/0211159", title="Entropy")))
    (notes_dir / "0704.0001.yaml").write_bytes(b"id: '0704.0001'\ntitle: caf\xe9\n")
    write(notes_dir, ".math_0211159.draft.yaml", "half: [typed\n")
    write(notes_dir, "README.md", "not a note\n")
    report = check_notes(store)
    assert report.checked == 6
    assert kinds(report) == [
        ("0704.0001.yaml", "error", "unreadable"),
        ("1605.08386.yaml", "error", "yaml"),
        ("1710.08557.yaml", "error", "schema"),
        ("astro-ph_0601001.yaml", "warning", "pending"),
        (".math_0211159.draft.yaml", "warning", "draft"),
    ]
    assert [f.kind for f in report.errors] == ["unreadable", "yaml", "schema"]
    assert report.findings[0].message.startswith("cannot be read (")
    assert "papernotes edit math/0211159" in report.findings[-1].message
    assert all(not f.message.startswith(f.file) for f in report.findings)


def test_an_old_style_note_in_its_file_is_fine(notes_dir: Path) -> None:
    store = NoteStore(notes_dir)
    store.create(Note(id="hep-th/9901001", title="An old one", version=2))
    report = check_notes(store)
    assert (report.checked, report.findings) == (1, [])


def test_three_files_for_one_paper_are_two_duplicates(notes_dir: Path) -> None:
    store = NoteStore(notes_dir)
    text = dump_note(Note(id="1706.03762", title="Attention"))
    for stem in ("1706.03762", "1605.08386", "1710.08557"):
        write(notes_dir, f"{stem}.yaml", text)
    report = check_notes(store)
    duplicates = [f for f in report.findings if f.kind == "duplicate"]
    assert len(duplicates) == 2
    assert len([f for f in report.findings if f.kind == "name"]) == 2


def test_a_finding_is_plain_data() -> None:
    finding = Finding("notes/x.yaml", "warning", "draft", "reopen it")
    assert finding.to_dict() == {
        "file": "notes/x.yaml",
        "severity": "warning",
        "kind": "draft",
        "message": "reopen it",
    }


def test_a_schema_error_quoting_the_words_is_still_a_schema_error(notes_dir: Path) -> None:
    write(notes_dir, "1706.03762.yaml", "id: '1706.03762'\nversion: fix the YAML\n")
    assert kinds(check(notes_dir)) == [("1706.03762.yaml", "error", "schema")]


def test_control_characters_in_a_file_name_are_shown_as_escapes(cli, notes_dir: Path) -> None:
    write(notes_dir, "\x1b]0;owned\x07.yaml", "id: [\n")
    result = cli("check", code=1)
    assert "\x1b" not in result.stdout and "\\x1b" in result.stdout


def test_an_old_temporary_file_is_a_warning_a_fresh_one_is_not(collection) -> None:
    fresh = collection / ".1706.03762.yaml.abc123.tmp"
    old = collection / ".1605.08386.yaml.def456.tmp"
    for path in (fresh, old):
        path.write_text("id: half")
    long_ago = time.time() - 3600
    os.utime(old, (long_ago, long_ago))
    report = check(collection)
    temporary = [f for f in report.findings if f.kind == "temporary"]
    assert [f.file for f in temporary] == [str(old)]
    assert temporary[0].severity == "warning" and not report.errors
