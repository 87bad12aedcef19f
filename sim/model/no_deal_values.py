"""What no deal is worth to an actor, compiled (numba): fighting on to the front it expects, and an interim ceasefire
at the front where it stands, each less the cost of the war ahead (docs/model.md, section 5), in one pass over the
runs that still talk. The weighted losses are :func:`~sim.model.deal_values.issue_loss`, as in every deal value.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.model.deal_values import issue_loss


@njit(cache=True, error_model="numpy")
def no_deal_values(
    chance,
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
    cost,
    ceasefire_factor,
    runs,
):
    """One actor's value of fighting on and of the ceasefire package ``truce [J, R]`` in ``runs [m]`` (``[m]`` each;
    with no ceasefire on offer, ``truce`` has no columns and both are fighting on's).

    Fighting on: the front each region of ``front [G, R]`` not yet ``absorbed`` reaches after ``planning [R]`` rounds
    of a drift of ``step [R]`` a round, won with the actor's ``chance [R]`` (moved by the drift in power it expects,
    ``foreseen [R]``, if any), weighted by ``front_weight``; the issues that ``follows`` the front there, the others at
    ``no_deal [J, R]``. Each value is the actor's utility (``position``, ``weight [J, R]``; ``reference``,
    ``aversion`` and ``kind`` its utility form) less ``cost [R]``, the war's cost ahead (the ceasefire's, that times
    ``ceasefire_factor [R]``)."""
    regions, issues, count = front.shape[0], follows.size, runs.size
    share = np.empty(count)
    for i in range(count):
        r = runs[i]
        chance_won = chance[r]
        if foreseen.size:
            chance_won = min(max(chance_won + foreseen[r], 0.0), 1.0)
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
        war[i] = (1.0 - loss[i]) - cost[r]
        ceasefire[i] = (1.0 - truce_loss[i]) - ceasefire_factor[r] * cost[r] if offered else war[i]
    return war, ceasefire
