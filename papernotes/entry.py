"""The `papernotes` command's entry point: help is printed without loading the CLI.

`papernotes --help` and `papernotes COMMAND --help` are asked for often and their text
never changes between releases, but rendering it means importing Typer and click first
(about 0.12 s). The texts are rendered once, at development time, into `help_texts.py`
(`make help`), and printed from there whenever the output is at least 80 columns wide,
the width click renders for. Anything else goes to the CLI; a test keeps the two equal.
"""

from __future__ import annotations

import os
import sys

WIDTH = 80  # click wraps help at min(terminal columns, 80) - 2
HELP_FLAGS = ("--help", "-h")


def main() -> None:
    """Run the `papernotes` command."""
    text = stored_help(sys.argv[1:])
    if text is not None and os.path.basename(sys.argv[0]) == "papernotes":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from papernotes.cli import main as run

    run()


def stored_help(args: list[str]) -> str | None:
    """The stored help for these arguments, if they ask only for help and it fits."""
    if not args or args[-1] not in HELP_FLAGS or len(args) > 2 or _columns() < WIDTH:
        return None
    from papernotes.help_texts import HELP

    return HELP.get(args[0] if len(args) == 2 else "")


def _columns() -> int:
    """The width click would see: $COLUMNS, else the terminal's, else 80."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return WIDTH


def render_help() -> dict[str, str]:
    """Every help text as the CLI prints it at 80 columns: "" for the command itself."""
    from typer.main import get_command

    from papernotes.cli import app

    group = get_command(app)
    root = group.make_context("papernotes", [], resilient_parsing=True, terminal_width=WIDTH - 2)
    texts = {"": group.get_help(root) + "\n"}
    for name in group.list_commands(root):  # type: ignore[attr-defined]
        command = group.get_command(root, name)  # type: ignore[attr-defined]
        context = command.make_context(name, [], parent=root, resilient_parsing=True)
        texts[name] = command.get_help(context) + "\n"
    return texts


def write_help_texts(path: str) -> None:
    """Write `render_help()` as the module `help_texts.py` (run by `make help`)."""
    lines = [
        '"""Help texts, rendered by `make help` from the CLI (papernotes/entry.py says why)."""',
        "",
        "HELP = {",
        *(f"    {name!r}: {text!r}," for name, text in render_help().items()),
        "}",
        "",
    ]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
