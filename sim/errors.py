"""The one error a person sees for bad input: a file, and what is wrong at which key."""

from __future__ import annotations

import signal
from pathlib import Path


class Stopped(BaseException):
    """A command was asked to stop by a signal (SIGTERM, or SIGINT while a pool of workers runs)."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


class ScenarioError(Exception):
    """Bad input: names the file, each key path, and what was expected there."""

    def __init__(self, file: str | Path | None, problems: list[tuple[str, str]]):
        self.file = str(file) if file is not None else None
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "input"
        if len(self.problems) == 1:
            key, message = self.problems[0]
            return f"{where}: {key + ': ' if key else ''}{message}"
        lines = [f"{where}: {len(self.problems)} problems"]
        lines += [f"  - {key + ': ' if key else ''}{message}" for key, message in self.problems]
        return "\n".join(lines)
