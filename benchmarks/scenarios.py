"""What each benchmark row runs: the command, and how the collection is readied and restored.

Commands that change the collection leave it as they found it: notes added by `add` are
deleted before every run, hand-edited files get their bytes and times back, deleted
indexes are rebuilt. After such a command the indexes are brought up to date, untimed, so
the next command starts from a current collection, as it would for a user.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from arxiv_server import ArxivServer
from collection import COMMON, RARE
from competitors import Tool
from runner import run_once

SITE_EDITS = 10
SITE_MAX = 10_000  # the site rows stop here: its floors are at 10,000 notes

# name (for --commands) -> the papernotes command, as the table shows it
COMMANDS = {
    "help": "`--help`",
    "show": "`show ID`",
    "list": "`list`",
    "list-json": "`list --json`",
    "search-rare": f"`search {RARE}` (rare word)",
    "search-common": f"`search {COMMON}` (common word)",
    "export-markdown": "`export --all -f markdown`",
    "export-bibtex": "`export --all -f bibtex`",
    "export-json": "`export --all -f json`",
    "complete-id": "completing a note id (`show 1<TAB>`, bash)",
    "complete-tag": "completing a tag to add (`tag ID +<TAB>`, bash)",
    "reindex": "`reindex`",
    "tag-one": "`tag ID +name` (one note tagged)",
    "after-edits": "`list` after 100 notes were edited by hand",
    "after-index-deleted": "`list` after the index files were deleted",
    "site-build": "`site -o DIR` (a full build, search index included)",
    "site-rebuild": f"`site -o DIR` again after {SITE_EDITS} TL;DRs were written",
    "add-one": "`add ID` (one new paper)",
    "add-500": "`add ID1 … ID500` (500 new papers)",
}
EDITS = 100
BATCH = 500
NEW_IDS = "2611.{:05d}"  # a month the generated collections never use
INDEX_FILES = (".index.json", ".index.sqlite")


@dataclass
class Case:
    """One command to time: its environment, what to do before each run and after the last."""

    argv: list[str]
    env: dict[str, str]
    prepare: Callable[[], None] | None = None
    finish: Callable[[], None] | None = None
    requests: list[int] | None = None  # per run, filled in when a server is asked


class HandEdits:
    """`EDITS` files spread over a folder, edited the way a person would, then restored."""

    def __init__(self, files: list[Path]) -> None:
        if len(files) > EDITS:
            files = [files[i * len(files) // EDITS] for i in range(EDITS)]
        self.originals = {path: (path.read_bytes(), path.stat()) for path in files}

    def edit(self) -> None:
        """Append a comment line to each file (still valid YAML) and give it a new mtime."""
        now = time.time_ns()
        for path, (data, _) in self.originals.items():
            path.write_bytes(data + b"\n# edited\n")  # a comment: the note stays the same
            os.utime(path, ns=(now, now))

    def restore(self) -> None:
        """Put back each file's bytes and its access and modification times."""
        for path, (data, stat) in self.originals.items():
            path.write_bytes(data)
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


class TldrEdits(HandEdits):
    """`count` notes with no TL;DR, spread over the folder, given one: their pages and the
    listings change, as after a person's edits."""

    def __init__(self, files: list[Path], count: int) -> None:
        empty = [p for p in files if b"\ntldr: ''\n" in p.read_bytes()]
        super().__init__([empty[i * len(empty) // count] for i in range(min(count, len(empty)))])

    def edit(self) -> None:
        """Words new at every run: the search index cannot be the one an earlier run made."""
        now = time.time_ns()
        for number, (path, (data, _)) in enumerate(self.originals.items()):
            tldr = f"\ntldr: Edited {number} at {now}\n".encode()
            path.write_bytes(data.replace(b"\ntldr: ''\n", tldr))
            os.utime(path, ns=(now, now))


@dataclass
class Ours:
    """papernotes on one collection folder."""

    folder: Path
    papernotes: Path
    server: ArxivServer | None = None

    @property
    def notes(self) -> Path:
        return self.folder / "notes"

    @property
    def env(self) -> dict[str, str]:
        return {"PAPERNOTES_DIR": str(self.notes)}

    def files(self) -> list[Path]:
        """Every note file, sorted."""
        return sorted(p for p in self.notes.glob("*.yaml") if not p.name.startswith("."))

    def sample_id(self) -> str:
        """A new-style id with a note, from the middle of the collection."""
        stems = [p.stem for p in self.files() if p.stem[:4].isdigit() and "." in p.stem]
        return stems[len(stems) // 2]

    def new_ids(self, count: int) -> list[str]:
        """`count` ids that have no note in the collection."""
        ids = (NEW_IDS.format(n) for n in range(1, 100_000))
        return [i for i in ids if not (self.notes / f"{i}.yaml").exists()][:count]

    def run(self, *args: str) -> None:
        """One untimed papernotes command."""
        run_once([str(self.papernotes), *args], self.folder, self.env)

    def settle(self) -> None:
        """Bring both indexes up to date with the files, untimed."""
        self.run("list", "--tag", "no-such-tag")
        self.run("search", RARE)

    def case(self, name: str) -> Case:
        """The papernotes command of the row `name`."""
        command = [str(self.papernotes)]
        fixed = {
            "help": ["--help"],
            "show": ["show", self.sample_id()],
            "list": ["list"],
            "list-json": ["list", "--json"],
            "search-rare": ["search", RARE],
            "search-common": ["search", COMMON],
            "export-markdown": ["export", "--all", "-f", "markdown"],
            "export-bibtex": ["export", "--all", "-f", "bibtex"],
            "export-json": ["export", "--all", "-f", "json"],
            "reindex": ["reindex"],
        }
        if name in fixed:
            return Case(command + fixed[name], self.env)
        if name.startswith("complete-"):
            line = (
                "papernotes show 1"
                if name == "complete-id"
                else f"papernotes tag {self.sample_id()} +"
            )
            env = {"_PAPERNOTES_COMPLETE": "complete_bash", "COMP_WORDS": line}
            return Case(command, {**self.env, **env, "COMP_CWORD": str(line.count(" "))})
        if name == "tag-one":
            paper = self.sample_id()
            tagged = HandEdits([self.notes / f"{paper}.yaml"])  # put back before each run

            def restore() -> None:
                tagged.restore()
                self.settle()

            return Case([*command, "tag", paper, "+benchmarked"], self.env, tagged.restore, restore)
        if name == "after-edits":
            edits = HandEdits(self.files())

            def restore() -> None:
                edits.restore()
                self.settle()

            return Case([*command, "list"], self.env, edits.edit, restore)
        if name == "after-index-deleted":
            return Case([*command, "list"], self.env, self.delete_indexes, self.settle)
        if name.startswith("site-"):
            return self.site_case(rebuild=name == "site-rebuild")
        if name in ("add-one", "add-500"):
            return self.add_case(BATCH if name == "add-500" else 1)
        raise ValueError(f"unknown command {name}")

    def site_case(self, *, rebuild: bool) -> Case:
        """`site -o DIR`: into an empty folder, or into the site built before the edits."""
        site = self.folder / "site"
        argv = [str(self.papernotes), "site", "-o", str(site)]
        edits = TldrEdits(self.files(), SITE_EDITS)

        def fresh() -> None:
            delete_tree(site)

        def built_then_edited() -> None:
            edits.restore()
            self.run("site", "-o", str(site))
            edits.edit()

        def finish() -> None:
            edits.restore()
            self.settle()
            delete_tree(site)

        return Case(argv, self.env, built_then_edited if rebuild else fresh, finish)

    def delete_indexes(self) -> None:
        for name in INDEX_FILES:
            (self.notes / name).unlink(missing_ok=True)

    def add_case(self, count: int) -> Case:
        """`add` of `count` new papers from the local server, into the same collection."""
        assert self.server is not None, "add needs the local arXiv server"
        server = self.server
        ids = self.new_ids(BATCH + 1)
        ids = ids[:BATCH] if count == BATCH else ids[BATCH:]
        added = [self.notes / f"{i}.yaml" for i in ids]
        env = {
            **self.env,
            "PAPERNOTES_ARXIV_API_URL": server.url,
            "PAPERNOTES_ARXIV_DELAY": "0",
            "NO_PROXY": "127.0.0.1,localhost",
        }
        case = Case([str(self.papernotes), "add", *ids], env, requests=[])
        marks: list[int] = []

        def remove_added() -> None:
            for path in added:
                path.unlink(missing_ok=True)
            self.settle()

        def prepare() -> None:
            remove_added()
            marks.append(server.requests)

        def finish() -> None:
            marks.append(server.requests)
            case.requests = [b - a for a, b in itertools.pairwise(marks)][1:]
            remove_added()

        case.prepare, case.finish = prepare, finish
        return case


def theirs(tool: Tool, name: str, key: str) -> Case | None:
    """The other tool's command of the row `name`, or None when it has no equivalent."""
    task = name
    if name.startswith("search-"):
        task = "search"
    argv = tool.command(task, word=RARE if name == "search-rare" else COMMON, key=key)
    if argv is None:
        return None
    if name == "after-edits":
        edits = HandEdits(tool.records())
        return Case(argv, tool.env, edits.edit, edits.restore)
    if name == "after-index-deleted":
        return Case(argv, tool.env, lambda: delete_tree(tool.cache))
    return Case(argv, tool.env)


def delete_tree(folder: Path | None) -> None:
    """Delete `folder` and everything in it, if it exists."""
    if folder is not None and folder.exists():
        shutil.rmtree(folder)


def stamps(files: list[Path]) -> dict[Path, tuple[int, int]]:
    """(size, mtime) of each file: compared before and after to prove nothing was left changed."""
    found = {}
    for path in files:
        stat = path.stat()
        found[path] = (stat.st_size, stat.st_mtime_ns)
    return found
