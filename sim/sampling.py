"""Drawing a scenario's uncertain parameters: one array per dotted key path."""

from __future__ import annotations

import numpy as np

from sim.scenario import Scenario

Draws = dict[str, np.ndarray]


def sample(scenario: Scenario, runs: int, rng: np.random.Generator) -> Draws:
    """Draw every number of the scenario ``runs`` times (constants are repeated), in file order."""
    return {path: quantity.sample(rng, runs) for path, quantity in scenario.quantities()}


def central(scenario: Scenario) -> Draws:
    """One run at every number's central value (constants, means of distributions)."""
    return {path: np.array([quantity.central()]) for path, quantity in scenario.quantities()}
