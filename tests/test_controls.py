"""No command writes a control character to standard output, whatever a note holds.

C0 and C1 control characters (but newline and tab) in a note's fields, a file's name or a
value quoted in an error would act on the reader's terminal: retitle it, clear it, hide
the cursor. Each command's output is checked through the real CLI.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from fake_arxiv import FakeArxiv

# The user trial's title: retitles the terminal, then clears it.
HACKED = "\x1b]0;HACKED\x07\x1b[2J"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and newline
HOSTILE = {
    "title": f"Attention {HACKED} Is All You Need \x9b2J\x7f\x00\r\x85",
    "authors": [{"name": "Eve \x1b[5mBlink", "affiliations": ["Lab\x9b?25l"]}, "Mallory"],
    "tags": ["attention", "tag\x1b[7m"],
    "tldr": "attention link \x1b]8;;http://evil.example\x07click\x1b]8;;\x07",
    "findings": ["finding \x1b[?25l hides the cursor\x1f"],
    "commentary": "commentary \x1bc resets the terminal",
    "doi": "10.1/\x1b[2J",
    "journal_ref": "Journal \x9b1A 1",
    "url": "https://example.org/\x1b[2J",
    "mine\x1b]0;key\x07": "hand-added \x9b6n",
}


def clean(text: str) -> str:
    """`text`, after checking it holds no control character but newline and tab."""
    assert not CONTROL.findall(text), repr(text)
    return text


@pytest.fixture
def hostile(cli, arxiv: FakeArxiv, notes_dir: Path) -> Path:
    """1706.03762 as fetched, then given control characters in every field by hand; a
    broken note whose error quotes them, and one whose file name holds them."""
    cli("add", "1706.03762", "1710.08557")
    path = notes_dir / "1706.03762.yaml"
    data = {**yaml.safe_load(path.read_text(encoding="utf-8")), **HOSTILE}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    broken = yaml.safe_dump({"id": f"9999.{HACKED}\x9b", "title": "x"})
    (notes_dir / "1605.08386.yaml").write_text(broken, encoding="utf-8")
    (notes_dir / f"x{HACKED}\x9b.yaml").write_text("id: [broken\n", encoding="utf-8")
    return notes_dir


COMMANDS = [
    ["show", "1706.03762"],
    ["show", "1706.03762", "--json"],
    ["list"],
    ["list", "--json"],
    ["list", "--tag", "attention"],
    ["search", "attention"],
    ["search", "attention", "--json"],
    ["export", "1706.03762"],
    ["export", "--all", "--title", f"Week {HACKED}"],
    ["export", "1706.03762", "-f", "bibtex"],
    ["export", "--all", "-f", "json"],
    ["refresh", "1706.03762", "--dry-run"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_control_character_reaches_stdout(cli, hostile: Path, command: list[str]) -> None:
    out = clean(cli(*command).stdout)
    assert out.strip()
    if "--json" in command or "json" in command:
        json.loads(out)  # escaped the JSON way, so the data is all there
        assert "\\u001b]0;HACKED\\u0007" in out


def test_json_keeps_the_control_characters_as_escapes(cli, hostile: Path) -> None:
    shown = json.loads(clean(cli("show", "1706.03762", "--json").stdout))
    assert shown["title"] == HOSTILE["title"]
    assert shown["mine\x1b]0;key\x07"] == "hand-added \x9b6n"
    exported = json.loads(cli("export", "1706.03762", "-f", "json").stdout)[0]
    assert exported == shown


def test_export_files_hold_no_control_character(cli, hostile: Path, isolated: Path) -> None:
    for fmt in ("markdown", "bibtex", "json"):
        cli("export", "--all", "-f", fmt, "-o", f"{fmt}/")
        cli("export", "--all", "-f", fmt, "-o", f"all.{fmt}")
    files = [*isolated.glob("*/*.*"), *isolated.glob("all.*")]
    assert len([f for f in files if f.parent != hostile]) == 6 + 3
    for file in files:
        if file.parent != hostile:
            clean(file.read_text(encoding="utf-8"))
    post = (isolated / "markdown" / "1706.03762.md").read_text(encoding="utf-8")
    assert post.startswith("# Attention \\\\x1b\\]0;HACKED\\\\x07\\\\x1b\\[2J Is All You Need")
    bib = (isolated / "bibtex" / "1706.03762.bib").read_text(encoding="utf-8")
    assert "title = {{Attention ]0;HACKED[2J Is All You Need 2J}}" in bib


def test_check_prints_quoted_values_as_escapes(cli, hostile: Path) -> None:
    out = clean(cli("check", code=1).stdout)
    assert "'id' '9999.\\x1b]0;HACKED\\x07\\x1b[2J\\x9b' is not an arXiv identifier" in out
    assert "x\\x1b]0;HACKED\\x07\\x1b[2J\\x9b.yaml: error: line 2" in out
    findings = json.loads(clean(cli("check", "--json", code=1).stdout))["findings"]
    assert any(f["file"].endswith(f"x{HACKED}\x9b.yaml") for f in findings)


def test_refresh_and_remove_lines_hold_no_control_character(
    cli, hostile: Path, isolated: Path
) -> None:
    refreshed = clean(cli("refresh", "1706.03762").stdout)
    assert refreshed.startswith("updated    1706.03762")
    folder = hostile.rename(isolated / f"notes {HACKED}")  # remove's lines name the file
    removed = clean(cli("--dir", str(folder), "remove", "1706.03762", "--yes").stdout)
    assert (
        removed
        == f"removed 1706.03762  {isolated}/notes \\x1b]0;HACKED\\x07\\x1b[2J/1706.03762.yaml\n"
    )
