"""Power that shifts: a stated drift in the chance that a round's fighting goes the front's side's way
(docs/model.md, section 6c).

The shift so far is state, one number per run, added to ``front.p_advance`` (and to every actor's belief
about it). Each round it moves by ``power_shift.per_round``, and by ``power_shift.while_settled`` more
while a deal or a ceasefire holds (rearmament while the guns are silent). Events may change either rate
(aid starting or ending). Actors who foresee the drift value fighting on, and deals, at the chance they
expect over the rounds they weigh.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.model.deal_values import elementwise
from sim.model.inputs import ModelInputs


def advance_shift(inputs: ModelInputs, shift: np.ndarray, settled: np.ndarray) -> np.ndarray:
    """The shift after one more round; ``settled`` is True in the runs where a deal or a ceasefire holds."""
    return shift + inputs.shift_per_round + np.where(settled, inputs.shift_while_settled, 0.0)


@njit(cache=True, error_model="numpy", inline="always")
def moved_chance(p_advance: float, shift: float) -> float:
    """A chance of winning a round moved by the shift so far, kept within [0, 1]."""
    return min(max(p_advance + shift, 0.0), 1.0)


@njit(cache=True, error_model="numpy")
def moved_chances(p_advance: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """:func:`moved_chance` element by element over flat arrays of one size."""
    out = np.empty(p_advance.size)
    for e in range(p_advance.size):
        out[e] = moved_chance(p_advance[e], shift[e])
    return out


def current_chance(p_advance: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """:func:`moved_chance` over arrays (broadcast together)."""
    return elementwise(moved_chances, p_advance, shift)


def foreseen_rate(inputs: ModelInputs, settled: bool) -> np.ndarray:
    """The drift per round the actors expect, at war or (``settled``) while a deal holds; zero if not foreseen."""
    if not inputs.shift_foreseen:
        return np.zeros_like(inputs.shift_per_round)
    return inputs.shift_per_round + (inputs.shift_while_settled if settled else 0.0)


def mean_rounds_ahead(rounds: np.ndarray) -> np.ndarray:
    """The average number of rounds of drift over the next ``rounds`` rounds, ``(rounds + 1) / 2``: the chance
    expected over a horizon of linear drift is the chance at this point."""
    return (np.asarray(rounds, float) + 1.0) / 2.0
