"""The model: actors as Mesa agents, bargaining while fighting over an ensemble of runs."""

from __future__ import annotations

import numpy as np

from sim.model.agents import ActorAgent
from sim.model.inputs import ModelInputs, build_inputs
from sim.model.negotiation import NegotiationModel
from sim.model.outcomes import OUTCOME_CLASSES, collect_outcomes
from sim.sampling import Draws
from sim.scenario import Scenario

__all__ = ["OUTCOME_CLASSES", "ActorAgent", "ModelInputs", "NegotiationModel", "build_inputs", "simulate"]


def simulate(scenario: Scenario, draws: Draws, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Run one ensemble (as many runs as ``draws`` has rows) to its end; return the outcome columns."""
    model = NegotiationModel(build_inputs(scenario, draws), rng)
    try:
        model.run()
        return collect_outcomes(model, scenario)
    finally:
        # Mesa keeps a class-level id counter per model, which would keep every finished model alive.
        ActorAgent._ids.pop(model, None)
