"""Summaries of a Monte Carlo run: DataFrame in, DataFrame out. Nothing here runs a model."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.model.outcomes import OUTCOME_CLASSES
from sim.scenario import Scenario

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


SUMMARY_COLUMNS = ("outcome", "deal", "months_to_deal", "ceasefire", "breakdown")
SUMMARY_PREFIXES = ("settlement_", "compromise_", "deal_includes_", "event_", "months_to_event_")


def summary_columns(names: list[str]) -> list[str]:
    """The columns the summary and plots need, out of all of a results table's ``names``."""
    return [n for n in names if n in SUMMARY_COLUMNS or n.startswith(SUMMARY_PREFIXES)]


def wilson_interval(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion; exactly 0 (1) at no (all) successes."""
    if trials == 0:
        return (float("nan"), float("nan"))
    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    # At 0 or all successes the bound is exactly 0 or 1 (the formula leaves rounding error there).
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == trials else min(1.0, centre + half)
    return (lo, hi)


def proportion(flags: pd.Series) -> dict[str, float]:
    """Share of true values with its Monte Carlo standard error and 95% Wilson interval:
    ``estimate``, ``se``, ``lo``, ``hi``."""
    successes, trials = int(flags.sum()), int(flags.size)
    lo, hi = wilson_interval(successes, trials)
    p = successes / trials if trials else float("nan")
    return {"estimate": p, "se": float(np.sqrt(p * (1 - p) / trials)) if trials else float("nan"), "lo": lo, "hi": hi}


def deal_curve(runs: pd.DataFrame, horizon_months: int) -> pd.DataFrame:
    """Probability of a deal by each month (with its 95% band): columns month, estimate, lo, hi."""
    months = runs["months_to_deal"].to_numpy()
    rows = [{"month": m, **proportion(pd.Series(months <= m))} for m in range(horizon_months + 1)]
    return pd.DataFrame(rows)


def outcome_shares(runs: pd.DataFrame) -> pd.DataFrame:
    """Share of runs in each outcome class with 95% intervals, indexed by class."""
    rows = {name: proportion(runs["outcome"] == name) for name in OUTCOME_CLASSES}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("outcome")


def issues_of(runs: pd.DataFrame) -> list[str]:
    """The issue names, read off the ``settlement_<issue>`` columns."""
    return [c.removeprefix("settlement_") for c in runs.columns if c.startswith("settlement_")]


def settlement_quantiles(runs: pd.DataFrame) -> pd.DataFrame:
    """Quantiles of each issue's settlement among deals, beside the compromise model's median."""
    deals = runs[runs["deal"]]
    rows = {}
    for issue in issues_of(runs):
        values = deals[f"settlement_{issue}"]
        row = {f"q{int(q * 100):02d}": values.quantile(q) if len(values) else np.nan for q in QUANTILES}
        row["compromise_median"] = runs[f"compromise_{issue}"].median()
        rows[issue] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("issue")


def headline(runs: pd.DataFrame, horizon_months: int) -> pd.DataFrame:
    """The probabilities a reader wants first, each with a 95% interval, indexed by measure."""
    months = runs["months_to_deal"]
    rows = {
        f"deal by the horizon ({horizon_months} months)": proportion(runs["deal"]),
        "deal within 6 months": proportion(months <= 6),
        "deal within 12 months": proportion(months <= 12),
        "ceasefire before any deal": proportion(runs["ceasefire"]),
        "deal breaks down by the horizon": proportion(runs["breakdown"]),
    }
    deals = runs[runs["deal"]]
    for column in (c for c in runs.columns if c.startswith("deal_includes_")):
        label = column.removeprefix("deal_includes_").replace("_", " ")
        rows[f"deals that include: {label}"] = proportion(deals[column]) if len(deals) else proportion(deals["deal"])
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("measure")


def event_shares(runs: pd.DataFrame) -> pd.DataFrame:
    """Per scenario event: share of runs in which it happened (95% interval) and its median month."""
    rows = {}
    for column in (c for c in runs.columns if c.startswith("event_")):
        name = column.removeprefix("event_")
        rows[name] = proportion(runs[column]) | {"median_month": runs[f"months_to_event_{name}"].median()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("event")


def settled_by(runs: pd.DataFrame, date: str | pd.Timestamp) -> dict[str, float]:
    """Probability (95% interval) that a ceasefire or a deal is in effect by ``date``."""
    limit = pd.Timestamp(date)
    first = runs[["deal_date", "ceasefire_date"]].min(axis=1)
    return proportion(first.le(limit))


def median_months_to_deal(runs: pd.DataFrame) -> float:
    """Median months to a deal among the runs that reach one (NaN if none does)."""
    return float(runs["months_to_deal"].median())


def horizon_months(manifest: dict) -> int:
    """The horizon in months, from a results manifest."""
    settings = manifest["scenario"]["resolved"]["model"]
    return int(settings["horizon_rounds"] * settings["round_months"])


def compare_models(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per issue and model: probability of a deal, and the settlement's median and 90% range among deals."""
    rows = []
    for model, runs in tables.items():
        deal = proportion(runs["deal"])
        for issue in issues_of(runs):
            values = runs.loc[runs["deal"], f"settlement_{issue}"]
            rows.append({"issue": issue, "model": model, "p_deal": deal["estimate"],
                         "median": values.median(), "q05": values.quantile(0.05), "q95": values.quantile(0.95)})
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
            for b in names[i + 1:]:
                both = tables[a]["deal"] & tables[b]["deal"]
                row[f"{a} vs {b}"] = (tables[a].loc[both, column] - tables[b].loc[both, column]).abs().mean()
        rows[issue] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("issue")


def sensitivity_outcomes(runs: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Numeric outcomes defined in every run, for sensitivity analysis: ``deal`` (0/1), ``months_to_deal``
    (horizon + 1 when none), each ``deal_includes_<flag>`` (0/1), and per issue ``outcome_<issue>``: the
    settlement if there is a deal, else where the issue stands at the end (the front, or its no-deal value)."""
    table = {"deal": runs["deal"].astype(float),
             "months_to_deal": runs["months_to_deal"].fillna(scenario.horizon_months + 1.0)}
    for column in (c for c in runs.columns if c.startswith("deal_includes_")):
        table[column] = runs[column].astype(float)
    for issue, spec in scenario.issues.items():
        if spec.follows_front:
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
    table = pd.DataFrame({"first_order": result["S1"], "first_order_conf": result["S1_conf"],
                          "total": result["ST"], "total_conf": result["ST_conf"]}, index=pd.Index(parameters, name="parameter"))
    return table.sort_values("total", ascending=False)


def tornado(blocks: list[pd.DataFrame], parameters: list[str], outcome: str, scenario: Scenario) -> pd.DataFrame:
    """One-at-a-time swings of an outcome's mean: block 0 at the centre, then each parameter at its low and
    high quantile (see :func:`sim.sampling.one_at_a_time_design`); ranked by the size of the swing."""
    means = [sensitivity_outcomes(block, scenario)[outcome].mean() for block in blocks]
    rows = {}
    for k, name in enumerate(parameters):
        low_block, high_block = blocks[1 + 2 * k], blocks[2 + 2 * k]
        rows[name] = {"value_low": low_block[name].iloc[0], "value_high": high_block[name].iloc[0],
                      "outcome_low": means[1 + 2 * k], "outcome_high": means[2 + 2 * k]}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("parameter")
    table["swing"] = (table["outcome_high"] - table["outcome_low"]).abs()
    table.attrs["centre"] = means[0]
    return table.sort_values("swing", ascending=False)


PAIRED_MEASURES = {
    "deal by the horizon": lambda runs: runs["deal"],
    "deal within 6 months": lambda runs: runs["months_to_deal"] <= 6,
    "deal within 12 months": lambda runs: runs["months_to_deal"] <= 12,
    "ceasefire before any deal": lambda runs: runs["ceasefire"],
    "deal breaks down by the horizon": lambda runs: runs["breakdown"],
}


def scenario_differences(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each scenario against the first: the change in each headline probability, with a 95% interval from
    the run-by-run (paired) differences, which common random numbers make narrow; ``unpaired_half_width``
    is what the interval's half-width would be without them."""
    names = list(tables)
    base = tables[names[0]]
    rows = []
    for name in names[1:]:
        other = tables[name]
        for measure, indicator in PAIRED_MEASURES.items():
            a, b = indicator(base).astype(float).to_numpy(), indicator(other).astype(float).to_numpy()
            paired = b - a
            half = 1.96 * paired.std(ddof=1) / np.sqrt(len(paired))
            unpaired = 1.96 * np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
            rows.append({"scenario": name, "measure": measure, "baseline": a.mean(), "value": b.mean(),
                         "difference": paired.mean(), "lo": paired.mean() - half, "hi": paired.mean() + half,
                         "unpaired_half_width": unpaired})
    return pd.DataFrame(rows).set_index(["scenario", "measure"])


def settlement_differences(tables: dict[str, pd.DataFrame], quantiles=(0.25, 0.5, 0.75), resamples: int = 400,
                           seed: int = 0) -> pd.DataFrame:
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
                rows.append({"scenario": name, "issue": issue, "quantile": q, "baseline": before[j],
                             "difference": difference[j], "lo": lo[j], "hi": hi[j]})
    return pd.DataFrame(rows).set_index(["scenario", "issue", "quantile"])


def parameter_contrast(runs: pd.DataFrame, parameters: list[str], happens: pd.Series) -> pd.DataFrame:
    """Each parameter's mean where an outcome happens and where it does not, and the difference in
    standard deviations of the parameter: a first look at what goes with the outcome, largest first."""
    inside, outside = runs.loc[happens, parameters].mean(), runs.loc[~happens, parameters].mean()
    spread = runs[parameters].std().replace(0, np.nan)
    table = pd.DataFrame({"mean_if_yes": inside, "mean_if_no": outside, "standardised_difference": (inside - outside) / spread})
    return table.dropna().sort_values("standardised_difference", key=np.abs, ascending=False).rename_axis("parameter")
