"""``sim update``'s pipeline: read a finished results folder, weigh each run by the evidence, summarise the
posterior; data flow one way (folder -> likelihood -> weights -> tables)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.summary import effective_sample_size
from sim.experiments.manifest import Manifest
from sim.experiments.results import design_points, read_results, scenario_of
from sim.progress import progress_bar
from sim.scenario.schema import Scenario
from sim.updating.evidence import Evidence, load_evidence, observation_key
from sim.updating.likelihood import front_dates, log_likelihood
from sim.updating.posterior import importance_weights
from sim.updating.resimulate import fronts_at


@dataclass(frozen=True)
class Update:
    """A results folder conditioned on evidence: its runs, each run's log likelihood per observation, and the
    normalised importance weights with their effective sample size."""

    scenario: Scenario
    manifest: Manifest
    evidence: Evidence
    runs: pd.DataFrame
    log_likelihood: pd.DataFrame
    weights: np.ndarray
    ess: float

    @property
    def as_of(self) -> dt.date:
        """The date of the forecast: the latest observation's, or the ensemble's own as-of date."""
        return max(filter(None, [self.evidence.last_date, ensemble_as_of(self.manifest)]))

    @property
    def evidence_hashes(self) -> list[str]:
        """The hashes of every evidence file this forecast rests on, earlier updates' first."""
        earlier = (self.manifest.posterior or {}).get("evidence", [])
        return [*(item["sha256"] for item in earlier), self.evidence.sha256]


def ensemble_as_of(manifest: Manifest) -> dt.date:
    """The as-of date of a results folder: its scenario's start, or the date of the evidence it was drawn on."""
    if manifest.posterior:
        return dt.date.fromisoformat(manifest.posterior["as_of"])
    return dt.date.fromisoformat(str(manifest.scenario.resolved["model"]["start_date"]))


def condition(
    folder: str | Path, evidence_path: str | Path, as_of: dt.date | None = None, progress: bool | None = False
) -> Update:
    """Weigh every run of a results folder by the evidence (only observations dated on or before ``as_of``, if
    given, and not already applied to the ensemble): the stored outcome columns, and the front re-simulated
    exactly from the manifest where the evidence needs it (``progress`` shows a bar over that; None: in a
    terminal)."""
    folder = Path(folder)
    results = read_results(folder)
    scenario = scenario_of(results.manifest)
    evidence = load_evidence(evidence_path, scenario)
    if as_of is not None:
        evidence = evidence.until(as_of)
    evidence = evidence.without(set((results.manifest.posterior or {}).get("applied", [])))
    wanted = front_dates(evidence)
    with progress_bar(results.manifest.runs, "front re-simulated", progress if wanted else False) as advance:
        fronts = fronts_at(scenario, results.manifest, wanted, design_points(folder, results.manifest), advance)
    table = log_likelihood(evidence, results.runs, fronts, scenario)
    weights = importance_weights(table.sum(axis=1).to_numpy())
    return Update(scenario, results.manifest, evidence, results.runs, table, weights, effective_sample_size(weights))


def applied_keys(update: Update) -> list[str]:
    """The observations an ensemble drawn from this update has already learnt from."""
    return [
        *(update.manifest.posterior or {}).get("applied", []),
        *map(observation_key, update.evidence.observations),
    ]


def before_and_after(prior: pd.DataFrame, posterior: pd.DataFrame) -> pd.DataFrame:
    """Two tables of estimates with 95% intervals (a headline, a dated forecast) side by side: ``prior_*``, ``posterior_*``."""
    keep = [c for c in ("text", "by") if c in prior]
    numbers = ["estimate", "lo", "hi"]
    return pd.concat(
        [prior[keep], prior[numbers].add_prefix("prior_"), posterior[numbers].add_prefix("posterior_")], axis=1
    )


def observation_table(update: Update) -> pd.DataFrame:
    """Per observation: its date, kind, reliability, and how expected the ensemble found it (its mean likelihood
    over the runs: 1 when every run agreed), least expected first."""
    rows = [
        {
            "observation": o.id,
            "date": o.date,
            "kind": o.kind,
            "reliability": o.reliability,
            "expected": float(np.exp(update.log_likelihood[o.id]).mean()),
            "source": o.source,
        }
        for o in update.evidence.observations
    ]
    return pd.DataFrame(rows).set_index("observation").sort_values("expected", kind="stable")
