"""The backtests ``sim backtest NAME`` runs: the models scored against real data with known outcomes.

A backtest is a :class:`Backtest`: a line saying what it scores (the command's help) and the function that
reads its data and returns the text the command prints (imported only when it runs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sim.registry import Registry, resolve

Report = Callable[[Path | None, int], str]
"""A backtest's report: from its data path (None: its default) and how many of the best items to list, the text."""


@dataclass(frozen=True)
class Backtest:
    """What a backtest scores, and its report (a :data:`Report` or a ``"module:function"`` reference to one)."""

    about: str
    report: Report | str

    def run(self, data: Path | None = None, top: int = 5) -> str:
        """The backtest's report on ``data`` (None: its default data)."""
        return resolve(self.report)(data, top)


BACKTESTS: Registry[Backtest] = Registry(
    "backtest",
    {
        "deu": Backtest("Decision-making in the EU (DEU II + III)", "sim.backtests.reports:deu_report"),
        "ktab": Backtest("KTAB's China SOE inputs", "sim.backtests.reports:ktab_report"),
        "csis": Backtest("CSIS's Ukraine peace items", "sim.backtests.reports:csis_report"),
    },
)
"""Backtests by the name ``sim backtest`` takes."""
