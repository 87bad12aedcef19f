"""Scenario simulation of negotiations: scenario -> sample -> run -> analyse -> plot.

The public entry points for scripts and notebooks::

    from sim import load_scenario, plan_run, run_monte_carlo, run_to_folder, read_results

the wings a notebook reads and draws with::

    from sim import analysis, discovery, plots

(``analysis.headline``, ``analysis.compare_models``, ``analysis.tornado`` ...: every summary, comparison and driver
function in one namespace), and, in a notebook, ``sim.explore(scenario)`` (the explorer; needs the ``explore`` extra).

Each is imported when first used, so that ``import sim`` and loading a scenario stay quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.errors import ScenarioError
    from sim.experiments.folder_runs import run_to_folder
    from sim.experiments.results import read_results
    from sim.experiments.runner import plan_run, run_monte_carlo
    from sim.explorer import explore
    from sim.scenario.loading import load_scenario
    from sim.scenario.schema import Scenario

_HOMES = {
    "Scenario": "sim.scenario.schema",
    "ScenarioError": "sim.errors",
    "explore": "sim.explorer",
    "load_scenario": "sim.scenario.loading",
    "plan_run": "sim.experiments.runner",
    "read_results": "sim.experiments.results",
    "run_monte_carlo": "sim.experiments.runner",
    "run_to_folder": "sim.experiments.folder_runs",
}

_MODULES = {"discovery": "sim.analysis.discovery", "plots": "sim.reporting.plots"}

__all__ = [
    "Scenario",
    "ScenarioError",
    "analysis",
    "discovery",
    "explore",
    "load_scenario",
    "plan_run",
    "plots",
    "read_results",
    "run_monte_carlo",
    "run_to_folder",
]


def __getattr__(name: str) -> Any:
    """The public entry point ``name``, imported on first use."""
    if name in _MODULES:
        value = import_module(_MODULES[name])
    elif name in _HOMES:
        value = getattr(import_module(_HOMES[name]), name)
    else:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
