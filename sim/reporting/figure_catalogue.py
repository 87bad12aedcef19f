"""The built-in figure makers (see :data:`sim.registry.figures.FIGURES`): outcome classes, the deal curve, each issue's
settlement and its ECDF, and, from runs re-simulated round by round, fan charts of the front and of the package on the
table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from sim.analysis.summary import plural
from sim.experiments.results import Results
from sim.model.outcomes import outcome_classes
from sim.registry.figures import Figure
from sim.reporting import plots
from sim.scenario.labels import actor_name, plain_label
from sim.scenario.schema import Scenario


def _drawing(plot: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
    """``plot(*args, ax=ax, **kwargs)`` as a function of the axes ``ax``."""
    return lambda ax: plot(*args, ax=ax, **kwargs)


def outcome_classes_figure(results: Results, scenario: Scenario, _history: pd.DataFrame | None) -> dict[str, Figure]:
    """The share of runs in each outcome class."""
    classes = list(outcome_classes(scenario).values())
    return {
        "outcome_classes": Figure(
            _drawing(plots.plot_outcome_classes, results.runs, classes),
            "Share of runs ending in each outcome class, with 95% intervals.",
        )
    }


def deal_curve(results: Results, scenario: Scenario, _history: pd.DataFrame | None) -> dict[str, Figure]:
    """The probability of a deal by each round's end."""
    horizon, unit = scenario.horizon, scenario.time_unit
    return {
        "deal_curve": Figure(
            _drawing(plots.plot_deal_curve, results.runs, horizon, unit=unit),
            f"Probability of a deal by each {unit} up to the horizon ({plural(horizon, unit)}), with its 95% band.",
        )
    }


def settlements(results: Results, scenario: Scenario, _history: pd.DataFrame | None) -> dict[str, Figure]:
    """Each issue's settlement among deals (histogram beside the compromise model's forecast) and its ECDF."""
    figures = {}
    for issue, spec in scenario.issues.items():
        words = plain_label(spec.description or plots.label_of(issue))
        units = plain_label(spec.units)
        figures[f"settlement_{issue}"] = Figure(
            _drawing(plots.plot_settlement, results.runs, issue, units, title=words),
            f"{words}: settlement among runs with a deal, beside the compromise model's forecast.",
        )
        figures[f"ecdf_{issue}"] = Figure(
            _drawing(plots.plot_settlement_ecdf, {"this scenario": results.runs}, issue, units),
            f"{words}: share of deals settling at or below each value.",
        )
    return figures


def _sample(history: pd.DataFrame) -> str:
    return f"(the first {history['run_id'].nunique():,} runs, re-simulated round by round)"


def front_fan(_results: Results, scenario: Scenario, history: pd.DataFrame | None) -> dict[str, Figure]:
    """The front line over time, where the scenario has a front and runs were re-simulated."""
    if history is None or scenario.front is None:
        return {}
    side = plain_label(actor_name(scenario, scenario.front.side))
    return {
        "fan_front": Figure(
            _drawing(plots.plot_fan, history, "front", f"front: share held by {side}", unit=scenario.time_unit),
            f"The front line over time: median, 50% and 90% of runs {_sample(history)}.",
        )
    }


def proposal_fans(_results: Results, scenario: Scenario, history: pd.DataFrame | None) -> dict[str, Figure]:
    """The package on the table over time, per issue, where runs were re-simulated."""
    if history is None:
        return {}
    return {
        f"fan_proposal_{issue}": Figure(
            _drawing(
                plots.plot_fan,
                history,
                f"proposal_{issue}",
                f"package on the table: {plots.label_of(issue)}",
                unit=scenario.time_unit,
            ),
            f"{plain_label(spec.description or plots.label_of(issue))}: the package on the table while talks go on "
            f"{_sample(history)}.",
        )
        for issue, spec in scenario.issues.items()
    }
