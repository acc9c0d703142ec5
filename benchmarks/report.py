"""The results: one table of every command and size, how cost grows, and the targets checked."""

from __future__ import annotations

import itertools
import json
import os
import platform
from dataclasses import asdict, dataclass, field
from importlib import metadata

from competitors import NAMES
from runner import Measure
from scenarios import BATCH, COMMANDS

MEMORY_LIMIT_MB = 500
SEARCHES = ["search-rare", "search-common"]
# (what the target says, the rows it covers, at how many notes, seconds): the issues' floors
TIME_TARGETS = [
    ("`--help` at most 0.15 s", ["help"], None, 0.15),
    (
        "`show`, `list`, search and `add` of one paper at 10,000 notes at most 0.20 s",
        ["show", "list", *SEARCHES, "add-one"],
        10_000,
        0.20,
    ),
    ("`reindex` of 10,000 notes at most 3 s", ["reindex"], 10_000, 3.0),
    ("search and `list` at 100,000 notes at most 0.5 s", ["list", *SEARCHES], 100_000, 0.5),
    # issue 12
    ("completion at 10,000 notes at most 0.15 s", ["complete-id", "complete-tag"], 10_000, 0.15),
    # issue 14
    ("the site of 10,000 notes built in at most 60 s", ["site-build"], 10_000, 60.0),
    ("the site rebuilt after 10 edits in at most 10 s", ["site-rebuild"], 10_000, 10.0),
]
LEAD = 3.0  # search and list stay this many times ahead of papis and pubs
LEAD_ROWS = ["list", *SEARCHES]
EQUIVALENTS = """\
Their commands (neither has a `show`, a JSON listing or a Markdown export):
- `show ID`: `papis list --all ref:KEY`, `pubs list citekey:KEY` (a list of one paper).
- `list`: `papis list --all`, `pubs list`.
- `search WORD`: `papis list --all abstract:WORD`, `pubs list abstract:WORD`; neither
  searches every field, and papis without `--all` opens a picker instead of printing.
- `export --all -f bibtex`: `papis export --all --format bibtex`, `pubs export`;
  `-f json`: `papis export --all --format json` (pubs has no JSON).
- `reindex`: `papis cache reset`; pubs keeps no index.
- after 100 hand edits of their YAML files: `pubs list` (pubs reads every file on every
  command); papis reads its cache and sees hand edits only after
  `papis cache update-newer --all`, so its figure is that and `papis list --all` together.
- after the index files were deleted: `papis list --all` after its cache folder was deleted;
  pubs keeps no cache.
- `add`: left out; both fetch from arxiv.org itself and cannot be pointed at a local server.
"""


@dataclass
class Row:
    """One command at one size: our figures, the other tools' and the requests arXiv saw."""

    command: str
    size: int
    ours: Measure
    theirs: dict[str, Measure] = field(default_factory=dict)
    requests: list[int] | None = None


def cell(result: Measure | None) -> str:
    if result is None:
        return "—"
    failed = f" (exit {result.code})" if result.code else ""
    return f"{result.median:.3f} s ±{result.spread:.3f}, {result.peak_mb:.0f} MB{failed}"


def requests_cell(counts: list[int] | None) -> str:
    if not counts:
        return ""
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}–{high}"


def ratio(theirs: Measure | None, ours: Measure) -> str:
    return f"{theirs.median / ours.median:.1f}×" if theirs else "—"


def ordered(rows: list[Row]) -> list[Row]:
    """Rows by command, in the table's order, then by size."""
    rank = {name: n for n, name in enumerate(COMMANDS)}
    return sorted(rows, key=lambda r: (rank[r.command], r.size))


def table(rows: list[Row], before: list[Row] | None = None) -> str:
    """The one table, in Markdown; with `before`, papernotes' earlier figure beside each."""
    others = " | ".join(NAMES)
    ratios = " | ".join(f"{name} ÷ ours" for name in NAMES)
    earlier = {(r.command, r.size): r.ours for r in before or []}
    lines = [
        f"| papernotes command | notes | papernotes | before | arXiv requests | {others} "
        f"| {ratios} |",
        "|---|---:|---|---|---:|" + "---|" * len(NAMES) + "---:|" * len(NAMES),
    ]
    for row in ordered(rows):
        theirs = [row.theirs.get(name) for name in NAMES]
        lines.append(
            f"| {COMMANDS[row.command]} | {row.size:,} | {cell(row.ours)} "
            f"| {cell(earlier.get((row.command, row.size)))} "
            f"| {requests_cell(row.requests)} | "
            + " | ".join(cell(t) for t in theirs)
            + " | "
            + " | ".join(ratio(t, row.ours) for t in theirs)
            + " |"
        )
    return "\n".join(lines)


def growth(rows: list[Row]) -> list[str]:
    """Per command, how time and memory grow between each pair of measured sizes, and the
    cost model the two largest sizes give."""
    lines = []
    for command in COMMANDS:
        found = sorted((r.size, r.ours) for r in rows if r.command == command)
        steps = [
            f"{a:,} → {b:,}: {b / a:g}× notes → {tb.median / ta.median:.1f}× time, "
            f"{tb.peak_mb / ta.peak_mb:.1f}× memory"
            for (a, ta), (b, tb) in itertools.pairwise(found)
        ]
        if steps:
            lines.append(f"- {COMMANDS[command]}: {shape(found)}. " + "; ".join(steps))
    return lines


def shape(found: list[tuple[int, Measure]]) -> str:
    """Fixed cost plus cost per note, through the two largest sizes, in words."""
    if len(found) < 2:
        return "one size measured"
    (n1, m1), (n2, m2) = found[-2:]
    per_note = (m2.median - m1.median) / (n2 - n1)
    fixed = max(m2.median - per_note * n2, 0.0)
    kb_per_note = (m2.peak_mb - m1.peak_mb) * 1024 / (n2 - n1)
    memory = f"memory {m2.peak_mb - kb_per_note * n2 / 1024:.0f} MB + {kb_per_note:.1f} KB a note"
    if per_note * n2 < 0.25 * m2.median:
        return f"**constant**, about {m2.median:.2f} s and {m2.peak_mb:.0f} MB at any size"
    growth = m2.median / m1.median
    if growth > 1.25 * n2 / n1:
        kind = "**faster than linear**"
    else:
        kind = "**linear** in notes" if fixed < per_note * n1 else "**linear** past start-up"
    return (
        f"{kind}, about {fixed:.2f} s + {per_note * 1e6:.1f} µs a note "
        f"(×{growth:.1f} from {n1:,} to {n2:,}), {memory}"
    )


def save(rows: list[Row], method: str, notes: list[str]) -> str:
    """The measurements as JSON, to render the report again without measuring again."""
    return json.dumps(
        {"method": method, "notes": notes, "rows": [asdict(row) for row in rows]}, indent=1
    )


def load(text: str) -> tuple[list[Row], str, list[str]]:
    """What `save` wrote: the rows, how they were measured, and the run's notes."""
    data = json.loads(text)
    rows = [
        Row(
            r["command"],
            r["size"],
            Measure(**r["ours"]),
            {name: Measure(**m) for name, m in r["theirs"].items()},
            r["requests"],
        )
        for r in data["rows"]
    ]
    return rows, data["method"], data["notes"]


def _verdict(text: str, measured: list[str], missed: list[str]) -> str:
    if not measured:
        return f"- not measured: {text}"
    if missed:
        return f"- **MISSED**: {text}: " + "; ".join(missed)
    return f"- met: {text} (" + "; ".join(measured) + ")"


def targets(rows: list[Row]) -> list[str]:
    """One line per target of the issue: met, missed (with the figures) or not measured."""
    lines = []
    for text, commands, size, limit in TIME_TARGETS:
        chosen = [r for r in rows if r.command in commands and size in (None, r.size)]
        measured = [f"{r.command} at {r.size:,}: {r.ours.median:.3f} s" for r in chosen]
        missed = [m for m, r in zip(measured, chosen, strict=True) if r.ours.median >= limit]
        lines.append(_verdict(text, measured, missed))
    batches = [r for r in rows if r.command == "add-500"]
    measured = [f"{r.size:,} notes: {requests_cell(r.requests)} requests" for r in batches]
    missed = [m for m, r in zip(measured, batches, strict=True) if set(r.requests or [0]) != {5}]
    lines.append(_verdict(f"a batch of {BATCH} papers in exactly 5 requests", measured, missed))
    large = [r for r in rows if r.size == 100_000]
    heaviest = max(large, key=lambda r: r.ours.peak_mb, default=None)
    measured = [f"largest {heaviest.ours.peak_mb:.0f} MB, {heaviest.command}"] if heaviest else []
    missed = [
        f"{r.command} {r.ours.peak_mb:.0f} MB" for r in large if r.ours.peak_mb >= MEMORY_LIMIT_MB
    ]
    lines.append(_verdict("nothing above 500 MB at 100,000 notes", measured, missed))
    shared = [(r, name, m) for r in rows for name, m in r.theirs.items()]
    measured = [f"{len(shared)} comparisons"] if shared else []
    missed = [
        f"{name} faster at {COMMANDS[r.command]}, {r.size:,} notes: "
        f"{m.median:.3f} s vs ours {r.ours.median:.3f} s"
        for r, name, m in shared
        if m.median <= r.ours.median
    ]
    lines.append(_verdict("faster than papis and pubs on every shared command", measured, missed))
    ahead = [(r, n, m) for r, n, m in shared if r.command in LEAD_ROWS and r.size >= 10_000]
    measured = [f"{len(ahead)} comparisons"] if ahead else []
    missed = [
        f"{name} at {COMMANDS[r.command]}, {r.size:,} notes: only {m.median / r.ours.median:.1f}×"
        for r, name, m in ahead
        if m.median < LEAD * r.ours.median
    ]
    lines.append(
        _verdict(
            f"search and list {LEAD:g}× ahead of papis and pubs at 10,000 and 100,000 notes",
            measured,
            missed,
        )
    )
    failed = [f"{r.command} at {r.size:,} (exit {r.ours.code})" for r in rows if r.ours.code]
    lines.append(_verdict("every papernotes command exits 0", [f"{len(rows)} rows"], failed))
    return lines


def machine() -> str:
    """The CPU, cores, memory and system, in one line."""
    model, memory = platform.processor() or platform.machine(), ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            names = [
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            ]
        model = names[0] if names else model
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kilobytes = int(handle.readline().split()[1])
        memory = f", {kilobytes / 2**20:.1f} GB memory"
    except (OSError, IndexError, ValueError):
        pass
    return (
        f"{os.cpu_count()} cores ({model}){memory}, "
        f"{platform.system()} {platform.release()} {platform.machine()}"
    )


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions(theirs: dict[str, str]) -> str:
    """The versions of papernotes, Python, the libraries it leans on, and the other tools."""
    try:
        import yaml

        libyaml = "with libyaml" if yaml.__with_libyaml__ else "without libyaml"
    except ImportError:
        libyaml = ""
    ours = [
        f"papernotes {_version('papernotes')}",
        f"Python {platform.python_version()}",
        f"typer {_version('typer')}",
        f"PyYAML {_version('PyYAML')} {libyaml}".rstrip(),
        f"orjson {_version('orjson')}",
        f"tinydb {_version('tinydb')}",
        f"SQLite {__import__('sqlite3').sqlite_version}",
    ]
    return ", ".join(ours + [f"{name} {v}" for name, v in theirs.items()])


def document(
    rows: list[Row], *, method: str, notes: list[str], before: list[Row] | None = None
) -> str:
    """The whole report, in Markdown: what RESULTS.md holds and `bench.py` prints."""
    parts = [
        "# Benchmark results",
        method,
        "## Every command",
        (
            "`before`: papernotes before the rebuild of its core (issue 11), from "
            "`results-before.json`.\n\n"
            if before
            else ""
        )
        + table(rows, before),
        EQUIVALENTS.rstrip(),
        "## How cost grows",
        "papernotes only. First the cost model the two largest sizes give (a fixed "
        "start-up plus a cost per note), then the growth between each pair of sizes:\n\n"
        + "\n".join(growth(rows)),
        "## Targets",
        "Medians on this machine, against the targets of the issue:\n\n" + "\n".join(targets(rows)),
    ]
    if notes:
        parts += ["## Notes from this run", "\n".join(f"- {n}" for n in notes)]
    return "\n\n".join(parts) + "\n"
