"""What the veto holders accept in a round, and the search for a package that all of them accept.

A veto holder accepts a package when it crosses none of its red lines and the package's deal value
clears its threshold (the larger of its outside option and its reservation value). The red lines of
all veto holders leave a box of packages; the **zone of agreement** is the part of that box where
every veto holder's margin (deal value less threshold) is at least zero. :func:`search_zone`
maximises the least margin over the box (docs/model.md, section 7b): multiplicative weights on the
veto holders steer a point along the contract family (the weighted mean of their positions, clipped
to the box, which maximises the weighted sum of quadratic utilities), then a pattern search polishes
near misses. A search may resume from the previous round's weights and package, and then runs a
shorter round (it goes on in the next). Everything is vectorised over runs (the last axis), on the runs
it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.breakdown import breakdown_probability
from sim.model.deal_values import (
    KINDS,
    TOLERANCE,
    Rules,
    floats,
    guarded_breakdowns,
    no_foresight,
    no_groups,
    runs_first,
    timing_terms,
)
from sim.model.reneging import Foresight, RenegingRule
from sim.model.searches import (
    LEAST_MARGIN,
    accepted_by_all,
    contract_points,
    evaluate,
    farthest_accepted,
    scores,
    steer,
)
from sim.model.searches import pattern_search as compiled_pattern_search
from sim.model.utility import UtilityForm, package_utility

if TYPE_CHECKING:
    from sim.model.groups import GroupTerms

ZONE_ITERATIONS = 60
RESUMED_ITERATIONS = 10
"""The steering's iterations in a round: a run's first search, and one resumed from the previous round's package
(whose search goes on next round from where it stops)."""
POLISH_REACH = 1.0
"""The polish stops refining a run whose least margin lies more than this many steps below zero (it would have to
rise by more than the step itself)."""
POLISH_PASSES = 60
RESUMED_PASSES = 16
"""The polish's passes in a round: a run's first search, and one resumed from the previous round's package."""
POLISH_NEAR = 0.03


@dataclass(frozen=True)
class Acceptance:
    """The acceptance rules of the veto holders ``[V]`` over some runs ``[n]`` (issues ``[J]``)."""

    position: np.ndarray  # [V, J, n]
    weight: np.ndarray  # [V, J, n] utility weights
    lower: np.ndarray  # [J, n] the box the hard red lines leave
    upper: np.ndarray  # [J, n]
    red_lower: np.ndarray  # [V, J, n] each veto holder's own red lines
    red_upper: np.ndarray  # [V, J, n]
    audience_cost: np.ndarray  # [n] utility lost by crossing a red line that is not hard
    threshold: np.ndarray  # [V, n]
    loss: np.ndarray  # [V, n] utility lost if the deal breaks down
    horizon: np.ndarray  # [V, n] planning rounds over which a breakdown is weighed
    base_hazard: np.ndarray  # [n]
    protection: np.ndarray  # [J, n]
    delay: np.ndarray  # [n]
    shape: np.ndarray  # [n]
    form: UtilityForm
    hard: bool  # red lines cannot be crossed (else crossing one costs audience_cost)
    groups: GroupTerms | None = None  # members' votes and contributions (sim/model/groups.py)
    reneging: RenegingRule | None = None  # those who may renege, whose decision the veto holders foresee

    def take(self, runs: np.ndarray) -> Acceptance:
        """The same rules on a subset of runs (indices or a mask over the last axis)."""
        runs = np.flatnonzero(runs) if runs.dtype == bool else runs
        rules = ("form", "hard", "groups", "reneging")
        arrays: dict[str, Any] = {
            f.name: np.take(getattr(self, f.name), runs, axis=-1) for f in fields(self) if f.name not in rules
        }
        groups = None if self.groups is None else self.groups.take(runs)
        foresight = self.__dict__.get("_foresight")
        if foresight is not None:
            foresight = foresight.take(runs)
            reneging = foresight.rule
        else:
            reneging = None if self.reneging is None else self.reneging.take(runs)
        taken = replace(self, form=self.form.take(runs), groups=groups, reneging=reneging, **arrays)
        if foresight is not None:
            taken.__dict__["_foresight"] = foresight
        packed, index = self._packing
        taken.__dict__["_packing"] = packed, index[runs]
        return taken

    def with_threshold(self, threshold: np.ndarray) -> Acceptance:
        """The same rules with other thresholds ``[V, n]``."""
        other = replace(self, threshold=threshold)
        for computed in ("_foresight", "_packing"):
            if computed in self.__dict__:
                other.__dict__[computed] = self.__dict__[computed]
        return other

    def values(self, package: np.ndarray) -> np.ndarray:
        """Each veto holder's deal value of ``package [J, n]`` (as its groups deliver it): utility less the expected
        breakdown loss, less the audience cost of a crossed red line that is not hard, ``[V, n]``."""
        return self.searched.values(package)

    def margins(self, package: np.ndarray) -> np.ndarray:
        """Deal value less threshold, ``[V, n]``; a group's members count at least the group's margin."""
        return self.searched.margins(package)

    def accepted(self, package: np.ndarray) -> np.ndarray:
        """True in the runs where every veto holder accepts ``package``, strictly (no tolerance)."""
        return self.searched.accepted(package)

    @cached_property
    def searched(self) -> Searched:
        """These rules as the compiled searches read them, over all their runs."""
        packed, index = self._packing
        return Searched(packed, index, floats(self.lower), floats(self.upper), floats(self.threshold))

    @cached_property
    def _packing(self) -> tuple[Rules, np.ndarray]:
        """These rules as the compiled rules read them (:class:`sim.model.deal_values.Rules`), and where each of this
        object's runs lies in them: packed once, and shared by every subset taken (:meth:`take`)."""
        veto, issues, runs = self.position.shape
        foresight = self._foresight
        base_hazard = floats(self.base_hazard)
        terms = (  # the foresight holds its own (the exogenous hazard's, for those who lose in a breakdown)
            np.zeros((2, runs, 0))
            if foresight is not None
            else timing_terms(base_hazard, floats(self.delay), floats(self.shape), runs_first(self.horizon))
        )
        packed = Rules(
            position=runs_first(self.position),
            weight=runs_first(self.weight),
            kind=KINDS[self.form.kind],
            reference=runs_first(self.form.reference),
            loss_aversion=floats(self.form.loss_aversion),
            hard=bool(self.hard),
            red_lower=runs_first(self.red_lower) if not self.hard else np.zeros((0, veto, issues)),
            red_upper=runs_first(self.red_upper) if not self.hard else np.zeros((0, veto, issues)),
            audience_cost=floats(self.audience_cost),
            loss=runs_first(self.loss),
            base_hazard=base_hazard,
            protection=runs_first(self.protection),
            lasting=terms[0],
            after=terms[1],
            groups=no_groups(veto, runs) if self.groups is None else self.groups.packed,
            foresees=foresight is not None,
            foresight=no_foresight(issues, runs) if foresight is None else foresight.packed,
        )
        return packed, np.arange(runs)

    @cached_property
    def _foresight(self) -> Foresight | None:
        """The renegers' part of the breakdown loss that does not depend on the package, once per set of rules (None
        when nobody may renege)."""
        if self.reneging is None:
            return None
        return self.reneging.foresee(self.loss, self.base_hazard, self.protection, self.delay, self.shape, self.horizon)

    def answers(self, package: np.ndarray, runs: np.ndarray | None = None) -> np.ndarray:
        """Each veto holder's answer to ``package``, ``[V, n]``: yes where it crosses none of its hard red lines and
        its deal value clears its threshold, up to floating-point error (:data:`TOLERANCE`). With ``runs`` (indices),
        in those runs only (``package [J, len(runs)]``)."""
        searched = self.searched if runs is None else self.searched.at(runs)
        clears = searched.margins(package) >= -TOLERANCE
        if not self.hard:
            return clears
        lines = (self.red_lower, self.red_upper)
        red_lower, red_upper = lines if runs is None else (np.take(line, runs, axis=-1) for line in lines)
        inside = (package >= red_lower - TOLERANCE) & (package <= red_upper + TOLERANCE)
        return clears & inside.all(axis=-2)

    def clip(self, package: np.ndarray) -> np.ndarray:
        """``package`` moved into the box issue by issue."""
        return self.searched.clip(package)


@dataclass(frozen=True)
class Searched:
    """What the compiled searches (:mod:`sim.model.searches`) read over some runs of an :class:`Acceptance`: its
    packed rules, where each run lies in them, the box and the thresholds (``[..., n]``). Subsets cost a few small
    arrays, not a copy of the rules."""

    packed: Rules
    index: np.ndarray  # [n]
    lower: np.ndarray  # [J, n]
    upper: np.ndarray  # [J, n]
    threshold: np.ndarray  # [V, n]

    def at(self, columns: np.ndarray) -> Searched:
        """The same over the runs ``columns`` (indices or a mask)."""
        columns = np.flatnonzero(columns) if columns.dtype == bool else columns
        return Searched(
            self.packed, self.index[columns], self.lower[:, columns], self.upper[:, columns], self.threshold[:, columns]
        )

    @property
    def arrays(self) -> tuple[Rules, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The arguments the compiled searches begin with."""
        return self.packed, self.index, self.lower, self.upper, self.threshold

    def evaluated(self, package: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`sim.model.searches.evaluate` on ``package [J, n]``, run by run: values, margins, inside the box."""
        return evaluate(*self.arrays, floats(package), np.arange(package.shape[1]))

    def values(self, package: np.ndarray) -> np.ndarray:
        """Each veto holder's deal value of ``package [J, n]``, ``[V, n]``."""
        return self.evaluated(package)[0]

    def margins(self, package: np.ndarray) -> np.ndarray:
        """Deal value less threshold, ``[V, n]``, voiced."""
        return self.evaluated(package)[1]

    def accepted(self, package: np.ndarray) -> np.ndarray:
        """True in the runs where every veto holder accepts ``package``, strictly (no tolerance): the searches keep to
        packages the veto holders' own checks accept with room to spare."""
        _, margins, inside = self.evaluated(package)
        return accepted_by_all(margins, inside)

    def clip(self, package: np.ndarray) -> np.ndarray:
        """``package`` moved into the box issue by issue."""
        return np.minimum(np.maximum(package, self.lower), np.maximum(self.lower, self.upper))

    def contract_point(self, log_weight: np.ndarray) -> np.ndarray:
        """The mean of positions weighted by ``exp(log_weight) [V, n]`` x utility weights, clipped to the box."""
        columns = np.arange(self.index.size)
        return contract_points(self.packed, self.index, self.lower, self.upper, floats(log_weight), columns)


@dataclass(frozen=True)
class Zone:
    """The search's answer per run: whether a zone exists, the package with the largest least margin found,
    that margin (-inf where the search proved that no zone exists), and the veto holders' search weights (to start
    from in the next round, with the package where the margin is finite)."""

    found: np.ndarray  # [n]
    package: np.ndarray  # [J, n]
    margin: np.ndarray  # [n]
    log_weight: np.ndarray  # [V, n]


def empty_box(rules: Acceptance) -> np.ndarray:
    """True in the runs where the red lines leave no package at all."""
    return np.asarray((rules.lower > rules.upper + TOLERANCE).any(axis=0))


def out_of_reach(rules: Acceptance) -> np.ndarray:
    """True in the runs where some veto holder's threshold lies above its utility at its own ideal within the box,
    which bounds its deal value from above (a proof that no zone exists)."""
    best = package_utility(rules.position, rules.weight, rules.clip(rules.position), rules.form)
    short = best < rules.threshold - TOLERANCE
    return np.asarray((short if rules.groups is None else short & rules.groups.necessary).any(axis=0))


def search_zone(rules: Acceptance, log_weight: np.ndarray, previous: np.ndarray | None = None) -> Zone:
    """Maximise the least margin over the red lines' box, starting from search weights ``[V, n]`` and, where it
    scores higher than their contract point, from a ``previous`` package ``[J, n]`` (e.g. last round's; NaN where
    none)."""
    package = rules.clip(rules.position.mean(axis=0))
    least = np.full(package.shape[1], -np.inf)
    weight = log_weight.copy()
    hopeful = np.flatnonzero(~empty_box(rules) & ~out_of_reach(rules))
    if hopeful.size:
        sub = rules.searched.at(hopeful)
        start = sub.contract_point(weight[:, hopeful])
        margins = sub.margins(start)
        best, best_margin = start, margins.min(axis=0)
        resumed = np.zeros(hopeful.size, bool)
        if previous is not None:
            resumed = np.isfinite(previous[:, hopeful]).all(axis=0)
            candidate = np.where(resumed, sub.clip(np.where(resumed, previous[:, hopeful], start)), start)
            candidate_margin = least_margin(sub, candidate)
            warmer = candidate_margin > best_margin
            best, best_margin = np.where(warmer, candidate, best), np.where(warmer, candidate_margin, best_margin)
        iterations = np.where(resumed, RESUMED_ITERATIONS, ZONE_ITERATIONS)
        best, best_margin, sub_weight, proved = _steer(
            rules, hopeful, weight[:, hopeful], start, margins, best, best_margin, iterations
        )
        passes = np.where(resumed, RESUMED_PASSES, POLISH_PASSES)
        best, best_margin = _polish(sub, best, np.where(proved, -np.inf, best_margin), passes)
        package[:, hopeful], least[hopeful], weight[:, hopeful] = best, best_margin, sub_weight
    return Zone(least >= -TOLERANCE, package, least, weight)


def _steer(
    rules: Acceptance,
    runs: np.ndarray,
    weight: np.ndarray,
    start: np.ndarray,
    margins: np.ndarray,
    best: np.ndarray,
    best_margin: np.ndarray,
    iterations: np.ndarray,
):
    """The compiled steering (:func:`sim.model.searches.steer`) on these rules' ``runs``, with the least breakdown
    loss any package in the box can carry (for its bound), worked out in those runs only."""
    upper, loss = np.clip(rules.upper[:, runs], 0.0, 1.0), rules.loss[:, runs]
    if rules.reneging is None:
        least_loss = loss * guarded_breakdowns(rules.searched.packed, floats(upper), rules.searched.index[runs])
    else:
        lower, horizon = np.clip(rules.lower[:, runs], 0.0, 1.0), rules.horizon[:, runs]
        exogenous = breakdown_probability(
            rules.base_hazard[runs], rules.protection[:, runs], rules.delay[runs], rules.shape[runs], upper, horizon
        )
        least_loss = rules.reneging.take(runs).least_loss(loss, exogenous, lower, upper, horizon)
    necessary = np.ones((len(loss), runs.size)) if rules.groups is None else rules.groups.necessary[:, runs]
    return steer(
        *rules.searched.at(runs).arrays,
        floats(necessary),
        floats(least_loss),
        floats(weight),
        floats(start),
        floats(margins),
        floats(best),
        floats(best_margin),
        np.asarray(iterations, np.int64),
    )


def _polish(rules: Searched, package: np.ndarray, least: np.ndarray, passes: np.ndarray):
    """Pattern search on the near misses, raising their least margin (at most ``passes [n]`` passes each)."""
    near = np.flatnonzero((least < 0) & (least > -POLISH_NEAR))
    if not near.size:
        return package, least
    package, least = package.copy(), least.copy()
    package[:, near], least[near] = pattern_search(
        rules.at(near), package[:, near], least[near], passes[near], POLISH_REACH
    )
    return package, least


def least_margin(rules: Acceptance | Searched, package: np.ndarray) -> np.ndarray:
    """The smallest margin among the veto holders, per run: what the zone search maximises."""
    return rules.margins(package).min(axis=0)


def proposer_value(rules: Searched, package: np.ndarray, proposer: int) -> np.ndarray:
    """``proposer``'s value of ``package [J, n]`` where every veto holder accepts it at ``rules``' thresholds, else
    -inf: what a proposer maximises (lift its own threshold to have the others' acceptance only)."""
    return scores(*rules.arrays, floats(package), np.arange(package.shape[1]), proposer)


def pattern_search(
    rules: Searched,
    package: np.ndarray,
    score: np.ndarray,
    passes: int | np.ndarray,
    reach: float = np.inf,
    proposer: int | None = None,
    patience: int | None = None,
):
    """Raise the least margin of ``package [J, n]`` (or, with a ``proposer``, :func:`proposer_value`) from its
    ``score [n]``, by :func:`sim.model.searches.pattern_search`: at most ``passes`` (one number, or one per run) each,
    stopping a run whose score lies more than ``reach`` steps below zero, or (with a ``patience``) that gains nothing
    in that many passes in a row."""
    passes = np.array(np.broadcast_to(passes, score.shape), np.int64)
    objective = LEAST_MARGIN if proposer is None else proposer
    waits = int(passes.max(initial=0)) + 1 if patience is None else patience
    return compiled_pattern_search(
        *rules.arrays, floats(package), floats(score), passes, float(reach), objective, waits
    )


def farthest_acceptable(
    rules: Searched, start: np.ndarray, target: np.ndarray, points: int, halvings: int
) -> np.ndarray:
    """From ``start`` (accepted) toward ``target``, the accepted package farthest along the segment (``[J, n]``): a scan
    of ``points`` shares, then the boundary to the precision of ``halvings`` bisections
    (:func:`sim.model.searches.farthest_accepted`)."""
    return farthest_accepted(*rules.arrays, floats(start), floats(target), points, halvings)
