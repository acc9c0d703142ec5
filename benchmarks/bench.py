"""Benchmark every papernotes command on generated collections, beside papis and pubs.

For each size it generates (once) a collection of realistic notes, times each command as a
whole process over several runs after a warm-up (median, spread, peak memory), times the
closest papis and pubs commands on the same collection, and prints one table, how cost
grows with the collection, and which targets of the issue are met. `add` fetches from a
local server answering with recorded arXiv entries. The collections live in .bench/ and are
reused; every command leaves its collection as it found it.

    .venv/bin/python benchmarks/bench.py --write          # what `make bench` runs
    .venv/bin/python benchmarks/bench.py --sizes 100 1000 --runs 2 --commands list search-rare
    .venv/bin/python benchmarks/bench.py --sizes 100000 --keep-other-sizes --write
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from arxiv_server import ArxivServer  # noqa: E402
from collection import ensure  # noqa: E402
from competitors import Tool, install, set_up  # noqa: E402
from report import Row, cell, document, load, machine, save, versions  # noqa: E402
from runner import Measure, measure  # noqa: E402
from scenarios import COMMANDS, SITE_MAX, Case, Ours, stamps, theirs  # noqa: E402

WORK = HERE.parent / ".bench"
RESULTS = HERE / "RESULTS.md"
MEASURED = HERE / "results.json"  # the figures behind RESULTS.md
AFTER_PULL = HERE / "after-pull.md"  # written by after_pull.py
BEFORE = HERE / "results-before.json"  # papernotes' figures before issue 11, for comparison
PAPERNOTES = Path(sys.executable).parent / "papernotes"
LARGE = 100_000


def time_case(case: Case, folder: Path, runs: int) -> tuple[Measure, list[int] | None]:
    """Measure one case, then undo what it changed."""
    try:
        result = measure(case.argv, folder, runs=runs, env=case.env, prepare=case.prepare)
    finally:
        if case.finish:
            case.finish()
    return result, case.requests


def bench_size(
    size: int, args: argparse.Namespace, server: ArxivServer
) -> tuple[list[Row], list[str]]:
    """Every chosen command at one size; the rows, and any problem with the collection after."""
    folder = ensure(size, WORK)
    ours = Ours(folder, PAPERNOTES, server)
    tools: list[Tool] = []
    if size <= args.others_max and not args.keep_theirs:
        tools = [set_up(name, command, folder) for name, command in install(WORK / "tools").items()]
    before = stamps(ours.files() + [p for tool in tools for p in tool.records()])
    ours.settle()
    runs = min(args.runs, args.large_runs) if size >= LARGE else args.runs
    key = re.sub(r"\W", "", ours.sample_id())  # the BibTeX key the others imported it under
    rows = []
    for name in args.commands:
        if name.startswith("site-") and size > SITE_MAX:
            continue
        started = time.perf_counter()
        result, requests = time_case(ours.case(name), folder, runs)
        row = Row(name, size, result, requests=requests)
        for tool in tools:
            case = theirs(tool, name, key)
            if case is not None:
                row.theirs[tool.name] = time_case(case, folder, runs)[0]
        rows.append(row)
        show_progress(row, time.perf_counter() - started)
    return rows, left_changed(size, ours, before)


def show_progress(row: Row, seconds: float) -> None:
    """One line on stderr per row as it is measured: the full run takes long."""
    others = "; ".join(f"{name} {cell(m)}" for name, m in row.theirs.items())
    print(
        f"{row.size:>7,} {row.command:<20} {cell(row.ours)}"
        + (f", {row.requests} requests" if row.requests else "")
        + (f"; {others}" if others else "")
        + f"  [{seconds:.0f} s]",
        file=sys.stderr,
        flush=True,
    )


def left_changed(size: int, ours: Ours, before: dict[Path, tuple[int, int]]) -> list[str]:
    """What the benchmark failed to put back: files changed or gone, notes left behind."""
    problems = []
    after = stamps([p for p in before if p.exists()])
    changed = [p for p in before if after.get(p) != before[p]]
    if changed:
        problems.append(f"{size:,} notes: {len(changed)} files changed or gone, e.g. {changed[:3]}")
    left = sorted(set(ours.files()) - set(before))
    if left:
        problems.append(f"{size:,} notes: {len(left)} notes were left behind, e.g. {left[:3]}")
    return problems


def describe(args: argparse.Namespace) -> str:
    """How the figures were measured: date, machine, versions, runs, collections."""
    compared = any(size <= args.others_max for size in args.sizes) and not args.keep_theirs
    tools = install(WORK / "tools") if compared else {}
    their_versions = {name: Tool(name, path, WORK).version() for name, path in tools.items()}
    others = (
        "papis and pubs were not run again: their figures are from the earlier run"
        if args.keep_theirs
        else "papis and pubs were not run"
    )
    if compared:
        others = (
            f"papis and pubs, up to {args.others_max:,} notes, import the same papers as BibTeX "
            "(in files of 10,000 entries)"
        )
    large = ""
    if max(args.sizes) >= LARGE and args.large_runs < args.runs:
        large = f" ({args.large_runs} at {LARGE:,} notes)"
    return (
        f"Measured by `benchmarks/bench.py` on {time.strftime('%Y-%m-%d')}: {machine()}. "
        f"{versions(their_versions)}.\n\n"
        f"Whole-process wall time: median of {args.runs} runs{large}, after one untimed warm-up, "
        "± the interquartile range (max − min under four runs), and peak resident memory. "
        "Collections are generated by `benchmarks/collection.py` from the recorded arXiv "
        f"answers; {others}. `add` asks a local server that answers with recorded "
        "arXiv entries (no delay between requests); the notes it adds are deleted before "
        "each run, untimed, and the index brought up to date."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[100, 1_000, 10_000, LARGE], help="numbers of notes"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command")
    parser.add_argument(
        "--large-runs", type=int, default=3, help=f"timed runs at {LARGE:,} notes and more"
    )
    parser.add_argument(
        "--commands",
        nargs="+",
        choices=list(COMMANDS),
        default=list(COMMANDS),
        metavar="NAME",
        help="only these rows: " + ", ".join(COMMANDS),
    )
    parser.add_argument(
        "--others-max", type=int, default=LARGE, help="largest size to run papis and pubs on"
    )
    parser.add_argument(
        "--write", action="store_true", help=f"write {RESULTS.name} and {MEASURED.name}"
    )
    parser.add_argument(
        "--keep-other-sizes",
        action="store_true",
        help=f"keep the figures {MEASURED.name} holds for the rows not measured now",
    )
    parser.add_argument(
        "--keep-theirs",
        action="store_true",
        help=f"do not run papis and pubs: keep their figures from {MEASURED.name}",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help=f"measure nothing: render the report again from {MEASURED.name}",
    )
    args = parser.parse_args()
    before = load(BEFORE.read_text(encoding="utf-8"))[0] if BEFORE.exists() else None
    if args.report_only:
        rows, method, notes = load(MEASURED.read_text(encoding="utf-8"))
        finish(document(rows, method=method, notes=notes, before=before), write=args.write)
        return
    args.commands = [c for c in COMMANDS if c in args.commands]  # mutating ones last

    started = time.perf_counter()
    rows: list[Row] = []
    problems: list[str] = []
    with ArxivServer() as server:
        for size in args.sizes:
            found, trouble = bench_size(size, args, server)
            rows += found
            problems += trouble
    notes = problems or ["the collections were left as they were found"]
    notes.append(f"the whole run took {(time.perf_counter() - started) / 60:.1f} minutes")
    if args.keep_theirs and MEASURED.exists():
        rows, notes = theirs_kept(rows, notes)
    if args.keep_other_sizes and MEASURED.exists():
        rows, notes = kept_with(rows, notes, args.sizes)
    method = describe(args)
    if args.write:
        MEASURED.write_text(save(rows, method, notes) + "\n", encoding="utf-8")
    finish(document(rows, method=method, notes=notes, before=before), write=args.write)


def theirs_kept(rows: list[Row], notes: list[str]) -> tuple[list[Row], list[str]]:
    """`rows` with papis' and pubs' figures from the saved run (their code did not change)."""
    saved, _, _ = load(MEASURED.read_text(encoding="utf-8"))
    earlier = {(row.command, row.size): row.theirs for row in saved}
    for row in rows:
        row.theirs = earlier.get((row.command, row.size), {})
    return rows, [*notes, "papis' and pubs' figures are those of the earlier run"]


EARLIER = "an earlier run: "


def kept_with(rows: list[Row], notes: list[str], sizes: list[int]) -> tuple[list[Row], list[str]]:
    """`rows` and `notes` with the saved figures of every row not measured now."""
    saved, _, saved_notes = load(MEASURED.read_text(encoding="utf-8"))
    measured = {(row.command, row.size) for row in rows}
    kept = [row for row in saved if (row.command, row.size) not in measured]
    if not kept:
        return rows, notes
    now = ", ".join(f"{size:,}" for size in sorted(sizes))
    earlier = dict.fromkeys(EARLIER + re.sub(f"^({EARLIER})+", "", n) for n in saved_notes)
    return kept + rows, [*earlier, *(f"rows measured again at {now} notes: {n}" for n in notes)]


def finish(text: str, *, write: bool) -> None:
    """Print the report (with after_pull.py's section, when it has been run), and with
    `write` store it as RESULTS.md."""
    if AFTER_PULL.exists():
        text = text.rstrip("\n") + "\n\n" + AFTER_PULL.read_text(encoding="utf-8")
    print(text)
    if write:
        RESULTS.write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
