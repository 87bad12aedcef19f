"""The searches over packages, compiled (numba), as :mod:`sim.model.acceptance` runs them (docs/model.md, 7b):

- :func:`steer`: multiplicative weights on the veto holders move a point along the contract family
  (:func:`contract_points`) while an upper bound on every package's least margin (:func:`margin_bounds`) watches for a
  proof that no zone exists;
- :func:`pattern_search`: a step up and down on every free issue, keeping the best, halving the step where none is
  better; it raises the least margin, or a proposer's value among the packages the others accept;
- :func:`farthest_accepted`: the accepted package farthest along a segment, by a scan and a bracketing search.

Each evaluates many packages at once with :func:`evaluate`. Arrays over the runs searched (``[..., n]``, column ``c``)
sit beside the packed rules (:mod:`sim.model.deal_values`), where column ``c`` reads run ``index[c]``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.model.deal_values import KINDS, issue_loss, package_values, voiced_margins

NO_FLOOR = -1e9
"""A threshold that no package fails (utilities lie within a few units of zero)."""
STALL_GAIN = 1e-7
STALL_ITERATIONS = 20
STALL_ITERATIONS_FAR = 5
"""Iterations without gain after which the steering stops a run: the first near a zone, the second further away."""
FINE_BAND = 1e-4
"""How close below zero a least margin must be for the steering to count a run as near a zone."""
STEP_SHRINK = 0.5
STEP_GROWTH = 1.5
SMALLEST_STEP = 1e-13
FIRST_STEP = 0.05
"""The pattern search's step: where it starts, and below what a run stops."""
LEAST_MARGIN = -1
"""The pattern search's objective when no proposer is given: the least margin."""
LINEAR = KINDS["linear"]
"""The linear utility form's code."""


@njit(cache=True, error_model="numpy")
def evaluate(rules, index, lower, upper, threshold, packages, columns):
    """For ``packages [J, m]``, package ``t`` on search column ``columns[t]``: each veto holder's deal value
    ``[V, m]``, its margin over its ``threshold [V, n]`` (voiced: a group's members count at least the group's) and
    whether the package lies in the box ``[lower, upper]`` (``[J, n]``)."""
    runs = index[columns]
    values = package_values(rules, packages, runs)
    margins = np.empty_like(values)
    inside = np.ones(columns.size, np.bool_)
    for t in range(columns.size):
        c = columns[t]
        for v in range(values.shape[0]):
            margins[v, t] = values[v, t] - threshold[v, c]
        for j in range(packages.shape[0]):
            inside[t] &= packages[j, t] >= lower[j, c] and packages[j, t] <= upper[j, c]
    return values, voiced_margins(rules.groups, margins, runs), inside


@njit(cache=True, error_model="numpy")
def accepted_by_all(margins: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Whether every veto holder accepts each package, strictly (no tolerance): inside the box, every (voiced) margin
    at least zero."""
    out = inside.copy()
    for t in range(inside.size):
        for v in range(margins.shape[0]):
            out[t] &= margins[v, t] >= 0.0
    return out


@njit(cache=True, error_model="numpy")
def scores(rules, index, lower, upper, threshold, packages, columns, proposer: int) -> np.ndarray:
    """Each package's score: its least margin (``proposer`` :data:`LEAST_MARGIN`), or where every veto holder accepts
    it (with ``threshold`` lifted for the proposer) the proposer's value, else -inf."""
    values, margins, inside = evaluate(rules, index, lower, upper, threshold, packages, columns)
    out = np.empty(columns.size)
    if proposer == LEAST_MARGIN:
        for t in range(columns.size):
            out[t] = _least(margins, t)
        return out
    accepted = accepted_by_all(margins, inside)
    for t in range(columns.size):
        out[t] = values[proposer, t] if accepted[t] else -np.inf
    return out


@njit(cache=True, error_model="numpy")
def _clipped(value: float, low: float, high: float) -> float:
    """``value`` moved into ``[low, high]`` (the upper end never below the lower)."""
    return min(max(value, low), max(low, high))


@njit(cache=True, error_model="numpy")
def contract_points(rules, index, lower, upper, log_weight: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """The mean of the veto holders' positions weighted by ``exp(log_weight) [V, n]`` x utility weights, clipped to the
    box ``[lower, upper] ([J, n])`` (where no weight falls on an issue, the plain mean), ``[J, m]``: point ``t`` for
    search column ``columns[t]``."""
    position, weight = rules.position, rules.weight
    veto, issues = position.shape[1], position.shape[2]
    out = np.empty((issues, columns.size))
    share = np.empty(veto)
    for t in range(columns.size):
        c = columns[t]
        r = index[c]
        _shares(log_weight, c, share)
        for j in range(issues):
            total, mean, plain = 0.0, 0.0, 0.0
            for v in range(veto):
                scale = share[v] * weight[r, v, j]
                total += scale
                mean += scale * position[r, v, j]
                plain += position[r, v, j]
            out[j, t] = _clipped(mean / total if total > 0 else plain / veto, lower[j, c], upper[j, c])
    return out


@njit(cache=True, error_model="numpy", inline="always")
def _shares(log_weight: np.ndarray, c: int, share: np.ndarray) -> None:
    """``share [V]`` set to the veto holders' weights ``exp(log_weight [V, n])`` on column ``c``, scaled so that the
    largest is 1."""
    top = log_weight[0, c]
    for v in range(share.size):
        top = max(top, log_weight[v, c])
    for v in range(share.size):
        share[v] = math.exp(log_weight[v, c] - top)


@njit(cache=True, error_model="numpy")
def _median_point(rules, r: int, i: int, lower: np.ndarray, upper: np.ndarray, share: np.ndarray):
    """The positions' median weighted by ``share [V]`` (:func:`_shares`) x utility weights on column ``i``, clipped to
    the box: with linear utility, the package that maximises the weighted sum of utilities over the box."""
    position, weight = rules.position, rules.weight
    veto, issues = position.shape[1], position.shape[2]
    out = np.empty(issues)
    scale = np.empty(veto)
    for j in range(issues):
        total = 0.0
        for v in range(veto):
            scale[v] = share[v] * weight[r, v, j]
            total += scale[v]
        order = np.argsort(position[r, :, j])
        reached, point = 0.0, position[r, order[veto - 1], j]
        for v in order:
            reached += scale[v]
            if reached >= total / 2:
                point = position[r, v, j]
                break
        out[j] = _clipped(point, lower[j, i], upper[j, i])
    return out


@njit(cache=True, error_model="numpy")
def margin_bounds(
    rules,
    index: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    threshold: np.ndarray,
    necessary: np.ndarray,
    least_loss: np.ndarray,
    log_weight: np.ndarray,
    contract: np.ndarray,
    columns: np.ndarray,
) -> np.ndarray:
    """An upper bound ``[m]`` on every package's least margin (weak duality): the margins' mean weighted by
    ``exp(log_weight)`` (on the veto rows whose rejection alone sinks a package, ``necessary [V, m]``) at the
    maximiser of the weighted sum of utilities, taking the breakdown loss at its smallest (``least_loss [V, m]``) and
    red lines that carry a cost as free. Loss-averse utility is bounded by the quadratic it adds losses to.
    ``contract [J, m]`` is :func:`contract_points` at ``log_weight``; bound ``t`` for search column ``columns[t]``."""
    position, weight, kind = rules.position, rules.weight, rules.kind
    veto, issues = position.shape[1], position.shape[2]
    out = np.empty(columns.size)
    form = LINEAR if kind == LINEAR else 0
    point, weights = np.empty(issues), np.empty(veto)
    for t in range(columns.size):
        c = columns[t]
        r = index[c]
        _shares(log_weight, c, weights)
        if form == LINEAR:
            point[:] = _median_point(rules, r, c, lower, upper, weights)
        else:
            for j in range(issues):
                point[j] = contract[j, t]
        total, share_sum = 0.0, 0.0
        for v in range(veto):
            share = weights[v] * necessary[v, c]
            loss = 0.0
            for j in range(issues):
                loss += issue_loss(point[j], position[r, v, j], weight[r, v, j], 0.0, 1.0, form)
            total += share * ((1.0 - loss) - least_loss[v, c] - max(threshold[v, c], NO_FLOOR))
            share_sum += share
        out[t] = total / share_sum
    return out


@njit(cache=True, error_model="numpy")
def steer(
    rules,
    index: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    threshold: np.ndarray,
    necessary: np.ndarray,
    least_loss: np.ndarray,
    weight: np.ndarray,
    start: np.ndarray,
    margins: np.ndarray,
    best: np.ndarray,
    best_margin: np.ndarray,
    iterations: np.ndarray,
):
    """Multiplicative weights: the veto holders with higher margins lose weight in proportion to their lead, by a
    step (in log weight) that grows while the least satisfied veto holder stays the same and halves when it changes.
    ``start`` is the package at the weights given, ``margins [V, m]`` its margins; ``best`` the best package known so
    far, ``best_margin`` its least margin; a run stops after its number of ``iterations`` at most, once its least
    margin reaches zero, when it stalls, or when the bound (:func:`margin_bounds`) proves that no zone exists.
    Returns the best packages, their least margins, the weights and the proofs (each updated per run)."""
    weight, best, best_margin = weight.copy(), best.copy(), best_margin.copy()
    veto, issues = weight.shape[0], best.shape[0]
    proved = np.zeros(best_margin.size, np.bool_)
    live = np.flatnonzero(best_margin < 0)
    count = live.size
    step, lowest, stalled = np.ones(count), np.full(count, -1), np.zeros(count, np.int64)
    package, current = start[:, live].copy(), margins[:, live].copy()
    iteration = 0
    while count:
        if iteration:
            package = contract_points(rules, index, lower, upper, weight, live)
            current = evaluate(rules, index, lower, upper, threshold, package, live)[1]
        bound = margin_bounds(rules, index, lower, upper, threshold, necessary, least_loss, weight, package, live)
        kept = 0
        for c in range(count):
            run = live[c]
            least, arg, most = current[0, c], 0, current[0, c]
            for v in range(1, veto):
                if current[v, c] < least:
                    least, arg = current[v, c], v
                most = max(most, current[v, c])
            stalled[c] = 0 if least > best_margin[run] + STALL_GAIN else stalled[c] + 1
            if least > best_margin[run]:
                best_margin[run] = least
                for j in range(issues):
                    best[j, run] = package[j, c]
            proved[run] |= bound[c] < 0
            step[c] *= STEP_SHRINK if lowest[c] >= 0 and arg != lowest[c] else STEP_GROWTH
            lowest[c] = arg
            spread = max(most - least, 1e-300)
            for v in range(veto):
                weight[v, run] -= step[c] * (current[v, c] - least) / spread
            patience = STALL_ITERATIONS_FAR if best_margin[run] < -FINE_BAND else STALL_ITERATIONS
            going = best_margin[run] < 0 and not proved[run] and stalled[c] < patience
            if going and iteration + 1 < iterations[run]:
                live[kept], step[kept], lowest[kept], stalled[kept] = run, step[c], lowest[c], stalled[c]
                kept += 1
        count = kept
        live, step, lowest, stalled = live[:count], step[:count], lowest[:count], stalled[:count]
        iteration += 1
    return best, best_margin, weight, proved


@njit(cache=True, error_model="numpy")
def pattern_search(
    rules, index, lower, upper, threshold, package, score, passes, reach: float, proposer: int, patience: int
):
    """Raise the score (:func:`scores`) of ``package [J, n]`` from ``score [n]``: each pass tries a step up and down
    on every issue the box leaves free in some run (clipped to the box; a trial the box leaves where it was is not
    scored, as it cannot score higher), moves to the best trial if it scores higher, and halves the step where none
    does. A run stops after ``patience`` passes in a row without gain, and (checked every fourth pass) after its
    ``passes [n]``, when its step falls below :data:`SMALLEST_STEP`, or when its score lies more than ``reach`` steps
    below zero."""
    issues, runs = package.shape
    free = np.array([j for j in range(issues) if (upper[j] > lower[j]).any()], np.int64)
    trying = 2 * free.size
    package, score = package.copy(), score.copy()
    if trying == 0:
        return package, score
    step, gained = np.full(runs, FIRST_STEP), np.zeros(runs, np.int64)
    live = np.arange(runs)
    count, done, most = runs, 0, passes.max() if runs else 0
    while count and done < most:
        done += 1
        trials, columns = np.empty((issues, trying * count)), np.empty(trying * count, np.int64)
        moves = np.zeros(trying * count, np.bool_)
        for c in range(count):
            run = live[c]
            for m in range(trying):
                moved, sign = free[m % free.size], 1.0 if m < free.size else -1.0
                t = c * trying + m
                columns[t] = run
                for j in range(issues):
                    shifted = package[j, run] + (sign * step[run] if j == moved else 0.0)
                    trials[j, t] = _clipped(shifted, lower[j, run], upper[j, run])
                    moves[t] |= trials[j, t] != package[j, run]
        scored = np.full(trying * count, -np.inf)
        moving = np.flatnonzero(moves)
        scored[moving] = scores(rules, index, lower, upper, threshold, trials[:, moving], columns[moving], proposer)
        kept = 0
        for c in range(count):
            run, first = live[c], c * trying
            pick = first
            for t in range(first + 1, first + trying):
                if scored[t] > scored[pick]:
                    pick = t
            if scored[pick] > score[run]:
                score[run] = scored[pick]
                package[:, run] = trials[:, pick]
                gained[run] = done
            else:
                step[run] /= 2.0
            going = step[run] >= SMALLEST_STEP and score[run] >= -reach * step[run] and done < passes[run]
            if done - gained[run] < patience and (done % 4 or going):
                live[kept] = run
                kept += 1
        count = kept
    return package, score


@njit(cache=True, error_model="numpy")
def least_margins(rules, index, lower, upper, threshold, packages, columns) -> np.ndarray:
    """Each package's least (voiced) margin, -inf outside the box: every veto holder accepts it where this is at least
    zero (:func:`accepted_by_all`)."""
    _, margins, inside = evaluate(rules, index, lower, upper, threshold, packages, columns)
    out = np.full(columns.size, -np.inf)
    for t in range(columns.size):
        if inside[t]:
            out[t] = _least(margins, t)
    return out


@njit(cache=True, error_model="numpy", inline="always")
def _least(margins: np.ndarray, t: int) -> float:
    """The least of ``margins [V, m]`` in column ``t`` (NaN if any is)."""
    least = margins[0, t]
    for v in range(1, margins.shape[0]):
        if not margins[v, t] >= least:
            least = margins[v, t]
    return least


@njit(cache=True, error_model="numpy")
def farthest_accepted(rules, index, lower, upper, threshold, start, target, points: int, halvings: int):
    """From ``start [J, n]`` toward ``target``, the package farthest along the segment that every veto holder accepts,
    per run: the last accepted of ``points`` evenly spaced shares, then the boundary between it and the next share
    (where none is, between ``start`` and the next share, by bisection), to the precision of ``halvings`` bisections.
    The bracket, an accepted and a rejected share, narrows by regula falsi on the least margin (Illinois: the end kept
    twice has its margin halved), bisecting where an iteration does not halve it, and never trying a share closer to
    either end than half the precision (a boundary at an end is then found in one trial)."""
    issues, runs = start.shape
    columns = np.empty(points * runs, np.int64)
    packages = np.empty((issues, points * runs))
    for c in range(runs):
        for p in range(points):
            t = c * points + p
            columns[t] = c
            _on_segment(start, target, c, p / (points - 1), packages, t)
    scanned = least_margins(rules, index, lower, upper, threshold, packages, columns)
    low, high = np.zeros(runs), np.full(runs, 1.0 / (points - 1))
    at_low, at_high = np.full(runs, np.nan), np.empty(runs)
    for c in range(runs):
        at_high[c] = scanned[c * points + 1]
        for p in range(points - 1, -1, -1):
            if scanned[c * points + p] >= 0.0:
                low[c], at_low[c] = p / (points - 1), scanned[c * points + p]
                if p < points - 1:
                    high[c], at_high[c] = (p + 1) / (points - 1), scanned[c * points + p + 1]
                break
    precision = 1.0 / (points - 1) / 2.0**halvings
    live = np.flatnonzero(low < 1.0)
    kept = np.zeros(runs, np.int64)
    slow = np.zeros(runs, np.bool_)
    for _ in range(3 * halvings):
        live = live[high[live] - low[live] > precision]
        if not live.size:
            break
        shares = np.empty(live.size)
        packages = np.empty((issues, live.size))
        for c in range(live.size):
            run = live[c]
            width = high[run] - low[run]
            share = low[run] + width / 2.0
            if not slow[run] and np.isfinite(at_high[run]) and at_low[run] > at_high[run]:
                share = low[run] + width * at_low[run] / (at_low[run] - at_high[run])
            if not (low[run] <= share <= high[run]):
                share = low[run] + width / 2.0
            shares[c] = min(max(share, low[run] + precision / 2.0), high[run] - precision / 2.0)
            _on_segment(start, target, run, shares[c], packages, c)
        trial = least_margins(rules, index, lower, upper, threshold, packages, live)
        for c in range(live.size):
            run, width = live[c], high[live[c]] - low[live[c]]
            side = 1 if trial[c] >= 0.0 else -1
            if side > 0:
                low[run], at_low[run] = shares[c], trial[c]
                if kept[run] > 0:
                    at_high[run] /= 2.0
            else:
                high[run], at_high[run] = shares[c], trial[c]
                if kept[run] < 0:
                    at_low[run] /= 2.0
            kept[run] = side
            slow[run] = high[run] - low[run] > width / 2.0 and not slow[run]
    out = np.empty_like(start)
    for c in range(runs):
        _on_segment(start, target, c, low[c], out, c)
    return out


@njit(cache=True, error_model="numpy", inline="always")
def _on_segment(start: np.ndarray, target: np.ndarray, c: int, share: float, out: np.ndarray, t: int) -> None:
    """Column ``t`` of ``out`` set to the package ``share`` of the way from column ``c`` of ``start`` to ``target``."""
    for j in range(start.shape[0]):
        out[j, t] = start[j, c] + share * (target[j, c] - start[j, c])
