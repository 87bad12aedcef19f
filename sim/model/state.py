"""The state of every run between rounds, and the rules that read it with the model's inputs.

The model owns one :class:`NegotiationState` and passes it down: the agents, the red lines and the reneging rule read
it, only the model's round changes it. The scenario's numbers live in :class:`~sim.model.inputs.ModelInputs`, the
one owner of its arrays: an event changes them in place (:func:`~sim.model.inputs.refresh_inputs`), so whatever
holds the inputs reads the new numbers from that round on, and nothing keeps a copy or a view of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.arrays import rows_at
from sim.model.inputs import ModelInputs

NO_ROUND = -1
"""The round of something that has not happened (yet)."""
NOBODY = -1
"""The actor where there is none: nobody reneged, a mediator (not a party) proposed."""

_EDGE = 1e-9


@dataclass
class NegotiationState:
    """What changes from round to round and the rules read, per run (runs on the last axis)."""

    round: int  # the round in play, 0 the first
    front: np.ndarray  # [G, R] share of each region held by the front's side
    front_share: np.ndarray  # [R] share of all regions, weighted (:func:`aggregate` of ``front``)
    absorbed: np.ndarray  # [G, R] regions held wholly by one side, where the fighting no longer moves the front
    shift: np.ndarray  # [R] the shift in power so far (sim.model.power_shift)
    ceasefire: np.ndarray  # [R] an interim ceasefire holds

    @classmethod
    def start(cls, inputs: ModelInputs) -> NegotiationState:
        """The state before the first round: the front where the scenario puts it, no shift, no ceasefire."""
        front = inputs.front_initial.copy()
        return cls(
            round=0,
            front=front,
            front_share=aggregate(inputs, front),
            absorbed=at_edge(front),
            shift=np.zeros(inputs.runs),
            ceasefire=np.zeros(inputs.runs, bool),
        )


def at_edge(front: np.ndarray) -> np.ndarray:
    """Which regions of ``front`` are held wholly by one side (to within rounding)."""
    return (front <= _EDGE) | (front >= 1.0 - _EDGE)


def aggregate(inputs: ModelInputs, front: np.ndarray) -> np.ndarray:
    """Weighted share of all regions held by the front's side, per run."""
    return (inputs.front_weight * front).sum(axis=0)


def no_deal_package(inputs: ModelInputs, front_share: np.ndarray) -> np.ndarray:
    """The issues' no-deal values, with the front-following issues at ``front_share``."""
    return np.where(inputs.follows_front[:, None], front_share, inputs.no_deal)


def ceasefire_package(inputs: ModelInputs, state: NegotiationState) -> np.ndarray:
    """The interim ceasefire: the front frozen where it is, the ceasefire issue at its ceasefire value."""
    package = no_deal_package(inputs, state.front_share)
    if inputs.ceasefire_issue is not None:
        package[inputs.ceasefire_issue] = inputs.ceasefire_value
    return package


def red_lines(
    inputs: ModelInputs, state: NegotiationState, veto: list[int], runs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The red lines of the actors ``veto`` in ``runs`` as they stand this round (those relative to the front moved
    by its share): lower and upper bounds ``[veto, issues, runs]``."""
    lower, upper = rows_at(inputs.red_min, veto, runs), rows_at(inputs.red_max, veto, runs)
    relative = inputs.red_relative[veto]
    if relative.any():
        shift = state.front_share[runs]
        lower[relative] += shift
        upper[relative] += shift
    return lower, upper
