"""Proper scores for forecasts of whether and when a deal comes: Brier and log score for "a deal within
k months", CRPS for the months to a deal. Lower is better for all three."""

from __future__ import annotations

import numpy as np

LOG_FLOOR = 1e-3
"""Probabilities are kept within [0.001, 0.999] for the log score, so one confident miss costs at most ~6.9."""


def brier(p: float, happened: bool) -> float:
    """Squared error of a probability."""
    return float((p - float(happened)) ** 2)


def log_score(p: float, happened: bool) -> float:
    """Negative log of the probability given to what happened."""
    p = float(np.clip(p, LOG_FLOOR, 1.0 - LOG_FLOOR))
    return float(-np.log(p if happened else 1.0 - p))


def crps(samples: np.ndarray, observed: float, cap: float) -> float:
    """Continuous ranked probability score of a sample forecast of months (infinite: never) against the
    observed months, both capped at ``cap`` (the horizon): E|X - y| - E|X - X'| / 2."""
    x = np.sort(np.minimum(np.asarray(samples, float), cap))
    y = min(observed, cap)
    n = len(x)
    spread = 2.0 * np.sum((2.0 * np.arange(1, n + 1) - n - 1) * x) / (n * n)
    return float(np.mean(np.abs(x - y)) - spread / 2.0)


def within(samples: np.ndarray, months: float) -> float:
    """The share of a sample of months (infinite: never) at or below ``months``."""
    return float(np.mean(np.asarray(samples, float) <= months))


def constant_forecast(horizon: float, size: int = 2000) -> np.ndarray:
    """The same forecast for every case: months to a deal spread evenly over twice the horizon (an even
    chance of a deal within the horizon), as evenly spaced quantiles."""
    return (np.arange(size) + 0.5) / size * 2.0 * horizon
