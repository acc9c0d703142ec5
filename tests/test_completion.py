"""Shell completion through Typer's own mechanism, as the shells call the installed command."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from fake_arxiv import FakeArxiv
from test_cli import installed


def complete(shell: str, line: str, *, env: dict[str, str] | None = None) -> list[str]:
    """What the installed command offers for the command line `line` (cursor at its end)."""
    extra = {"_PAPERNOTES_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        words = line.split(" ")
        extra |= {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    else:
        extra |= {"_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    result = subprocess.run(
        [installed()],
        capture_output=True,
        text=True,
        env={**os.environ, **extra, **(env or {})},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout.split()


@pytest.fixture
def collection(cli, arxiv: FakeArxiv, notes_dir: Path) -> Path:
    cli("add", "1706.03762", "-t", "attention", "-t", "to-read")
    cli("add", "1710.08557", "astro-ph/0601001", "-t", "to-read")
    return notes_dir


def test_commands_and_options_complete(collection: Path) -> None:
    assert "tag" in complete("bash", "papernotes ta") and "search" not in complete(
        "bash", "papernotes ta"
    )
    assert "--replace-findings" in complete("bash", "papernotes note 1706.03762 --re")


def test_note_ids_complete_from_the_index(collection: Path) -> None:
    assert complete("bash", "papernotes show 17") == ["1706.03762", "1710.08557"]
    assert complete("bash", "papernotes remove astro") == ["astro-ph/0601001"]
    assert complete("zsh", "papernotes open 1706")[-1].endswith("1706.03762\"))'")


def test_tags_complete_for_tag_options(collection: Path) -> None:
    assert complete("bash", "papernotes list --tag ") == ["attention", "to-read"]
    assert complete("fish", "papernotes export -t at") == ["attention"]


def test_plus_completes_the_tags_a_note_lacks(collection: Path) -> None:
    assert complete("bash", "papernotes tag 1710.08557 +") == ["+attention"]
    assert complete("bash", "papernotes tag 1706.03762 1710.08557 +") == ["+attention"]
    assert complete("bash", "papernotes tag 1706.03762 +") == []
    assert complete("bash", "papernotes tag 17") == ["1706.03762", "1710.08557"]


def test_completion_follows_dir(collection: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert complete("bash", f"papernotes --dir {other} show 17") == []
    assert complete("bash", "papernotes show 17", env={"PAPERNOTES_DIR": str(other)}) == []
    assert complete("bash", f"papernotes -d {collection} show 17") == ["1706.03762", "1710.08557"]


def test_a_damaged_index_offers_no_tags_and_is_left_to_commands(collection: Path) -> None:
    (collection / ".index.sqlite").write_bytes(b"not a database")
    assert complete("bash", "papernotes list --tag ") == []
    assert complete("bash", "papernotes show 17") == ["1706.03762", "1710.08557"]
    assert (collection / ".index.sqlite").read_bytes() == b"not a database"


def test_ids_in_renamed_files_and_new_tags_after_a_read(cli, collection: Path) -> None:
    cli("list")
    (collection / "1706.03762.yaml").rename(collection / "attention.yaml")
    cli("tag", "1710.08557", "+new")
    assert complete("bash", "papernotes show 1706") == ["1706.03762"]  # the index knew it
    assert "new" not in complete("bash", "papernotes list --tag ")  # not read since
    cli("list")
    assert "new" in complete("bash", "papernotes list --tag ")


def test_a_script_for_each_shell() -> None:
    shown = subprocess.run(  # from bash: Typer detects the shell it is run from
        ["bash", "-c", f"'{installed()}' --show-completion; exit $?"],  # bash stays its parent
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0 and "_PAPERNOTES_COMPLETE" in shown.stdout
    for shell, words in [
        ("bash", "complete -o default -F"),
        ("zsh", "compdef"),
        ("fish", "complete"),
    ]:
        source = subprocess.run(
            [installed()],
            capture_output=True,
            text=True,
            env={**os.environ, "_PAPERNOTES_COMPLETE": f"source_{shell}"},
            timeout=60,
            check=False,
        )
        assert source.returncode == 0 and words in source.stdout
