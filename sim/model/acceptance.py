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

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.breakdown import breakdown_probability
from sim.model.reneging import Foresight, RenegingRule
from sim.model.utility import UtilityForm, package_utility

if TYPE_CHECKING:
    from sim.model.groups import GroupTerms

NO_FLOOR = -1e9
"""A threshold that no package fails (utilities lie within a few units of zero)."""
TOLERANCE = 1e-9
"""Absorbs floating-point error in a comparison, and nothing more: no package a flag would count across a
red line is accepted inside it."""
ZONE_ITERATIONS = 60
RESUMED_ITERATIONS = 10
"""The steering's iterations in a round: a run's first search, and one resumed from the previous round's package
(whose search goes on next round from where it stops)."""
STALL_GAIN = 1e-7
STALL_ITERATIONS = 20
STALL_ITERATIONS_FAR = 5
"""Iterations without gain after which the steering stops a run: the first near a zone, the second further away."""
FINE_BAND = 1e-4
"""How close below zero a least margin must be for the steering to count a run as near a zone."""
SMALLEST_STEP = 1e-13
POLISH_REACH = 1.0
"""The polish stops refining a run whose least margin lies more than this many steps below zero (it would have to
rise by more than the step itself)."""
STEP_SHRINK = 0.5
STEP_GROWTH = 1.5
POLISH_PASSES = 60
RESUMED_PASSES = 16
"""The polish's passes in a round: a run's first search, and one resumed from the previous round's package."""
POLISH_NEAR = 0.03
RETAKE_SHARE = 0.75
"""A search narrows its arrays to the runs still going once fewer than this share of them are (a speed setting
only: runs that have stopped are computed but left unchanged)."""


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
        return taken

    def with_threshold(self, threshold: np.ndarray) -> Acceptance:
        """The same rules with other thresholds ``[V, n]``."""
        other = replace(self, threshold=threshold)
        if "_foresight" in self.__dict__:
            other.__dict__["_foresight"] = self._foresight
        return other

    def values(self, package: np.ndarray) -> np.ndarray:
        """Each veto holder's deal value of ``package [J, n]`` (as its groups deliver it): utility less the expected
        breakdown loss, ``[V, n]``."""
        if self.groups is not None:
            package = self.groups.deliver(package)
        foresight = self._foresight
        if foresight is None:
            lost = self.loss * breakdown_probability(
                self.base_hazard, self.protection, self.delay, self.shape, package, self.horizon
            )
        else:
            lost = foresight.expected_loss(package)
        value = package_utility(self.position, self.weight, package, self.form) - lost
        if self.hard:
            return value
        crossed = ((package < self.red_lower - TOLERANCE) | (package > self.red_upper + TOLERANCE)).any(axis=-2)
        return value - np.where(crossed, self.audience_cost, 0.0)

    @cached_property
    def _foresight(self) -> Foresight | None:
        """The renegers' part of the breakdown loss that does not depend on the package, once per set of rules (None
        when nobody may renege)."""
        if self.reneging is None:
            return None
        return self.reneging.foresee(self.loss, self.base_hazard, self.protection, self.delay, self.shape, self.horizon)

    def answers(self, package: np.ndarray) -> np.ndarray:
        """Each veto holder's answer to ``package``, ``[V, n]``: yes where it crosses none of its hard red lines and
        its deal value clears its threshold, up to floating-point error (:data:`TOLERANCE`)."""
        clears = self.margins(package) >= -TOLERANCE
        if not self.hard:
            return clears
        inside = (package >= self.red_lower - TOLERANCE) & (package <= self.red_upper + TOLERANCE)
        return clears & inside.all(axis=-2)

    def margins(self, package: np.ndarray) -> np.ndarray:
        """Deal value less threshold, ``[V, n]``; a group's members count at least the group's margin."""
        return self._voiced(self.values(package) - self.threshold)

    def _voiced(self, margins: np.ndarray) -> np.ndarray:
        return margins if self.groups is None else self.groups.voice(margins)

    def accepted(self, package: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
        """True in the runs where every veto holder accepts ``package`` (whose ``values`` may be given), strictly
        (no tolerance): the searches keep to packages the veto holders' own checks accept with room to spare."""
        inside = ((package >= self.lower) & (package <= self.upper)).all(axis=0)
        values = self.values(package) if values is None else values
        return inside & (self._voiced(values - self.threshold).min(axis=0) >= 0.0)

    def clip(self, package: np.ndarray) -> np.ndarray:
        """``package`` moved into the box issue by issue."""
        return np.minimum(np.maximum(package, self.lower), self._ceiling)

    @cached_property
    def _ceiling(self) -> np.ndarray:
        """The box's upper ends, never below its lower ends."""
        return np.maximum(self.lower, self.upper)

    def contract_point(self, log_weight: np.ndarray) -> np.ndarray:
        """The mean of positions weighted by ``exp(log_weight) [V, n]`` x utility weights, clipped to the box."""
        scale = np.exp(log_weight - log_weight.max(axis=0))[:, None, :] * self.weight
        total = scale.sum(axis=0)
        scale *= self.position
        mean = scale.sum(axis=0)
        weighted = total > 0
        if weighted.all():
            mean /= total
        else:
            mean = np.where(weighted, mean / np.where(weighted, total, 1.0), self.position.mean(axis=0))
        return self.clip(mean)

    def median_point(self, log_weight: np.ndarray) -> np.ndarray:
        """The median of positions weighted by ``exp(log_weight) [V, n]`` x utility weights, clipped to the box: with
        linear utility, the package that maximises the weighted sum of utilities over the box."""
        scale = np.exp(log_weight - log_weight.max(axis=0))[:, None, :] * self.weight
        order = np.argsort(self.position, axis=0)
        cumulative = np.cumsum(np.take_along_axis(scale, order, axis=0), axis=0)
        middle = (cumulative >= cumulative[-1] / 2).argmax(axis=0)[None]
        return self.clip(np.take_along_axis(np.take_along_axis(self.position, order, axis=0), middle, axis=0)[0])

    def bound(self, log_weight: np.ndarray, least_loss: np.ndarray, contract_point: np.ndarray) -> np.ndarray:
        """An upper bound on every package's least margin (weak duality): the margins' weighted mean at the maximiser
        of the weighted sum of utilities, taking the breakdown loss at its smallest (``least_loss [V, n]``) and
        red lines that carry a cost as free. Loss-averse utility is bounded by the quadratic it adds losses to.
        ``contract_point`` is :meth:`contract_point` at ``log_weight``, already computed by the caller."""
        share = np.exp(log_weight - log_weight.max(axis=0))
        if self.groups is not None:
            share = share * self.groups.necessary
        if self.form.kind == "linear":
            utility = package_utility(self.position, self.weight, self.median_point(log_weight), self.form)
        else:
            relaxed = UtilityForm("quadratic", self.form.reference, self.form.loss_aversion)
            utility = package_utility(self.position, self.weight, contract_point, relaxed)
        margins = utility - least_loss - np.maximum(self.threshold, NO_FLOOR)
        return (share * margins).sum(axis=0) / share.sum(axis=0)


Path = Callable[[np.ndarray, "Acceptance", np.ndarray], np.ndarray]
"""A path of packages: shares ``[m]`` on rules tiled over runs ``index [m]`` -> packages ``[J, m]``."""
Objective = Callable[["Acceptance", np.ndarray], np.ndarray]
"""A score of packages ``[J, n]`` under rules over the same runs -> ``[n]``."""


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
        sub = rules.take(hopeful)
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
            sub, weight[:, hopeful], start, margins, best, best_margin, iterations
        )
        passes = np.where(resumed, RESUMED_PASSES, POLISH_PASSES)
        best, best_margin = _polish(sub, best, np.where(proved, -np.inf, best_margin), passes)
        package[:, hopeful], least[hopeful], weight[:, hopeful] = best, best_margin, sub_weight
    return Zone(least >= -TOLERANCE, package, least, weight)


def _steer(
    rules: Acceptance,
    weight: np.ndarray,
    start: np.ndarray,
    margins: np.ndarray,
    best: np.ndarray,
    best_margin: np.ndarray,
    iterations: np.ndarray,
):
    """Multiplicative weights: the veto holders with higher margins lose weight in proportion to their lead, by a
    step (in log weight) that grows while the least satisfied veto holder stays the same and halves when it changes.
    ``start`` is the package at the weights given, ``margins`` its margins; ``best`` the best package known so far,
    ``best_margin`` its least margin; a run stops after its number of ``iterations`` at most.

    Each iteration also bounds every package's least margin from above (:meth:`Acceptance.bound`): a negative
    bound proves that no zone exists and stops the run."""
    weight, best, best_margin = weight.copy(), best.copy(), best_margin.copy()
    proved = np.zeros(best_margin.size, bool)
    exogenous = breakdown_probability(
        rules.base_hazard, rules.protection, rules.delay, rules.shape, np.clip(rules.upper, 0.0, 1.0), rules.horizon
    )
    least_loss = (
        rules.loss * exogenous
        if rules.reneging is None
        else rules.reneging.least_loss(
            rules.loss, exogenous, np.clip(rules.lower, 0.0, 1.0), np.clip(rules.upper, 0.0, 1.0), rules.horizon
        )
    )
    live = np.flatnonzero(best_margin < 0)
    sub = rules.take(live)
    going = np.ones(live.size, bool)
    step, lowest, stalled = np.ones(live.size), np.full(live.size, -1), np.zeros(live.size, int)
    package, margins, iterations = start[:, live], margins[:, live], iterations[live]
    for iteration in range(iterations.max(initial=0)):
        if iteration:
            package = sub.contract_point(weight[:, live])
            margins = sub.margins(package)
        least = margins.min(axis=0)
        better = going & (least > best_margin[live])
        stalled = np.where(least > best_margin[live] + STALL_GAIN, 0, stalled + 1)
        best[:, live] = np.where(better, package, best[:, live])
        best_margin[live] = np.where(better, least, best_margin[live])
        proved[live] |= going & (sub.bound(weight[:, live], least_loss[:, live], package) < 0)
        arg = margins.argmin(axis=0)
        step = np.where((lowest >= 0) & (arg != lowest), step * STEP_SHRINK, step * STEP_GROWTH)
        lowest = arg
        spread = np.maximum(margins.max(axis=0) - least, 1e-300)
        weight[:, live] -= np.where(going, step, 0.0) * (margins - least) / spread
        patience = np.where(best_margin[live] < -FINE_BAND, STALL_ITERATIONS_FAR, STALL_ITERATIONS)
        going &= (best_margin[live] < 0) & ~proved[live] & (stalled < patience) & (iteration + 1 < iterations)
        if not going.any():
            break
        if going.sum() < RETAKE_SHARE * going.size:
            live, step, lowest, stalled = live[going], step[going], lowest[going], stalled[going]
            iterations, going = iterations[going], going[going]
            sub = rules.take(live)
    return best, best_margin, weight, proved


def _polish(rules: Acceptance, package: np.ndarray, least: np.ndarray, passes: np.ndarray):
    """Pattern search on the near misses, raising their least margin (at most ``passes [n]`` passes each)."""
    near = np.flatnonzero((least < 0) & (least > -POLISH_NEAR))
    if not near.size:
        return package, least
    package, least = package.copy(), least.copy()
    package[:, near], least[near] = pattern_search(
        rules.take(near), package[:, near], least[near], least_margin, passes[near], POLISH_REACH
    )
    return package, least


def least_margin(rules: Acceptance, package: np.ndarray) -> np.ndarray:
    """The smallest margin among the veto holders, per run: what the zone search maximises."""
    return rules.margins(package).min(axis=0)


def pattern_search(
    rules: Acceptance,
    package: np.ndarray,
    score: np.ndarray,
    objective: Objective,
    passes: int | np.ndarray,
    reach: float = np.inf,
):
    """Raise ``objective`` from ``package``: each pass tries a step up and down on every issue (inside the box),
    moves to the best trial if it scores higher, and halves the step where none does. A run stops after its
    ``passes`` (one number, or one per run, checked every fourth pass), when its step falls below
    :data:`SMALLEST_STEP`, or when its score lies more than ``reach`` steps below zero (a margin that far below zero
    is not refined further). Issues the box fixes in every run are not tried (a step on them moves nothing)."""
    issues, runs = package.shape
    free = np.eye(issues)[(rules.upper > rules.lower).any(axis=1)]
    moves = np.concatenate([free, -free])[:, :, None]  # [2F, J, 1]
    trying = len(moves)
    if not trying:
        return package, score
    package, score, step = package.copy(), score.copy(), np.full(runs, 0.05)
    passes = np.broadcast_to(passes, runs)
    live = np.arange(runs)
    tiled = rules.take(np.tile(live, trying))
    going = np.ones(runs, bool)
    for done in range(1, passes.max(initial=0) + 1):
        columns = np.arange(live.size)
        trials = tiled.clip((package[None, :, live] + moves * step[live]).transpose(1, 0, 2).reshape(issues, -1))
        scores = objective(tiled, trials).reshape(trying, live.size)
        pick = scores.argmax(axis=0)
        better = going & (scores[pick, columns] > score[live])
        package[:, live] = np.where(
            better, trials.reshape(issues, trying, live.size)[:, pick, columns], package[:, live]
        )
        score[live] = np.where(better, scores[pick, columns], score[live])
        step[live] = np.where(better | ~going, step[live], step[live] / 2.0)
        if done % 4 == 0:
            going &= (step[live] >= SMALLEST_STEP) & (score[live] >= -reach * step[live]) & (done < passes[live])
            if not going.any():
                break
            if going.sum() < RETAKE_SHARE * going.size:
                live, going = live[going], going[going]
                tiled = rules.take(np.tile(live, trying))
    return package, score


def last_accepted(rules: Acceptance, path: Path, points: int, rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """The largest ``s`` in [0, 1] with ``path(s)`` accepted, per run, and whether any scanned point was: a scan of
    ``points`` evenly spaced values, then ``rounds`` times ``points`` values between the last accepted and the
    next, all runs and points in one evaluation."""
    runs = rules.threshold.shape[1]
    index = np.tile(np.arange(runs), points)
    tiled = rules.take(index)
    low, gap = np.zeros(runs), 1.0
    fractions = np.linspace(0.0, 1.0, points)
    reached = np.zeros(runs, bool)
    for r in range(rounds + 1):
        shares = np.minimum(low + gap * fractions[:, None], 1.0)
        accepted = tiled.accepted(path(shares.ravel(), tiled, index)).reshape(points, runs)
        last = np.where(accepted, np.arange(points)[:, None], -1).max(axis=0)
        low = np.where(last >= 0, shares[np.maximum(last, 0), np.arange(runs)], low)
        if r == 0:
            reached = last >= 0
        gap = gap / (points - 1) if r == 0 else gap / (points + 1)
        fractions = np.arange(1, points + 1) / (points + 1)
    return low, reached


def farthest_acceptable(
    rules: Acceptance, start: np.ndarray, target: np.ndarray, points: int, rounds: int
) -> np.ndarray:
    """From ``start`` (accepted) toward ``target``, the accepted package farthest along the segment (``[J, n]``)."""
    share, _ = last_accepted(
        rules, lambda s, _, index: start[:, index] + s * (target - start)[:, index], points, rounds
    )
    return start + share * (target - start)
