"""The built-in headline measures (see :data:`sim.registry.outcomes.HEADLINE_MEASURES`): a deal by the horizon and
within each headline horizon, where the scenario has them a ceasefire before any deal and a breakdown, then a zone of
agreement by the horizon and within each headline horizon, and a zone without a deal."""

from __future__ import annotations

from functools import partial

import pandas as pd

from sim.analysis.summary import plural, within
from sim.registry.outcomes import Indicator
from sim.scenario.schema import Scenario


def _within(runs: pd.DataFrame, column: str, count: int, unit: str) -> pd.Series:
    return within(runs[column], count, unit)


def deal_by_horizon(scenario: Scenario) -> dict[str, Indicator]:
    """A deal by the scenario's horizon."""
    return {f"deal by the horizon ({plural(scenario.horizon, scenario.time_unit)})": lambda runs: runs["deal"]}


def deal_within(scenario: Scenario) -> dict[str, Indicator]:
    """A deal within each headline horizon."""
    return _within_horizons(scenario, "deal", "months_to_deal")


def ceasefire(scenario: Scenario) -> dict[str, Indicator]:
    """A ceasefire before any deal, where the scenario has ceasefires."""
    return {"ceasefire before any deal": lambda runs: runs["ceasefire"]} if scenario.ceasefire is not None else {}


def breakdown(scenario: Scenario) -> dict[str, Indicator]:
    """A deal that breaks down by the horizon, where deals can break down."""
    return {"deal breaks down by the horizon": lambda runs: runs["breakdown"]} if scenario.can_break_down() else {}


def zone_by_horizon(scenario: Scenario) -> dict[str, Indicator]:
    """A zone of agreement at some round by the horizon."""
    label = f"zone of agreement by the horizon ({plural(scenario.horizon, scenario.time_unit)})"
    return {label: lambda runs: runs["zone"]}


def zone_within(scenario: Scenario) -> dict[str, Indicator]:
    """A zone of agreement within each headline horizon."""
    return _within_horizons(scenario, "zone of agreement", "months_to_zone")


def zone_without_deal(_scenario: Scenario) -> dict[str, Indicator]:
    """A zone of agreement but no deal by the horizon (the talks missed it)."""
    return {"a zone but no deal by the horizon": lambda runs: runs["zone"] & ~runs["deal"]}


def _within_horizons(scenario: Scenario, what: str, column: str) -> dict[str, Indicator]:
    unit = scenario.time_unit
    return {
        f"{what} within {plural(count, unit)}": partial(_within, column=column, count=count, unit=unit)
        for count in scenario.headline_horizons
    }
