"""The seed tree. Every stream is keyed by the run's seed and the chunk's index (so results never depend
on the number of processes), and parameter streams also by the parameter's key path (so two scenarios
that share a parameter draw it identically: common random numbers)."""

from __future__ import annotations

import hashlib

import numpy as np

_PARAMETERS, _DESIGN, _DYNAMICS = 0, 1, 2


def _key(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def parameter_generator(seed: int, chunk: int, path: str) -> np.random.Generator:
    """The stream of one parameter in one chunk (Monte Carlo design)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk, _PARAMETERS, _key(path))))


def design_generator(seed: int, chunk: int) -> np.random.Generator:
    """The stream of a joint design (Latin hypercube, Sobol) in one chunk."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk, _DESIGN)))


def dynamics_generator(seed: int, chunk: int) -> np.random.Generator:
    """The stream of the model's own randomness (battles, breakdowns, shocks) in one chunk."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk, _DYNAMICS)))
