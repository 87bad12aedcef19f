"""Summaries of a Monte Carlo run: DataFrame in, DataFrame out. Nothing here runs a model."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.registry.outcomes import HEADLINE_MEASURES, Indicator
from sim.registry.outcomes import summary_columns as summary_columns
from sim.scenario import MONTHS_PER_UNIT, Scenario

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
        label = column.removeprefix("deal_includes_").replace("_", " ")
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


def compare_models(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per issue and model: probability of a deal, of a zone of agreement at some round (simulated models only) and
    of a zone without a deal, and the settlement's median and 90% range among deals."""
    rows = []
    for model, runs in tables.items():
        deal = proportion(runs["deal"])
        zone = runs["zone"].mean() if "zone" in runs else np.nan
        gap = (runs["zone"] & ~runs["deal"]).mean() if "zone" in runs else np.nan
        for issue in issues_of(runs):
            values = runs.loc[runs["deal"], f"settlement_{issue}"]
            rows.append(
                {
                    "issue": issue,
                    "model": model,
                    "p_deal": deal["estimate"],
                    "p_zone": zone,
                    "zone_no_deal": gap,
                    "median": values.median(),
                    "q05": values.quantile(0.05),
                    "q95": values.quantile(0.95),
                }
            )
    return pd.DataFrame(rows).set_index(["issue", "model"])


def model_disagreement(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """How far the models' settlements lie apart per issue: the range of their medians, and the mean
    absolute difference run by run (same draws) between each pair, among runs where both reach a deal."""
    names = list(tables)
    rows = {}
    for issue in issues_of(next(iter(tables.values()))):
        column = f"settlement_{issue}"
        medians = [tables[m].loc[tables[m]["deal"], column].median() for m in names]
        row = {"range_of_medians": np.nanmax(medians) - np.nanmin(medians)}
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                both = tables[a]["deal"] & tables[b]["deal"]
                row[f"{a} vs {b}"] = (tables[a].loc[both, column] - tables[b].loc[both, column]).abs().mean()
        rows[issue] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("issue")


def sensitivity_outcomes(runs: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Numeric outcomes defined in every run, for sensitivity analysis: ``deal`` (0/1), ``months_to_deal``
    (``weeks_to_deal``, ``days_to_deal``: in the rounds' unit; horizon + 1 when none), each
    ``deal_includes_<flag>`` (0/1), ``breakdown`` (0/1, where deals can break down), and per issue
    ``outcome_<issue>``: the settlement if there is a deal, else where the issue stands at the end (the front,
    or its no-deal value)."""
    unit = scenario.time_unit
    table = {
        "deal": runs["deal"].astype(float),
        f"{unit}s_to_deal": (runs["months_to_deal"] / MONTHS_PER_UNIT[unit]).fillna(scenario.horizon + 1.0),
    }
    for column in (c for c in runs.columns if c.startswith("deal_includes_")):
        table[column] = runs[column].astype(float)
    if "breakdown" in runs:
        table["breakdown"] = runs["breakdown"].astype(float)
    for issue, spec in scenario.issues.items():
        if spec.no_deal is None:
            fallback = spec.low + (spec.high - spec.low) * runs["front_end"]
        else:
            path = f"issues.{issue}.no_deal"
            fallback = runs[path] if path in runs else spec.no_deal.central()
        table[f"outcome_{issue}"] = runs[f"settlement_{issue}"].where(runs["deal"], fallback)
    return pd.DataFrame(table)


def sobol_indices(outcome: pd.Series, parameters: list[str], seed: int) -> pd.DataFrame:
    """First-order and total Sobol indices with 95% intervals (SALib) for an outcome of a Saltelli design
    (rows in SALib's order), ranked by total index."""
    from SALib.analyze import sobol

    problem = {"num_vars": len(parameters), "names": parameters, "bounds": [[0.0, 1.0]] * len(parameters)}
    result = sobol.analyze(problem, outcome.to_numpy(float), calc_second_order=False, conf_level=0.95, seed=seed)
    table = pd.DataFrame(
        {
            "first_order": result["S1"],
            "first_order_conf": result["S1_conf"],
            "total": result["ST"],
            "total_conf": result["ST_conf"],
        },
        index=pd.Index(parameters, name="parameter"),
    )
    return table.sort_values("total", ascending=False)


def sobol_warnings(indices: pd.DataFrame, base_runs: int, precision: float = 0.05) -> list[str]:
    """What makes Sobol estimates unreliable at this base sample size: first-order indices below zero, totals
    above one, 95% intervals wider than their estimate; with the base sample size (a power of two) at which
    every flagged interval's half-width would shrink to ``precision`` or half its estimate (as 1/sqrt(N))."""
    found, factor = [], 1.0
    checks = (
        ("first_order", "a first-order index below zero", indices["first_order"] < 0),
        ("total", "a total index above one", indices["total"] > 1),
        (
            "first_order",
            "a first-order interval wider than the estimate",
            indices["first_order_conf"] > indices["first_order"].abs(),
        ),
        ("total", "a total interval wider than the estimate", indices["total_conf"] > indices["total"].abs()),
    )
    for column, problem, flagged in checks:
        if flagged.any():
            names = list((indices["label"] if "label" in indices else indices.index.to_series())[flagged])
            found.append(f"{len(names)} with {problem} ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''})")
            target = np.maximum(precision, indices.loc[flagged, column].abs() / 2)
            factor = max(factor, float(((indices.loc[flagged, f"{column}_conf"] / target) ** 2).max()))
    if not found:
        return []
    needed = int(2 ** np.ceil(np.log2(max(base_runs * factor, 2 * base_runs))))
    return [
        f"unreliable estimates of some parameters: {'; '.join(found)}. A base sample of about {needed:,} (now {base_runs:,}) would "
        f"narrow every such interval to +/-{precision:g} or half its estimate."
    ]


def tornado(blocks: list[pd.DataFrame], parameters: list[str], outcome: str, scenario: Scenario) -> pd.DataFrame:
    """One-at-a-time swings of an outcome's mean: block 0 at the centre, then each parameter at its low and
    high quantile (see :func:`sim.sampling.one_at_a_time_design`); ranked by the size of the swing."""
    means = [sensitivity_outcomes(block, scenario)[outcome].mean() for block in blocks]
    rows = {}
    for k, name in enumerate(parameters):
        low_block, high_block = blocks[1 + 2 * k], blocks[2 + 2 * k]
        rows[name] = {
            "value_low": low_block[name].iloc[0],
            "value_high": high_block[name].iloc[0],
            "outcome_low": means[1 + 2 * k],
            "outcome_high": means[2 + 2 * k],
        }
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("parameter")
    table["swing"] = (table["outcome_high"] - table["outcome_low"]).abs()
    table.attrs["centre"] = means[0]
    return table.sort_values("swing", ascending=False)


def scenario_differences(tables: dict[str, pd.DataFrame], baseline: Scenario) -> pd.DataFrame:
    """Each scenario against the first: the change in each of the ``baseline`` scenario's headline measures,
    with a 95% interval from the run-by-run (paired) differences, which common random numbers make narrow;
    ``unpaired_half_width`` is what the interval's half-width would be without them."""
    names = list(tables)
    base = tables[names[0]]
    rows = []
    for name in names[1:]:
        other = tables[name]
        shared = {m: f for m, f in headline_measures(baseline).items() if _defined(f, base) and _defined(f, other)}
        for measure, indicator in shared.items():
            a, b = indicator(base).astype(float).to_numpy(), indicator(other).astype(float).to_numpy()
            paired = b - a
            half = 1.96 * paired.std(ddof=1) / np.sqrt(len(paired))
            unpaired = 1.96 * np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
            rows.append(
                {
                    "scenario": name,
                    "measure": measure,
                    "baseline": a.mean(),
                    "value": b.mean(),
                    "difference": paired.mean(),
                    "lo": paired.mean() - half,
                    "hi": paired.mean() + half,
                    "unpaired_half_width": unpaired,
                }
            )
    return pd.DataFrame(rows).set_index(["scenario", "measure"])


def _defined(indicator: Indicator, runs: pd.DataFrame) -> bool:
    """Whether a measure can be read off these runs (a scenario compared may lack a ceasefire or breakdowns)."""
    try:
        indicator(runs)
    except KeyError:
        return False
    return True


def settlement_differences(
    tables: dict[str, pd.DataFrame], quantiles=(0.25, 0.5, 0.75), resamples: int = 400, seed: int = 0
) -> pd.DataFrame:
    """Each scenario against the first: the change in each issue's settlement quantiles among deals, with
    95% intervals from a paired bootstrap over runs (the same runs drawn for both scenarios)."""
    names = list(tables)
    base = tables[names[0]]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(base), (resamples, len(base)))
    levels = list(quantiles)

    def quantile_of(runs: pd.DataFrame, column: str, index: np.ndarray) -> np.ndarray:
        deal, values = runs["deal"].to_numpy()[index], runs[column].to_numpy()[index]
        return np.quantile(values[deal], levels) if deal.any() else np.full(len(levels), np.nan)

    everyone = np.arange(len(base))
    rows = []
    for name in names[1:]:
        other = tables[name]
        for issue in issues_of(base):
            column = f"settlement_{issue}"
            before = quantile_of(base, column, everyone)
            difference = quantile_of(other, column, everyone) - before
            boot = np.array([quantile_of(other, column, k) - quantile_of(base, column, k) for k in picks])
            lo, hi = np.nanpercentile(boot, 2.5, axis=0), np.nanpercentile(boot, 97.5, axis=0)
            for j, q in enumerate(levels):
                rows.append(
                    {
                        "scenario": name,
                        "issue": issue,
                        "quantile": q,
                        "baseline": before[j],
                        "difference": difference[j],
                        "lo": lo[j],
                        "hi": hi[j],
                    }
                )
    return pd.DataFrame(rows).set_index(["scenario", "issue", "quantile"])


def parameter_contrast(runs: pd.DataFrame, parameters: list[str], happens: pd.Series) -> pd.DataFrame:
    """Each parameter's mean where an outcome happens and where it does not, and the difference in
    standard deviations of the parameter: a first look at what goes with the outcome, largest first."""
    inside, outside = runs.loc[happens, parameters].mean(), runs.loc[~happens, parameters].mean()
    spread = runs[parameters].std().replace(0, np.nan)
    table = pd.DataFrame(
        {"mean_if_yes": inside, "mean_if_no": outside, "standardised_difference": (inside - outside) / spread}
    )
    return table.dropna().sort_values("standardised_difference", key=np.abs, ascending=False).rename_axis("parameter")
