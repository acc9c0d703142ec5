"""papis and pubs, installed from PyPI into their own venvs, set up on the same collection.

Each runs with HOME and the XDG folders inside the benchmark's work folder, so nothing
touches a real configuration. Facts from ../shared/ANCHORS.md: pubs needs
bibtexparser<2; papis imports in bulk with `papis bibtex read FILE import --all --batch`,
fast only with the sqlite backend, whose index has no abstract column, so queries run
with the default backend (its cache is built by an untimed first query).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGES = {"pubs": ["pubs==0.9.0", "bibtexparser<2"], "papis": ["papis==0.16.1"]}
NAMES = ("papis", "pubs")


@dataclass
class Tool:
    """One other tool, set up on one collection folder."""

    name: str
    bin: Path
    folder: Path

    @property
    def env(self) -> dict[str, str]:
        home = self.folder / f"{self.name}-home"
        return {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
        }

    @property
    def cache(self) -> Path | None:
        """The folder holding the tool's cache of the library (pubs keeps none)."""
        return Path(self.env["XDG_CACHE_HOME"]) / "papis" if self.name == "papis" else None

    def records(self) -> list[Path]:
        """The YAML file of each paper, the one a person edits by hand, sorted."""
        if self.name == "pubs":
            return sorted((self.folder / "pubs" / "meta").glob("*.yaml"))
        return sorted((self.folder / "papis").glob("*/info.yaml"))

    def argv(self, *args: str) -> list[str]:
        """The tool's command line with `args`, pointed at this collection's library."""
        if self.name == "pubs":
            return [str(self.bin), "-c", str(self.folder / "pubsrc"), *args]
        return [str(self.bin), *args]

    def command(self, task: str, *, word: str = "", key: str = "") -> list[str] | None:
        """The tool's command for one benchmark task, or None when it has no equivalent.

        `key` is a paper's BibTeX key (the id without punctuation), `word` a search word.
        """
        papis = self.name == "papis"
        if task == "help":
            return [str(self.bin), "--help"]
        if task == "list":
            return self.argv("list", "--all") if papis else self.argv("list")
        if task == "after-index-deleted" and papis:  # pubs keeps no cache to delete
            return self.argv("list", "--all")
        if task == "show":
            query = f"ref:{key}" if papis else f"citekey:{key}"
            return self.argv("list", *(["--all"] if papis else []), query)
        if task == "search":
            return self.argv("list", *(["--all"] if papis else []), f"abstract:{word}")
        if task == "export-bibtex":
            return (
                self.argv("export", "--all", "--format", "bibtex") if papis else self.argv("export")
            )
        if task == "export-json" and papis:
            return self.argv("export", "--all", "--format", "json")
        if task == "reindex" and papis:
            return self.argv("cache", "reset")
        if task == "after-edits":
            if not papis:  # pubs keeps no cache: every command reads every file
                return self.argv("list")
            # papis reads its cache and sees hand edits only once told to look for them
            update = shlex.join(self.argv("cache", "update-newer", "--all"))
            return ["sh", "-c", f"{update} && {shlex.join(self.argv('list', '--all'))}"]
        return None

    def version(self) -> str:
        """The installed version, from the tool's own venv."""
        python = self.bin.parent / "python"
        code = f"import importlib.metadata as m; print(m.version({self.name!r}))"
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
        return done.stdout.strip() or "?"


def install(tools: Path) -> dict[str, Path]:
    """Create a venv per tool (once) and return the path of each command."""
    found = {}
    for name, packages in PACKAGES.items():
        venv = tools / name
        command = venv / "bin" / name
        if not command.exists():
            print(f"installing {name} into {venv} ...", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", *packages],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        found[name] = command
    return found


IMPORT_PART = 10_000  # entries per BibTeX file given to their import


def set_up(name: str, command: Path, folder: Path) -> Tool:
    """Import `folder/corpus.bib` into the tool's own library (once per folder).

    Both parse BibTeX with bibtexparser 1.x, whose time grows faster than the file: 10,000
    entries take a minute, 100,000 did not finish parsing in ten. So the corpus goes in
    parts of IMPORT_PART entries, one import each.
    """
    tool = Tool(name, command, folder)
    done = folder / f".{name}-imported"
    if done.exists():
        return tool
    config = Path(tool.env["XDG_CONFIG_HOME"]) / "papis"
    config.mkdir(parents=True, exist_ok=True)  # papis reads its config only if this exists
    print(f"importing {folder}/corpus.bib into {name} (slow) ...", file=sys.stderr)
    parts = split_corpus(folder / "corpus.bib", folder / f".{name}-parts")
    if name == "pubs":
        rc = str(folder / "pubsrc")
        run([str(command), "-c", rc, "init", "-p", str(folder / "pubs")], tool)
        for part in parts:
            run([str(command), "-c", rc, "import", str(part)], tool)
    else:
        library = folder / "papis"
        library.mkdir(exist_ok=True)
        settings = f"[settings]\ndefault-library = bench\n\n[bench]\ndir = {library}\n"
        (config / "config").write_text(
            settings.replace("[settings]\n", "[settings]\ndatabase-backend = sqlite\n")
        )
        for part in parts:
            run([str(command), "bibtex", "read", str(part), "import", "--all", "--batch"], tool)
        (config / "config").write_text(settings)
        run([str(command), "list", "abstract:warmup"], tool)  # builds the default cache
    for part in parts:
        part.unlink()
    done.touch()
    return tool


def split_corpus(corpus: Path, stem: Path) -> list[Path]:
    """`corpus` cut into files of IMPORT_PART entries each: `stem`-0.bib, `stem`-1.bib, ..."""
    entries = re.split(r"(?m)^(?=@)", corpus.read_text(encoding="utf-8"))
    entries = [e for e in entries if e.strip()]
    parts = []
    for number, at in enumerate(range(0, len(entries), IMPORT_PART)):
        part = stem.with_name(f"{stem.name}-{number}.bib")
        part.write_text("".join(entries[at : at + IMPORT_PART]), encoding="utf-8")
        parts.append(part)
    return parts


def run(argv: list[str], tool: Tool) -> None:
    """Run one untimed command of `tool`, its output discarded."""
    subprocess.run(
        argv,
        env={**os.environ, **tool.env},
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
