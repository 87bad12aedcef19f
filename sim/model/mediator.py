"""The mediator's proposals: a weighted compromise that moves toward whoever says no.

The mediator does not see the parties' outside options. Its package is, issue by issue, the mean of
all positions weighted by capability x salience x a weight per actor (all 1 at first, so the first
proposal is the compromise model's forecast). A veto holder that rejects has its weight multiplied by
(1 + step); when the set of rejecters switches, the step halves, so the search settles on the
boundary of what all accept rather than overshooting back and forth.
"""

from __future__ import annotations

import numpy as np

from typing import TYPE_CHECKING

from sim.model.compromise import weighted_position
from sim.model.inputs import ModelInputs
from sim.model.offer import Offer

if TYPE_CHECKING:
    from sim.model.negotiation import NegotiationModel


class MediatorProtocol:
    """State and rules of the mediator's search, for every run of the ensemble."""

    def __init__(self, inputs: ModelInputs):
        self.inputs = inputs
        self.weight = np.ones((len(inputs.actors), inputs.runs))
        self.step = inputs.concession_step.copy()
        self.last_rejecters = np.zeros((len(inputs.actors), inputs.runs), bool)

    def propose(self, model: NegotiationModel, outside: dict[int, np.ndarray]) -> Offer:
        """This round's package, ``[issues, runs]`` on normalised scales, offered in every run."""
        influence = self.inputs.capability * self.inputs.raw_salience
        package = weighted_position(self.inputs.position, influence * self.weight[:, None, :])
        return Offer(package, np.ones(package.shape[1], bool))

    def learn(self, rejecters: np.ndarray, talking: np.ndarray) -> None:
        """Move toward the veto holders that rejected, in the runs still talking."""
        rejected = rejecters & talking
        self.weight *= np.where(rejected, 1.0 + self.step, 1.0)
        switched = (rejected != self.last_rejecters).any(axis=0) & self.last_rejecters.any(axis=0) & rejected.any(axis=0)
        self.step = np.where(switched, self.step / 2.0, self.step)
        self.last_rejecters = np.where(talking, rejected, self.last_rejecters)
