"""Base rates for a stated profile of a war: how often wars like it ended, how, and how agreements held.

A profile names the type of conflict, its intensity, how long it has been fought and its region. The war
part reads UCDP conflict episodes (Kreutz 2010, v3-2021); the agreement part UCDP peace agreements
(v22.1); the duration of inter-state wars COW (v4.0). Episodes still going when the data end count as
not ended within a horizon (the share is then a lower bound); their number is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.summary import wilson_interval
from sim.errors import ScenarioError
from sim.history.choices import ANY
from sim.history.data import BY_AGREEMENT, DAYS_PER_MONTH
from sim.history.survival import kaplan_meier
from sim.scenario.schema import Scenario

TERMINATION_ORDER = ("low_activity", "ceasefire", "peace_agreement", "victory", "actor_ceases")
AGREEMENT_MONTHS = (6, 12, 24, 36, 60)


@dataclass(frozen=True)
class Profile:
    """A war as a reference class sees it."""

    conflict_type: str = ANY
    intensity: str = "war"
    months_fought: float = 0.0
    region: str = ANY
    exclude_conflict: int | None = None
    """A UCDP conflict id left out of the class (the case being forecast, when it is in the data)."""

    def describe(self) -> str:
        """One line for a person."""
        kind = "conflicts of any type" if self.conflict_type == ANY else f"{self.conflict_type} conflicts"
        level = (
            "that reached war intensity (1,000+ battle deaths in a year)"
            if self.intensity == "war"
            else "of any intensity"
        )
        where = "" if self.region == ANY else f" in {self.region.replace('_', ' ')}"
        return f"UCDP episodes of {kind}{where} {level}, already fought over {self.months_fought:.0f} months"


def profile_of(scenario: Scenario) -> Profile | None:
    """The profile a scenario states in its ``reference_class`` block (None without one); the months
    fought run from ``fighting_since`` to the scenario's start."""
    stated = scenario.reference_class
    if stated is None:
        return None
    months = (scenario.model.start_date - stated.fighting_since).days / DAYS_PER_MONTH
    return Profile(
        conflict_type=stated.conflict_type,
        intensity=stated.intensity,
        months_fought=max(months, 0.0),
        region=stated.region,
        exclude_conflict=stated.ucdp_conflict_id,
    )


def stated_profile(scenario: Scenario) -> Profile:
    """The profile the scenario states; ScenarioError when it states none."""
    profile = profile_of(scenario)
    if profile is None:
        raise ScenarioError(scenario.path, [("reference_class", "missing: the scenario states no reference class")])
    return profile


def in_class(episodes: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """The episodes of the profile's class that were still going after the months already fought."""
    keep = episodes["months"] > profile.months_fought
    if profile.conflict_type != ANY:
        keep &= episodes["type"] == profile.conflict_type
    if profile.intensity == "war":
        keep &= episodes["war"]
    if profile.region != ANY:
        keep &= episodes["regions"].map(lambda regions: profile.region in regions)
    if profile.exclude_conflict is not None:
        keep &= episodes["conflict"] != profile.exclude_conflict
    return episodes[keep]


def _share(flags: pd.Series) -> dict[str, float]:
    lo, hi = wilson_interval(int(flags.sum()), int(flags.size))
    return {
        "estimate": float(flags.mean()) if len(flags) else float("nan"),
        "lo": lo,
        "hi": hi,
        "events": int(flags.sum()),
        "n": int(flags.size),
    }


def war_ends(episodes: pd.DataFrame, profile: Profile, horizons: tuple[int, ...] = (12, 36)) -> pd.DataFrame:
    """Per horizon k: the share of the class whose fighting ended within the next k months, by any means
    and by a peace agreement or ceasefire, with 95% Wilson intervals and counts."""
    members = in_class(episodes, profile)
    remaining = members["months"] - profile.months_fought
    rows = {}
    for k in horizons:
        ended = members["ended"] & (remaining <= k)
        rows[f"fighting ends within {k} months"] = _share(ended)
        rows[f"... by agreement or ceasefire within {k} months"] = _share(ended & members["outcome"].isin(BY_AGREEMENT))
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("measure")
    table.attrs["still_going_at_data_end"] = int((~members["ended"]).sum())
    return table


def months_to_agreement(episodes: pd.DataFrame, profile: Profile) -> np.ndarray:
    """Per episode of the class: months from now until its fighting ended by agreement or ceasefire
    (infinite when it ended otherwise or had not ended), a sample of the class's forecast."""
    members = in_class(episodes, profile)
    by_agreement = members["ended"] & members["outcome"].isin(BY_AGREEMENT)
    return np.where(by_agreement, members["months"] - profile.months_fought, np.inf)


def termination_shares(episodes: pd.DataFrame, conflict_type: str = "interstate") -> pd.DataFrame:
    """How the episodes of a type of conflict (all intensities) ended: share of each outcome, with intervals."""
    ended = episodes[episodes["ended"] & ((episodes["type"] == conflict_type) if conflict_type != ANY else True)]
    rows = {outcome: _share(ended["outcome"] == outcome) for outcome in TERMINATION_ORDER}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("outcome")


def select_agreements(
    agreements: pd.DataFrame, ceasefire: bool | None = None, kind: str | None = None, region: str = ANY
) -> pd.DataFrame:
    """Agreements with (or without) a ceasefire provision, of one kind (full, partial, process), in one region."""
    keep = pd.Series(True, index=agreements.index)
    if ceasefire is not None:
        keep &= agreements["ceasefire"] == ceasefire
    if kind is not None:
        keep &= agreements["kind"] == kind
    if region != ANY:
        keep &= agreements["region"] == region
    return agreements[keep]


def agreement_survival(agreements: pd.DataFrame, months: tuple[int, ...] = AGREEMENT_MONTHS) -> pd.DataFrame:
    """How agreements held: the Kaplan-Meier share still in effect k months after signing (95% interval;
    agreements still in effect are censored at the data's end), beside the plain share that had ended
    within k months out of all of them (the agreements that ended on an unknown date count as not ended)."""
    curve = kaplan_meier(agreements["months"].to_numpy(), agreements["ended"].to_numpy(), months)
    ended = agreements["ended"] & agreements["months"].notna()
    curve["ended_share"] = [float((ended & (agreements["months"] <= k)).sum() / len(agreements)) for k in months]
    curve.attrs["n"] = len(agreements)
    curve.attrs["ended_undated"] = int((agreements["ended"] & agreements["months"].isna()).sum())
    return curve.set_index("month")
