"""Help printed from stored texts (papernotes/entry.py) must be what the CLI renders."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_cli import installed

from papernotes.cli import app
from papernotes.entry import render_help, stored_help
from papernotes.help_texts import HELP

STALE = "help texts are out of date: run `make help` and commit papernotes/help_texts.py"


def test_stored_help_is_current() -> None:
    assert render_help() == HELP, STALE


def _real_help(*args: str, columns: str = "80") -> str:
    """What the CLI itself prints (never the stored text), run as the `papernotes` command."""
    code = "import sys; sys.argv[0] = 'papernotes'; from papernotes.cli import main; main()"
    env = {**os.environ, "COLUMNS": columns}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


@pytest.mark.parametrize("args", [["--help"], ["add", "-h"], ["search", "--help"]])
def test_stored_help_is_what_the_cli_prints(args: list[str]) -> None:
    assert stored_help(args) == _real_help(*args)


def test_every_command_has_stored_help() -> None:
    names = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    assert set(HELP) == {"", *names}, STALE


@pytest.mark.parametrize(
    "args",
    [[], ["list"], ["list", "--tag", "x", "--help"], ["nosuch", "--help"], ["--help", "list"]],
)
def test_anything_but_a_plain_help_request_goes_to_the_cli(args: list[str]) -> None:
    assert stored_help(args) is None


def test_narrow_output_goes_to_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    assert stored_help(["--help"]) is None


def _help_of_installed(columns: str) -> str:
    env = {**os.environ, "COLUMNS": columns}
    done = subprocess.run(
        [installed(), "--help"], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def test_installed_command_prints_the_stored_help_and_wraps_narrow_output() -> None:
    assert _help_of_installed("120") == HELP[""]
    narrow = _help_of_installed("60")
    assert narrow != HELP[""] and narrow.startswith("Usage: papernotes [OPTIONS]")
    assert max(len(line) for line in narrow.splitlines()) <= 58
