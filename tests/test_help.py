"""Help as the installed command prints it, wrapped to the terminal."""

from __future__ import annotations

import os
import subprocess

import pytest
from test_cli import installed


def _help(*args: str, columns: str = "80") -> str:
    env = {**os.environ, "COLUMNS": columns}
    done = subprocess.run([installed(), *args], capture_output=True, text=True, env=env, check=True)
    return done.stdout


@pytest.mark.parametrize(
    ("args", "usage"), [(["add", "-h"], "add"), (["search", "--help"], "search")]
)
def test_the_installed_command_prints_each_commands_help(args: list[str], usage: str) -> None:
    printed = _help(*args)
    assert printed.startswith(f"Usage: papernotes {usage} [OPTIONS]")
    assert "Example" in printed


def test_help_wraps_to_a_narrow_terminal() -> None:
    wide, narrow = _help("--help", columns="120"), _help("--help", columns="60")
    assert narrow != wide and narrow.startswith("Usage: papernotes [OPTIONS]")
    assert max(len(line) for line in narrow.splitlines()) <= 60 < max(map(len, wide.splitlines()))
