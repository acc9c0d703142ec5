"""Search benchmark: whole-process wall time and peak memory of `papernotes search`.

Generates collections of 1,000, 10,000 and 100,000 notes (benchmarks/collection.py), runs a
rare and a common word through papernotes, and the same words through papis and pubs
(abstract:WORD, the closest they have) on the same collection, and prints medians, spread,
peak memory and the ratios. papis and pubs are measured up to --others-max notes: their
own import of 100,000 entries takes hours.

    .venv/bin/python benchmarks/bench_search.py                  # what `make bench` runs
    .venv/bin/python benchmarks/bench_search.py --sizes 1000 --runs 3 --others-max 0
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from collection import COMMON, RARE, write  # noqa: E402
from competitors import install, set_up  # noqa: E402
from runner import Measure, measure, run_once  # noqa: E402

WORK = HERE.parent / ".bench"
PAPERNOTES = Path(sys.executable).parent / "papernotes"
TARGETS = {10_000: 0.3, 100_000: 2.0}  # seconds, from the search issue
MEMORY_TARGET_MB = 500


def collection(size: int) -> Path:
    """The folder of a generated collection of `size` notes (made once, then reused)."""
    folder = WORK / f"c{size}"
    done = folder / ".complete"
    if not done.exists():
        print(f"generating {size} notes in {folder} ...", file=sys.stderr)
        started = time.perf_counter()
        write(size, folder)
        done.touch()
        print(f"  {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return folder


def cell(result: Measure | None) -> str:
    if result is None:
        return "—"
    return f"{result.median:.3f} s ±{result.spread:.3f}, {result.peak_mb:.0f} MB"


def ratio(theirs: Measure | None, ours: Measure) -> str:
    return f"{theirs.median / ours.median:.1f}×" if theirs else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--others-max", type=int, default=10_000)
    args = parser.parse_args()

    tools = install(WORK / "tools") if args.others_max else {}
    print(f"# papernotes search benchmark, {time.strftime('%Y-%m-%d')}")
    print(f"{platform.node()}: {platform.platform()}, Python {platform.python_version()}, "
          f"median of {args.runs} runs after one warm-up, whole process\n")  # fmt: skip
    print("| notes | query | papernotes | pubs | papis | pubs ÷ ours | papis ÷ ours |")
    print("|---|---|---|---|---|---|---|")
    misses = []
    for size in args.sizes:
        folder = collection(size)
        env = {"PAPERNOTES_DIR": str(folder / "notes")}
        build, _, _ = run_once([str(PAPERNOTES), "search", RARE], folder, env)
        print(f"| {size:,} | first search (builds the index) | {build:.2f} s | | | | |")
        others = {}
        if size <= args.others_max:
            others = {name: set_up(name, command, folder) for name, command in tools.items()}
        for word in (RARE, COMMON):
            ours = measure([str(PAPERNOTES), "search", word], folder, runs=args.runs, env=env)
            theirs = {
                name: measure(tool.search(word), folder, runs=args.runs, env=tool.env)
                for name, tool in others.items()
            }
            pubs, papis = theirs.get("pubs"), theirs.get("papis")
            print(
                f"| {size:,} | {word} | {cell(ours)} | {cell(pubs)} | {cell(papis)} "
                f"| {ratio(pubs, ours)} | {ratio(papis, ours)} |",
                flush=True,
            )
            target = TARGETS.get(size)
            if target and ours.median > target:
                misses.append(f"{size:,} notes, {word}: {ours.median:.3f} s > {target} s")
            if ours.peak_mb > MEMORY_TARGET_MB:
                misses.append(f"{size:,} notes, {word}: {ours.peak_mb:.0f} MB > 500 MB")
    print()
    print("Targets (search issue): 10,000 notes < 0.3 s, 100,000 < 2 s and < 500 MB.")
    print("Missed: " + "; ".join(misses) if misses else "All targets met.")


if __name__ == "__main__":
    main()
