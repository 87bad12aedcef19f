"""A fresh ensemble from a posterior (sequential Monte Carlo): resample the runs by their weights, jitter
their points in the unit cube with a kernel that keeps the posterior's mean and spread, and simulate them
again. Seeded in one stream, drawn before any chunk runs, so the result is the same on any number of jobs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiments.results import DESIGN_FILE, design_points, file_sha256, write_atomically, write_ensemble
from sim.experiments.runner import run_design
from sim.progress import progress_bar
from sim.sampling.draws import unit_design
from sim.updating.update import Update, applied_keys

if TYPE_CHECKING:
    from sim.experiments.manifest import Manifest

SHRINK = 0.95
"""Liu and West's kernel: each point moves to ``a z + (1 - a) mean + sqrt(1 - a^2) sd e`` (probit scale)."""
_EDGE = 1e-9
_RESAMPLE_STREAM = 3  # beside the seed tree's parameter, design and dynamics streams (sim.sampling.rng)


def prior_units(update: Update, folder: Path) -> np.ndarray:
    """The unit-cube points the folder's runs were drawn from, in run order (re-created from the manifest)."""
    stored = design_points(folder, update.manifest)
    if stored is not None:
        return stored
    manifest, scenario = update.manifest, update.scenario
    plan = manifest.plan()
    return np.vstack(
        [unit_design(scenario, chunk.runs, manifest.seed, chunk.index, scenario.monte_carlo.design) for chunk in plan]
    )


def systematic_resample(weights: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` run indices drawn in proportion to ``weights`` with one uniform (systematic resampling)."""
    cumulative = np.cumsum(weights) / np.sum(weights)
    return np.minimum(np.searchsorted(cumulative, (rng.random() + np.arange(count)) / count), len(weights) - 1)


def jitter(
    chosen: np.ndarray, units: np.ndarray, weights: np.ndarray, rng: np.random.Generator, shrink: float = SHRINK
) -> np.ndarray:
    """Move the resampled points ``units[chosen]`` by the Liu-West kernel on the probit scale, with the weighted
    mean and spread of the posterior ``(units, weights)`` per dimension; points stay inside the open unit cube."""
    z = stats.norm.ppf(np.clip(units, _EDGE, 1 - _EDGE))
    normalised = weights / weights.sum()
    mean = normalised @ z
    spread = np.sqrt(np.maximum(normalised @ (z - mean) ** 2, 0.0))
    noise = rng.standard_normal((len(chosen), z.shape[1]))
    moved = shrink * z[chosen] + (1 - shrink) * mean + np.sqrt(1 - shrink**2) * spread * noise
    return np.clip(stats.norm.cdf(moved), _EDGE, 1 - _EDGE)


def resample_units(units: np.ndarray, weights: np.ndarray, count: int, seed: int) -> np.ndarray:
    """``count`` points of a fresh ensemble from the weighted points ``units``: resampled, then jittered, from
    one stream of ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_RESAMPLE_STREAM,)))
    return jitter(systematic_resample(weights, count, rng), units, weights, rng)


def run_posterior(
    update: Update,
    folder: Path,
    out: Path,
    runs: int,
    seed: int,
    jobs: int = 1,
    overwrite: bool = False,
    progress: bool | None = False,
) -> Manifest:
    """Draw ``runs`` points from the posterior of ``update`` (the folder's runs weighed by the evidence), simulate
    them into the results folder ``out`` and return its manifest, which records how to re-create them (``progress``
    shows a bar over the runs; None: in a terminal)."""
    units = resample_units(prior_units(update, folder), update.weights, runs, seed)
    scenario = update.scenario
    with progress_bar(runs, "posterior ensemble", progress) as advance:
        table = run_design(scenario, units, seed, jobs, on_chunk=advance)
    names = scenario.uncertain_parameters()
    previous = update.manifest.posterior or {}
    posterior = {
        "parent": str(folder),
        "parent_seed": update.manifest.seed,
        "parent_runs": update.manifest.runs,
        "as_of": update.as_of.isoformat(),
        "ess": round(update.ess, 3),
        "resample_seed": seed,
        "shrink": SHRINK,
        "evidence": [
            *previous.get("evidence", []),
            {
                "path": update.evidence.path,
                "sha256": update.evidence.sha256,
                "observations": [o.id for o in update.evidence.observations],
            },
        ],
        "applied": applied_keys(update),
        "design_file": DESIGN_FILE,
    }

    def write_design(target: Path) -> dict[str, Any]:
        write_atomically(target / DESIGN_FILE, lambda p: pd.DataFrame(units, columns=names).to_parquet(p, index=False))
        return {"design_sha256": file_sha256(target / DESIGN_FILE)}

    return write_ensemble(out, scenario, seed, table, posterior, write_design, overwrite)
