"""Drawing a scenario's uncertain parameters: one array per dotted key path.

Every number is drawn through its inverse distribution function from points in the unit cube, laid
out by a design: independent Monte Carlo draws, a Latin hypercube, or a scrambled Sobol sequence
(scipy.stats.qmc). Each chunk of runs is its own design, seeded by the run's seed and its index.
"""

from __future__ import annotations

import warnings

import numpy as np

from sim.sampling.rng import design_generator, parameter_generator
from sim.scenario.schema import Scenario

Draws = dict[str, np.ndarray]


def unit_design(scenario: Scenario, runs: int, seed: int, chunk: int = 0, design: str = "monte_carlo") -> np.ndarray:
    """Points ``[runs, uncertain parameters]`` in the unit cube, in the order of ``uncertain_parameters()``."""
    paths = scenario.uncertain_parameters()
    if design == "monte_carlo" or not paths:
        columns = [parameter_generator(seed, chunk, path).random(runs) for path in paths]
        return np.column_stack(columns) if columns else np.empty((runs, 0))
    from scipy.stats import qmc  # slow to import, and needed only here (a worker running Monte Carlo never is)

    rng = design_generator(seed, chunk)
    if design == "latin_hypercube":
        return qmc.LatinHypercube(d=len(paths), rng=rng).random(runs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Sobol balance needs a power of two; any count is usable
        return qmc.Sobol(d=len(paths), scramble=True, rng=rng).random(runs)


def draws_from_unit(scenario: Scenario, unit: np.ndarray) -> Draws:
    """Every number of the scenario for each row of ``unit`` (uncertain ones by their inverse distribution)."""
    columns = dict(zip(scenario.uncertain_parameters(), unit.T, strict=True))
    runs = unit.shape[0]
    return {
        path: quantity.ppf(columns[path]) if path in columns else np.full(runs, quantity.central())
        for path, quantity in scenario.quantities()
    }


def sample(scenario: Scenario, runs: int, seed: int, chunk: int = 0, design: str = "monte_carlo") -> Draws:
    """Draw every number of the scenario ``runs`` times (constants are repeated)."""
    return draws_from_unit(scenario, unit_design(scenario, runs, seed, chunk, design))


def central(scenario: Scenario) -> Draws:
    """One run at every number's central value (constants, means of distributions)."""
    return {path: np.array([quantity.central()]) for path, quantity in scenario.quantities()}


def saltelli_design(dimensions: int, base_runs: int, seed: int) -> np.ndarray:
    """Saltelli's design for first-order and total Sobol indices (SALib): ``base_runs * (dimensions + 2)`` points."""
    from SALib.sample import sobol as saltelli

    problem = {
        "num_vars": dimensions,
        "names": [f"x{k}" for k in range(dimensions)],
        "bounds": [[0.0, 1.0]] * dimensions,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib asks for a power of two; any count is usable
        return saltelli.sample(problem, base_runs, calc_second_order=False, scramble=True, seed=seed)


def one_at_a_time_design(dimensions: int, low: float = 0.05, high: float = 0.95) -> np.ndarray:
    """The centre of the cube, then each parameter alone at its ``low`` and at its ``high`` quantile:
    ``2 * dimensions + 1`` points (rows: centre, p0 low, p0 high, p1 low, ...)."""
    points = np.full((2 * dimensions + 1, dimensions), 0.5)
    for k in range(dimensions):
        points[1 + 2 * k, k] = low
        points[2 + 2 * k, k] = high
    return points
