"""The static solutions, each a :class:`sim.registry.models.Solution`: a settlement per run at the scenario's start.

``compromise`` and ``expected_utility`` forecast from every actor's position; ``nash`` and ``kalai_smorodinsky``
bargain among the veto holders against their outside options.
"""

from __future__ import annotations

import numpy as np

from sim.model import _gather, _negotiations
from sim.model.compromise import compromise_forecast
from sim.model.expected_utility import expected_utility_forecast
from sim.model.inputs import ModelInputs, build_inputs
from sim.model.solutions import kalai_smorodinsky_solution, nash_solution
from sim.sampling.draws import Draws
from sim.scenario.schema import Scenario


def compromise(scenario: Scenario, draws: Draws, _rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The compromise model: positions weighted by capability x salience."""
    inputs = build_inputs(scenario, draws)
    return _settlement(inputs, compromise_forecast(inputs), np.ones(inputs.runs, bool))


def expected_utility(scenario: Scenario, draws: Draws, _rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Bueno de Mesquita's expected-utility model with the scenario's settings."""
    inputs = build_inputs(scenario, draws)
    forecast = expected_utility_forecast(inputs, settings=scenario.model.expected_utility)
    return _settlement(inputs, forecast, np.ones(inputs.runs, bool))


def nash(scenario: Scenario, draws: Draws, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The Nash bargaining solution among the veto holders."""
    return _bargain(scenario, draws, rng, nash_solution)


def kalai_smorodinsky(scenario: Scenario, draws: Draws, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The Kalai-Smorodinsky solution among the veto holders."""
    return _bargain(scenario, draws, rng, kalai_smorodinsky_solution)


def _bargain(scenario: Scenario, draws: Draws, rng: np.random.Generator, bargain) -> dict[str, np.ndarray]:
    parts = []
    with _negotiations(scenario, draws, rng, record_history=False) as models:
        for model, _, members in models:
            disagreement = np.stack(
                [
                    agent.outside_option(model.state, agent.war_value(model.state), agent.war_value(model.state))
                    for agent in model.veto_holders
                ]
            )
            parts.append((_settlement(model.inputs, *bargain(model.inputs, model.veto, disagreement)), members))
    return _gather(parts)


def _settlement(inputs: ModelInputs, package: np.ndarray, feasible: np.ndarray) -> dict[str, np.ndarray]:
    settlement = inputs.issue_low[:, None] + inputs.issue_span[:, None] * package
    columns = {"deal": feasible}
    columns |= {
        f"settlement_{issue}": np.where(feasible, settlement[j], np.nan) for j, issue in enumerate(inputs.issues)
    }
    return columns
