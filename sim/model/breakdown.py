"""The chance that a deal breaks down, how its guarantees lower it, and how the hazard changes with the
deal's age (docs/model.md, section 6).

A deal facing a per-round level ``h`` and a shape ``k`` survives its first ``a`` rounds with chance
``(1 - h) ** (a ** k)``: with ``k = 1`` a constant hazard ``h``, with ``k < 1`` one that falls as the deal
ages (as peace agreements' does), with ``k > 1`` one that rises (a discrete Weibull).
"""

from __future__ import annotations

import numpy as np

from sim.model.deal_values import breakdown_chances, elementwise, guarded_shares, runs_first, spread


def protected_hazard(base_hazard: np.ndarray, protection: np.ndarray, package: np.ndarray) -> np.ndarray:
    """Per-round level once the guarantees act: ``h0 * prod_j (1 - e_j z_j)``; ``package`` is ``[issues, runs]``."""
    return base_hazard * _guarded(protection, package)


def _guarded(protection: np.ndarray, package: np.ndarray) -> np.ndarray:
    """``prod_j (1 - e_j z_j)`` per run: the share of the hazard the guarantees leave."""
    shape = np.broadcast_shapes(np.shape(protection), np.shape(package))
    return guarded_shares(runs_first(spread(protection, shape)), spread(package, shape), np.arange(shape[-1]))


def breakdown_probability(
    base_hazard: np.ndarray,
    protection: np.ndarray,
    delay: np.ndarray,
    shape: np.ndarray,
    package: np.ndarray,
    rounds: np.ndarray,
) -> np.ndarray:
    """Chance that a deal with ``package`` breaks down within ``rounds`` rounds, the guarantees acting after
    ``delay`` rounds and the hazard shaped by the deal's age (exactly 0 where no hazard acts)."""
    if not np.any(base_hazard):
        return np.zeros(np.broadcast_shapes(*(np.shape(a) for a in (base_hazard, delay, shape, rounds, package[0]))))
    return elementwise(breakdown_chances, base_hazard, _guarded(protection, package), delay, shape, rounds)


def age_weight(age: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """How many rounds' worth of the level the round at ``age`` (1 = the first after the deal) carries:
    ``age ** k - (age - 1) ** k`` (exactly 1 when ``k = 1``)."""
    age = np.asarray(age, float)
    return np.where(shape == 1.0, 1.0, age**shape - np.maximum(age - 1.0, 0.0) ** shape)


def round_hazard(level: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The chance of breaking down in a round of the given weight at this level (the level itself at weight 1)."""
    return np.where(weight == 1.0, level, -np.expm1(weight * np.log1p(-np.minimum(level, 1.0 - 1e-12))))
