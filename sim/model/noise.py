"""The war's random numbers, drawn round by round for a whole chunk of runs.

Models over parts of a chunk (one per structure the runs drew) take their runs' columns, so a run meets
the same chance in the war whatever structure it drew (common random numbers), and a chunk with one
structure draws exactly as a single model would.
"""

from __future__ import annotations

import numpy as np


class RoundNoise:
    """Each round: one uniform per run for every random event (in order), then one per region and two more."""

    def __init__(self, rng: np.random.Generator, runs: int, random_events: tuple[str, ...], regions: int):
        self.rng = rng
        self.runs = runs
        self.random_events = random_events
        self.regions = regions
        self._round = -1
        self._events: dict[str, np.ndarray] = {}
        self._fight = np.empty((regions + 2, 0))

    def draws(self, round_: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """This round's draws: per random event ``[runs]``, and for the fight ``[regions + 2, runs]``."""
        if round_ != self._round:
            if round_ != self._round + 1:
                raise ValueError(f"rounds are drawn in order: asked for round {round_} after round {self._round}")
            self._events = {name: self.rng.random(self.runs) for name in self.random_events}
            self._fight = self.rng.random((self.regions + 2, self.runs))
            self._round = round_
        return self._events, self._fight
