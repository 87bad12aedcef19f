"""Alternating offers while fighting (Rubinstein 1982; Stahl 1972; Binmore, Shaked & Sutton 1989).

The veto holders propose in turn. A proposer offers the package it likes best among those that give
every other veto holder what it would get by rejecting: the larger of its outside option and its
discounted value of the next round's offer. It finds those values by solving the next ``lookahead``
rounds of offers backwards from the outside options. Beliefs about the war may differ but are common
knowledge (the actors agree to disagree, as in Smith & Stam 2004): each outside option is valued with
its holder's own belief, so mutual optimism empties the bargaining range until fighting brings the
beliefs together.

The proposer's best offer is searched over the whole set the others accept, inside every red line
(docs/model.md, 8b): from a package they all accept, it slides toward its own ideal as far as they accept
(a scan, then a bracketing search), then polishes by pattern search. Where no zone of agreement exists this round,
nobody accepts anything, so no offer is made.
"""

from __future__ import annotations

import numpy as np

from sim.model.acceptance import (
    TOLERANCE,
    Acceptance,
    Zone,
    farthest_acceptable,
    pattern_search,
    proposer_value,
    search_zone,
)
from sim.model.inputs import ModelInputs
from sim.model.offer import Offer, Talks
from sim.model.searches import NO_FLOOR

SCAN_POINTS = 8
HALVINGS = 27
"""The proposer's slide toward its ideal: a scan of this many shares, then the boundary to the precision of this many
bisections (about 1e-9 of the segment)."""
POLISH_PASSES = 10
POLISH_PATIENCE = 2
"""Its polish: at most this many passes, stopping a run after two in a row gain nothing (from the farthest package
on the segment, most runs gain nothing in any pass; on the article this keeps 97.6% of what ten passes gain, a mean
2e-5 of the proposer's utility)."""


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

    def propose(self, talks: Talks, rules: Acceptance, zone: Zone, runs: np.ndarray) -> Offer:
        """The current proposer's offer in the talking ``runs``, from the next rounds solved backwards."""
        veto = talks.veto
        proposer = self.proposer_at(talks.round)
        package = zone.package.copy()
        offered = np.zeros(runs.size, bool)
        open_ = np.flatnonzero(zone.found)
        if not open_.size:
            return Offer(package, offered, proposer)
        sub = rules.take(open_)
        discount = self.discount[veto][:, runs[open_]]
        outside = sub.threshold
        value, offer = outside, None
        steps = min(self.lookahead, self.horizon - talks.round)
        for remaining in range(steps, 0, -1):
            offerer = veto.index(self.proposer_at(talks.round + remaining - 1))
            fallback = np.maximum(outside, discount * value)
            starts = [zone.package[:, open_]] + ([] if offer is None else [offer])
            offer, makes, values = best_offer(sub.with_threshold(fallback), offerer, zone.log_weight[:, open_], starts)
            value = np.where(makes, values, fallback)
        package[:, open_], offered[open_] = offer, makes
        return Offer(package, offered, proposer)


def best_offer(rules: Acceptance, proposer: int, log_weight: np.ndarray, starts: list[np.ndarray]):
    """The package ``proposer`` (a row of ``rules``) likes best among those every other veto holder accepts at its
    threshold, whether it clears the proposer's own threshold, and every veto holder's value of it, per run.

    The search starts from a package all accept: the best for the proposer of ``starts`` (e.g. this round's zone
    package and the next round's offer) where all accept one, else the zone search's on these thresholds. It slides
    from there toward the proposer's ideal as far as the others accept, then polishes by pattern search."""
    others = rules.with_threshold(without_floor(rules.threshold, proposer))
    start, score = starts[0], np.full(rules.threshold.shape[1], -np.inf)
    for candidate in starts:
        candidate_score = proposer_value(rules.searched, candidate, proposer)
        start, score = np.where(candidate_score > score, candidate, start), np.maximum(candidate_score, score)
    unstarted = np.flatnonzero(~np.isfinite(score))
    if unstarted.size:
        start[:, unstarted] = search_zone(rules.take(unstarted), log_weight[:, unstarted]).package
    ideal = rules.clip(rules.position[proposer])
    package = farthest_acceptable(others.searched, start, ideal, SCAN_POINTS, HALVINGS)
    score = proposer_value(others.searched, package, proposer)
    package, score = pattern_search(
        others.searched, package, score, POLISH_PASSES, proposer=proposer, patience=POLISH_PATIENCE
    )
    values, margins, _ = rules.searched.evaluated(package)
    makes = np.isfinite(score) & (margins[proposer] >= -TOLERANCE)
    return package, makes, values


def without_floor(threshold: np.ndarray, proposer: int) -> np.ndarray:
    """The thresholds with the proposer's own lifted: what the others must get."""
    return np.where(np.arange(len(threshold))[:, None] == proposer, NO_FLOOR, threshold)
