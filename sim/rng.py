"""The seed tree: one child stream per chunk of runs, so results never depend on the process count."""

from __future__ import annotations

import numpy as np


def chunk_generators(seed: int, chunk: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Two independent generators for chunk ``chunk`` of a run seeded by ``seed``: parameters, dynamics."""
    parameters, dynamics = np.random.SeedSequence(seed, spawn_key=(chunk,)).spawn(2)
    return np.random.default_rng(parameters), np.random.default_rng(dynamics)
