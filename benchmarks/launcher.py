"""A small process that starts each measured command and reports its time and peak memory.

Linux counts into a process's peak memory the pages of the process it was forked from, up
to its exec: a command started by the benchmark itself (tens of MB, more at 100,000 notes)
would report at least that much. Started from this small process, its peak is its own.

Reads one JSON request a line on standard input ({"argv", "cwd", "env"}) and answers each
with one JSON line ({"seconds", "peak_kb", "code"}).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def run(argv: list[str], cwd: str, env: dict[str, str]) -> dict[str, float | int]:
    """Run one command with no input and its output discarded; wall time, peak, exit code."""
    devnull = os.open(os.devnull, os.O_RDWR)
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.chdir(cwd)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    os.close(devnull)
    return {
        "seconds": seconds,
        "peak_kb": usage.ru_maxrss,
        "code": os.waitstatus_to_exitcode(status),
    }


def main() -> None:
    # Ctrl-C stops the command being measured, not this process: the benchmark still
    # needs it to run the commands that put the collection back as it was.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for line in sys.stdin:
        print(json.dumps(run(**json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
