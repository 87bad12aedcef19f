"""What no deal is worth to an actor, compiled (numba): fighting on to the front it expects, and an interim ceasefire
at the front where it stands, each less the cost of the war ahead (docs/model.md, section 5), in one pass over the
runs that still talk. The weighted losses are :func:`~sim.model.deal_values.issue_loss`, as in every deal value.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.model.deal_values import issue_loss
from sim.model.power_shift import moved_chance


@njit(cache=True, error_model="numpy", inline="always")
def belief(wins: float, losses: float, shift: float) -> float:
    """An actor's belief (its posterior mean) that a round goes the front's side's way, moved by the shift in power
    so far."""
    return moved_chance(wins / (wins + losses), shift)


@njit(cache=True, error_model="numpy")
def beliefs(wins: np.ndarray, losses: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """:func:`belief` in every run ``[R]``."""
    out = np.empty(wins.size)
    for r in range(wins.size):
        out[r] = belief(wins[r], losses[r], shift[r])
    return out


@njit(cache=True, error_model="numpy", inline="always")
def cost_ahead(
    war_cost: float, winter_multiplier: float, planning: int, winters_before: np.ndarray, start: int
) -> float:
    """The cost of fighting on for ``planning`` rounds from round ``start``, a winter round costing
    ``winter_multiplier`` times a round's ``war_cost`` (``winters_before[t]``: the winter rounds before round t)."""
    winters = winters_before[start + planning] - winters_before[start]
    return war_cost * (planning + (winter_multiplier - 1.0) * winters)


@njit(cache=True, error_model="numpy")
def costs_ahead(
    war_cost: np.ndarray, winter_multiplier: np.ndarray, planning: np.ndarray, winters_before: np.ndarray, start: int
) -> np.ndarray:
    """:func:`cost_ahead` in every run ``[R]``."""
    out = np.empty(war_cost.size)
    for r in range(war_cost.size):
        out[r] = cost_ahead(war_cost[r], winter_multiplier[r], planning[r], winters_before, start)
    return out


@njit(cache=True, error_model="numpy")
def no_deal_values(
    wins,
    losses,
    shift,
    foreseen,
    planning,
    step,
    front,
    absorbed,
    front_weight,
    follows,
    no_deal,
    truce,
    position,
    weight,
    reference,
    aversion,
    kind: int,
    war_cost,
    winter_multiplier,
    winters_before,
    start: int,
    ceasefire_factor,
    runs,
):
    """One actor's value of fighting on and of the ceasefire package ``truce [J, R]`` in ``runs [m]`` (``[m]`` each;
    with no ceasefire on offer, ``truce`` has no columns and both are fighting on's).

    Fighting on: the front each region of ``front [G, R]`` not yet ``absorbed`` reaches after ``planning [R]`` rounds
    of a drift of ``step [R]`` a round, won with the actor's :func:`belief` (from its ``wins`` and ``losses`` and the
    ``shift`` in power; moved by the drift it expects over its horizon, ``foreseen [R]``, if any), weighted by
    ``front_weight``; the issues that ``follows`` the front there, the others at ``no_deal [J, R]``. Each value is the
    actor's utility (``position``, ``weight [J, R]``; ``reference``, ``aversion`` and ``kind`` its utility form) less
    the war's :func:`cost_ahead` from round ``start`` (the ceasefire's, that times ``ceasefire_factor [R]``)."""
    regions, issues, count = front.shape[0], follows.size, runs.size
    share = np.empty(count)
    for i in range(count):
        r = runs[i]
        chance_won = belief(wins[r], losses[r], shift[r])
        if foreseen.size:
            chance_won = moved_chance(chance_won, foreseen[r])
        drift = planning[r] * step[r] * (2.0 * chance_won - 1.0)
        held_share = 0.0
        for g in range(regions):
            held = front[g, r]
            if not absorbed[g, r]:
                held = min(max(held + drift, 0.0), 1.0)
            held_share += front_weight[g, r] * held
        share[i] = held_share
    offered = truce.shape[1] > 0
    loss, truce_loss = np.zeros(count), np.zeros(count)
    for j in range(issues):  # issue by issue, each an unbroken pass over the runs (the losses add up in one order)
        for i in range(count):
            r = runs[i]
            value = share[i] if follows[j] else no_deal[j, r]
            loss[i] += issue_loss(value, position[j, r], weight[j, r], reference[j, r], aversion[r], kind)
        if offered:
            for i in range(count):
                r = runs[i]
                truce_loss[i] += issue_loss(
                    truce[j, r], position[j, r], weight[j, r], reference[j, r], aversion[r], kind
                )
    war, ceasefire = np.empty(count), np.empty(count)
    for i in range(count):
        r = runs[i]
        cost = cost_ahead(war_cost[r], winter_multiplier[r], planning[r], winters_before, start)
        war[i] = (1.0 - loss[i]) - cost
        ceasefire[i] = (1.0 - truce_loss[i]) - ceasefire_factor[r] * cost if offered else war[i]
    return war, ceasefire
