"""The veto holders' deal values of packages, compiled (numba): the one implementation of the rules a package's value
is made of, over many packages at once, each on its own run.

- :func:`issue_loss`: an actor's weighted loss on one issue (docs/model.md, section 1);
- :func:`breakdown_chance`: the exogenous chance that a deal breaks down within some rounds (section 6);
- :func:`renege_gains`: each reneger's value of attacking again less that of keeping the deal (section 6b), and
  :func:`foreseen_losses`, what those who lose in a breakdown expect to lose, foreseeing the renegers;
- :func:`delivered_packages` and :func:`voiced_margins`: what the groups deliver and how they vote (section 7c);
- :func:`package_values`: each veto holder's deal value of packages, all of the above together.

The numpy-facing modules (:mod:`~sim.model.utility`, :mod:`~sim.model.breakdown`, :mod:`~sim.model.reneging`,
:mod:`~sim.model.groups`, :mod:`~sim.model.acceptance`) call these; the rules' arrays are gathered by
:attr:`~sim.model.acceptance.Acceptance.packed` into a :class:`Rules` tuple, unpacked once per call (a tuple handed
on per package costs more than the package's arithmetic). The rules' arrays put runs first (a run's numbers side
by side, where the model's arrays put them last); packages are columns, column ``i`` on run ``runs[i]``.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

KINDS = {"quadratic": 0, "linear": 1, "loss_averse": 2}
"""Utility forms by code (the compiled rules branch on the code; :data:`sim.model.utility.UTILITY_FORMS` lists the names)."""
EDGE = 1e-9
"""Absorbs floating-point error in a condition's bound and in a quota's sum (as in :mod:`sim.model.groups`)."""
TOLERANCE = 1e-9
"""Absorbs floating-point error in a comparison, and nothing more: no package a flag would count across a
red line is accepted inside it."""

Groups = namedtuple(
    "Groups",
    [
        "capped",  # [C] contributed issues
        "contribution",  # [n, K, C] what each contributing member gives
        "condition_issue",  # [K] the issue its condition is on, -1 none
        "condition_low",  # [n, K] its condition's bounds, widened by EDGE
        "condition_high",  # [n, K]
        "row_group",  # [V] the voting group of each veto row, -1 none
        "unanimous",  # [G]
        "vote",  # [n, V]
        "quota",  # [n, G]
    ],
)
"""The groups' delivery and votes (see :class:`sim.model.groups.GroupTerms`)."""

Foresight = namedtuple(
    "Foresight",
    [
        "renege",  # a RenegeRule
        "rows",  # [R] veto rows that lose anything
        "lost",  # [n, R] what they lose
        "drifted",  # [n, P, Q] the renegers' chances at the points weighed
        "along",  # [n, R]
        "unprotected",  # [n, R]
        "protected",  # [n, R]
        "delayed",  # the guarantees act late in some run
        "exogenous",  # an exogenous hazard acts beside the renegers
        "base_hazard",  # [n]
        "protection",  # [n, J]
        "lasting",  # [n, R] the exogenous hazard's breakdown_terms over each horizon
        "after",  # [n, R]
    ],
)
"""The breakdown loss foreseen by those who lose in a breakdown (see :class:`sim.model.reneging.Foresight`)."""

Rules = namedtuple(
    "Rules",
    [
        "position",  # [n, V, J] the veto holders' positions
        "weight",  # [n, V, J] and utility weights
        "kind",  # utility form's code
        "reference",  # [n, J] the status quo (loss aversion)
        "loss_aversion",  # [n]
        "hard",  # red lines cannot be crossed
        "red_lower",  # [n, V, J] (read only where red lines are not hard; empty where they are)
        "red_upper",  # [n, V, J]
        "audience_cost",  # [n]
        "loss",  # [n, V] the exogenous breakdown's loss
        "base_hazard",  # [n]
        "protection",  # [n, J]
        "lasting",  # [n, V] breakdown_terms of each veto holder's horizon ([n, 0] when the foresight holds them)
        "after",  # [n, V]
        "groups",  # Groups (empty arrays without groups)
        "foresees",  # some actor may renege: the breakdown loss is the foresight's
        "foresight",  # Foresight (empty arrays when nobody may renege)
    ],
)
"""Everything :func:`package_values` reads."""

RenegeRule = namedtuple(
    "RenegeRule",
    [
        "position",  # [n, Q, F] on the issues that follow the front
        "weight",  # [n, Q, F]
        "reference",  # [n, F]
        "loss_aversion",  # [n]
        "kind",  # utility form's code
        "direction",  # [Q] +1 the front's side, -1 its opponent, 0 neither
        "reach",  # [n, Q]
        "war_cost",  # [n, Q]
        "follows",  # [F] issue indices
        "guarantee",  # [n, 2, J]
        "scale",  # [n]
    ],
)
"""What :func:`renege_gains` reads (see :class:`sim.model.reneging.RenegingRule`)."""


@njit(cache=True, error_model="numpy", inline="always")
def issue_loss(package: float, position: float, weight: float, reference: float, loss_aversion: float, kind: int):
    """An actor's weighted loss on one issue: the squared (0), absolute (1) distance from its position, or the squared
    distance with the part beyond the status quo's counted ``loss_aversion`` times (2)."""
    distance = package - position
    loss = abs(distance) if kind == 1 else distance * distance
    if kind == 2:
        status_quo = reference - position
        loss = loss + (loss_aversion - 1.0) * max(loss - status_quo * status_quo, 0.0)
    return loss * weight


@njit(cache=True, error_model="numpy")
def weighted_losses(package, position, weight, reference, loss_aversion, kind: int) -> np.ndarray:
    """:func:`issue_loss` element by element over flat arrays of one size."""
    out = np.empty(package.size)
    for e in range(package.size):
        out[e] = issue_loss(package[e], position[e], weight[e], reference[e], loss_aversion[e], kind)
    return out


@njit(cache=True, error_model="numpy", inline="always")
def breakdown_terms(base_hazard: float, delay: float, shape: float, rounds: float):
    """What :func:`breakdown_chance` takes from the deal's timing alone, whatever the package: the chance of lasting
    the ``delay`` rounds before the guarantees act, and the weight of the rest of the ``rounds`` (ages shaped by
    ``shape``)."""
    unprotected = min(delay, rounds) ** shape
    return (1.0 - base_hazard) ** unprotected, rounds**shape - unprotected


@njit(cache=True, error_model="numpy", inline="always")
def guarded_breakdown(base_hazard: float, guarded: float, lasting: float, protected: float):
    """:func:`breakdown_chance` from its :func:`breakdown_terms` (``lasting``, ``protected``) and the guarantees'
    share of the hazard they leave, ``guarded``."""
    return 1.0 - lasting * (1.0 - base_hazard * guarded) ** protected


@njit(cache=True, error_model="numpy", inline="always")
def breakdown_chance(base_hazard: float, guarded: float, delay: float, shape: float, rounds: float):
    """Chance that a deal breaks down within ``rounds`` rounds: the level ``base_hazard`` before the guarantees act
    (``delay`` rounds), ``base_hazard * guarded`` after, the deal's age shaped by ``shape``."""
    lasting, protected = breakdown_terms(base_hazard, delay, shape, rounds)
    return guarded_breakdown(base_hazard, guarded, lasting, protected)


@njit(cache=True, error_model="numpy")
def breakdown_chances(base_hazard, guarded, delay, shape, rounds) -> np.ndarray:
    """:func:`breakdown_chance` element by element over flat arrays of one size."""
    out = np.empty(base_hazard.size)
    for e in range(base_hazard.size):
        out[e] = breakdown_chance(base_hazard[e], guarded[e], delay[e], shape[e], rounds[e])
    return out


@njit(cache=True, error_model="numpy")
def timing_terms(base_hazard: np.ndarray, delay: np.ndarray, shape: np.ndarray, rounds: np.ndarray) -> np.ndarray:
    """:func:`breakdown_terms` over runs ``[n]`` and horizons ``rounds [n, H]``: ``[2, n, H]``, lasting then
    protected, computed once for the many packages valued on the same runs."""
    out = np.empty((2,) + rounds.shape)
    for r in range(rounds.shape[0]):
        for h in range(rounds.shape[1]):
            out[0, r, h], out[1, r, h] = breakdown_terms(base_hazard[r], delay[r], shape[r], rounds[r, h])
    return out


@njit(cache=True, error_model="numpy", inline="always")
def _log1p_exp(x: float) -> float:
    """``log(1 + exp(x))`` without overflow."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@njit(cache=True, error_model="numpy")
def renege_gains(
    rule, packages: np.ndarray, runs: np.ndarray, protected: np.ndarray, drifted: np.ndarray
) -> np.ndarray:
    """Each reneger's value of attacking again less that of keeping a deal, ``[P, Q, m]``, for ``packages [J, m]``
    (column ``i`` on run ``runs[i]``) at ``P`` points: the guarantees acting where ``protected [P, m]`` is 1, each
    reneger's chance of winning a round drifted to ``drifted [P, Q, m]``. Attacking moves the front-following issues'
    mean by the reach times ``2p - 1`` (``p`` its chance, lowered by the guarantees' strength), at the war's cost and
    the guarantees' credible response."""
    position, weight, reference, aversion = rule.position, rule.weight, rule.reference, rule.loss_aversion
    direction, reach, war_cost, follows, guarantee = (
        rule.direction,
        rule.reach,
        rule.war_cost,
        rule.follows,
        rule.guarantee,
    )
    kind, front, points = rule.kind, rule.follows.size, drifted.shape[0]
    out = np.empty(drifted.shape)
    for i in range(runs.size):
        r = runs[i]
        strength, severity = 0.0, 0.0
        for j in range(packages.shape[0]):
            strength += guarantee[r, 0, j] * packages[j, i]
            severity += guarantee[r, 1, j] * packages[j, i]
        settled = 0.0
        for f in range(front):
            settled += packages[follows[f], i]
        for k in range(direction.size):
            kept = 0.0
            for f in range(front):
                kept += issue_loss(
                    packages[follows[f], i], position[r, k, f], weight[r, k, f], reference[r, f], aversion[r], kind
                )
            for p in range(points):
                response = protected[p, i] * severity
                if front == 0:
                    out[p, k, i] = -(war_cost[r, k] + response)
                    continue
                chance = min(max(drifted[p, k, i] - direction[k] * protected[p, i] * strength, 0.0), 1.0)
                moved = min(max(settled / front + reach[r, k] * (2.0 * chance - 1.0), 0.0), 1.0)
                won = 0.0
                for f in range(front):
                    won += issue_loss(moved, position[r, k, f], weight[r, k, f], reference[r, f], aversion[r], kind)
                out[p, k, i] = (1.0 - won) - (1.0 - kept) - war_cost[r, k] - response
    return out


_PHASES = (1.0, 1.0, 0.0)
"""Whether the guarantees act at each point the foresight weighs: the first and the last protected round, and the
rounds before (:class:`sim.model.reneging.Foresight`)."""


@njit(cache=True, error_model="numpy")
def foreseen_losses(foresight, packages: np.ndarray, runs: np.ndarray, veto: int) -> np.ndarray:
    """What each of ``veto`` rows expects to lose within its horizon, ``[V, m]``, if a deal with ``packages [J, m]``
    (column ``i`` on run ``runs[i]``) breaks down, by the exogenous hazard or some reneger's attack. The log chance
    that no reneger attacks in a round, ``-sum_k log(1 + exp(G_k / sigma))``, is taken at the foresight's points."""
    out = np.zeros((veto, runs.size))
    rows = foresight.rows
    if rows.size == 0:
        return out
    renege = foresight.renege
    points, renegers = foresight.drifted.shape[1], foresight.drifted.shape[2]
    drifted, protected = np.empty((points, renegers, runs.size)), np.empty((points, runs.size))
    for i in range(runs.size):
        for p in range(points):
            protected[p, i] = _PHASES[p]
            for k in range(renegers):
                drifted[p, k, i] = foresight.drifted[runs[i], p, k]
    gains = renege_gains(renege, packages, runs, protected, drifted)
    delayed, exogenous = foresight.delayed, foresight.exogenous
    along, unprotected, safe, lost = foresight.along, foresight.unprotected, foresight.protected, foresight.lost
    base_hazard, lasting, after = foresight.base_hazard, foresight.lasting, foresight.after
    guarded = guarded_shares(foresight.protection, packages, runs)
    keep = np.zeros(points)
    for i in range(runs.size):
        r = runs[i]
        for p in range(points):
            keep[p] = 0.0
            for k in range(renegers):
                keep[p] -= _log1p_exp(gains[p, k, i] / renege.scale[r])
        for q in range(rows.size):
            last = keep[0] + (keep[1] - keep[0]) * along[r, q]
            exponent = safe[r, q] * (keep[0] + last) / 2.0
            if delayed:
                exponent += unprotected[r, q] * keep[2]
            holds = math.exp(exponent)
            if exogenous:
                holds *= 1.0 - guarded_breakdown(base_hazard[r], guarded[i], lasting[r, q], after[r, q])
            out[rows[q], i] = lost[r, q] * (1.0 - holds)
    return out


@njit(cache=True, error_model="numpy")
def delivered_packages(groups, packages: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """``packages [J, m]`` (column ``i`` on run ``runs[i]``) with each contributed issue cut to what the members whose
    condition the package meets give."""
    out = packages.copy()
    capped, contribution = groups.capped, groups.contribution
    issue, low, high = groups.condition_issue, groups.condition_low, groups.condition_high
    for i in range(runs.size):
        r = runs[i]
        for c in range(capped.size):
            available = 0.0
            for k in range(issue.size):
                if condition_holds(issue[k], packages[max(issue[k], 0), i], low[r, k], high[r, k]):
                    available += contribution[r, k, c]
            out[capped[c], i] = min(packages[capped[c], i], available)
    return out


@njit(cache=True, error_model="numpy", inline="always")
def condition_holds(issue: int, value: float, low: float, high: float) -> bool:
    """Whether a member's condition on issue ``issue`` (-1 for none) holds where the package sets it to ``value``:
    within ``low`` and ``high`` (True without one)."""
    return issue < 0 or (value >= low and value <= high)


@njit(cache=True, error_model="numpy")
def conditions_met(issue: np.ndarray, low: np.ndarray, high: np.ndarray, packages: np.ndarray) -> np.ndarray:
    """``[K, n]``: whether each member's condition (:func:`condition_holds`, bounds ``low``/``high [n, K]``) holds for
    ``packages [J, n]`` (run ``i`` in column ``i``)."""
    out = np.empty((issue.size, packages.shape[1]), np.bool_)
    for i in range(packages.shape[1]):
        for k in range(issue.size):
            out[k, i] = condition_holds(issue[k], packages[max(issue[k], 0), i], low[i, k], high[i, k])
    return out


@njit(cache=True, error_model="numpy")
def voiced_margins(groups, margins: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """``margins [V, m]`` (column ``i`` on run ``runs[i]``) with each voting group member's raised to its group's: the
    quota's weighted quantile of the members' margins (for a unanimous group, the least margin of the members with a
    vote)."""
    out = margins.copy()
    unanimous, row_group, vote, quota = groups.unanimous, groups.row_group, groups.vote, groups.quota
    for g in range(unanimous.size):
        members = np.flatnonzero(row_group == g)
        if members.size == 0:
            continue
        own = np.empty(members.size)
        for i in range(runs.size):
            r = runs[i]
            for m in range(members.size):
                own[m] = margins[members[m], i]
            if unanimous[g]:
                pivot = np.inf
                for m in range(members.size):
                    if vote[r, members[m]] > 0:
                        pivot = min(pivot, own[m])
            else:
                ranked = np.argsort(-own)
                total = 0.0
                for m in ranked:
                    total += vote[r, members[m]]
                needed = quota[r, g] * total * (1.0 - EDGE)
                reached, pivot = 0.0, own[ranked[0]]
                for m in ranked:
                    reached += vote[r, members[m]]
                    if reached >= needed:
                        pivot = own[m]
                        break
            for m in range(members.size):
                out[members[m], i] = max(own[m], pivot)
    return out


@njit(cache=True, error_model="numpy")
def package_values(rules, packages: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """Each veto holder's deal value ``[V, m]`` of ``packages [J, m]`` (column ``i`` on run ``runs[i]``): the package
    as its groups deliver it, utility less the expected breakdown loss, less the audience cost of a crossed red line
    that is not hard."""
    veto = rules.position.shape[1]
    delivered = delivered_packages(rules.groups, packages, runs)
    if rules.foresees:
        out = foreseen_losses(rules.foresight, delivered, runs, veto)
    else:
        out = guarded_breakdowns(rules, delivered, runs)
        for i in range(runs.size):
            for v in range(veto):
                out[v, i] *= rules.loss[runs[i], v]
    position, weight, reference, aversion, kind = (
        rules.position,
        rules.weight,
        rules.reference,
        rules.loss_aversion,
        rules.kind,
    )
    red_lower, red_upper, audience_cost, hard = rules.red_lower, rules.red_upper, rules.audience_cost, rules.hard
    for i in range(runs.size):
        r = runs[i]
        for v in range(veto):
            loss = 0.0
            for j in range(delivered.shape[0]):
                loss += issue_loss(
                    delivered[j, i], position[r, v, j], weight[r, v, j], reference[r, j], aversion[r], kind
                )
            out[v, i] = (1.0 - loss) - out[v, i]
            if not hard and _crosses(delivered[:, i], red_lower[r, v], red_upper[r, v]):
                out[v, i] -= audience_cost[r]
    return out


@njit(cache=True, error_model="numpy")
def guarded_breakdowns(rules, packages: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """Each veto holder's exogenous chance ``[V, m]`` that a deal with ``packages [J, m]`` (column ``i`` on run
    ``runs[i]``) breaks down within its horizon, from the rules' timing terms (rules whose veto holders do not foresee
    reneging: :func:`package_values` weighs this chance by the loss)."""
    guarded = guarded_shares(rules.protection, packages, runs)
    out = np.empty((rules.lasting.shape[1], runs.size))
    for i in range(runs.size):
        r = runs[i]
        for v in range(out.shape[0]):
            out[v, i] = guarded_breakdown(rules.base_hazard[r], guarded[i], rules.lasting[r, v], rules.after[r, v])
    return out


@njit(cache=True, error_model="numpy", inline="always")
def _crosses(package: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> bool:
    """Whether ``package [J]`` lies beyond a red line ``[lower, upper]`` by more than :data:`TOLERANCE`."""
    crossed = False
    for j in range(package.size):
        crossed |= package[j] < lower[j] - TOLERANCE or package[j] > upper[j] + TOLERANCE
    return crossed


@njit(cache=True, error_model="numpy")
def guarded_shares(protection: np.ndarray, packages: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """``prod_j (1 - e_j z_j)`` per package ``[m]`` of ``packages [J, m]`` (column ``i`` on run ``runs[i]``): the
    share of the hazard the guarantees leave."""
    out = np.ones(runs.size)
    for i in range(runs.size):
        for j in range(packages.shape[0]):
            out[i] *= 1.0 - protection[runs[i], j] * packages[j, i]
    return out


def floats(array: np.ndarray) -> np.ndarray:
    """``array`` as contiguous float64 (the one array type the compiled rules take, so they compile once)."""
    return np.ascontiguousarray(array, dtype=np.float64)


def runs_first(array: np.ndarray) -> np.ndarray:
    """``array [..., n]`` as contiguous float64 ``[n, ...]``: the compiled rules read a run's numbers side by side."""
    return np.ascontiguousarray(np.moveaxis(np.asarray(array, dtype=np.float64), -1, 0))


def indices(array: np.ndarray) -> np.ndarray:
    """``array`` as contiguous int64."""
    return np.ascontiguousarray(array, dtype=np.int64)


def no_groups(veto: int, runs: int) -> Groups:
    """The groups' part of :class:`Rules` when there are none."""
    return Groups(
        capped=np.zeros(0, np.int64),
        contribution=np.zeros((runs, 0, 0)),
        condition_issue=np.zeros(0, np.int64),
        condition_low=np.zeros((runs, 0)),
        condition_high=np.zeros((runs, 0)),
        row_group=np.full(veto, -1, np.int64),
        unanimous=np.zeros(0, np.bool_),
        vote=np.zeros((runs, veto)),
        quota=np.zeros((runs, 0)),
    )


def no_foresight(issues: int, runs: int) -> Foresight:
    """The foresight's part of :class:`Rules` when nobody may renege."""
    renege = RenegeRule(
        position=np.zeros((runs, 0, 0)),
        weight=np.zeros((runs, 0, 0)),
        reference=np.zeros((runs, 0)),
        loss_aversion=np.zeros(runs),
        kind=0,
        direction=np.zeros(0),
        reach=np.zeros((runs, 0)),
        war_cost=np.zeros((runs, 0)),
        follows=np.zeros(0, np.int64),
        guarantee=np.zeros((runs, 2, issues)),
        scale=np.ones(runs),
    )
    empty = np.zeros((runs, 0))
    return Foresight(
        renege=renege,
        rows=np.zeros(0, np.int64),
        lost=empty,
        drifted=np.zeros((runs, 0, 0)),
        along=empty,
        unprotected=empty,
        protected=empty,
        delayed=False,
        exogenous=False,
        base_hazard=np.zeros(runs),
        protection=np.zeros((runs, issues)),
        lasting=empty,
        after=empty,
    )


def elementwise(rule, *arrays: np.ndarray, **fixed) -> np.ndarray:
    """A compiled elementwise ``rule`` over numpy arrays broadcast together (in the shape they broadcast to)."""
    shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
    return rule(*(spread(a, shape).ravel() for a in arrays), **fixed).reshape(shape)


def spread(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``array`` broadcast to ``shape`` as its own contiguous float64 array (the array itself when it already is one;
    the compiled rules take no read-only broadcast views)."""
    array = np.asarray(array, dtype=np.float64)
    if array.shape == shape:
        return np.ascontiguousarray(array)
    return np.array(np.broadcast_to(array, shape), dtype=np.float64, order="C")
