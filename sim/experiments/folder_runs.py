"""Running a plan into a results folder: one shard per chunk as each finishes, resumable after a stop, growing by
whole chunks under ``--until-ci``; the folder's format is :mod:`sim.experiments.results`."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.experiments.folder_lock import locked
from sim.experiments.manifest import Manifest
from sim.experiments.results import (
    RUNS_FILE,
    check_target,
    new_manifest,
    prepare_folder,
    result_columns_unchecked,
    results_target,
    write_manifest,
    write_shard,
)
from sim.experiments.runner import RunPlan, check_backend, check_plan_size, chunks, iter_chunks
from sim.experiments.until_ci import runs_needed
from sim.registry.outcomes import summary_columns


def run_to_folder(
    plan: RunPlan,
    folder: str | Path,
    resume: bool = False,
    overwrite: bool = False,
    changes: dict[str, Any] | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> Manifest:
    """Run ``plan`` (:func:`sim.experiments.runner.plan_run`) into ``folder``, one Parquet shard per chunk as each finishes; return
    the manifest. ``changes`` are the ``--set`` changes the scenario was loaded with, recorded.

    With ``plan.until_ci``, whole chunks are added (up to ``plan.max_runs``) until every headline probability's 95%
    interval is narrower than it. ``on_chunk`` is called with the number of runs already done, then with each
    finished chunk's.
    """
    folder = Path(folder)
    check_plan_size(max(plan.runs, plan.max_runs if plan.until_ci else 0), plan.scenario.monte_carlo.chunk_runs)
    check_backend(plan.backend, plan.scheduler)
    check_target(folder, "--out", resume, overwrite)
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        why = "it is a link to nothing" if folder.is_symlink() else (error.strerror or str(error))
        raise ScenarioError(folder, [("", f"cannot make the results folder here: {why}")]) from None
    with locked(folder):
        try:
            fresh = new_manifest(
                plan.scenario,
                plan.runs,
                plan.seed,
                changes or {},
                chunks(plan.runs, plan.scenario.monte_carlo.chunk_runs),
                plan.until_ci,
            )
            with results_target(folder, "--out", resume, overwrite) as target:
                return _run_locked(plan, target, prepare_folder(target, fresh, resume), on_chunk)
        except BaseException:
            if created and not any((folder / RUNS_FILE).glob("chunk-*.parquet")):
                shutil.rmtree(folder, ignore_errors=True)  # nothing worth resuming: leave no half-made folder
            raise


def _run_locked(plan: RunPlan, folder: Path, manifest: Manifest, on_chunk: Callable[[int], None] | None) -> Manifest:
    """Simulate the chunks ``manifest`` does not list as done (and any ``--until-ci`` adds) into ``folder``."""
    scenario, size = plan.scenario, plan.scenario.monte_carlo.chunk_runs
    chunks_left = manifest.plan()
    done = set(manifest.chunks_done)
    if on_chunk is not None:
        on_chunk(sum(chunk.runs for chunk in chunks_left if chunk.index in done))
    started, simulated = time.perf_counter(), 0
    while True:
        remaining = [chunk for chunk in chunks_left if chunk.index not in done]
        for chunk, table in iter_chunks(scenario, remaining, plan.seed, plan.jobs, plan.backend, plan.scheduler):
            manifest.shards[str(chunk.index)] = write_shard(folder, chunk, table)
            manifest.shards = dict(sorted(manifest.shards.items(), key=lambda item: int(item[0])))
            done.add(chunk.index)
            manifest.chunks_done = sorted(done)
            write_manifest(folder, manifest)
            simulated += chunk.runs
            if on_chunk is not None:
                on_chunk(chunk.runs)
        if plan.until_ci is None or manifest.runs >= plan.max_runs:
            break
        summary_runs = pd.read_parquet(folder / RUNS_FILE, columns=summary_columns(result_columns_unchecked(folder)))
        needed = min(runs_needed(summary_runs, scenario, plan.until_ci), plan.max_runs)
        if needed <= manifest.runs:
            break
        chunks_left = chunks(plan.runs + int(np.ceil((needed - plan.runs) / size)) * size, size, plan.runs)
        manifest.runs, manifest.chunks_total = chunks_left[-1].first + chunks_left[-1].runs, len(chunks_left)
        write_manifest(folder, manifest)
    seconds = time.perf_counter() - started
    manifest.status = "complete"
    manifest.timings = {
        "simulate_and_write_seconds": round(seconds, 3),
        "runs_this_session": simulated,
        "runs_per_second": round(simulated / seconds, 1) if seconds > 0 and simulated else None,
        "jobs": plan.jobs,
        "backend": plan.backend,
    }
    write_manifest(folder, manifest)
    return manifest
