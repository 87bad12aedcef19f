"""The model: actors as Mesa agents, bargaining while fighting over an ensemble of runs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.agents import ActorAgent
from sim.model.inputs import ModelInputs, build_inputs
from sim.model.negotiation import NegotiationModel
from sim.model.outcomes import OUTCOME_CLASSES, collect_outcomes
from sim.sampling import Draws
from sim.scenario import Scenario

__all__ = ["OUTCOME_CLASSES", "ActorAgent", "ModelInputs", "NegotiationModel", "build_inputs", "simulate", "simulate_history"]


def _run(scenario: Scenario, draws: Draws, rng: np.random.Generator, record_history: bool) -> NegotiationModel:
    model = NegotiationModel(build_inputs(scenario, draws), rng, record_history=record_history)
    try:
        model.run()
    finally:
        # Mesa keeps a class-level id counter per model, which would keep every finished model alive.
        ActorAgent._ids.pop(model, None)
    return model


def simulate(scenario: Scenario, draws: Draws, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Run one ensemble (as many runs as ``draws`` has rows) to its end; return the outcome columns."""
    return collect_outcomes(_run(scenario, draws, rng, record_history=False), scenario)


def simulate_history(scenario: Scenario, draws: Draws, rng: np.random.Generator) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Like :func:`simulate`, and also the state of every run at the end of every round (column ``run``)."""
    model = _run(scenario, draws, rng, record_history=True)
    rounds = [pd.DataFrame(state | {"run": np.arange(model.inputs.runs)}) for state in model.history]
    history = pd.concat(rounds, ignore_index=True).sort_values(["run", "round"], kind="stable")
    history.insert(1, "month", (history["round"] + 1) * scenario.model.round_months)
    return collect_outcomes(model, scenario), history
