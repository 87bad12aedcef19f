"""Scenario simulation of negotiations: scenario -> sample -> run -> analyse -> plot.

The public entry points for scripts and notebooks::

    from sim import load_scenario, plan_run, run_monte_carlo, run_to_folder, read_results

and, in a notebook, ``sim.explore(scenario)`` (the explorer; needs the ``explore`` extra).

Each is imported when first used, so that ``import sim`` and loading a scenario stay quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.errors import ScenarioError
    from sim.explorer import explore
    from sim.results import read_results, run_to_folder
    from sim.runner import plan_run, run_monte_carlo
    from sim.scenario import Scenario, load_scenario

_HOMES = {
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.errors",
    "explore": "sim.explorer",
    "load_scenario": "sim.scenario",
    "plan_run": "sim.runner",
    "read_results": "sim.results",
    "run_monte_carlo": "sim.runner",
    "run_to_folder": "sim.results",
}

__all__ = [
    "Scenario",
    "ScenarioError",
    "explore",
    "load_scenario",
    "plan_run",
    "read_results",
    "run_monte_carlo",
    "run_to_folder",
]


def __getattr__(name: str) -> Any:
    """The public entry point ``name``, imported on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
