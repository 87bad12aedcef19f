"""The actors as Mesa agents. Each holds its parameters and beliefs for every run of the ensemble
(runs on the last axis) and judges packages against its value of fighting on."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model.inputs import ModelInputs
from sim.model.power_shift import current_chance, foreseen_rate, mean_rounds_ahead
from sim.model.utility import package_utility

if TYPE_CHECKING:
    from sim.model.negotiation import NegotiationModel


class ActorAgent(mesa.Agent):
    """One actor of the scenario across all runs: positions, saliences, costs, beliefs, veto."""

    model: NegotiationModel

    def __init__(self, model: NegotiationModel, index: int, inputs: ModelInputs):
        super().__init__(model)
        self.index = index
        self.name = inputs.actors[index]
        self.veto = bool(inputs.veto[index])
        self.position = inputs.position[index]
        self.salience = inputs.salience[index]
        self.red_min = inputs.red_min[index]
        self.red_max = inputs.red_max[index]
        self.red_relative = inputs.red_relative[index][:, None]
        self.war_cost = inputs.war_cost[index]
        self.winter_multiplier = inputs.winter_multiplier[index]
        self.planning_rounds = inputs.planning_rounds[index]
        self.fixed_outside_option = inputs.outside_option[index]
        self.belief_wins = inputs.belief_wins[index].copy()
        self.belief_losses = inputs.belief_losses[index].copy()
        self.cost_paid = np.zeros(inputs.runs)
        self._form = inputs.utility

    def utility(self, package: np.ndarray) -> np.ndarray:
        """Salience-weighted closeness of a package ``[issues, runs]`` to the actor's positions, in [0, 1]."""
        return package_utility(self.position, self.salience, package, self._form)

    def expected_p_advance(self) -> np.ndarray:
        """The actor's current belief (posterior mean) that a round of fighting goes the front's side's way, moved by
        the shift in power so far."""
        return current_chance(self.belief_wins / (self.belief_wins + self.belief_losses), self.model.shift)

    def projected_front(self, p_advance: np.ndarray | None = None) -> np.ndarray:
        """Where the actor expects the front to be after its planning horizon of fighting, the foreseen drift in power
        included.

        ``p_advance`` replaces the actor's own belief (to see the war as another actor sees it).
        """
        model = self.model
        if p_advance is None:
            foreseen = foreseen_rate(model.inputs, settled=False) * mean_rounds_ahead(self.planning_rounds)
            p_advance = np.clip(self.expected_p_advance() + foreseen, 0.0, 1.0)
        drift = self.planning_rounds * model.inputs.step * (2.0 * p_advance - 1.0)
        moved = np.clip(model.front + drift, 0.0, 1.0)
        return model.aggregate(np.where(model.absorbed, model.front, moved))

    def cost_ahead(self) -> np.ndarray:
        """The cost of fighting on for the actor's planning horizon, winters included."""
        winters = self.model.winters_ahead(self.planning_rounds)
        return self.war_cost * (self.planning_rounds + (self.winter_multiplier - 1.0) * winters)

    def war_value(self, p_advance: np.ndarray | None = None) -> np.ndarray:
        """Value of fighting on: the no-deal package at the projected front, less the costs until then."""
        return self.utility(self.model.no_deal_package(self.projected_front(p_advance))) - self.cost_ahead()

    def ceasefire_value(self, package: np.ndarray) -> np.ndarray:
        """Value of an interim ceasefire ``package`` (the front frozen where it is), at a fraction of the war's cost."""
        return self.utility(package) - self.model.inputs.ceasefire_cost_factor * self.cost_ahead()

    def outside_option(self, war: np.ndarray, truce: np.ndarray) -> np.ndarray:
        """What the actor gets without a deal: its fixed outside option if the scenario gives one,
        else the ceasefire's value while one holds and the war's otherwise."""
        fallback = np.where(self.model.ceasefire, truce, war)
        return np.where(np.isnan(self.fixed_outside_option), fallback, self.fixed_outside_option)

    def observe(self, wins: np.ndarray, battles: np.ndarray) -> None:
        """Update the belief on this round's fighting (a Beta-binomial update)."""
        self.belief_wins += wins
        self.belief_losses += battles - wins

    def pay(self, exposure: np.ndarray, winter: bool) -> None:
        """Add this round's cost of war; ``exposure`` is 1 at war, a fraction in a ceasefire, 0 at peace."""
        season = self.winter_multiplier if winter else 1.0
        self.cost_paid += self.war_cost * season * exposure


def release_agent_ids(model: mesa.Model) -> None:
    """Forget ``model`` in Mesa's agent-id counters, once the model is done with.

    Mesa 3.3 numbers agents from a counter per model kept in ``mesa.Agent._ids``, a class-level dict keyed by the model
    itself that nothing ever clears: without this every finished model, and the arrays of its whole chunk, would stay
    alive until the process ends (tests/test_model.py holds the regression test).
    """
    mesa.Agent._ids.pop(model, None)
