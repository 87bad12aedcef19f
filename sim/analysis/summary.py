"""Summaries of a Monte Carlo run: DataFrame in, DataFrame out. Nothing here runs a model."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.registry.outcomes import HEADLINE_MEASURES, Indicator
from sim.registry.outcomes import summary_columns as summary_columns
from sim.scenario.labels import key_in_words
from sim.scenario.schema import MONTHS_PER_UNIT, Scenario

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@cache
def two_sided_z(level: float) -> float:
    """The normal quantile of a two-sided ``level`` interval (1.96 for 95%), computed once per level."""
    return float(stats.norm.ppf(0.5 + level / 2))


def wilson_interval(successes: float, trials: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion; exactly 0 (1) at no (all) successes."""
    if trials == 0:
        return (float("nan"), float("nan"))
    z = two_sided_z(level)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == trials else min(1.0, centre + half)
    return (lo, hi)


def proportion(flags: pd.Series, weights: np.ndarray | None = None) -> dict[str, float]:
    """Share of true values with its Monte Carlo standard error and 95% Wilson interval:
    ``estimate``, ``se``, ``lo``, ``hi``. With importance ``weights``, the weighted share, with the
    effective sample size in place of the number of runs."""
    if weights is not None:
        weights = np.asarray(weights, float)
        trials = effective_sample_size(weights)
        successes = (
            float(np.sum(weights * np.asarray(flags, bool)) / weights.sum()) * trials if weights.sum() > 0 else 0.0
        )
        lo, hi = wilson_interval(successes, trials)
        p = successes / trials if trials else float("nan")
        return {
            "estimate": p,
            "se": float(np.sqrt(p * (1 - p) / trials)) if trials else float("nan"),
            "lo": lo,
            "hi": hi,
        }
    successes, trials = int(flags.sum()), int(flags.size)
    lo, hi = wilson_interval(successes, trials)
    p = successes / trials if trials else float("nan")
    return {"estimate": p, "se": float(np.sqrt(p * (1 - p) / trials)) if trials else float("nan"), "lo": lo, "hi": hi}


def within(months: pd.Series, count: float, unit: str = "month") -> pd.Series:
    """Whether each run reached something (``months`` after the start, NaN if never) within ``count``
    months (or weeks, days)."""
    return months <= count * MONTHS_PER_UNIT[unit] + 1e-9


def in_time_unit(table: pd.Series | pd.DataFrame, unit: str) -> pd.Series | pd.DataFrame:
    """A row or table with its ``months_to_*`` entries as ``<unit>s_to_*`` (``weeks_to_deal``), counted in
    that unit, as a user of a scenario with weekly or daily rounds reads them; unchanged for months."""
    names = table.index if isinstance(table, pd.Series) else table.columns
    months = [name for name in names if str(name).startswith("months_to_")]
    if unit == "month" or not months:
        return table
    out = table.copy()
    for name in months:
        out[name] = pd.to_numeric(out[name]) / MONTHS_PER_UNIT[unit]
    renamed = {name: f"{unit}s_to_{name.removeprefix('months_to_')}" for name in months}
    return out.rename(renamed) if isinstance(out, pd.Series) else out.rename(columns=renamed)


def plural(count: float, unit: str) -> str:
    """``1 month``, ``6 months``."""
    return f"{count:g} {unit}{'' if count == 1 else 's'}"


def deal_curve(
    runs: pd.DataFrame, horizon: int, unit: str = "month", weights: np.ndarray | None = None
) -> pd.DataFrame:
    """Probability of a deal by each month (or week, day) up to ``horizon``, with its 95% band: columns
    ``<unit>``, estimate, lo, hi (weighted by importance ``weights`` if given)."""
    return pd.DataFrame(
        [{unit: n, **proportion(within(runs["months_to_deal"], n, unit), weights)} for n in range(horizon + 1)]
    )


def outcome_shares(runs: pd.DataFrame, classes: list[str] | None = None) -> pd.DataFrame:
    """Share of runs in each outcome class with 95% intervals, indexed by class: ``classes`` (the
    scenario's, from :func:`sim.model.outcomes.outcome_classes` or a manifest), else those that occur."""
    names = classes if classes is not None else list(dict.fromkeys(runs["outcome"]))
    rows = {name: proportion(runs["outcome"] == name) for name in names}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("outcome")


def issues_of(runs: pd.DataFrame) -> list[str]:
    """The issue names, read off the ``settlement_<issue>`` columns."""
    return [c.removeprefix("settlement_") for c in runs.columns if c.startswith("settlement_")]


def settlement_quantiles(runs: pd.DataFrame) -> pd.DataFrame:
    """Quantiles of each issue's settlement among deals, beside the compromise model's median."""
    deals = runs[runs["deal"]]
    rows = {}
    for issue in issues_of(runs):
        values = deals[f"settlement_{issue}"].dropna().to_numpy(float)
        found = np.quantile(values, QUANTILES) if len(values) else np.full(len(QUANTILES), np.nan)
        row = {f"q{int(q * 100):02d}": value for q, value in zip(QUANTILES, found, strict=True)}
        row["compromise_median"] = runs[f"compromise_{issue}"].median()
        rows[issue] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("issue")


def headline_measures(scenario: Scenario) -> dict[str, Indicator]:
    """The headline measures of a scenario (:data:`sim.registry.outcomes.HEADLINE_MEASURES`, in their order), each a
    yes/no per run by its label."""
    measures: dict[str, Indicator] = {}
    for _, measures_of in HEADLINE_MEASURES.items():
        measures |= measures_of(scenario)
    return measures


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of importance weights: ``(sum w)^2 / sum w^2`` (0 if all are 0)."""
    weights = np.asarray(weights, float)
    squares = float(np.sum(weights**2))
    return float(weights.sum() ** 2 / squares) if squares > 0 else 0.0


def headline(runs: pd.DataFrame, scenario: Scenario, weights: np.ndarray | None = None) -> pd.DataFrame:
    """The probabilities a reader wants first (:func:`headline_measures`, then the share of deals with
    each flag), each with its standard error and 95% interval, indexed by measure (weighted by importance
    ``weights`` if given)."""
    rows = {name: proportion(indicator(runs), weights) for name, indicator in headline_measures(scenario).items()}
    is_deal = runs["deal"].to_numpy(bool)
    deals = runs[is_deal]
    deal_weights = None if weights is None else np.asarray(weights, float)[is_deal]
    for column in (c for c in runs.columns if c.startswith("deal_includes_")):
        name = column.removeprefix("deal_includes_")
        flag = scenario.flags.get(name)
        label = key_in_words(name, flag.description if flag is not None else "")
        rows[f"deals that include: {label}"] = (
            proportion(deals[column], deal_weights) if len(deals) else proportion(deals["deal"])
        )
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("measure")


def structure_forecasts(runs: pd.DataFrame, structure: dict[str, Any]) -> pd.DataFrame:
    """The deal's probability under each structure the runs drew, beside the structure's weight (the product of its
    options' normalised weights), indexed by the options; ``structure`` is the scenario's ``structure`` mapping."""
    names = list(structure)
    labels = {name: list(choice["options"]) for name, choice in structure.items()}
    shares = {
        name: np.array([o["weight"] for o in choice["options"].values()], float) for name, choice in structure.items()
    }
    rows = []
    for codes, group in runs.groupby([f"structure.{name}" for name in names]):
        codes = np.atleast_1d(codes).astype(int)
        weight = float(np.prod([shares[n][c] / shares[n].sum() for n, c in zip(names, codes, strict=True)]))
        rows.append(
            {
                **{n: labels[n][c] for n, c in zip(names, codes, strict=True)},
                "weight": weight,
                "runs": len(group),
                **{f"deal_{k}": v for k, v in proportion(group["deal"]).items() if k != "se"},
            }
        )
    return pd.DataFrame(rows).set_index(names)


def structure_spread(runs: pd.DataFrame, structure: dict[str, Any]) -> dict[str, float]:
    """The model-averaged probability of a deal (all runs pooled) and the lowest and highest under any structure."""
    table = structure_forecasts(runs, structure)
    return {
        "averaged": float(runs["deal"].mean()),
        "lowest": float(table["deal_estimate"].min()),
        "highest": float(table["deal_estimate"].max()),
    }


def event_shares(runs: pd.DataFrame, unit: str = "month") -> pd.DataFrame:
    """Per scenario event: share of runs in which it happened (95% interval) and its median month (or week,
    day: ``unit``, in column ``median_<unit>``)."""
    rows = {}
    for column in (c for c in runs.columns if c.startswith("event_")):
        name = column.removeprefix("event_")
        median = runs[f"months_to_event_{name}"].median() / MONTHS_PER_UNIT[unit]
        rows[name] = proportion(runs[column]) | {f"median_{unit}": median}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("event")


def earliest(runs: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """Per run, the earliest of those ``columns`` the runs have (a scenario without a ceasefire has no
    ceasefire columns); missing where none happened."""
    return runs[[c for c in columns if c in runs]].min(axis=1)


def settled_by(runs: pd.DataFrame, date: str | pd.Timestamp, weights: np.ndarray | None = None) -> dict[str, float]:
    """Probability (95% interval) that a ceasefire or a deal is in effect by ``date`` (weighted by importance
    ``weights`` if given)."""
    return proportion(earliest(runs, ("deal_date", "ceasefire_date")).le(pd.Timestamp(date)), weights)


def median_time_to_deal(runs: pd.DataFrame, unit: str = "month") -> float:
    """Median months (or weeks, days) to a deal among the runs that reach one (NaN if none does)."""
    return float(runs["months_to_deal"].median()) / MONTHS_PER_UNIT[unit]
