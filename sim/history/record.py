"""What history says of a profile of conflicts: how its episodes ended, how peace agreements held, how long
inter-state wars lasted, and the breakdown hazard fitted to the agreements (the ``sim reference-class`` record)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.history import breakdown_fit, choices, data, reference_class


@dataclass(frozen=True)
class HistoricalRecord:
    """The record of one profile: its episodes' ends by each horizon, how conflicts of its kind ended, agreements'
    survival, the inter-state wars, and the Weibull breakdown fit."""

    profile: reference_class.Profile
    ends: pd.DataFrame
    kind: str
    terminations: pd.DataFrame
    survival: pd.DataFrame
    wars: pd.DataFrame
    fit: breakdown_fit.WeibullFit


def historical_record(profile: reference_class.Profile, horizons: tuple[int, ...], root: Path) -> HistoricalRecord:
    """The record of ``profile`` from the conflict data in ``root``, ends counted by each of ``horizons`` months."""
    episodes, agreements = data.load_episodes(root), data.load_agreements(root)
    kind = profile.conflict_type if profile.conflict_type != choices.ANY else "interstate"
    return HistoricalRecord(
        profile=profile,
        ends=reference_class.war_ends(episodes, profile, horizons),
        kind=kind,
        terminations=reference_class.termination_shares(episodes, kind),
        survival=reference_class.agreement_survival(agreements),
        wars=data.load_cow_wars(root),
        fit=breakdown_fit.fit_weibull(agreements["months"].to_numpy(), agreements["ended"].to_numpy()),
    )
