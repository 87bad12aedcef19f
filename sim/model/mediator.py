"""The mediator's proposals: the compromise first, then the accepted package nearest to it.

The mediator knows what each veto holder would accept (its red lines, and what it can get without a
deal): the shuttle diplomacy that teaches it this is not modelled round by round. Its first proposal
is the compromise model's forecast (capability x salience weighted mean of all positions). From the
next round on it proposes, when a zone of agreement exists, the accepted package nearest to the
compromise along the line from the zone search's package (the one that leaves the least satisfied veto
holder best off) to the compromise; when none exists, the zone search's package, which some veto
holder rejects. So a mediated deal comes at most one round after a zone opens (docs/model.md, 8).
"""

from __future__ import annotations

import numpy as np

from sim.model.acceptance import Acceptance, Zone, farthest_acceptable
from sim.model.inputs import ModelInputs
from sim.model.offer import Offer, Talks

SCAN_POINTS = 4
HALVINGS = 10


class MediatorProtocol:
    """The mediator's rule, for every run of the ensemble."""

    def __init__(self, inputs: ModelInputs):
        self.inputs = inputs

    def propose(self, talks: Talks, rules: Acceptance, zone: Zone, runs: np.ndarray) -> Offer:
        """This round's package in the talking ``runs``, ``[issues, n]`` on normalised scales."""
        compromise = talks.compromise[:, runs]
        if talks.round == 0:
            return Offer(compromise, np.ones(runs.size, bool))
        package = zone.package.copy()
        found = np.flatnonzero(zone.found)
        package[:, found] = compromise[:, found]
        if not found.size:
            return Offer(package, np.ones(runs.size, bool))
        found_rules = rules.searched.at(found)
        rejected = ~found_rules.accepted(compromise[:, found])
        if rejected.any():
            found = found[rejected]
            package[:, found] = farthest_acceptable(
                found_rules.at(rejected), zone.package[:, found], compromise[:, found], SCAN_POINTS, HALVINGS
            )
        return Offer(package, np.ones(runs.size, bool))
