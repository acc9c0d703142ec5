"""`list` after a `git pull` that changed some notes: only those are read again.

A copy of a generated collection is made a git repository (once, in .bench/git-SIZE/) with
a bare remote and a teammate's clone. Each run: the teammate's edits to CHANGED notes are
pulled (`git pull`, a fast-forward, untimed), then `papernotes list` is timed; afterwards
the clone is reset to before the pull and the index brought up to date, untimed. One more
pull is read by the library itself, to count the notes its sync read. Prints the figures;
with --write they become benchmarks/after-pull.md, which RESULTS.md includes.

    .venv/bin/python benchmarks/after_pull.py --size 100000 --write
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from collection import ensure  # noqa: E402
from runner import measure, run_once  # noqa: E402

WORK = HERE.parent / ".bench"
PAPERNOTES = Path(sys.executable).parent / "papernotes"
OUTPUT = HERE / "after-pull.md"
ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org",
}  # fmt: skip


def git(where: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=where, capture_output=True, text=True,
                          env={**os.environ, **ENV}, check=True)  # fmt: skip
    return done.stdout


def set_up(size: int, changed: int) -> tuple[Path, str]:
    """The repository (mine), and its commit before the teammate's edits."""
    folder = WORK / f"git-{size}"
    mine, theirs, origin = folder / "mine", folder / "theirs", folder / "origin.git"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        source = ensure(size, WORK) / "notes"
        print(f"making {folder} (a repository of {size:,} notes) ...", file=sys.stderr)
        shutil.copytree(source, mine / "notes", ignore=shutil.ignore_patterns(".index*"))
        git(folder, "init", "-q", "-b", "main", str(mine))
        run_once([str(PAPERNOTES), "--dir", str(mine / "notes"), "git", "init"], mine, ENV)
        git(mine, "add", "-A")
        git(mine, "commit", "-q", "-m", "the collection")
        git(folder, "clone", "-q", "--bare", str(mine), str(origin))
        git(mine, "remote", "add", "origin", str(origin))
        git(mine, "fetch", "-q", "origin")
        git(mine, "branch", "-q", "-u", "origin/main")
        git(folder, "clone", "-q", str(origin), str(theirs))
        notes = sorted((theirs / "notes").glob("*.yaml"))
        for path in notes[:: max(1, len(notes) // changed)][:changed]:
            text = path.read_text("utf-8")  # a key added by hand: a changed note, any layout
            path.write_text(text.rstrip("\n") + "\nreviewed_by: the teammate\n", "utf-8")
        git(theirs, "commit", "-q", "-am", f"{changed} notes tagged")
        git(theirs, "push", "-q", "origin", "main")
        (folder / ".complete").touch()
    return mine, git(mine, "rev-parse", "HEAD").strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help=f"write {OUTPUT.name}")
    args = parser.parse_args()
    mine, before = set_up(args.size, args.changed)
    notes = mine / "notes"
    argv = [str(PAPERNOTES), "--dir", str(notes), "list"]

    def back() -> None:
        git(mine, "reset", "-q", "--hard", before)
        run_once(argv, mine, ENV)  # the index sees the files as they were

    def pulled() -> None:
        back()
        git(mine, "pull", "-q", "--ff-only")

    still = measure(argv, mine, runs=args.runs, env=ENV, prepare=back)
    fresh = measure(argv, mine, runs=args.runs, env=ENV, prepare=pulled)
    pulled()
    from papernotes.index import Collection

    started = time.perf_counter()
    report = Collection(notes).sync()
    read_seconds = time.perf_counter() - started
    back()
    lines = [
        "## After a git pull",
        "",
        f"`benchmarks/after_pull.py`: {args.size:,} notes in a git repository; a pull that "
        f"changed {args.changed:,} of them (a fast-forward), then `list`. Median of "
        f"{args.runs} runs, ± the spread.",
        "",
        "| | `list` |",
        "|---|---|",
        f"| nothing changed | {still.median:.3f} s ±{still.spread:.3f} |",
        f"| after the pull | {fresh.median:.3f} s ±{fresh.spread:.3f} |",
        "",
        f"The sync after the pull read {report.read:,} note files of {args.size:,} "
        f"({read_seconds:.2f} s in the library): only those the pull changed.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
