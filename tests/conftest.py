"""Shared fixtures: every test runs in its own folder, offline, against a local fake arXiv."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from fake_arxiv import FakeArxiv

from papernotes.cli import app

# Nothing in a test may reach the real arXiv: by default the API address is a closed port.
UNREACHABLE = "http://127.0.0.1:9/api/query"
UNREACHABLE_API = "http://127.0.0.1:9"  # Crossref's and GitHub's address in every test


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch working folder with `notes/` as the notes folder, fast, offline settings
    and no settings file (`config/` as XDG_CONFIG_HOME, not created)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PAPERNOTES_") or name in ("VISUAL", "EDITOR", "FORCE_COLOR"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # never the user's own
    monkeypatch.setenv("PAPERNOTES_DIR", str(tmp_path / "notes"))
    monkeypatch.setenv("PAPERNOTES_ARXIV_API_URL", UNREACHABLE)
    monkeypatch.setenv("PAPERNOTES_CROSSREF_API_URL", UNREACHABLE_API)
    monkeypatch.setenv("PAPERNOTES_GITHUB_API_URL", UNREACHABLE_API)
    monkeypatch.setenv("PAPERNOTES_WEB_TIMEOUT", "5")
    monkeypatch.setenv("PAPERNOTES_ARXIV_DELAY", "0")
    monkeypatch.setenv("PAPERNOTES_ARXIV_TIMEOUT", "5")
    monkeypatch.setenv("COLUMNS", "100")
    return tmp_path


@pytest.fixture
def notes_dir(isolated: Path) -> Path:
    """The notes folder commands use (not created yet)."""
    return isolated / "notes"


@pytest.fixture
def arxiv(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArxiv]:
    """A fake arXiv on 127.0.0.1 serving recorded answers; papernotes is pointed at it."""
    server = FakeArxiv().start()
    monkeypatch.setenv("PAPERNOTES_ARXIV_API_URL", server.url)
    yield server
    server.stop()


class Cli:
    """Runs papernotes in-process through Typer's runner, stdout and stderr kept apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, code: int | None = 0) -> object:
        result = self.runner.invoke(app, list(args), input=input, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, (
                f"exit {result.exit_code}, wanted {code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result


@pytest.fixture
def cli() -> Cli:
    """`cli("add", "1706.03762")` runs the command and checks its exit code (0 unless given)."""
    return Cli()
