"""Whole-process timing for benchmarks: wall time and peak memory of a command, over runs.

Commands are started by a small helper process (launcher.py), so their peak memory is their
own. They run without PYTHONDONTWRITEBYTECODE, as users' do: this machine sets it, and
without .pyc files every Python start is slower.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parent / "launcher.py"


@dataclass
class Measure:
    """The times of several runs of one command, its largest peak memory, a failing exit code."""

    seconds: list[float]
    peak_mb: float
    code: int

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def spread(self) -> float:
        """Interquartile range in seconds (max - min under four runs)."""
        if len(self.seconds) < 4:
            return max(self.seconds) - min(self.seconds)
        quartiles = statistics.quantiles(self.seconds, n=4)
        return quartiles[2] - quartiles[0]


@functools.cache
def _launcher() -> subprocess.Popen[str]:
    """The helper process, started on first use and stopped when the benchmark ends."""
    helper = subprocess.Popen(
        [sys.executable, "-S", str(LAUNCHER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def stop() -> None:
        assert helper.stdin is not None
        helper.stdin.close()
        helper.wait()

    atexit.register(stop)
    return helper


def run_once(
    argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None
) -> tuple[float, float, int]:
    """Seconds, peak resident memory in MB, and exit code of one run."""
    environ = {**os.environ, **(env or {})}
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    helper = _launcher()
    assert helper.stdin is not None and helper.stdout is not None
    request = {"argv": list(argv), "cwd": str(cwd), "env": environ}
    helper.stdin.write(json.dumps(request) + "\n")
    helper.stdin.flush()
    answer = json.loads(helper.stdout.readline())
    return answer["seconds"], answer["peak_kb"] / 1024, answer["code"]


def measure(
    argv: Sequence[str],
    cwd: Path,
    *,
    runs: int = 5,
    warmup: int = 1,
    env: Mapping[str, str] | None = None,
    prepare: Callable[[], None] | None = None,
) -> Measure:
    """Run `argv` `warmup` times untimed, then `runs` times timed.

    `prepare`, if given, is called before every run (warm-ups too) and is not timed.
    """
    for _ in range(warmup):
        if prepare:
            prepare()
        run_once(argv, cwd, env)
    seconds, peaks, failed = [], [], 0
    for _ in range(runs):
        if prepare:
            prepare()
        elapsed, peak, code = run_once(argv, cwd, env)
        seconds.append(elapsed)
        peaks.append(peak)
        failed = failed or code
    return Measure(seconds, max(peaks), failed)
