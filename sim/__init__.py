"""Scenario simulation of negotiations: scenario -> sample -> run -> analyse -> plot.

The public entry points for scripts and notebooks::

    from sim import load_scenario, run_monte_carlo, run_to_folder, read_results

and, in a notebook, ``sim.explore(scenario)`` (the explorer; needs the ``explore`` extra).
"""

from sim.errors import ScenarioError
from sim.explorer import explore
from sim.results import read_results, run_to_folder
from sim.runner import run_monte_carlo
from sim.scenario import Scenario, load_scenario

__all__ = ["Scenario", "ScenarioError", "explore", "load_scenario", "read_results", "run_monte_carlo", "run_to_folder"]
