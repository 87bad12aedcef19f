"""How runs are set up, in one place: the runs and seed of a run (the scenario's unless given), where chunks
run, how uncertain numbers are sampled, and the defaults the library and the command line share.

Light on purpose (no numpy, pandas or Mesa), so that the command line's choices and defaults cost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

BACKENDS = ("processes", "dask")
"""Where chunks run: local processes, or a Dask cluster."""
DESIGNS = ("monte_carlo", "latin_hypercube", "sobol")
"""How uncertain parameters are sampled (``monte_carlo.design``)."""
DEFAULT_MEMORY_GB = 1.0
"""What one process may use, by default: chunks of a large scenario are made smaller to fit."""
DEFAULT_BASE_RUNS = 1024
"""Saltelli base runs N of a sensitivity analysis: N x (parameters + 2) runs."""
DEFAULT_TORNADO_RUNS = 1000
"""Runs per point of the one-at-a-time (tornado) design."""
DEFAULT_MAX_RUNS = 10_000_000
"""The most runs ``--until-ci`` may add up to, unless told otherwise."""


def run_settings(scenario: Scenario, runs: int | None = None, seed: int | None = None) -> tuple[int, int]:
    """The runs and seed of a run: those given, else the scenario's ``monte_carlo.runs`` and ``monte_carlo.seed``."""
    return (
        scenario.monte_carlo.runs if runs is None else runs,
        scenario.monte_carlo.seed if seed is None else seed,
    )
