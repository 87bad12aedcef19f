"""Scenario events during the talks: scheduled changes and random shocks to scenario numbers.

When an event happens in a run, the numbers it names take their new values (drawn per run, like any
other number) from that round on; the model's inputs are rebuilt from the changed draws, for the runs where some
event fired, and copied into place.
"""

from __future__ import annotations

import numpy as np

from sim.model.inputs import ModelInputs, build_inputs, refresh_inputs
from sim.sampling.draws import Draws
from sim.scenario.schema import Scenario

NOT_YET = -1


class EventSchedule:
    """Which events happened in which run and round, and the draws as they now stand."""

    def __init__(self, scenario: Scenario, draws: Draws):
        self.scenario = scenario
        self.draws = {path: values.copy() for path, values in draws.items()}
        self.names = tuple(scenario.events)
        runs = len(next(iter(draws.values())))
        self.happened_round = np.full((len(self.names), runs), NOT_YET)
        self.random_names = tuple(name for name in self.names if scenario.events[name].chance_per_round is not None)

    def apply(self, inputs: ModelInputs, round_: int, chances: dict[str, np.ndarray]) -> bool:
        """Fire the events of round ``round_`` (before its fighting) and update the model's ``inputs`` in place;
        ``chances`` holds this round's uniform draw per run for each random event. True when some number changed."""
        fired = np.zeros(self.happened_round.shape[1], bool)
        for e, name in enumerate(self.names):
            event = self.scenario.events[name]
            waiting = self.happened_round[e] == NOT_YET
            if event.round is not None:
                fires = waiting & (np.rint(self.draws[f"events.{name}.round"]) - 1 == round_)
            else:
                in_window = event.from_round - 1 <= round_ and (event.until_round is None or round_ < event.until_round)
                chance = self.draws[f"events.{name}.chance_per_round"]
                fires = waiting & in_window & (chances[name] < chance)
            if not fires.any():
                continue
            self.happened_round[e][fires] = round_
            for target in event.set:
                self.draws[target] = np.where(fires, self.draws[f"events.{name}.set.{target}"], self.draws[target])
            fired |= fires
        if not fired.any():
            return False
        runs = np.flatnonzero(fired)
        refresh_inputs(inputs, build_inputs(self.scenario, {path: v[runs] for path, v in self.draws.items()}), runs)
        return True
