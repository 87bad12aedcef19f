"""Utility of a package: salience-weighted closeness to an actor's positions."""

from __future__ import annotations

import numpy as np


def package_utility(position: np.ndarray, weight: np.ndarray, package: np.ndarray, linear: bool) -> np.ndarray:
    """``1 - sum_j weight_j * loss(package_j - position_j)`` per run; loss is squared, or absolute if ``linear``.

    ``position`` and ``weight`` are ``[..., issues, runs]`` (e.g. one actor, or ``[actors, issues, runs]``);
    ``package`` is ``[issues, runs]``.
    """
    gap = package - position
    loss = np.abs(gap) if linear else gap * gap
    return 1.0 - (weight * loss).sum(axis=-2)
