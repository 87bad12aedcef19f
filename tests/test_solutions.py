"""Nash and Kalai-Smorodinsky over packages, against closed forms and brute force."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import write_yaml
from scipy.optimize import brentq

from sim import load_scenario
from sim.model import build_inputs
from sim.model.solutions import kalai_smorodinsky_solution, nash_solution
from sim.model.utility import package_utility
from sim.sampling.draws import sample


def split_inputs(tmp_path, utility: str, runs: int = 1):
    stance = lambda position: {"share": {"position": position, "salience": 1.0}}  # noqa: E731
    raw = {
        "name": "split",
        "issues": {"share": {"low_means": "all to b", "high_means": "all to a", "no_deal": 0.5}},
        "actors": {
            "a": {"veto": True, "capability": 1, "issues": stance(1.0)},
            "b": {"veto": True, "capability": 1, "issues": stance(0.0)},
        },
        "model": {"start_date": "2026-01-01", "utility": utility, "mechanism": {"kind": "none"}},
    }
    scenario = load_scenario(write_yaml(tmp_path / "split.yaml", raw))
    return build_inputs(scenario, sample(scenario, runs, seed=0))


DISAGREEMENTS = [(0.0, 0.0), (0.2, 0.1), (0.5, 0.3), (0.05, 0.6)]


@pytest.mark.parametrize(("d1", "d2"), DISAGREEMENTS)
@pytest.mark.parametrize(("power_a", "power_b"), [(1, 1), (2, 1), (1, 3)])
def test_nash_linear_split(tmp_path, d1, d2, power_a, power_b):
    inputs = split_inputs(tmp_path, "linear")
    package, feasible = nash_solution(inputs, [0, 1], np.array([[d1], [d2]]), np.array([[power_a], [power_b]], float))
    share = power_a / (power_a + power_b)
    assert feasible.all()
    assert package[0, 0] == pytest.approx(d1 + share * (1 - d1 - d2), abs=1e-6)


@pytest.mark.parametrize(("d1", "d2"), DISAGREEMENTS)
def test_kalai_smorodinsky_linear_split(tmp_path, d1, d2):
    inputs = split_inputs(tmp_path, "linear")
    package, feasible = kalai_smorodinsky_solution(inputs, [0, 1], np.array([[d1], [d2]]))
    assert feasible.all() and package[0, 0] == pytest.approx(d1 + (1 - d1 - d2) / 2, abs=1e-6)


@pytest.mark.parametrize(("d1", "d2"), DISAGREEMENTS)
def test_solutions_on_a_curved_frontier(tmp_path, d1, d2):
    # u_a = 1 - (1 - z)^2, u_b = 1 - z^2: a concave frontier where the two solutions differ.
    inputs = split_inputs(tmp_path, "quadratic")
    u_a, u_b = (lambda z: 1 - (1 - z) ** 2), (lambda z: 1 - z**2)
    grid = np.linspace(0, 1, 2_000_001)
    product = np.where((u_a(grid) > d1) & (u_b(grid) > d2), (u_a(grid) - d1) * (u_b(grid) - d2), -1)
    nash, _ = nash_solution(inputs, [0, 1], np.array([[d1], [d2]]))
    assert nash[0, 0] == pytest.approx(grid[product.argmax()], abs=1e-6)
    best_a, best_b = u_a(np.sqrt(1 - d2)), u_b(1 - np.sqrt(1 - d1))
    expected = brentq(
        lambda z: (u_a(z) - d1) / (best_a - d1) - (u_b(z) - d2) / (best_b - d2), 1 - np.sqrt(1 - d1), np.sqrt(1 - d2)
    )
    ks, _ = kalai_smorodinsky_solution(inputs, [0, 1], np.array([[d1], [d2]]))
    assert ks[0, 0] == pytest.approx(expected, abs=1e-6)


def test_nash_beats_every_package_with_three_parties_and_three_issues(tmp_path):
    rng = np.random.default_rng(5)
    issues = {f"i{j}": {"low_means": "low", "high_means": "high", "no_deal": 0.5} for j in range(3)}
    actors = {
        f"p{k}": {
            "veto": True,
            "capability": 1,
            "issues": {
                f"i{j}": {"position": float(rng.uniform()), "salience": float(rng.uniform(0.2, 1))} for j in range(3)
            },
        }
        for k in range(3)
    }
    raw = {
        "name": "three",
        "issues": issues,
        "actors": actors,
        "model": {"start_date": "2026-01-01", "mechanism": {"kind": "none"}},
    }
    scenario = load_scenario(write_yaml(tmp_path / "three.yaml", raw))
    inputs = build_inputs(scenario, sample(scenario, 1, seed=5))
    disagreement = np.full((3, 1), 0.6)
    package, feasible = nash_solution(inputs, [0, 1, 2], disagreement)
    assert feasible.all()

    def utility(z):
        return np.stack([package_utility(inputs.position[a], inputs.salience[a], z, inputs.utility) for a in range(3)])

    best = np.log(utility(package) - disagreement).sum()
    candidates = rng.uniform(size=(3, 200_000))
    gains = utility(candidates) - 0.6
    products = np.where((gains > 0).all(axis=0), np.log(np.maximum(gains, 1e-300)).sum(axis=0), -np.inf)
    assert best >= products.max() - 1e-9
