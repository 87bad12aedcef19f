"""The deal breakdown hazard fitted to how peace agreements really ended: a Weibull by censored
maximum likelihood, and the scenario numbers it gives (with their uncertainty).

A Weibull with shape k and scale s (months) survives t months with chance exp(-(t / s)^k); k < 1 is a
hazard that falls with time. In the model's terms (``breakdown.base_hazard`` and ``breakdown.shape``, see
``docs/model.md``) a deal survives its first a rounds of m months with chance (1 - h)^(a^k), so
h = 1 - exp(-(m / s)^k) is the chance of breaking down in the first round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

ZERO_DURATION = 1.0 / 60
"""A duration recorded as zero (an agreement that ended the day it was signed) counts as half a day."""
SOURCE = "UCDP Peace Agreement Dataset v22.1 (Pettersson, Hogbladh & Oberg 2019)"


@dataclass(frozen=True)
class WeibullFit:
    """Maximum-likelihood Weibull of censored durations, with the covariance of (log shape, log scale)."""

    shape: float
    scale: float
    covariance: np.ndarray
    n: int
    events: int
    log_likelihood: float

    def interval(self, name: str, level: float = 0.95) -> tuple[float, float]:
        """A Wald interval on the log scale for ``shape`` or ``scale``."""
        index = ("shape", "scale").index(name)
        half = _z(level) * np.sqrt(self.covariance[index, index])
        value = getattr(self, name)
        return value * np.exp(-half), value * np.exp(half)

    def first_round_hazard(self, round_months: float = 1.0, draws: int = 0, seed: int = 0) -> np.ndarray | float:
        """The chance of breaking down in the first round of ``round_months``; with ``draws``, that many
        draws from the fit's approximate (normal, log-scale) sampling distribution instead."""
        if not draws:
            return float(1.0 - np.exp(-((round_months / self.scale) ** self.shape)))
        logs = np.random.default_rng(seed).multivariate_normal(np.log([self.shape, self.scale]), self.covariance, draws)
        shape, scale = np.exp(logs[:, 0]), np.exp(logs[:, 1])
        return 1.0 - np.exp(-((round_months / scale) ** shape))

    def survival(self, months: np.ndarray) -> np.ndarray:
        """The fitted chance that an agreement is still in effect after ``months``."""
        return np.exp(-((np.asarray(months, float) / self.scale) ** self.shape))

    def scenario_numbers(self, round_months: float = 1.0, source: str = SOURCE) -> dict[str, dict]:
        """``breakdown.base_hazard`` and ``breakdown.shape`` as scenario distributions (truncated normals
        matching the fit's 95% intervals), each with a ``fact:`` source naming the data."""
        hazards = np.asarray(self.first_round_hazard(round_months, draws=20_000))
        shape_lo, shape_hi = self.interval("shape")
        fact = f"fact: Weibull fit by censored maximum likelihood to {source}, {self.n} agreements, {self.events} ended"
        return {
            "base_hazard": _truncated_normal(
                float(np.mean(hazards)),
                float(np.std(hazards)),
                0.0,
                1.0,
                f"{fact}; chance of breaking down in the first {round_months:g}-month round",
            ),
            "shape": _truncated_normal(
                self.shape,
                (shape_hi - shape_lo) / (2 * _z(0.95)),
                0.05,
                5.0,
                f"{fact}; Weibull shape (below 1: a hazard that falls with time)",
            ),
        }


def _z(level: float) -> float:
    from scipy import stats

    return float(stats.norm.ppf(0.5 + level / 2))


def _truncated_normal(mean: float, sd: float, low: float, high: float, source: str) -> dict:
    return {
        "dist": "truncated_normal",
        "mean": round(float(mean), 5),
        "sd": round(max(float(sd), 1e-6), 5),
        "low": low,
        "high": high,
        "source": source,
    }


def fit_weibull(durations: np.ndarray, ended: np.ndarray) -> WeibullFit:
    """Fit a Weibull to durations (``ended`` False where a duration was censored, still going at its
    end) by maximum likelihood; durations of zero count as :data:`ZERO_DURATION`. NaN durations are left out."""
    durations = np.asarray(durations, float)
    ended = np.asarray(ended, bool)
    keep = ~np.isnan(durations)
    t, d = np.where(durations[keep] > 0, durations[keep], ZERO_DURATION), ended[keep]
    if d.sum() < 2:
        raise ValueError("a Weibull fit needs at least two durations that ended")

    def negative_log_likelihood(theta: np.ndarray) -> float:
        shape, scale = np.exp(theta)
        z = (t / scale) ** shape
        return -float(np.sum(d * (np.log(shape) - np.log(scale) + (shape - 1) * np.log(t / scale)) - z))

    start = np.array([0.0, np.log(np.mean(t) * len(t) / d.sum())])
    result = optimize.minimize(
        negative_log_likelihood, start, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000}
    )
    covariance = np.linalg.inv(_hessian(negative_log_likelihood, result.x))
    shape, scale = np.exp(result.x)
    return WeibullFit(
        shape=float(shape),
        scale=float(scale),
        covariance=covariance,
        n=int(len(t)),
        events=int(d.sum()),
        log_likelihood=-float(result.fun),
    )


def _hessian(function, x: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central finite-difference Hessian."""
    size = len(x)
    hessian = np.empty((size, size))
    for i in range(size):
        for j in range(size):
            ei, ej = np.eye(size)[i] * step, np.eye(size)[j] * step
            hessian[i, j] = (
                function(x + ei + ej) - function(x + ei - ej) - function(x - ei + ej) + function(x - ei - ej)
            ) / (4 * step * step)
    return hessian
