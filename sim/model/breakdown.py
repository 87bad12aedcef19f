"""The chance that a deal breaks down, and how its guarantees lower it (docs/model.md, section 6)."""

from __future__ import annotations

import numpy as np


def protected_hazard(base_hazard: np.ndarray, protection: np.ndarray, package: np.ndarray) -> np.ndarray:
    """Per-round hazard once the guarantees act: ``h0 * prod_j (1 - e_j z_j)``; ``package`` is ``[issues, runs]``."""
    return base_hazard * np.prod(1.0 - protection * package, axis=-2)


def breakdown_probability(
    base_hazard: np.ndarray, protection: np.ndarray, delay: np.ndarray, package: np.ndarray, rounds: np.ndarray
) -> np.ndarray:
    """Chance that a deal with ``package`` breaks down within ``rounds`` rounds, the guarantees acting after ``delay``."""
    unprotected = np.minimum(delay, rounds)
    protected = np.maximum(rounds - delay, 0.0)
    holds = (1.0 - base_hazard) ** unprotected * (1.0 - protected_hazard(base_hazard, protection, package)) ** protected
    return 1.0 - holds
