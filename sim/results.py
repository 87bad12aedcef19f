"""Results on disk: ``runs.parquet`` (one row per run) and ``manifest.json`` (how they were made).

Files are written under a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.model.outcomes import OUTCOME_CLASSES
from sim.scenario import Scenario

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


def build_manifest(
    scenario: Scenario, runs: int, seed: int, jobs: int, changes: dict[str, Any], timings: dict[str, float]
) -> dict[str, Any]:
    """Everything needed to replay a Monte Carlo run, and how long it took."""
    return {
        "scenario": {
            "name": scenario.name,
            "file": str(scenario.path),
            "files": [{"path": str(path), "sha256": file_sha256(path)} for path in scenario.files],
            "changes": changes,
            "resolved": scenario.model_dump(mode="json"),
        },
        "seed": seed,
        "runs": runs,
        "chunk_runs": scenario.monte_carlo.chunk_runs,
        "jobs": jobs,
        "parameters": scenario.uncertain_parameters(),
        "outcome_classes": list(OUTCOME_CLASSES),
        "versions": package_versions(),
        "code_version": code_version(),
        "timings": timings,
    }


def _write_atomically(path: Path, write) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_results(folder: Path, runs: pd.DataFrame, manifest: dict[str, Any]) -> None:
    """Write ``runs.parquet`` and ``manifest.json`` into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomically(folder / RUNS_FILE, lambda p: runs.to_parquet(p, index=False))
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n"
    _write_atomically(folder / MANIFEST_FILE, lambda p: p.write_text(text))


def read_results(folder: str | Path) -> Results:
    """Read a results folder written by ``sim run``."""
    folder = Path(folder)
    runs = pd.read_parquet(folder / RUNS_FILE)
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    return Results(runs=runs, manifest=manifest)
