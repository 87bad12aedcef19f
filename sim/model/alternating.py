"""Alternating offers while fighting (Rubinstein 1982; Stahl 1972; Binmore, Shaked & Sutton 1989).

The veto holders propose in turn. A proposer offers the package it likes best among those that give
every other veto holder what it would get by rejecting: the larger of its outside option and its
discounted value of the next round's offer. It finds those values by solving the next ``lookahead``
rounds of offers backwards from the outside options. Beliefs about the war may differ but are common
knowledge (the actors agree to disagree, as in Smith & Stam 2004): each outside option is valued with
its holder's own belief, so mutual optimism empties the bargaining range until fighting brings the
beliefs together.

The proposer's best offer is searched over the whole set the others accept, inside every red line
(docs/model.md, 8b): along its contract curve clipped to the red lines' box (a scan, then bisection at
the last accepted point), and, when that finds nothing, from the package the zone search finds for
those floors straight toward the proposer's ideal. Where no zone of agreement exists this round,
nobody accepts anything, so no offer is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.acceptance import NO_FLOOR, TOLERANCE, Acceptance, Zone, farthest_acceptable, pattern_search, search_zone
from sim.model.inputs import ModelInputs
from sim.model.offer import Offer

if TYPE_CHECKING:
    from sim.model.negotiation import NegotiationModel

SCAN_POINTS = 8
NARROWING_ROUNDS = 9


class AlternatingProtocol:
    """Who proposes in which round, and how a proposer finds its offer."""

    def __init__(self, inputs: ModelInputs):
        self.proposers = inputs.proposers
        self.lookahead = inputs.lookahead
        self.horizon = inputs.horizon
        self.discount = inputs.discount

    def proposer_at(self, round_: int) -> int:
        """The index of the actor who proposes in round ``round_``."""
        return self.proposers[round_ % len(self.proposers)]

    def propose(self, model: NegotiationModel, rules: Acceptance, zone: Zone, runs: np.ndarray) -> Offer:
        """The current proposer's offer in the talking ``runs``, from the next rounds solved backwards."""
        veto = [agent.index for agent in model.veto_holders]
        proposer = self.proposer_at(model.round)
        package = zone.package.copy()
        offered = np.zeros(runs.size, bool)
        open_ = np.flatnonzero(zone.found)
        if not open_.size:
            return Offer(package, offered, proposer)
        sub = rules.take(open_)
        discount = self.discount[veto][:, runs[open_]]
        outside = sub.threshold
        value, offer = outside, None
        steps = min(self.lookahead, self.horizon - model.round)
        for remaining in range(steps, 0, -1):
            offerer = veto.index(self.proposer_at(model.round + remaining - 1))
            fallback = np.maximum(outside, discount * value)
            offer, makes = best_offer(sub.with_threshold(fallback), offerer, zone.log_weight[:, open_], offer)
            value = np.where(makes, sub.values(offer), fallback)
        package[:, open_], offered[open_] = offer, makes
        return Offer(package, offered, proposer)


def best_offer(rules: Acceptance, proposer: int, log_weight: np.ndarray, previous: np.ndarray | None):
    """The package ``proposer`` (a row of ``rules``) likes best among those every other veto holder accepts at its
    threshold, and whether it clears the proposer's own threshold, per run.

    The search starts from a package all accept (the zone search on these thresholds), slides from it toward the
    proposer's ideal as far as the others accept, and polishes by pattern search; the next round's offer, where
    the others accept it, is a candidate too."""
    others = rules.with_threshold(np.where(np.arange(len(rules.threshold))[:, None] == proposer, NO_FLOOR, rules.threshold))
    start = search_zone(rules, log_weight)
    ideal = rules.clip(rules.position[proposer])
    package = farthest_acceptable(others, start.package, ideal, SCAN_POINTS, NARROWING_ROUNDS)
    if previous is not None:
        better = others.accepted(previous) & (rules.values(previous)[proposer] > rules.values(package)[proposer])
        package = np.where(better, previous, package)

    def proposer_value(tiled: Acceptance, trials: np.ndarray) -> np.ndarray:
        return np.where(tiled.with_threshold(others_threshold(tiled)).accepted(trials), tiled.values(trials)[proposer], -np.inf)

    def others_threshold(tiled: Acceptance) -> np.ndarray:
        return np.where(np.arange(len(tiled.threshold))[:, None] == proposer, NO_FLOOR, tiled.threshold)

    package, _ = pattern_search(rules, package, proposer_value(rules, package), proposer_value)
    makes = others.accepted(package) & (rules.margins(package)[proposer] >= -TOLERANCE)
    return package, makes
