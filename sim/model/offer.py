"""What a bargaining protocol reads of the talks in a round, and what it puts on the table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.state import NOBODY


@dataclass(frozen=True)
class Offer:
    """A package per talking run ``[issues, n]``, whether it is offered in each of those runs, and who offers it
    (an actor's index, or :data:`~sim.model.state.NOBODY` for a mediator who is not a party)."""

    package: np.ndarray
    offered: np.ndarray
    proposer: int = NOBODY


@dataclass(frozen=True)
class Talks:
    """What a protocol knows of the talks this round: the round (0 the first), the veto holders' actor indices, and
    the compromise forecast as the inputs now stand, ``[issues, runs]`` over every run."""

    round: int
    veto: list[int]
    compromise: np.ndarray
