"""The model: actors as Mesa agents, bargaining while fighting over an ensemble of runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from sim.model.agents import ActorAgent
from sim.model.compromise import compromise_forecast
from sim.model.events import EventSchedule
from sim.model.expected_utility import expected_utility_forecast
from sim.model.inputs import ModelInputs, build_inputs
from sim.model.negotiation import NegotiationModel
from sim.model.outcomes import OUTCOME_CLASSES, collect_outcomes
from sim.model.solutions import kalai_smorodinsky_solution, nash_solution
from sim.sampling import Draws
from sim.scenario import Scenario

__all__ = ["OUTCOME_CLASSES", "ActorAgent", "ModelInputs", "NegotiationModel", "build_inputs", "simulate", "simulate_history", "solve"]

SOLUTIONS = ("compromise", "expected_utility", "nash", "kalai_smorodinsky")


@contextmanager
def _negotiation(inputs: ModelInputs, rng: np.random.Generator, **options) -> Iterator[NegotiationModel]:
    """A model that is let go afterwards: Mesa keeps a class-level id counter per model, which would
    otherwise keep every finished model alive."""
    model = NegotiationModel(inputs, rng, **options)
    try:
        yield model
    finally:
        ActorAgent._ids.pop(model, None)


def _run(scenario: Scenario, draws: Draws, rng: np.random.Generator, record_history: bool) -> NegotiationModel:
    events = EventSchedule(scenario, draws) if scenario.events else None
    with _negotiation(build_inputs(scenario, draws), rng, record_history=record_history, events=events) as model:
        model.run()
    return model


def simulate(scenario: Scenario, draws: Draws, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Run one ensemble (as many runs as ``draws`` has rows) to its end; return the outcome columns."""
    return collect_outcomes(_run(scenario, draws, rng, record_history=False), scenario)


def simulate_history(scenario: Scenario, draws: Draws, rng: np.random.Generator) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Like :func:`simulate`, and also the state of every run at the end of every round (column ``run``)."""
    model = _run(scenario, draws, rng, record_history=True)
    rounds = [pd.DataFrame(state | {"run": np.arange(model.inputs.runs)}) for state in model.history]
    history = pd.concat(rounds, ignore_index=True).sort_values(["run", "round"], kind="stable")
    history.insert(1, scenario.time_unit, (history["round"] + 1) * scenario.model.round_length)
    return collect_outcomes(model, scenario), history


def solve(scenario: Scenario, draws: Draws, rng: np.random.Generator, solution: str) -> dict[str, np.ndarray]:
    """A static solution per run, at the scenario's start: ``compromise``, ``expected_utility``, or ``nash`` /
    ``kalai_smorodinsky`` among the veto holders against their outside options. Columns ``deal`` and
    ``settlement_<issue>``."""
    inputs = build_inputs(scenario, draws)
    if solution == "compromise":
        package, feasible = compromise_forecast(inputs), np.ones(inputs.runs, bool)
    elif solution == "expected_utility":
        package, feasible = expected_utility_forecast(inputs, scenario.model.expected_utility), np.ones(inputs.runs, bool)
    else:
        with _negotiation(inputs, rng) as model:
            members = [agent.index for agent in model.veto_holders]
            disagreement = np.stack([agent.outside_option(agent.war_value(), agent.war_value()) for agent in model.veto_holders])
        find = {"nash": nash_solution, "kalai_smorodinsky": kalai_smorodinsky_solution}[solution]
        package, feasible = find(inputs, members, disagreement)
    settlement = inputs.issue_low[:, None] + inputs.issue_span[:, None] * package
    columns = {"deal": feasible}
    columns |= {f"settlement_{issue}": np.where(feasible, settlement[j], np.nan) for j, issue in enumerate(inputs.issues)}
    return columns
