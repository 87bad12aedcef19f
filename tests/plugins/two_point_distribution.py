"""A distribution added in one module: ``{dist: two_point, low: a, high: b}`` is ``a`` or ``b``, each half the time."""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.registry.distributions import DISTRIBUTIONS
from sim.scenario.quantities import Finite, QuantityBase


@DISTRIBUTIONS.register("two_point")
class TwoPoint(QuantityBase):
    """``low`` or ``high`` with equal chances."""

    dist: Literal["two_point"]
    low: Finite
    high: Finite

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.where(np.asarray(u) < 0.5, self.low, self.high)

    def central(self) -> float:
        return (self.low + self.high) / 2
