"""Results on disk, written as the runs go so that nothing is lost.

A results folder holds ``runs.parquet/``, a Parquet dataset with one shard per chunk of runs
(``chunk-000000.parquet``, ...; any Parquet reader takes the folder as one table), and
``manifest.json``: how the runs were made and which chunks are done. Every file is written under a
temporary name and renamed, and the manifest names a chunk only once its shard is complete, so a run
killed at any moment can be resumed without losing or repeating a run.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import analysis
from sim.errors import ScenarioError
from sim.model.outcomes import outcome_classes
from sim.runner import Chunk, chunks, iter_chunks
from sim.scenario import Scenario, scenario_from_mapping

RUNS_FILE = "runs.parquet"
MANIFEST_FILE = "manifest.json"
_PACKAGES = ("negotiation-sim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "matplotlib", "pyyaml")


@dataclass(frozen=True)
class Results:
    """A results folder read back: the runs and the manifest."""

    runs: pd.DataFrame
    manifest: dict[str, Any]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code_version() -> str:
    """The git commit of the toolkit's source tree, or its package version outside a checkout."""
    here = Path(__file__).resolve().parent
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=here, capture_output=True, text=True, timeout=5, check=True,
        )
        return described.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return metadata.version("negotiation-sim")


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages results depend on."""
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    # Key order is kept: the scenario's order of actors, issues and parameters fixes the random draws.
    text = json.dumps(manifest, indent=2, default=str) + "\n"
    _write_atomically(folder / MANIFEST_FILE, lambda p: p.write_text(text))


def shard_path(folder: Path, chunk_index: int) -> Path:
    """Where the shard of one chunk lives."""
    return folder / RUNS_FILE / f"chunk-{chunk_index:06d}.parquet"


def _new_manifest(scenario: Scenario, runs: int, seed: int, changes: dict[str, Any], plan: list[Chunk]) -> dict[str, Any]:
    return {
        "status": "running",
        "scenario": {
            "name": scenario.name,
            "file": str(scenario.path),
            "files": [{"path": str(path), "sha256": file_sha256(path)} for path in scenario.files],
            "changes": changes,
            "resolved": scenario.model_dump(mode="json"),
        },
        "seed": seed,
        "requested_runs": runs,
        "runs": runs,
        "chunk_runs": scenario.monte_carlo.chunk_runs,
        "chunks_total": len(plan),
        "chunks_done": [],
        "parameters": scenario.uncertain_parameters(),
        "outcome_classes": list(outcome_classes(scenario).values()),
        "versions": package_versions(),
        "code_version": code_version(),
        "timings": {},
    }


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / MANIFEST_FILE).read_text())
    except (OSError, ValueError) as error:
        raise ScenarioError(folder, [("", f"not a results folder written by 'sim run' ({error.__class__.__name__})")]) from None


def _same_run(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    keys = (("scenario", "resolved"), ("seed",), ("requested_runs",), ("chunk_runs",), ("until_ci",))
    problems = []
    for path in keys:
        a, b = old, new
        for key in path:
            a, b = a.get(key), b.get(key)
        if a != b:
            problems.append((".".join(path), "differs from the run being resumed; resume with the same scenario, seed and runs, or --overwrite"))
    return problems


def prepare_folder(folder: Path, manifest: dict[str, Any], resume: bool, overwrite: bool) -> dict[str, Any]:
    """Make ``folder`` ready for ``manifest``'s run and return the manifest to continue from.

    A folder that already holds anything is refused unless resuming the same run or overwriting.
    """
    if folder.exists() and not folder.is_dir():
        raise ScenarioError(folder, [("", "exists and is not a folder")])
    occupied = folder.is_dir() and any(folder.iterdir())
    if occupied and resume and (folder / MANIFEST_FILE).is_file():
        previous = _read_manifest(folder)
        problems = _same_run(previous, manifest)
        if problems:
            raise ScenarioError(folder, problems)
        (folder / RUNS_FILE).mkdir(exist_ok=True)
        return previous
    if occupied and not overwrite:
        hint = "pass --resume to finish it or --overwrite to replace it" if (folder / MANIFEST_FILE).is_file() else "choose another --out or pass --overwrite"
        raise ScenarioError(folder, [("", f"is not empty; {hint}")])
    if occupied:
        (folder / MANIFEST_FILE).unlink(missing_ok=True)
        shutil.rmtree(folder / RUNS_FILE, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    _write_manifest(folder, manifest)
    (folder / RUNS_FILE).mkdir(exist_ok=True)
    return manifest


def _runs_needed(table: pd.DataFrame, scenario: Scenario, width: float) -> int:
    """Runs for every headline probability's 95% interval to be narrower than ``width`` (normal approximation)."""
    headline = analysis.headline(table, scenario)
    if (headline["hi"] - headline["lo"]).max() < width:
        return len(table)
    deal_share = max(float(table["deal"].mean()), 1.0 / len(table))
    share_of_runs = np.where(headline.index.str.startswith("deals that include"), deal_share, 1.0)
    p = headline["estimate"].fillna(0.5).clip(0.5 / len(table), 1 - 0.5 / len(table))
    return int(max(((2 * 1.96) ** 2 * p * (1 - p) / width**2 / share_of_runs).max(), len(table) + 1))


def run_to_folder(
    scenario: Scenario,
    folder: str | Path,
    runs: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    backend: str = "processes",
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    changes: dict[str, Any] | None = None,
    on_chunk: Callable[[int], None] | None = None,
    until_ci: float | None = None,
    max_runs: int = 10_000_000,
) -> dict[str, Any]:
    """Run the scenario into ``folder``, one Parquet shard per chunk as each finishes; return the manifest.

    With ``until_ci``, whole chunks are added (up to ``max_runs``) until every headline probability's 95%
    interval is narrower than ``until_ci``. ``on_chunk`` is called with the number of runs already done,
    then with each finished chunk's.
    """
    folder = Path(folder)
    requested = scenario.monte_carlo.runs if runs is None else runs
    seed = scenario.monte_carlo.seed if seed is None else seed
    size = scenario.monte_carlo.chunk_runs
    fresh = _new_manifest(scenario, requested, seed, changes or {}, chunks(requested, size))
    fresh["until_ci"] = until_ci
    manifest = prepare_folder(folder, fresh, resume, overwrite)
    plan = chunks(manifest["runs"], size, requested)
    done = {index for index in manifest["chunks_done"] if shard_path(folder, index).is_file()}
    if on_chunk is not None:
        on_chunk(sum(chunk.runs for chunk in plan if chunk.index in done))
    started, simulated = time.perf_counter(), 0
    while True:
        remaining = [chunk for chunk in plan if chunk.index not in done]
        for chunk, table in iter_chunks(scenario, remaining, seed, jobs, backend, scheduler):
            _write_atomically(shard_path(folder, chunk.index), lambda p, t=table: t.to_parquet(p, index=False))
            done.add(chunk.index)
            manifest["chunks_done"] = sorted(done)
            _write_manifest(folder, manifest)
            simulated += chunk.runs
            if on_chunk is not None:
                on_chunk(chunk.runs)
        if until_ci is None or manifest["runs"] >= max_runs:
            break
        summary = pd.read_parquet(folder / RUNS_FILE, columns=analysis.summary_columns(result_columns_unchecked(folder)))
        needed = min(_runs_needed(summary, scenario, until_ci), max_runs)
        if needed <= manifest["runs"]:
            break
        plan = chunks(requested + int(np.ceil((needed - requested) / size)) * size, size, requested)
        manifest["runs"], manifest["chunks_total"] = plan[-1].first + plan[-1].runs, len(plan)
        _write_manifest(folder, manifest)
    seconds = time.perf_counter() - started
    manifest["status"] = "complete"
    manifest["timings"] = {
        "simulate_and_write_seconds": round(seconds, 3),
        "runs_this_session": simulated,
        "runs_per_second": round(simulated / seconds, 1) if seconds > 0 and simulated else None,
        "jobs": jobs,
        "backend": backend,
    }
    _write_manifest(folder, manifest)
    return manifest


def read_results(folder: str | Path, columns: list[str] | None = None) -> Results:
    """Read a complete results folder written by ``sim run`` (optionally only some columns)."""
    folder = Path(folder)
    manifest = _read_manifest(folder)
    if manifest.get("status") != "complete":
        done, total = len(manifest.get("chunks_done", [])), manifest.get("chunks_total", "?")
        raise ScenarioError(folder, [("", f"holds an unfinished run ({done} of {total} chunks); finish it with 'sim run ... --resume'")])
    try:
        runs = pd.read_parquet(folder / RUNS_FILE, columns=columns)
    except (OSError, ValueError) as error:
        raise ScenarioError(folder, [(RUNS_FILE, f"cannot be read ({error.__class__.__name__}: {error})")]) from None
    if "run_id" in runs:
        runs = runs.sort_values("run_id", kind="stable", ignore_index=True)
    return Results(runs=runs, manifest=manifest)


def result_columns_unchecked(folder: Path) -> list[str]:
    """The column names of the shards in a results folder, finished or not."""
    import pyarrow.dataset

    return pyarrow.dataset.dataset(folder / RUNS_FILE, format="parquet").schema.names


def result_columns(folder: str | Path) -> list[str]:
    """The column names of a results folder's runs, without reading the runs."""
    folder = Path(folder)
    _read_manifest(folder)
    try:
        return result_columns_unchecked(folder)
    except (OSError, ValueError) as error:
        raise ScenarioError(folder, [(RUNS_FILE, f"cannot be read ({error.__class__.__name__})")]) from None


def scenario_of(manifest: dict[str, Any]) -> Scenario:
    """The scenario a results folder was made from, rebuilt from its manifest."""
    return scenario_from_mapping(manifest["scenario"]["resolved"], manifest["scenario"].get("file", "manifest"))
