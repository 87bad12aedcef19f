"""What a run reports and what a reader sees first: the outcome columns and the headline measures.

An outcome column (:class:`OutcomeColumn`) is a column of the results, or a family of them named by a prefix
(``settlement_<issue>``). Those marked ``summary`` are read by ``sim summary``, ``plot``, ``report`` and ``--until-ci``
(the rest stay in the Parquet files for ``discover``, ``update`` and any reader). A column the model does not already
report is added with a ``compute`` function of the finished model and its scenario.

A headline measure (:class:`HeadlineMeasures`) gives, for a scenario, yes/no indicators per run by label; the summary's
headline table and the paired comparison of scenarios (``sim compare-scenarios``, the explorer) both read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sim.registry import Registry, resolve

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from sim.model.outcomes import FinishedModel
    from sim.scenario.schema import Scenario

Indicator = Callable[["pd.DataFrame"], "pd.Series"]
"""Yes or no per run, read off the results table."""


class ComputeColumns(Protocol):
    """Outcome columns of every run of a finished model, by name."""

    def __call__(self, model: FinishedModel, scenario: Scenario, /) -> dict[str, np.ndarray]: ...


class HeadlineMeasures(Protocol):
    """A scenario's headline measures of one kind, each an :data:`Indicator` by its label (none where they do not
    apply, e.g. breakdowns in a scenario where deals cannot break down)."""

    def __call__(self, scenario: Scenario, /) -> dict[str, Indicator]: ...


@dataclass(frozen=True)
class OutcomeColumn:
    """A result column (or, with ``prefix``, every column whose name begins with the entry's name): what it holds,
    whether the summary reads it, and how to compute it when the model does not already report it."""

    about: str
    summary: bool = False
    prefix: bool = False
    compute: ComputeColumns | str | None = None


OUTCOME_COLUMNS: Registry[OutcomeColumn] = Registry(
    "outcome column",
    {
        "outcome": OutcomeColumn("the run's outcome class, by its label", summary=True),
        "deal": OutcomeColumn("a deal was made by the horizon", summary=True),
        "months_to_deal": OutcomeColumn("months from the start to the deal", summary=True),
        "ceasefire": OutcomeColumn("an interim ceasefire began before any deal", summary=True),
        "months_to_ceasefire": OutcomeColumn("months to the ceasefire", summary=True),
        "breakdown": OutcomeColumn("the deal broke down by the horizon", summary=True),
        "months_to_breakdown": OutcomeColumn("months to the breakdown", summary=True),
        "months_to_decision": OutcomeColumn("months until the fighting decided the war", summary=True),
        "zone": OutcomeColumn("a zone of agreement existed at some round", summary=True),
        "months_to_zone": OutcomeColumn("months to the first zone of agreement", summary=True),
        "settlement_": OutcomeColumn("each issue's settlement (missing without a deal)", summary=True, prefix=True),
        "compromise_": OutcomeColumn("the compromise model's forecast per issue", summary=True, prefix=True),
        "deal_includes_": OutcomeColumn("the deal meets each of the scenario's flags", summary=True, prefix=True),
        "event_": OutcomeColumn("each scheduled or random event happened", summary=True, prefix=True),
        "months_to_event_": OutcomeColumn("months to each event", summary=True, prefix=True),
        "structure.": OutcomeColumn("the option of each structural choice a run drew", summary=True, prefix=True),
    },
)
"""Outcome columns by name (or prefix)."""

HEADLINE_MEASURES: Registry[HeadlineMeasures] = Registry(
    "headline measure",
    {
        "deal_by_horizon": "sim.analysis.headline_measures:deal_by_horizon",
        "deal_within": "sim.analysis.headline_measures:deal_within",
        "ceasefire": "sim.analysis.headline_measures:ceasefire",
        "breakdown": "sim.analysis.headline_measures:breakdown",
        "zone_by_horizon": "sim.analysis.headline_measures:zone_by_horizon",
        "zone_within": "sim.analysis.headline_measures:zone_within",
        "zone_without_deal": "sim.analysis.headline_measures:zone_without_deal",
    },
)
"""Headline measures, in the order the summary lists them."""


def summary_columns(names: list[str]) -> list[str]:
    """The columns the summary and plots need, out of all of a results table's ``names``."""
    exact = {name for name, column in OUTCOME_COLUMNS.items() if column.summary and not column.prefix}
    prefixes = tuple(name for name, column in OUTCOME_COLUMNS.items() if column.summary and column.prefix)
    return [n for n in names if n in exact or n.startswith(prefixes)]


def computed_columns(model: FinishedModel, scenario: Scenario) -> dict[str, np.ndarray]:
    """The columns registered with a ``compute`` function, for a finished model."""
    columns: dict[str, np.ndarray] = {}
    for _, column in OUTCOME_COLUMNS.items():
        if column.compute is not None:
            columns |= resolve(column.compute)(model, scenario)
    return columns
