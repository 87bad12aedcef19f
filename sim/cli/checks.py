"""What every command shares before it runs, kept light so that parsing costs nothing: the exit status of bad
input, the ranges of numeric flags, flags that mean nothing without another, and a clean stop on SIGTERM."""

from __future__ import annotations

import argparse
import math
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sim.errors import Stopped
from sim.experiments.run_settings import DEFAULT_MAX_RUNS

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

_FLOAT_RANGES: dict[str, tuple[str, Callable[[float], bool]]] = {  # flag: (what it must be, whether a value is)
    "memory": ("a positive finite number", lambda gb: gb > 0),
    "until_ci": ("between 0 and 1 (an interval's width)", lambda width: 0 < width < 1),
    "threshold": ("above 0 and at most 1 (the share of a box's runs where the outcome happens)", lambda d: 0 < d <= 1),
    "months_fought": ("a finite number of months, zero or more", lambda months: months >= 0),
}
"""What each decimal number given on the command line must be; any other must be finite."""


def flag_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the flags given on the command line (a number out of range, too many jobs, a flag that
    means nothing without another), or None."""
    return _whole_number_problem(args) or _decimal_problem(args) or _jobs_problem(args) or _unused_flag_problem(args)


def _flag(name: str) -> str:
    return f"--{name.replace('_', '-')}"


def _whole_number_problem(args: argparse.Namespace) -> str | None:
    for name, (lowest, highest) in _FLAG_RANGES.items():
        value = getattr(args, name, None)
        if value is not None and (value < lowest or (highest is not None and value > highest)):
            span = f"between {lowest:,} and {highest:,}" if highest is not None else f"at least {lowest:,}"
            return f"{_flag(name)}: must be {span} (got {value:,})"
    return None


def _decimal_problem(args: argparse.Namespace) -> str | None:
    for name, value in vars(args).items():
        if not isinstance(value, float):
            continue
        expected, within = _FLOAT_RANGES.get(name, ("a finite number", math.isfinite))
        if not (math.isfinite(value) and within(value)):
            return f"{_flag(name)}: must be {expected} (got {value:g})"
    return None


def _jobs_problem(args: argparse.Namespace) -> str | None:
    most_jobs = JOBS_PER_CORE * (os.cpu_count() or 1)
    if not 1 <= getattr(args, "jobs", 1) <= most_jobs:
        return (
            f"--jobs: must be between 1 and {most_jobs} ({JOBS_PER_CORE} per core of this machine; got {args.jobs:,})"
        )
    return None


def _unused_flag_problem(args: argparse.Namespace) -> str | None:
    """A flag given where it would change nothing: ``sim run``'s questions without a log (``sim update`` prints
    them), a most runs without ``--until-ci``, or one below the runs to start from."""
    if args.command != "run":
        return None
    if args.questions and not args.log:
        return "--questions: goes with --log (the questions are forecast into the log)"
    if args.until_ci is None and args.max_runs != DEFAULT_MAX_RUNS:
        return "--max-runs: goes with --until-ci (the most runs it may add up to)"
    if args.until_ci is not None and args.runs is not None and args.max_runs < args.runs:
        return f"--max-runs: must be at least --runs ({args.runs:,}; got {args.max_runs:,})"
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
