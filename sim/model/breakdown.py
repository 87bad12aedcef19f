"""The deal breakdown hazard's shape over a deal's age: a discrete Weibull.

A deal facing a per-round level ``h`` and a shape ``k`` survives its first ``a`` rounds with chance
``(1 - h) ** (a ** k)``: with ``k = 1`` a constant hazard ``h``, with ``k < 1`` one that falls as the deal
ages (as peace agreements' does), with ``k > 1`` one that rises.
"""

from __future__ import annotations

import numpy as np


def age_weight(age: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """How many rounds' worth of the level the round at ``age`` (1 = the first after the deal) carries:
    ``age ** k - (age - 1) ** k`` (exactly 1 when ``k = 1``)."""
    age = np.asarray(age, float)
    return np.where(shape == 1.0, 1.0, age ** shape - np.maximum(age - 1.0, 0.0) ** shape)


def round_hazard(level: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The chance of breaking down in a round of the given weight at this level (the level itself at weight 1)."""
    return np.where(weight == 1.0, level, -np.expm1(weight * np.log1p(-np.minimum(level, 1.0 - 1e-12))))
