"""Whole-process timing for benchmarks: wall time and peak memory of a command, over runs."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measure:
    """Medians over several runs of one command."""

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


def run_once(
    argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None
) -> tuple[float, float, int]:
    """Seconds, peak resident memory in MB, and exit code of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def measure(
    argv: Sequence[str],
    cwd: Path,
    *,
    runs: int = 5,
    warmup: int = 1,
    env: Mapping[str, str] | None = None,
) -> Measure:
    """Run `argv` `warmup` times untimed, then `runs` times timed."""
    for _ in range(warmup):
        run_once(argv, cwd, env)
    seconds, peaks, code = [], [], 0
    for _ in range(runs):
        elapsed, peak, code = run_once(argv, cwd, env)
        seconds.append(elapsed)
        peaks.append(peak)
    return Measure(seconds, max(peaks), code)
