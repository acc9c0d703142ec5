"""The user's own `git`, run on the repository that holds the notes folder.

Every call goes through the `git` on PATH with the user's environment, so their
configuration, credentials, hooks and signing apply; papernotes never stores a credential
and never puts one on a command line.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from papernotes.errors import PapernotesError


class GitError(PapernotesError):
    """git failed, or the notes are not in a repository (the message says what to do)."""


@dataclass(frozen=True)
class Repository:
    """The git repository around a notes folder."""

    top: Path  # the work tree's top
    folder: Path  # the notes folder, inside it

    @classmethod
    def of(cls, folder: Path) -> Repository:
        """The repository holding `folder` (which a first pull may bring); GitError when
        there is none."""
        folder = folder.resolve()
        existing = next((p for p in (folder, *folder.parents) if p.is_dir()), folder)
        done = _git(existing, "rev-parse", "--show-toplevel")
        if done.returncode != 0:
            raise GitError(
                f"{folder}/ is not in a git repository: run `git init` there, or clone "
                "the team's repository and use its notes folder"
            )
        return cls(Path(done.stdout.strip()).resolve(), folder)

    @property
    def prefix(self) -> str:
        """The notes folder below the top, `notes/` (empty when it is the top)."""
        inside = self.folder.relative_to(self.top).as_posix()
        return "" if inside == "." else inside + "/"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """`git ARGS` at the top of the work tree; GitError with git's own words on failure."""
        done = _git(self.top, *args)
        if check and done.returncode != 0:
            raise GitError(f"git {args[0]} failed: {said(done)}")
        return done

    def output(self, *args: str) -> str:
        return self.run(*args).stdout

    def config(self, key: str) -> str | None:
        """A configuration value as git resolves it (repository, user, system), or None."""
        done = self.run("config", "--get", key, check=False)
        return done.stdout.strip() if done.returncode == 0 else None

    def git_path(self, name: str) -> Path:
        """A file of the repository's own (`MERGE_HEAD`, `rebase-merge`), wherever it is kept."""
        return self.top / self.output("rev-parse", "--git-path", name).strip()

    def blobs(self, specs: list[str]) -> list[bytes | None]:
        """The files named `REV:PATH`, read by one `git cat-file --batch`; None where missing."""
        if not specs:
            return []
        done = subprocess.run(
            ["git", "cat-file", "--batch"], cwd=self.top, input="\n".join(specs).encode() + b"\n",
            capture_output=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise GitError(f"git cat-file failed: {done.stderr.decode(errors='replace').strip()}")
        found: list[bytes | None] = []
        data, at = done.stdout, 0
        for _ in specs:
            end = data.index(b"\n", at)
            header = data[at:end].split()
            at = end + 1
            if len(header) < 3:
                found.append(None)  # missing
                continue
            size = int(header[2])
            found.append(data[at : at + size] if header[1] == b"blob" else None)
            at += size + 1
        return found


def said(done: subprocess.CompletedProcess[str]) -> str:
    """What git said of a failure: its first `error:` or `fatal:` line, else its last line
    (hints left out)."""
    lines = [
        line.strip()
        for line in (done.stderr + "\n" + done.stdout).splitlines()
        if line.strip() and not line.startswith("hint:")
    ]
    errors = [line for line in lines if line.startswith(("error:", "fatal:"))]
    return (errors or lines or [f"exit code {done.returncode}"])[0 if errors else -1]


def _git(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], cwd=where, capture_output=True, text=True, check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH): install it to share notes") from None
