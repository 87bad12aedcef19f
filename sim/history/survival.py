"""Survival curves from censored durations: Kaplan-Meier with Greenwood's variance."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def kaplan_meier(durations: np.ndarray, events: np.ndarray, at: tuple[float, ...], level: float = 0.95) -> pd.DataFrame:
    """The share still surviving at each time in ``at`` (events: True where the duration ended in the event,
    False where it was censored), with a log-log interval from Greenwood's variance: columns ``month``,
    ``survival``, ``lo``, ``hi``, ``at_risk``."""
    durations = np.asarray(durations, float)
    events = np.asarray(events, bool)
    keep = ~np.isnan(durations)
    durations, events = durations[keep], events[keep]
    times = np.unique(durations[events])
    at_risk = np.array([(durations >= t).sum() for t in times])
    dying = np.array([((durations == t) & events).sum() for t in times])
    factors = 1.0 - dying / at_risk
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood_terms = dying / (at_risk * (at_risk - dying))
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for month in at:
        upto = times <= month
        survival = float(np.prod(factors[upto]))
        variance_sum = float(np.sum(greenwood_terms[upto]))
        if 0.0 < survival < 1.0 and np.isfinite(variance_sum):
            spread = z * np.sqrt(variance_sum) / abs(np.log(survival))
            lo, hi = survival ** np.exp(spread), survival ** np.exp(-spread)
        else:
            lo = hi = survival
        rows.append(
            {"month": month, "survival": survival, "lo": lo, "hi": hi, "at_risk": int((durations >= month).sum())}
        )
    return pd.DataFrame(rows)
