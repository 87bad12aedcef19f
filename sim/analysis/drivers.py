"""What drives an outcome: Sobol indices, one-at-a-time swings and contrasts of the parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.registry.outcomes import summary_columns as summary_columns
from sim.scenario.schema import MONTHS_PER_UNIT, Scenario


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
    high quantile (see :func:`sim.sampling.draws.one_at_a_time_design`); ranked by the size of the swing."""
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


def parameter_contrast(runs: pd.DataFrame, parameters: list[str], happens: pd.Series) -> pd.DataFrame:
    """Each parameter's mean where an outcome happens and where it does not, and the difference in
    standard deviations of the parameter: a first look at what goes with the outcome, largest first."""
    inside, outside = runs.loc[happens, parameters].mean(), runs.loc[~happens, parameters].mean()
    spread = runs[parameters].std().replace(0, np.nan)
    table = pd.DataFrame(
        {"mean_if_yes": inside, "mean_if_no": outside, "standardised_difference": (inside - outside) / spread}
    )
    return table.dropna().sort_values("standardised_difference", key=np.abs, ascending=False).rename_axis("parameter")
