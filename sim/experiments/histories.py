"""Round-by-round histories of a results folder's runs, simulated again from its manifest (same seed, same draws)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.experiments.results import Results, design_points, scenario_of
from sim.experiments.runner import history_sample


def folder_history(results: Results, folder: Path, runs: int) -> pd.DataFrame:
    """The histories of the folder's first ``runs`` runs, as its runs had them."""
    manifest = results.manifest
    history = history_sample(scenario_of(manifest), manifest.seed, manifest.runs, design_points(folder, manifest))
    return history[history["run_id"] < runs]
