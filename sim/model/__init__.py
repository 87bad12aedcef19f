"""The model: actors as Mesa agents, bargaining while fighting over an ensemble of runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from sim.model.agents import ActorAgent, release_model
from sim.model.events import EventSchedule
from sim.model.inputs import ModelInputs, build_inputs
from sim.model.negotiation import NegotiationModel
from sim.model.noise import RoundNoise
from sim.model.outcomes import OUTCOME_CLASSES, collect_outcomes
from sim.registry.models import SOLUTIONS
from sim.sampling.draws import Draws
from sim.scenario.schema import Scenario

__all__ = [
    "OUTCOME_CLASSES",
    "ActorAgent",
    "ModelInputs",
    "NegotiationModel",
    "build_inputs",
    "simulate",
    "simulate_history",
    "solve",
]


def structures(scenario: Scenario, draws: Draws) -> list[tuple[Scenario, np.ndarray]]:
    """The scenario under each structure its runs drew (``structure.<choice>`` holds the option's index), and the
    runs that drew it; the scenario itself over every run when it has no structural choices."""
    runs = len(next(iter(draws.values())))
    if not scenario.structure:
        return [(scenario, np.arange(runs))]
    names = list(scenario.structure)
    codes = np.stack([np.rint(draws[f"structure.{name}"]).astype(int) for name in names], axis=1)
    combinations, which = np.unique(codes, axis=0, return_inverse=True)
    groups = []
    for k, combination in enumerate(combinations):
        picks = {
            name: list(scenario.structure[name].options)[code] for name, code in zip(names, combination, strict=True)
        }
        groups.append((scenario.with_structure(picks), np.flatnonzero(which.ravel() == k)))
    return groups


def draws_of(scenario: Scenario, draws: Draws, runs: np.ndarray) -> Draws:
    """The draws of ``runs`` for a structure of the scenario: its random numbers as drawn, its constants its own."""
    return {
        path: draws[path][runs] if quantity.uncertain else np.full(runs.size, quantity.central())
        for path, quantity in scenario.quantities()
    }


@contextmanager
def _negotiations(
    scenario: Scenario, draws: Draws, rng: np.random.Generator, record_history: bool, lanes: np.ndarray | None = None
) -> Iterator[list[tuple[NegotiationModel, Scenario, np.ndarray]]]:
    """One model per structure, sharing the war's random numbers (run ``i`` reads column ``lanes[i]`` of them, by
    default its own); let go afterwards (:func:`release_model`)."""
    groups = structures(scenario, draws)
    runs = len(next(iter(draws.values())))
    random_events = tuple(name for name, event in scenario.events.items() if event.chance_per_round is not None)
    regions = len(scenario.front.regions) if scenario.front else 0
    noise = RoundNoise(rng, runs if lanes is None else int(lanes.max()) + 1, random_events, regions)
    models = []
    try:
        for variant, members in groups:
            variant_draws = draws_of(variant, draws, members) if scenario.structure else draws
            events = EventSchedule(variant, variant_draws) if variant.events else None
            columns = members if scenario.structure else slice(None)
            if lanes is not None:
                columns = lanes[columns]
            model = NegotiationModel(
                build_inputs(variant, variant_draws),
                noise,
                record_history=record_history,
                events=events,
                columns=columns,
            )
            models.append((model, variant, members))
        yield models
    finally:
        for model, _, _ in models:
            release_model(model)


def _run(models: list[tuple[NegotiationModel, Scenario, np.ndarray]]) -> None:
    """Run a lone model by Mesa's loop; step several together, round by round, so that they draw the war's chance in
    one order."""
    if len(models) == 1:
        models[0][0].run_model()
        return
    while any(model.running for model, _, _ in models):
        for model, _, _ in models:
            if model.running:
                model.step()


def _gather(parts: list[tuple[dict[str, np.ndarray], np.ndarray]]) -> dict[str, np.ndarray]:
    """Outcome columns of every part, put back in run order."""
    if len(parts) == 1:
        return parts[0][0]
    table = pd.concat([pd.DataFrame(columns, index=members) for columns, members in parts]).sort_index()
    return {name: table[name].to_numpy() for name in table.columns}


def simulate(
    scenario: Scenario, draws: Draws, rng: np.random.Generator, lanes: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Run one ensemble (as many runs as ``draws`` has rows) to its end; return the outcome columns. With ``lanes``,
    run ``i`` meets the chance of run ``lanes[i]`` of an ensemble of ``max(lanes) + 1`` runs drawn from ``rng``, so
    several designs of the same runs can be simulated side by side with common random numbers."""
    with _negotiations(scenario, draws, rng, record_history=False, lanes=lanes) as models:
        _run(models)
        parts = [(collect_outcomes(model, variant), members) for model, variant, members in models]
    return _gather(parts)


def simulate_history(
    scenario: Scenario, draws: Draws, rng: np.random.Generator
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Like :func:`simulate`, and also the state of every run at the end of every round (column ``run``)."""
    with _negotiations(scenario, draws, rng, record_history=True) as models:
        _run(models)
        parts = [(collect_outcomes(model, variant), members) for model, variant, members in models]
        rounds = [
            pd.DataFrame(state | {"run": members}) for model, _, members in models for state in model.history or ()
        ]
    history = pd.concat(rounds, ignore_index=True).sort_values(["run", "round"], kind="stable")
    history.insert(1, scenario.time_unit, (history["round"] + 1) * scenario.model.round_length)
    return _gather(parts), history


def solve(scenario: Scenario, draws: Draws, rng: np.random.Generator, solution: str) -> dict[str, np.ndarray]:
    """A static solution per run, at the scenario's start, by its name in :data:`sim.registry.models.SOLUTIONS`.
    Columns ``deal`` and ``settlement_<issue>``."""
    return SOLUTIONS[solution](scenario, draws, rng)
