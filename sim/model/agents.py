"""The actors as Mesa agents. Each holds its beliefs and the costs it has paid for every run of the ensemble
(runs on the last axis) and judges packages against its value of fighting on, in the state the model passes it."""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.deal_values import KINDS
from sim.model.inputs import ModelInputs
from sim.model.no_deal_values import beliefs, costs_ahead, no_deal_values
from sim.model.power_shift import foreseen_rate, mean_rounds_ahead
from sim.model.state import NegotiationState
from sim.model.utility import package_utility


class ActorAgent(mesa.Agent):
    """One actor of the scenario across all runs: its beliefs and the costs it has paid, and how it values packages,
    fighting on and a ceasefire in the negotiation's state. Its parameters it reads from the model's inputs as they
    stand (an event may change them)."""

    def __init__(self, model: mesa.Model, index: int, inputs: ModelInputs):
        super().__init__(model)
        self.inputs = inputs
        self.index = index
        self.name = inputs.actors[index]
        self.veto = bool(inputs.veto[index])
        self.belief_wins = inputs.belief_wins[index].copy()
        self.belief_losses = inputs.belief_losses[index].copy()
        self.cost_paid = np.zeros(inputs.runs)

    def utility(self, package: np.ndarray) -> np.ndarray:
        """Salience-weighted closeness of a package ``[issues, runs]`` to the actor's positions, in [0, 1]."""
        inputs = self.inputs
        return package_utility(inputs.position[self.index], inputs.salience[self.index], package, inputs.utility)

    def expected_p_advance(self, state: NegotiationState) -> np.ndarray:
        """The actor's current belief (posterior mean) that a round of fighting goes the front's side's way, moved by
        the shift in power so far."""
        return beliefs(self.belief_wins, self.belief_losses, state.shift)

    def cost_ahead(self, state: NegotiationState) -> np.ndarray:
        """The cost of fighting on for the actor's planning horizon, winters included."""
        inputs, k = self.inputs, self.index
        start = state.round + 1
        return costs_ahead(
            inputs.war_cost[k], inputs.winter_multiplier[k], inputs.planning_rounds[k], inputs.winters_before, start
        )

    def war_value(self, state: NegotiationState) -> np.ndarray:
        """Value of fighting on: the no-deal package at the projected front, less the costs until then."""
        return self.values_without_deal(state)[0]

    def values_without_deal(
        self, state: NegotiationState, truce_package: np.ndarray | None = None, runs: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The values of fighting on (the no-deal package at the front the actor expects after its planning horizon,
        the foreseen drift in power included, less the costs until then) and of an interim ceasefire ``truce_package``
        (the front frozen where it is), which costs a fraction of the war's cost; with no ceasefire on offer, fighting
        on's value twice. In ``runs`` (indices; every run by default)."""
        inputs, k = self.inputs, self.index
        planning = inputs.planning_rounds[k]
        foreseen = (
            foreseen_rate(inputs, settled=False) * mean_rounds_ahead(planning) if inputs.shift_foreseen else np.empty(0)
        )
        return no_deal_values(
            self.belief_wins,
            self.belief_losses,
            state.shift,
            foreseen,
            planning,
            inputs.step,
            state.front,
            state.absorbed,
            inputs.front_weight,
            inputs.follows_front,
            inputs.no_deal,
            np.empty((len(inputs.issues), 0)) if truce_package is None else truce_package,
            inputs.position[k],
            inputs.salience[k],
            inputs.utility.reference,
            inputs.utility.loss_aversion,
            KINDS[inputs.utility.kind],
            inputs.war_cost[k],
            inputs.winter_multiplier[k],
            inputs.winters_before,
            state.round + 1,
            inputs.ceasefire_cost_factor,
            np.arange(inputs.runs) if runs is None else runs,
        )

    def outside_option(
        self, state: NegotiationState, war: np.ndarray, truce: np.ndarray, runs: np.ndarray | None = None
    ) -> np.ndarray:
        """What the actor gets without a deal: its fixed outside option if the scenario gives one,
        else the ceasefire's value while one holds and the war's otherwise (``war`` and ``truce`` in ``runs``, indices;
        every run by default)."""
        fixed, ceasefire = self.inputs.outside_option[self.index], state.ceasefire
        if runs is not None:
            fixed, ceasefire = fixed[runs], ceasefire[runs]
        return np.where(np.isnan(fixed), np.where(ceasefire, truce, war), fixed)

    def observe(self, wins: np.ndarray, battles: np.ndarray) -> None:
        """Update the belief on this round's fighting (a Beta-binomial update)."""
        self.belief_wins += wins
        self.belief_losses += battles - wins

    def pay(self, exposure: np.ndarray, winter: bool) -> None:
        """Add this round's cost of war; ``exposure`` is 1 at war, a fraction in a ceasefire, 0 at peace."""
        k = self.index
        season = self.inputs.winter_multiplier[k] if winter else 1.0
        self.cost_paid += self.inputs.war_cost[k] * season * exposure


def release_model(model: mesa.Model) -> None:
    """Let go of a finished model: forget it in Mesa's agent-id counters, and drop what it holds.

    Mesa 3.3 numbers agents from a counter per model kept in ``mesa.Agent._ids``, a class-level dict keyed by the model
    itself that nothing ever clears: without this every finished model, and the arrays of its whole chunk, would stay
    alive until the process ends. Its agents and its wrapped ``step`` also refer back to it, so even then the chunk's
    arrays would wait for the cycle collector, which runs rarely here (few Python objects are made): a process's
    memory would climb chunk after chunk. Dropping its attributes frees them at once (tests/test_mesa_use.py holds
    the regression tests).
    """
    mesa.Agent._ids.pop(model, None)
    model.__dict__.clear()
