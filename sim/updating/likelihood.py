"""The likelihood of each run of an ensemble given the evidence, from the run's own history.

Each observation ``i`` has a kernel ``k_i(run)`` in [0, 1] (1: the run agrees with it) and a reliability
``w_i``; the run's likelihood is ``prod_i ((1 - w_i) + w_i k_i(run))``: a report that is right with
probability ``w_i`` and otherwise says nothing (docs/updating.md). Kernels:

* happened (or not) by a date: 1 if the run agrees, else 0 (a deal or ceasefire dated at the end of
  the round it came in; an event at the start of its round);
* the front at a date: ``exp(-(f - x)^2 / (2 e^2))``, ``f`` the run's front at that date (linear
  between the ends of rounds), ``x`` the report, ``e`` its margin;
* a position or red line at least (at most) a value: 1 if the run's drawn value is, else 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.scenario.schema import Scenario
from sim.updating.evidence import (
    Evidence,
    FrontAt,
    Happened,
    Observation,
    PositionAt,
    RedLineAt,
)

DATE_COLUMNS = {"deal": "deal_date", "ceasefire": "ceasefire_date"}


def needed_columns(evidence: Evidence, scenario: Scenario) -> list[str]:
    """The stored columns the observations are read from (outcomes and drawn parameters)."""
    uncertain = set(scenario.uncertain_parameters())
    columns = set()
    for o in evidence.observations:
        if isinstance(o, Happened):
            columns.add(DATE_COLUMNS.get(o.what, f"months_to_event_{o.what}"))
        elif isinstance(o, (PositionAt, RedLineAt)) and stance_path(o) in uncertain:
            columns.add(stance_path(o))
    return sorted(columns)


def front_dates(evidence: Evidence) -> list[tuple[str, pd.Timestamp]]:
    """The (region, date) pairs at which the front must be re-simulated."""
    return sorted({(o.region, pd.Timestamp(o.date)) for o in evidence.observations if isinstance(o, FrontAt)})


def stance_path(o: PositionAt | RedLineAt) -> str:
    """The scenario key path of the number an observation on a stance bounds."""
    tail = "position" if isinstance(o, PositionAt) else f"red_line.{o.bound}"
    return f"actors.{o.actor}.issues.{o.issue}.{tail}"


def kernel(
    o: Observation, runs: pd.DataFrame, fronts: dict[tuple[str, pd.Timestamp], np.ndarray], scenario: Scenario
) -> np.ndarray:
    """How well each run agrees with one observation, in [0, 1]."""
    if isinstance(o, Happened):
        return (happened_by(runs, o.what, pd.Timestamp(o.date), scenario) == o.happened).astype(float)
    if isinstance(o, FrontAt):
        gap = fronts[(o.region, pd.Timestamp(o.date))] - o.value
        return np.exp(-0.5 * (gap / o.plus_minus) ** 2)
    path = stance_path(o)
    values = (
        runs[path].to_numpy(float) if path in runs else np.full(len(runs), dict(scenario.quantities())[path].central())
    )
    agrees = np.ones(len(runs), bool)
    if o.at_least is not None:
        agrees &= values >= o.at_least - 1e-9
    if o.at_most is not None:
        agrees &= values <= o.at_most + 1e-9
    return agrees.astype(float)


def happened_by(runs: pd.DataFrame, what: str, date: pd.Timestamp, scenario: Scenario) -> np.ndarray:
    """Whether a deal, a ceasefire or an event came in each run on or before ``date``."""
    if what in DATE_COLUMNS:
        return (runs[DATE_COLUMNS[what]] <= date).to_numpy()
    months = runs[f"months_to_event_{what}"].to_numpy(float)
    settings = scenario.model
    rounds = np.where(np.isnan(months), settings.horizon_rounds + 1, months / settings.round_months).round().astype(int)
    return np.asarray(settings.dates_after(rounds) <= date) & ~np.isnan(months)


def log_likelihood(
    evidence: Evidence, runs: pd.DataFrame, fronts: dict[tuple[str, pd.Timestamp], np.ndarray], scenario: Scenario
) -> pd.DataFrame:
    """Per run (rows in ``runs`` order) and observation (columns by id): ``log((1 - w) + w k)``."""
    return pd.DataFrame(
        {
            o.id: np.log((1.0 - o.reliability) + o.reliability * kernel(o, runs, fronts, scenario))
            for o in evidence.observations
        },
        index=runs.index,
    )
