"""What every command shares before it runs, kept light so that parsing costs nothing: the exit status of bad
input, the ranges of numeric flags, and a clean stop on SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sim.errors import Stopped

BAD_INPUT = 2
MAX_RUNS = 10**9
"""The most runs one command may ask for (a million-run chunk list stays small; 10^12 runs would not end)."""
JOBS_PER_CORE = 4
_FLAG_RANGES = {  # flag: (lowest, highest or None for no upper limit)
    "runs": (1, MAX_RUNS),
    "max_runs": (1, MAX_RUNS),
    "seed": (0, None),
    "base_runs": (1, 10**7),
    "tornado_runs": (1, 10**7),
    "top": (1, None),
    "depth": (1, 32),
    "history_runs": (0, 100_000),
}


def flag_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with a number given on the command line (out of range, too many jobs), or None."""
    for name, (lowest, highest) in _FLAG_RANGES.items():
        value = getattr(args, name, None)
        if value is not None and (value < lowest or (highest is not None and value > highest)):
            span = f"between {lowest:,} and {highest:,}" if highest is not None else f"at least {lowest:,}"
            return f"--{name.replace('_', '-')}: must be {span} (got {value:,})"
    most_jobs = JOBS_PER_CORE * (os.cpu_count() or 1)
    if not 1 <= getattr(args, "jobs", 1) <= most_jobs:
        return (
            f"--jobs: must be between 1 and {most_jobs} ({JOBS_PER_CORE} per core of this machine; got {args.jobs:,})"
        )
    return None


def _stop(signum: int, _frame: Any) -> None:
    raise Stopped(signum)


@contextmanager
def stopping_cleanly() -> Iterator[None]:
    """Turn SIGTERM into :class:`Stopped` while a command runs, so that pools and files are closed on the way out."""
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
