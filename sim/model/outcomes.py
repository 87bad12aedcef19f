"""What a finished ensemble reports: one column per outcome, one row per run."""

from __future__ import annotations

from typing import Protocol

import mesa
import numpy as np

from sim.model.acceptance import TOLERANCE
from sim.model.events import EventSchedule
from sim.model.groups import group_outcomes
from sim.model.inputs import ModelInputs
from sim.model.reneging import REASONS
from sim.model.state import NO_ROUND, NOBODY, NegotiationState, ceasefire_package, no_deal_package
from sim.registry.outcomes import computed_columns
from sim.scenario.schema import Scenario

OUTCOME_CLASSES = (
    "agreement",
    "agreement_broke_down",
    "decided_by_fighting",
    "ceasefire_only",
    "front_frozen",
    "fighting_goes_on",
    "no_agreement",
)
"""Every outcome class, in the order of precedence used to assign them; a scenario has those that fit it
(see :func:`outcome_classes`)."""


class FinishedModel(Protocol):
    """What the outcome columns read of a model that has run (:class:`sim.model.negotiation.NegotiationModel`): its
    inputs, its final state, its events and what it recorded per run (rounds are ``NO_ROUND`` where it never
    happened)."""

    inputs: ModelInputs
    state: NegotiationState
    events: EventSchedule | None
    front_start: np.ndarray  # [R] the front's share before the first round
    front_at_deal: np.ndarray  # [R] and when the deal was made (NaN without one)
    compromise_start: np.ndarray  # [I, R] the compromise forecast at the start
    deal: np.ndarray  # [R]
    deal_round: np.ndarray  # [R]
    package: np.ndarray  # [I, R] the deal's terms (NaN without one)
    zone_round: np.ndarray  # [R] the first round with a zone of agreement
    broken: np.ndarray  # [R]
    broken_round: np.ndarray  # [R]
    reneged_by: np.ndarray  # [R] the actor who reneged (NOBODY for nobody)
    breakdown_reason: np.ndarray  # [R] an index into REASONS
    ceasefire_round: np.ndarray  # [R]
    decided: np.ndarray  # [R] decided by the fighting
    decided_round: np.ndarray  # [R]

    @property
    def actor_agents(self) -> mesa.agent.AgentSet:
        """The actors, in the scenario's order."""
        ...


def outcome_classes(scenario: Scenario) -> dict[str, str]:
    """The outcome classes this scenario can have, in order of precedence, each with its label: the
    scenario's own name for it (``report.outcome_labels``) or the class's. Without a front: agreement,
    agreement broke down (if deals can break down), no agreement; with one, the war's classes (decided by
    fighting only where ``front.decisive``); with structural choices, those of any structure."""
    if scenario.structure:
        union: dict[str, str] = {}
        for picks in scenario.structures():
            union |= outcome_classes(scenario.with_structure(picks))
        return {name: union[name] for name in OUTCOME_CLASSES if name in union}
    front = scenario.front is not None
    present = {
        "agreement": True,
        "agreement_broke_down": scenario.can_break_down(),
        "decided_by_fighting": scenario.front is not None and scenario.front.decisive,
        "ceasefire_only": scenario.ceasefire is not None,
        "front_frozen": front,
        "fighting_goes_on": front,
        "no_agreement": not front,
    }
    labels = scenario.report.outcome_labels
    return {name: labels.get(name, name) for name in OUTCOME_CLASSES if present[name]}


def classify(model: FinishedModel, scenario: Scenario) -> np.ndarray:
    """The outcome class of each run, by its label (see :func:`outcome_classes`)."""
    still_fighting = np.abs(model.state.front_share - model.front_start) >= model.inputs.frozen_threshold
    conditions = {
        "agreement": model.deal & ~model.broken,
        "agreement_broke_down": model.deal & model.broken,
        "decided_by_fighting": model.decided,
        "ceasefire_only": model.state.ceasefire,
        "front_frozen": ~still_fighting,
    }
    classes = outcome_classes(scenario)
    *ruled, last = classes
    return np.select([conditions[name] for name in ruled], [classes[name] for name in ruled], default=classes[last])


def collect_outcomes(model: FinishedModel, scenario: Scenario) -> dict[str, np.ndarray]:
    """The outcome columns of every run of a finished model."""
    inputs, state = model.inputs, model.state
    settings = scenario.model
    months = settings.round_months
    dates = settings.dates_after(np.arange(settings.horizon_rounds + 1))

    def months_after(rounds: np.ndarray) -> np.ndarray:
        return np.where(rounds == NO_ROUND, np.nan, (rounds + 1.0) * months)

    def date_of(rounds: np.ndarray) -> np.ndarray:
        return np.where(rounds == NO_ROUND, np.datetime64("NaT"), dates.values[np.minimum(rounds + 1, len(dates) - 1)])

    def native(values: np.ndarray) -> np.ndarray:
        return inputs.issue_low[:, None] + inputs.issue_span[:, None] * values

    in_force = model.deal & ~model.broken
    final_front = state.front_share
    final_package = np.where(
        in_force,
        model.package,
        np.where(state.ceasefire, ceasefire_package(inputs, state), no_deal_package(inputs, final_front)),
    )
    settlement = native(model.package)
    baseline = native(model.compromise_start)

    columns: dict[str, np.ndarray] = {
        "outcome": classify(model, scenario),
        "deal": model.deal.copy(),
        "months_to_deal": months_after(model.deal_round),
        "deal_date": date_of(model.deal_round),
        "zone": model.zone_round != NO_ROUND,
        "months_to_zone": months_after(model.zone_round),
    }
    if scenario.can_break_down():
        columns |= {"breakdown": model.broken.copy(), "months_to_breakdown": months_after(model.broken_round)}
    if scenario.reneging is not None:
        columns["reneged_by"] = np.array(("",) + inputs.actors, dtype=object)[model.reneged_by - NOBODY]
        columns["breakdown_reason"] = np.array(REASONS, dtype=object)[model.breakdown_reason]
    if scenario.ceasefire is not None:
        columns |= {
            "ceasefire": model.ceasefire_round != NO_ROUND,
            "months_to_ceasefire": months_after(model.ceasefire_round),
            "ceasefire_date": date_of(model.ceasefire_round),
            "ceasefire_at_end": state.ceasefire.copy(),
        }
    if scenario.front is not None and scenario.front.decisive:
        columns |= {
            "decided_by_fighting": model.decided.copy(),
            "months_to_decision": months_after(model.decided_round),
        }
    for j, issue in enumerate(inputs.issues):
        columns[f"settlement_{issue}"] = settlement[j]
    for name, flag in scenario.flags.items():
        j = inputs.issues.index(flag.issue)
        value = model.package[j]
        meets = model.deal.copy()
        if flag.at_least is not None:
            meets &= value >= (flag.at_least - inputs.issue_low[j]) / inputs.issue_span[j] - TOLERANCE
        if flag.at_most is not None:
            meets &= value <= (flag.at_most - inputs.issue_low[j]) / inputs.issue_span[j] + TOLERANCE
        columns[f"deal_includes_{name}"] = meets
    for agent in model.actor_agents:
        columns[f"utility_{agent.name}"] = agent.utility(final_package)
        columns[f"cost_{agent.name}"] = agent.cost_paid.copy()
    if inputs.groups is not None:
        columns |= group_outcomes(inputs.groups, inputs.actors, columns, model.deal, model.package)
    if scenario.front is not None:
        columns["front_start"] = model.front_start
        columns["front_at_deal"] = model.front_at_deal.copy()
        columns["front_end"] = final_front
        for g, region in enumerate(inputs.regions):
            columns[f"front_end_{region}"] = state.front[g].copy()
    for j, issue in enumerate(inputs.issues):
        columns[f"compromise_{issue}"] = baseline[j]
    if model.events is not None:
        for e, name in enumerate(model.events.names):
            columns[f"event_{name}"] = model.events.happened_round[e] != NO_ROUND
            columns[f"months_to_event_{name}"] = months_after(model.events.happened_round[e]) - months
    return columns | computed_columns(model, scenario)
