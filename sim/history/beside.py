"""A scenario's forecast beside its reference class: how soon the fighting ends, how often by agreement,
and how long deals hold, in the model's runs and in history.

The model's intervals are Monte Carlo intervals (how precisely the runs pin the model's own probability);
history's are sampling intervals (how precisely a handful of past wars pin a base rate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.summary import earliest, proportion
from sim.backtests.data_folder import data_dir
from sim.history import data, reference_class
from sim.history.survival import kaplan_meier
from sim.scenario.schema import Scenario

HORIZONS = (12, 36)
SURVIVAL_MONTHS = (6, 12, 24, 36)


def model_war_ends(runs: pd.DataFrame, horizon: float, horizons: tuple[int, ...] = HORIZONS) -> pd.DataFrame:
    """The model's chance that the fighting ends within each k months (a deal, a ceasefire or a decision by
    arms) and that it ends by a deal or ceasefire, with 95% intervals; NaN past the horizon."""
    ends = earliest(runs, ("months_to_deal", "months_to_ceasefire", "months_to_decision"))
    agreed = earliest(runs, ("months_to_deal", "months_to_ceasefire"))
    rows = {}
    for k in horizons:
        blank = {"estimate": np.nan, "se": np.nan, "lo": np.nan, "hi": np.nan}
        rows[f"fighting ends within {k} months"] = proportion(ends <= k) if k <= horizon else blank
        rows[f"... by agreement or ceasefire within {k} months"] = proportion(agreed <= k) if k <= horizon else blank
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("measure")


def model_deal_survival(runs: pd.DataFrame, horizon: float, months: tuple[int, ...] = SURVIVAL_MONTHS) -> pd.DataFrame:
    """Kaplan-Meier share of the model's deals still holding k months after they were made (censored at the
    horizon), with 95% intervals, for k within the horizon."""
    deals = runs[runs["months_to_deal"].notna()]
    ended = deals["months_to_breakdown"] if "months_to_breakdown" in deals else pd.Series(np.nan, deals.index)
    broke = ended.notna()
    duration = np.where(broke, ended - deals["months_to_deal"], horizon - deals["months_to_deal"])
    return kaplan_meier(duration, broke.to_numpy(), tuple(m for m in months if m <= horizon)).set_index("month")


@dataclass(frozen=True)
class Beside:
    """The model and its reference class side by side (columns ``model`` and ``history``)."""

    profile: reference_class.Profile
    war_ends: pd.DataFrame
    deal_survival: pd.DataFrame
    still_going: int
    """Episodes of the class still going when the data end (counted as not ended)."""


def beside_history(runs: pd.DataFrame, scenario: Scenario, folder: str | None = None) -> Beside:
    """Both comparisons for a scenario with a reference class (see :func:`applies`). Raises
    :class:`~sim.errors.ScenarioError` when the data are not found."""
    profile = reference_class.stated_profile(scenario)
    root = data_dir(folder, data.FOLDER)
    history = reference_class.war_ends(data.load_episodes(root), profile)
    model = model_war_ends(runs, scenario.horizon_months)
    war = pd.concat(
        {"model": model[["estimate", "lo", "hi"]], "history": history[["estimate", "lo", "hi", "n"]]}, axis=1
    )
    agreements = reference_class.agreement_survival(data.load_agreements(root), SURVIVAL_MONTHS)
    deals = model_deal_survival(runs, scenario.horizon_months)
    survival = pd.concat(
        {
            "model": deals[["survival", "lo", "hi", "at_risk"]],
            "history": agreements[["survival", "lo", "hi", "at_risk"]],
        },
        axis=1,
    )
    return Beside(profile, war, survival, history.attrs["still_going_at_data_end"])


def applies(scenario: Scenario) -> bool:
    """The comparison is made for scenarios with a front and a stated reference class."""
    return scenario.front is not None and scenario.reference_class is not None
