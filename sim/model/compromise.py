"""The compromise model (van den Bos 1991; Achen 2006): positions averaged with capability x salience weights."""

from __future__ import annotations

import numpy as np

from sim.model.inputs import ModelInputs


def weighted_position(position: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Per issue and run, the mean of ``position [actors, issues, runs]`` weighted by ``weight`` (same shape).

    Where every weight on an issue is zero, the plain mean of positions.
    """
    total = weight.sum(axis=0)
    weighted = (weight * position).sum(axis=0)
    return np.where(total > 0, weighted / np.where(total > 0, total, 1.0), position.mean(axis=0))


def compromise_forecast(inputs: ModelInputs, runs: np.ndarray | slice = slice(None)) -> np.ndarray:
    """The compromise model's forecast per issue in ``runs`` (default all), on normalised scales ``[issues, runs]``."""
    return weighted_position(inputs.position[..., runs], inputs.capability[..., runs] * inputs.raw_salience[..., runs])
