"""Alternating offers while fighting (Rubinstein 1982; Stahl 1972; Binmore, Shaked & Sutton 1989).

The veto holders propose in turn. A proposer offers the package it likes best among those that give
every other veto holder what it would get by rejecting: the larger of its outside option and its
discounted value of the next round's offer. It finds those values by solving the next ``lookahead``
rounds of offers backwards from the outside options. Beliefs about the war may differ but are common
knowledge (the actors agree to disagree, as in Smith & Stam 2004): each outside option is valued with
its holder's own belief, so mutual optimism empties the bargaining range until fighting brings the
beliefs together. Packages are searched along the proposer's contract curve: issue by issue,
positions averaged with utility weights, ``lambda`` on the proposer and ``1 - lambda`` on the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.compromise import weighted_position
from sim.model.inputs import ModelInputs
from sim.model.offer import Offer

if TYPE_CHECKING:
    from sim.model.agents import ActorAgent
    from sim.model.negotiation import NegotiationModel

BISECTION_STEPS = 30


class AlternatingProtocol:
    """Who proposes in which round, and how a proposer finds its offer."""

    def __init__(self, inputs: ModelInputs):
        self.proposers = inputs.proposers
        self.lookahead = inputs.lookahead
        self.horizon = inputs.horizon

    def proposer_at(self, round_: int) -> int:
        """The index of the actor who proposes in round ``round_``."""
        return self.proposers[round_ % len(self.proposers)]

    def propose(self, model: NegotiationModel, outside: dict[int, np.ndarray]) -> Offer:
        """The current proposer's offer, from the next rounds solved backwards as it sees them."""
        proposer = self.proposer_at(model.round)
        agents = {agent.index: agent for agent in model.veto_holders}
        value = dict(outside)
        steps = min(self.lookahead, self.horizon - model.round)
        for remaining in range(steps, 0, -1):
            offerer = self.proposer_at(model.round + remaining - 1)
            fallback = {i: np.maximum(outside[i], agents[i].discount * value[i]) for i in agents}
            package, feasible = _best_offer(model, agents, offerer, fallback)
            makes = feasible & (agents[offerer].deal_value(package) >= fallback[offerer])
            value = {i: np.where(makes, agents[i].deal_value(package), fallback[i]) for i in agents}
        return Offer(package, makes, proposer)

    def learn(self, rejecters: np.ndarray, talking: np.ndarray) -> None:
        """Offers follow from the state of the war, not from past rejections: nothing to learn."""


def _best_offer(model: NegotiationModel, agents: dict[int, ActorAgent], offerer: int, floor: dict[int, np.ndarray]):
    """The package on ``offerer``'s contract curve closest to its ideal that gives every other veto holder
    at least ``floor`` and crosses no red line; and whether one exists, per run."""
    inputs = model.inputs
    utility_weight = np.zeros_like(inputs.salience)
    for index in agents:
        utility_weight[index] = inputs.salience[index]
    mine = np.zeros(len(inputs.actors), bool)
    mine[offerer] = True

    def package_at(share: np.ndarray) -> np.ndarray:
        scale = np.where(mine[:, None], share, 1.0 - share)[:, None, :]
        return weighted_position(inputs.position, utility_weight * scale)

    def acceptable(package: np.ndarray) -> np.ndarray:
        ok = np.ones(inputs.runs, bool)
        for index, agent in agents.items():
            ok &= agent.within_red_lines(package)
            if index != offerer:
                ok &= agent.deal_value(package) >= floor[index]
        return ok

    low, high = np.zeros(inputs.runs), np.ones(inputs.runs)
    feasible = acceptable(package_at(low))
    at_ideal = acceptable(package_at(high))
    low = np.where(at_ideal, high, low)
    for _ in range(BISECTION_STEPS):
        middle = np.where(at_ideal, high, (low + high) / 2)
        ok = acceptable(package_at(middle))
        low, high = np.where(ok, middle, low), np.where(ok, high, middle)
    return package_at(low), feasible | at_ideal
