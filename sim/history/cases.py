"""Historical negotiations while fighting, forecast from scenarios dated before their outcome and scored
against what happened, beside the reference class and a constant forecast.

A folder holds one scenario per case and ``outcomes.yaml``, which only this module reads, after the
forecasts are made (see ``scenarios/history/``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.summary import earliest
from sim.errors import ScenarioError
from sim.experiments.runner import run_monte_carlo
from sim.history import data, reference_class, scoring
from sim.progress import progress_bar
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.yaml_io import read_yaml_mapping

OUTCOMES_FILE = "outcomes.yaml"
FORECASTERS = ("model", "reference_class", "constant")
CAVEATS = (
    "A handful of cases is not a verdict: one case moves a mean score a lot; read the scores as a check on "
    "gross miscalibration, not as a ranking.",
    "The cases were chosen because their talks ended in a deal; talks that failed are missing (selection).",
    "The reference class uses UCDP episodes from after some cases' dates (hindsight in the base rate); each "
    "case's own conflict is left out.",
    "The case scenarios were written from later public accounts: some facts may carry hindsight, and most "
    "numbers are assumptions with their reasons (see `sim provenance`).",
    "A deal is the first agreement that stopped the fighting (armistice or ceasefire), in the model its first "
    "deal or ceasefire; months are capped at each case's horizon for the CRPS.",
)


@dataclass(frozen=True)
class Case:
    """One historical case: its scenario and (kept apart) what happened."""

    name: str
    scenario: Scenario
    deal_date: dt.date | None
    what: str

    @property
    def months_to_deal(self) -> float:
        """Months from the scenario's date to the deal (infinite if none came)."""
        if self.deal_date is None:
            return np.inf
        return (self.deal_date - self.scenario.model.start_date).days / data.DAYS_PER_MONTH


def load_cases(folder: str | Path) -> list[Case]:
    """The cases listed in ``folder/outcomes.yaml``, each with its scenario, checked."""
    folder = Path(folder)
    path = folder / OUTCOMES_FILE
    if not path.is_file():
        raise ScenarioError(path, [("", "file not found (a cases folder holds outcomes.yaml beside its scenarios)")])
    raw = read_yaml_mapping(path)
    if not raw:
        raise ScenarioError(path, [("", "lists no case")])
    cases = []
    for name, entry in raw.items():
        if not isinstance(entry, dict):
            raise ScenarioError(path, [(str(name), "expected a mapping with scenario, deal and what")])
        missing = [k for k in ("scenario", "deal", "what") if k not in entry]
        if missing:
            raise ScenarioError(path, [(f"{name}.{missing[0]}", "missing required key")])
        scenario_path = folder / str(entry["scenario"])
        if not scenario_path.is_file():
            raise ScenarioError(path, [(f"{name}.scenario", f"file not found: {entry['scenario']}")])
        deal = entry["deal"]
        if deal is not None and not isinstance(deal, dt.date):
            raise ScenarioError(path, [(f"{name}.deal", f"expected a date (YYYY-MM-DD) or null (got {deal!r})")])
        scenario = load_scenario(scenario_path)
        if deal is not None and deal <= scenario.model.start_date:
            raise ScenarioError(
                path, [(f"{name}.deal", f"must come after the scenario's date {scenario.model.start_date}")]
            )
        if scenario.reference_class is None:
            raise ScenarioError(scenario_path, [("reference_class", "missing: a case states its reference class")])
        cases.append(Case(str(name), scenario, deal, str(entry["what"])))
    return cases


def months_to_agreement(runs: pd.DataFrame) -> np.ndarray:
    """The model's months to its first deal or ceasefire in each run (infinite: none within the horizon)."""
    first = earliest(runs, ("months_to_deal", "months_to_ceasefire"))
    return first.fillna(np.inf).to_numpy()


@dataclass(frozen=True)
class Scored:
    """Every case's forecasts and outcome, and the mean scores of each forecaster."""

    outcomes: pd.DataFrame
    forecasts: pd.DataFrame
    scores: pd.DataFrame
    runs: int
    seed: int | None


def score_cases(
    folder: str | Path,
    runs: int = 2000,
    seed: int | None = None,
    data_folder: str | Path | None = None,
    horizons: tuple[int, ...] = (6, 12, 24),
    progress: bool | None = None,
) -> Scored:
    """Forecast every case (the model from its scenario, the reference class from its profile, the constant
    forecast), then read the outcomes and score: per k, Brier and log score of a deal within k months; CRPS of
    the months to a deal. ``progress`` shows a bar over every case's runs (None: only in a terminal)."""
    cases = load_cases(folder)
    episodes = data.load_episodes(data_folder)
    with progress_bar(len(cases) * runs, f"{len(cases)} cases", progress) as advance:
        modelled = [
            months_to_agreement(run_monte_carlo(case.scenario, runs=runs, seed=seed, on_chunk=advance, progress=False))
            for case in cases
        ]
    rows, outcomes = [], []
    scores: dict[str, dict[str, list[float]]] = {f: {} for f in FORECASTERS}
    for case, model_forecast in zip(cases, modelled, strict=True):
        scenario = case.scenario
        horizon = scenario.horizon_months
        samples = {
            "model": model_forecast,
            "reference_class": reference_class.months_to_agreement(episodes, reference_class.stated_profile(scenario)),
            "constant": scoring.constant_forecast(horizon),
        }
        observed = case.months_to_deal
        outcomes.append(
            {
                "case": case.name,
                "from": scenario.model.start_date,
                "deal": case.deal_date,
                "months": observed,
                "what": case.what,
            }
        )
        for k in horizons:
            happened = observed <= k
            row = {"case": case.name, "k": k, "happened": happened}
            for forecaster, sample in samples.items():
                p = scoring.within(sample, k)
                row[forecaster] = p
                scores[forecaster].setdefault(f"brier_{k}", []).append(scoring.brier(p, happened))
                scores[forecaster].setdefault(f"log_{k}", []).append(scoring.log_score(p, happened))
            rows.append(row)
        for forecaster, sample in samples.items():
            scores[forecaster].setdefault("crps_months", []).append(scoring.crps(sample, observed, horizon))
    forecasts = pd.DataFrame(rows).set_index(["case", "k"])
    means = pd.DataFrame({f: {m: float(np.mean(v)) for m, v in s.items()} for f, s in scores.items()}).T
    return Scored(pd.DataFrame(outcomes).set_index("case"), forecasts, means.rename_axis("forecaster"), runs, seed)
