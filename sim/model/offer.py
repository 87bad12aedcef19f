"""What a bargaining protocol puts on the table in a round."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Offer:
    """A package per talking run ``[issues, n]``, whether it is offered in each of those runs, and who offers it
    (an actor's index, or -1 for a mediator who is not a party)."""

    package: np.ndarray
    offered: np.ndarray
    proposer: int = -1
