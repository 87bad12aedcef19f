"""Comparisons of runs: bargaining models on the same draws, and scenarios against a baseline (paired runs)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.summary import headline_measures, issues_of, proportion
from sim.registry.outcomes import Indicator
from sim.registry.outcomes import summary_columns as summary_columns
from sim.scenario.schema import Scenario


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


def comparison_problems(scenarios: dict[str, Scenario]) -> list[tuple[str, str]]:
    """Why scenarios cannot be compared against the first (by name): each must hold the first's issues, whose
    settlements are compared issue by issue."""
    names = list(scenarios)
    baseline = scenarios[names[0]].issues
    problems = []
    for name in names[1:]:
        missing = [issue for issue in baseline if issue not in scenarios[name].issues]
        if missing:
            problems.append(
                (
                    name,
                    f"lacks the baseline's issue(s) {', '.join(missing)}; settlements are compared issue by issue, "
                    f"so each scenario needs the issues of the baseline, {names[0]}",
                )
            )
    return problems


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
