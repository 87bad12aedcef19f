"""``--until-ci``: how many runs the headline probabilities need for their 95% intervals to be narrow enough."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis import summary
from sim.scenario.schema import Scenario


def runs_needed(table: pd.DataFrame, scenario: Scenario, width: float) -> int:
    """Runs for every headline probability's 95% interval to be narrower than ``width`` (normal approximation)."""
    headline = summary.headline(table, scenario)
    if (headline["hi"] - headline["lo"]).max() < width:
        return len(table)
    deal_share = max(float(table["deal"].mean()), 1.0 / len(table))
    share_of_runs = np.where(headline.index.str.startswith("deals that include"), deal_share, 1.0)
    p = headline["estimate"].fillna(0.5).clip(0.5 / len(table), 1 - 0.5 / len(table))
    return int(max(((2 * 1.96) ** 2 * p * (1 - p) / width**2 / share_of_runs).max(), len(table) + 1))
