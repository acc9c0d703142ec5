"""A collection shared through git: `git init`, `sync`, autocommits and a note's history.

Only the tool's own files in the notes folder are ever committed (the notes, and its
`.gitattributes`, `.gitignore` and `papernotes.toml`); anything else in the repository is
the user's business. Note files are merged by `papernotes merge-note`, which `git init`
registers as the merge driver of `*.yaml` there.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from papernotes.errors import PapernotesError
from papernotes.git_repo import GitError, Repository, said
from papernotes.ids import id_of_stem
from papernotes.merging import conflicted_fields, has_conflict
from papernotes.note import load_note
from papernotes.store import GITIGNORE

DRIVER = "papernotes"
ATTRIBUTES = f"*.yaml merge={DRIVER}\n"
OWN_FILES = (".gitattributes", ".gitignore", "papernotes.toml")
_VERBS = {"A": "add", "M": "edit", "D": "remove"}


def init(repo: Repository) -> list[str]:
    """Register the merge driver and ignore the derived files; what was changed (none when
    all was already so)."""
    changed = []
    repo.folder.mkdir(parents=True, exist_ok=True)  # a fresh clone may not have it yet
    if _ensure_lines(repo.folder / ".gitattributes", ATTRIBUTES):
        changed.append(f"{repo.prefix}.gitattributes: note files merged by papernotes")
    if _ensure_lines(repo.folder / ".gitignore", GITIGNORE):
        changed.append(f"{repo.prefix}.gitignore: the indexes, locks and drafts ignored")
    wanted = {
        f"merge.{DRIVER}.name": "papernotes: notes merged field by field",
        # This Python, by its full path: git GUIs and editors run it without the user's PATH.
        f"merge.{DRIVER}.driver": f"{shlex.quote(sys.executable)} -m papernotes merge-note "
        "%O %A %B %P",
    }
    for key, value in wanted.items():
        if repo.config(key) != value:
            repo.run("config", key, value)
            changed.append(f"git config {key}")
    return changed


@dataclass
class Change:
    """A file of the notes folder to commit: its status (A, M, D), its name below the top
    of the work tree and below the notes folder."""

    status: str
    path: str
    inside: str

    @property
    def label(self) -> str:
        """`1706.03762`, `math/0211159`, `doi/10.1371_journal.pone.0033693`, `.gitignore`."""
        if not self.inside.endswith(".yaml"):
            return self.inside
        stem = self.inside.removesuffix(".yaml")
        return stem if "/" in stem else id_of_stem(stem) or stem


def change(repo: Repository, status: str, path: str) -> Change:
    return Change(status, path, path.removeprefix(repo.prefix))


def pending(repo: Repository, paths: Iterable[str] | None = None) -> list[Change]:
    """The tool's files in the notes folder that differ from the last commit (or those of
    `paths`, names below the top)."""
    spec = list(paths) if paths is not None else [repo.prefix or "."]
    if not spec:
        return []
    done = repo.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *spec)
    changes = []
    fields = done.stdout.split("\0")
    index = 0
    while index < len(fields):
        entry = fields[index]
        index += 1
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if "R" in code:  # a rename: the old name follows
            index += 1
        if _is_own(repo, path):
            status = "D" if "D" in code else "A" if code in ("??", "A ", "AM") else "M"
            changes.append(change(repo, status, path))
    return changes


def commit(repo: Repository, changes: Sequence[Change], message: str) -> str | None:
    """Commit exactly these files (other staged work stays staged); the commit's short name."""
    if not changes:
        return None
    paths = [c.path for c in changes]
    repo.run("add", "-A", "--", *paths)
    repo.run("commit", "-q", "-m", message, "--", *paths)
    return repo.output("rev-parse", "--short", "HEAD").strip()


def autocommit(
    repo: Repository, touched: Iterable[Path], title_of: Callable[[Path], str]
) -> str | None:
    """Commit just these files (what one command wrote or removed); the commit's short name."""
    if _in_progress(repo):
        raise GitError("a merge or rebase is in progress: finish it with papernotes sync")
    paths = sorted({p.resolve().relative_to(repo.top).as_posix() for p in touched})
    changes = pending(repo, paths)
    return commit(repo, changes, message(repo, changes, title_of))


def message(repo: Repository, changes: Sequence[Change], title_of: Callable[[Path], str]) -> str:
    """`add 1911.04594: Evaluating ...` for one note; else a summary line and one per file."""
    if len(changes) == 1:
        change = changes[0]
        title = title_of(repo.top / change.path) if change.status != "D" else ""
        return f"{_VERBS[change.status]} {change.label}" + (f": {title}" if title else "")
    counts = []
    for status, verb in _VERBS.items():
        chosen = [c.label for c in changes if c.status == status]
        if chosen:
            counts.append(f"{verb} {', '.join(chosen[:3])}" + (" ..." if len(chosen) > 3 else ""))
    lines = [f"{_VERBS[c.status]:<7} {c.label}" for c in changes]
    return "; ".join(counts) + "\n\n" + "\n".join(lines)


class SyncConflictError(GitError):
    """A pull left notes in conflict: the merge stays in progress, as git left it."""


def sync(repo: Repository, on_step: Callable[[str], None], title_of: Callable[[Path], str]) -> None:
    """Commit the notes' changes, pull (merging notes field by field), push; each step said."""
    _finish_merge(repo, on_step)
    changes = pending(repo)
    if changes:
        name = commit(repo, changes, message(repo, changes, title_of))
        on_step(f"Committed {len(changes)} change{'s' * (len(changes) != 1)} as {name}.")
    else:
        on_step("Nothing to commit.")
    branch = repo.run("symbolic-ref", "-q", "--short", "HEAD", check=False).stdout.strip()
    if not branch:
        raise GitError("HEAD is detached: check out a branch (git switch main), then sync")
    remotes = repo.output("remote").split()
    upstream = repo.run("rev-parse", "--abbrev-ref", "@{upstream}", check=False)
    has_upstream = upstream.returncode == 0
    if not remotes:
        raise GitError(
            "the repository has no remote to sync with: add one with "
            "git remote add origin URL, then sync again"
        )
    remote = repo.config(f"branch.{branch}.remote") or (
        "origin" if "origin" in remotes else remotes[0]
    )
    _pull(repo, branch, remote, has_upstream, on_step)
    push = ["push"] if has_upstream else ["push", "-u", remote, branch]
    done = repo.run(*push, check=False)
    if done.returncode != 0:
        raise GitError(
            f"git push to {remote} was refused ({said(done)}): run papernotes sync again "
            "to pull what is new first"
        )
    on_step(f"Pushed {branch} to {remote}.")


def _pull(repo: Repository, branch: str, remote: str, has_upstream: bool,
          on_step: Callable[[str], None]) -> None:  # fmt: skip
    args = ["pull", "--no-edit"]
    decided = any(
        repo.config(key) is not None
        for key in ("pull.rebase", "pull.ff", f"branch.{branch}.rebase")
    )
    if not decided:
        args.append("--no-rebase")  # today's git refuses diverged branches without a choice
    if not has_upstream:
        heads = repo.run("ls-remote", "--heads", remote, branch, check=False)
        if heads.returncode != 0:
            raise GitError(f"could not reach the remote {remote}: {said(heads)}")
        if not heads.stdout.strip():
            on_step(f"Nothing to pull: {remote} has no branch {branch} yet.")
            return
        args += [remote, branch]
    done = repo.run(*args, check=False)
    if done.returncode == 0:
        on_step(f"Pulled from {remote}: " + _pulled(done.stdout))
        return
    if not _in_progress(repo):
        raise GitError(f"git pull from {remote} failed: {said(done)}")
    kept = _keep_edited_over_removed(repo)
    for label in kept:
        on_step(f"Kept {label}: edited on one side, removed on the other.")
    conflicted = _unmerged(repo)
    if conflicted:
        names = ", ".join(change(repo, "M", p).label for p in conflicted)
        raise SyncConflictError(
            f"the pull left {names} in conflict: fix the marked fields (papernotes check "
            "names them, papernotes edit opens a note), then run papernotes sync again"
        )
    _finish_merge(repo, on_step)


def _finish_merge(repo: Repository, on_step: Callable[[str], None]) -> None:
    """Commit a merge (or go on with a rebase) whose conflicts were all resolved."""
    if not _in_progress(repo):
        return
    unmerged = _unmerged(repo)
    outside = [p for p in unmerged if not _is_own(repo, p)]
    if outside:
        raise GitError(
            f"files outside the notes are still in conflict ({', '.join(outside[:3])}): "
            "resolve them with git, then sync again"
        )
    still = [p for p in unmerged if _has_markers(repo.top / p)]
    if still:
        names = ", ".join(change(repo, "M", p).label for p in still)
        raise SyncConflictError(
            f"{names} still hold conflict markers: keep one side in each marked field and "
            "delete the markers, then run papernotes sync again"
        )
    if unmerged:
        repo.run("add", "--", *unmerged)
    if repo.git_path("MERGE_HEAD").exists():
        repo.run("commit", "-q", "--no-edit")
        on_step(f"Committed the merge ({len(unmerged)} note{'s' * (len(unmerged) != 1)} resolved).")
    else:
        repo.run("-c", "core.editor=true", "rebase", "--continue")
        on_step("Went on with the rebase.")


def _in_progress(repo: Repository) -> bool:
    return any(
        repo.git_path(name).exists() for name in ("MERGE_HEAD", "rebase-merge", "rebase-apply")
    )


def _unmerged(repo: Repository) -> list[str]:
    out = repo.output("diff", "--name-only", "-z", "--diff-filter=U")
    return [p for p in out.split("\0") if p]


def _keep_edited_over_removed(repo: Repository) -> list[str]:
    """A note edited on one side and removed on the other is kept, edited: nothing is lost."""
    done = repo.output("status", "--porcelain=v1", "-z")
    kept = []
    for entry in done.split("\0"):
        code, path = entry[:2], entry[3:]
        if code in ("UD", "DU") and _is_own(repo, path) and (repo.top / path).exists():
            repo.run("add", "--", path)
            kept.append(change(repo, "M", path).label)
    return kept


def _pulled(output: str) -> str:
    if "Already up to date" in output:
        return "already up to date."
    lines = [line.strip() for line in output.splitlines() if "changed" in line]
    return (lines[-1] + ".") if lines else "merged."


def _has_markers(path: Path) -> bool:
    """Whether a note still holds a conflict: in a field, or (a file that could not be
    merged field by field) in the file itself."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    try:
        return bool(conflicted_fields(load_note(text, str(path))))
    except PapernotesError:
        return has_conflict(text)


def _is_own(repo: Repository, path: str) -> bool:
    """A note file of the folder (kind folders too) or one of the tool's own files there."""
    prefix = repo.prefix
    if not path.startswith(prefix):
        return False
    inside = path[len(prefix) :]
    if inside in OWN_FILES:
        return True
    parts = inside.split("/")
    name = parts[-1]
    if not name.endswith(".yaml") or name.startswith("."):
        return False
    return len(parts) == 1 or (len(parts) == 2 and parts[0] in ("doi", "link"))


def _ensure_lines(path: Path, wanted: str) -> bool:
    """Append the lines of `wanted` that `path` lacks; whether it changed."""
    text = path.read_text("utf-8") if path.exists() else ""
    have = set(text.splitlines())
    missing = [line for line in wanted.splitlines() if line not in have]
    if not missing or all(line.startswith("#") for line in missing):
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(text + "\n".join(missing) + "\n", "utf-8")
    return True


@dataclass
class Revision:
    """One commit of a note's history: who changed which of its fields, and when."""

    commit: str
    date: str  # ISO 8601, the author's
    author: str
    subject: str
    fields: list[str]  # the keys that changed; ["added"] or ["removed"] for the file


def history(repo: Repository, path: Path) -> list[Revision]:
    """The commits that changed a note's file (across renames), newest first."""
    rel = path.resolve().relative_to(repo.top).as_posix()
    out = repo.output("log", "--follow", "--name-only", "--format=%x1e%H%x1f%aI%x1f%an%x1f%s",
                      "--", rel)  # fmt: skip
    commits: list[tuple[str, str, str, str, str]] = []
    name = rel
    for record in out.split("\x1e")[1:]:
        header, _, names = record.partition("\n")
        sha, date, author, subject = header.split("\x1f", 3)
        name = next((n for n in names.splitlines() if n.strip()), name)  # merges list none
        commits.append((sha, date, author, subject, name))
    specs = []
    for index, (sha, *_, name) in enumerate(commits):
        older = commits[index + 1][4] if index + 1 < len(commits) else name
        specs += [f"{sha}:{name}", f"{sha}^:{older}"]
    blobs = repo.blobs(specs)
    return [
        Revision(sha[:10], date, author, subject, _changed(blobs[2 * i + 1], blobs[2 * i]))
        for i, (sha, date, author, subject, _) in enumerate(commits)
    ]


def _changed(before: bytes | None, after: bytes | None) -> list[str]:
    """The top-level keys that differ between two versions of a note file."""
    if after is None:
        return ["removed"]
    if before is None:
        return ["added"]
    import yaml

    from papernotes.note import KEY_ORDER

    try:
        old, new = (yaml.load(b, Loader=yaml.CSafeLoader) for b in (before, after))
    except yaml.YAMLError:
        return ["(not valid YAML)"]
    if not isinstance(old, dict) or not isinstance(new, dict):
        return ["(not a note)"]
    keys = [k for k in KEY_ORDER if k in old or k in new]
    keys += sorted(k for k in old.keys() | new.keys() if k not in KEY_ORDER)
    return [k for k in keys if old.get(k) != new.get(k)]
