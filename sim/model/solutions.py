"""Axiomatic bargaining solutions over packages: Nash (1950) and Kalai & Smorodinsky (1975).

Both are computed for the veto holders against their disagreement values (the value of fighting on,
or a fixed outside option), along the contract curve: issue by issue, positions averaged with utility
weights scaled by ``exp(theta_a)`` per veto holder. With quadratic utility this curve is the Pareto
frontier; with linear utility it is for one issue, and an approximation otherwise. The weights are
found by golden-section search, one veto holder at a time (exact for two).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model.compromise import weighted_position
from sim.model.inputs import ModelInputs
from sim.model.utility import package_utility

SEARCH_STEPS = 60
SWEEPS = 6
THETA_RANGE = 15.0
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def golden_section_max(objective: Callable[[np.ndarray], np.ndarray], low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Per run, the argument in ``[low, high]`` that maximises a unimodal ``objective`` (vectorised)."""
    a, b = low.copy(), high.copy()
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = objective(c), objective(d)
    for _ in range(SEARCH_STEPS):
        left = fc >= fd
        a, b = np.where(left, a, c), np.where(left, d, b)
        c_new, d_new = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
        c, d = np.where(left, c_new, d), np.where(left, c, d_new)
        evaluated = objective(np.where(left, c, d))
        fc, fd = np.where(left, evaluated, fd), np.where(left, fc, evaluated)
    return (a + b) / 2.0


class ContractCurve:
    """Packages of the veto holders' contract curve, and their utilities."""

    def __init__(self, inputs: ModelInputs, members: list[int]):
        self.inputs = inputs
        self.members = members

    def package(self, theta: np.ndarray) -> np.ndarray:
        """The package for log-weights ``theta [members, runs]``."""
        weight = np.zeros_like(self.inputs.salience)
        for k, a in enumerate(self.members):
            weight[a] = self.inputs.salience[a] * np.exp(theta[k])
        return weighted_position(self.inputs.position, weight)

    def utilities(self, theta: np.ndarray) -> np.ndarray:
        """Each member's utility ``[members, runs]`` of the package at ``theta``."""
        package = self.package(theta)
        inputs = self.inputs
        return np.stack(
            [package_utility(inputs.position[a], inputs.salience[a], package, inputs.utility) for a in self.members]
        )


def _penalised(value: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """``value`` where every gain is positive; below any such value, and rising toward feasibility, elsewhere."""
    shortfall = np.maximum(-gains, 0.0).sum(axis=0)
    return np.where((gains > 0).all(axis=0), value, -1e6 - 1e3 * shortfall)


def _coordinate_search(curve: ContractCurve, objective: Callable[[np.ndarray], np.ndarray], runs: int) -> np.ndarray:
    theta = np.zeros((len(curve.members), runs))
    bound = np.full(runs, THETA_RANGE)
    for _ in range(SWEEPS if len(curve.members) > 2 else 1):
        for k in range(1, len(curve.members)):

            def along(x: np.ndarray, k: int = k) -> np.ndarray:
                trial = theta.copy()
                trial[k] = x
                return objective(trial)

            theta[k] = golden_section_max(along, -bound, bound)
    return theta


def nash_solution(inputs: ModelInputs, members: list[int], disagreement: np.ndarray, power: np.ndarray | None = None):
    """The (asymmetric, with ``power``) Nash bargaining solution: the package maximising
    ``sum_a power_a log(u_a - d_a)``; returns ``(package [issues, runs], feasible [runs])``."""
    power = np.ones_like(disagreement) if power is None else power
    curve = ContractCurve(inputs, members)

    def objective(theta: np.ndarray) -> np.ndarray:
        gains = curve.utilities(theta) - disagreement
        return _penalised((power * np.log(np.maximum(gains, 1e-300))).sum(axis=0), gains)

    theta = _coordinate_search(curve, objective, inputs.runs)
    return curve.package(theta), (curve.utilities(theta) - disagreement > -1e-12).all(axis=0)


def kalai_smorodinsky_solution(inputs: ModelInputs, members: list[int], disagreement: np.ndarray):
    """The Kalai-Smorodinsky solution: equal shares of each member's largest feasible gain (its utility at
    its best package that leaves every other member no worse than disagreement); ``(package, feasible)``."""
    curve = ContractCurve(inputs, members)
    best = np.empty_like(disagreement)
    for k in range(len(members)):

        def own(x: np.ndarray, k: int = k) -> np.ndarray:
            theta = np.zeros_like(disagreement)
            theta[k] = x
            utilities = curve.utilities(theta)
            gains = utilities - disagreement
            gains[k] = 1.0
            return _penalised(utilities[k], gains)

        theta = np.zeros_like(disagreement)
        theta[k] = golden_section_max(own, np.full(inputs.runs, -THETA_RANGE), np.full(inputs.runs, THETA_RANGE))
        best[k] = curve.utilities(theta)[k]
    span = np.maximum(best - disagreement, 1e-12)

    def objective(theta: np.ndarray) -> np.ndarray:
        gains = curve.utilities(theta) - disagreement
        return _penalised((gains / span).min(axis=0), gains + 1e-15)

    theta = _coordinate_search(curve, objective, inputs.runs)
    return curve.package(theta), (curve.utilities(theta) - disagreement > -1e-12).all(axis=0)
