"""Results on disk, written as the runs go so that nothing is lost.

A results folder holds ``runs.parquet/``, a Parquet dataset with one shard per chunk of runs
(``chunk-000000.parquet``, ...; any Parquet reader takes the folder as one table), and
``manifest.json`` (:mod:`sim.experiments.manifest`): how the runs were made, which chunks are done, and each done shard's row
count and SHA-256. Every file is written under a temporary name unique to its process and renamed, and the
manifest names a chunk only once its shard is complete, so a run killed at any moment can be resumed
without losing or repeating a run. One command at a time writes to a folder (:mod:`sim.experiments.folder_lock`),
and every reader verifies the folder against its manifest before trusting a row of it.
"""

from __future__ import annotations

import glob
import hashlib
import os
import platform
import secrets
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.experiments.folder_lock import LOCK_FILE, locked
from sim.experiments.manifest import MANIFEST_FILE, Manifest, ScenarioRecord, read_manifest
from sim.experiments.runner import Chunk, chunks
from sim.model.outcomes import outcome_classes
from sim.registry.outcomes import summary_columns
from sim.scenario.loading import scenario_from_mapping
from sim.scenario.schema import Scenario

RUNS_FILE = "runs.parquet"
DESIGN_FILE = "design.parquet"
"""A run drawn from a design of its own (a posterior ensemble, ``sim update --resample``) keeps its points in the
unit cube here, one row per run, with its SHA-256 in the manifest: they re-create its draws."""
DERIVED = ("report.html", "figures", "discovery", "updates", DESIGN_FILE)
"""What the commands derive from a folder's runs into the folder itself; replaced results take them along."""
_PACKAGES = ("negotiation-sim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "matplotlib", "pyyaml")


@dataclass(frozen=True)
class Results:
    """A results folder read back: the runs and the manifest."""

    runs: pd.DataFrame
    manifest: Manifest


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code_version() -> str:
    """The git commit of the toolkit's source tree, or its package version outside a checkout."""
    here = Path(__file__).resolve().parent
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
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


def hidden_sibling(path: Path, kind: str) -> Path:
    """A hidden name beside ``path``, unique to this process, for what is written or moved away before a rename."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.{kind}")


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write ``path`` through ``write(temporary)`` under a name unique to this process, then rename it; an error
    names ``path``, never the temporary."""
    temporary = hidden_sibling(path, "partial")
    try:
        write(temporary)
        os.replace(temporary, path)
    except OSError as error:
        raise ScenarioError(path, [("", f"cannot be written: {error.strerror or error}")]) from None
    finally:
        temporary.unlink(missing_ok=True)


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write the manifest, atomically."""
    text = manifest.to_json()
    write_atomically(folder / MANIFEST_FILE, lambda p: p.write_text(text))


def shard_path(folder: Path, chunk_index: int) -> Path:
    """Where the shard of one chunk lives."""
    return folder / RUNS_FILE / f"chunk-{chunk_index:06d}.parquet"


def write_shard(folder: Path, chunk: Chunk, table: pd.DataFrame) -> dict[str, Any]:
    """Write one chunk's shard and return what the manifest records of it: rows and SHA-256."""
    record: dict[str, Any] = {}

    def write(temporary: Path) -> None:
        table.to_parquet(temporary, index=False, use_dictionary=_text_columns(table))
        record.update(rows=len(table), sha256=file_sha256(temporary))

    write_atomically(shard_path(folder, chunk.index), write)
    return record


def _text_columns(table: pd.DataFrame) -> list[str]:
    """The columns a shard dictionary-encodes: text, with few distinct values. Numbers, distinct in nearly every run,
    are stored plain (a third of the time to write and a quarter to read, and smaller files)."""
    return [
        name for name, dtype in table.dtypes.items() if dtype == np.dtype(object) or isinstance(dtype, pd.StringDtype)
    ]


def new_manifest(
    scenario: Scenario, runs: int, seed: int, changes: dict[str, Any], plan: list[Chunk], until_ci: float | None = None
) -> Manifest:
    """The manifest of a run about to start: the scenario as resolved, its files' hashes, the plan, the versions."""
    return Manifest(
        status="running",
        scenario=ScenarioRecord(
            name=scenario.name,
            file=str(scenario.path),
            files=[{"path": str(path), "sha256": file_sha256(path)} for path in scenario.files],
            changes=changes,
            resolved=scenario.model_dump(mode="json"),
        ),
        seed=seed,
        requested_runs=runs,
        runs=runs,
        chunk_runs=scenario.monte_carlo.chunk_runs,
        chunks_total=len(plan),
        chunks_done=[],
        shards={},
        parameters=scenario.uncertain_parameters(),
        outcome_classes=list(outcome_classes(scenario).values()),
        versions=package_versions(),
        code_version=code_version(),
        until_ci=until_ci,
    )


def _shard_problem(folder: Path, manifest: Manifest, chunk: Chunk) -> str | None:
    """What is wrong with one done chunk's shard (missing, wrong size or hash, wrong run ids), or None."""
    import pyarrow.parquet

    path = shard_path(folder, chunk.index)
    record = manifest.shards.get(str(chunk.index))
    if not isinstance(record, dict) or not isinstance(record.get("sha256"), str) or record.get("rows") != chunk.runs:
        return f"the manifest holds no row count and hash of {chunk.runs} rows for it"
    if not path.is_file():
        return "is missing"
    if file_sha256(path) != record["sha256"]:
        return "differs from the shard that was written (its SHA-256 does not match the manifest)"
    try:
        run_ids = pyarrow.parquet.read_table(path, columns=["run_id"]).column("run_id").to_numpy()
    except (OSError, ValueError, KeyError) as error:
        return f"cannot be read ({error.__class__.__name__})"
    if not np.array_equal(run_ids, np.arange(chunk.first, chunk.first + chunk.runs)):
        return f"does not hold run ids {chunk.first} to {chunk.first + chunk.runs - 1}"
    return None


def _unlisted(folder: Path, plan: list[Chunk]) -> list[str]:
    """Files in the runs folder that a Parquet reader would read but no chunk of the plan names."""
    expected = {shard_path(folder, chunk.index).name for chunk in plan}
    return sorted(
        p.name for p in (folder / RUNS_FILE).iterdir() if p.name not in expected and not p.name.startswith((".", "_"))
    )


def verify_folder(folder: str | Path) -> Manifest:
    """Check a results folder against its manifest and return the manifest: a complete run, exactly the
    listed shards, each with the recorded row count and SHA-256, and run ids 0 to runs - 1.

    Raises :class:`ScenarioError` naming every problem found.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest.status != "complete":
        done, total = len(manifest.chunks_done), manifest.chunks_total
        raise ScenarioError(
            folder, [("", f"holds an unfinished run ({done} of {total} chunks); finish it with 'sim run ... --resume'")]
        )
    if not (folder / RUNS_FILE).is_dir():
        raise ScenarioError(folder, [(RUNS_FILE, "is missing")])
    plan = manifest.plan()
    problems = [
        (f"{RUNS_FILE}/{name}", "is not listed in the manifest (a stray or foreign shard?)")
        for name in _unlisted(folder, plan)
    ]
    for chunk in plan:
        problem = _shard_problem(folder, manifest, chunk)
        if problem:
            problems.append((f"{RUNS_FILE}/{shard_path(folder, chunk.index).name}", problem))
    design = folder / DESIGN_FILE
    if manifest.posterior and not (design.is_file() and file_sha256(design) == manifest.posterior.get("design_sha256")):
        problems.append((DESIGN_FILE, "is missing or differs from the one the manifest records"))
    if problems:
        raise ScenarioError(folder, problems)
    return manifest


def design_points(folder: str | Path, manifest: Manifest) -> np.ndarray | None:
    """The points in the unit cube of a run drawn from a design of its own (:data:`DESIGN_FILE`), in run order, or
    None for a run drawn by its scenario's design. Call after :func:`verify_folder`, which checks the file."""
    return pd.read_parquet(Path(folder) / DESIGN_FILE).to_numpy(float) if manifest.posterior else None


def _same_run(old: Manifest, new: Manifest) -> list[tuple[str, str]]:
    pairs = {
        "scenario.resolved": (old.scenario.resolved, new.scenario.resolved),
        "seed": (old.seed, new.seed),
        "requested_runs": (old.requested_runs, new.requested_runs),
        "chunk_runs": (old.chunk_runs, new.chunk_runs),
        "until_ci": (old.until_ci, new.until_ci),
    }
    return [
        (key, "differs from the run being resumed; resume with the same scenario, seed and runs, or --overwrite")
        for key, (a, b) in pairs.items()
        if a != b
    ]


def _resumable(folder: Path, previous: Manifest) -> Manifest:
    """The manifest to resume from: every done shard re-verified, bad ones and stale temporaries removed."""
    runs_folder = folder / RUNS_FILE
    runs_folder.mkdir(exist_ok=True)
    plan = previous.plan()
    foreign = [name for name in _unlisted(folder, plan) if not name.startswith("chunk-")]
    if foreign:
        raise ScenarioError(
            folder,
            [(f"{RUNS_FILE}/{name}", "was not written by 'sim run'; move it away to resume") for name in foreign],
        )
    for stale in runs_folder.glob(".*.partial"):
        stale.unlink(missing_ok=True)  # the lock is ours: no other process is writing them
    good = [
        chunk.index
        for chunk in plan
        if chunk.index in set(previous.chunks_done) and _shard_problem(folder, previous, chunk) is None
    ]
    for name in _unlisted(folder, plan):
        (runs_folder / name).unlink()
    for chunk in plan:
        if chunk.index not in good:
            shard_path(folder, chunk.index).unlink(missing_ok=True)
            previous.shards.pop(str(chunk.index), None)
    previous.chunks_done, previous.status = good, "running"
    write_manifest(folder, previous)
    return previous


def results_folder_holding(path: Path, itself: bool = True) -> Path | None:
    """The results folder (a folder holding a manifest) that ``path`` lies inside (or is, with ``itself``), or None."""
    absolute = Path(os.path.abspath(path))
    for place in [absolute, *absolute.parents][0 if itself else 1 :]:
        if (place / MANIFEST_FILE).is_file():
            return place
    return None


def check_output_place(path: Path, flag: str, source: Path | None = None, results: bool = False) -> None:
    """Refuse to write ``path`` (given as ``flag``) inside a results folder, where it would change that folder, but for
    the places of :data:`DERIVED` in ``source``, the folder the command reads. A ``results`` folder may be one already."""
    holder = results_folder_holding(path, itself=not results)
    if holder is None:
        return
    inside = Path(os.path.abspath(path)).relative_to(holder).parts
    if source is not None and source.exists() and holder.samefile(source) and inside and inside[0] in DERIVED:
        return
    shown = holder if Path(path).is_absolute() else os.path.relpath(holder)
    raise ScenarioError(
        flag, [(str(path), f"would write into the results folder {shown} and change it; choose a place outside it")]
    )


def _contents(folder: Path) -> list[Path]:
    """What a folder holds but its lock (nothing for a folder that does not exist)."""
    return [p for p in folder.iterdir() if p.name != LOCK_FILE] if folder.is_dir() else []


def check_target(folder: Path, flag: str, resume: bool | None, overwrite: bool) -> None:
    """Refuse a results folder to write (given as ``flag``) that cannot be used, before anything is written: a file, a
    place inside another results folder, or a folder holding anything, unless resuming the run it holds (``resume``
    None: the command cannot resume) or overwriting results ``sim run`` wrote."""
    check_output_place(folder, flag, results=True)
    if folder.exists() and not folder.is_dir():
        raise ScenarioError(folder, [("", f"exists and is not a folder; choose another {flag}")])
    if not _contents(folder):
        return
    has_manifest = (folder / MANIFEST_FILE).exists()
    if resume and has_manifest:
        return
    if not overwrite:
        replace = f"pass --overwrite to replace it or choose another {flag}"
        resumable = "pass --resume to finish it or --overwrite to replace it" if resume is not None else replace
        hint = resumable if has_manifest else f"choose another {flag}"
        raise ScenarioError(folder, [("", f"is not empty; {hint}")])
    _check_replaceable(folder, flag)


def _check_replaceable(folder: Path, flag: str) -> None:
    """Refuse to overwrite a folder that holds anything but results ``sim run`` wrote and what was derived from them."""
    refusal = (
        f"--overwrite replaces only results written by 'sim run'; remove the folder yourself or choose another {flag}"
    )
    if not (folder / MANIFEST_FILE).exists():
        raise ScenarioError(folder, [("", f"holds files but no results written by 'sim run'; {refusal}")])
    try:
        read_manifest(folder)
    except ScenarioError as error:
        raise ScenarioError(error.file, [*error.problems, ("", refusal)]) from None
    ours = {MANIFEST_FILE, RUNS_FILE, *DERIVED}
    others = sorted(p.name for p in _contents(folder) if p.name not in ours)
    if others:
        raise ScenarioError(folder, [(name, f"was not written by sim; {refusal}") for name in others])


@contextmanager
def results_target(folder: Path, flag: str, resume: bool | None, overwrite: bool) -> Iterator[Path]:
    """Where to write the results of ``folder`` (locked by the caller), checked by :func:`check_target`: the folder
    itself, or to ``overwrite`` it a hidden folder beside it that takes its place only once the block ends without
    error; stopped or failing, ``folder`` is left as it was."""
    check_target(folder, flag, resume, overwrite)
    if not overwrite:
        yield folder
        return
    _remove_left_behind(folder)
    stage = hidden_sibling(folder, "partial")
    stage.mkdir()
    shutil.copymode(folder, stage)
    try:
        with locked(stage):
            yield stage
            _swap_in(stage, folder)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _remove_left_behind(folder: Path) -> None:
    """Remove what an ``--overwrite`` of ``folder`` killed outright left beside it (a new run it was building, an old
    one it had moved away), unless a command still holds its lock; nothing while ``folder`` is missing (killed between
    its two renames, those may be the only copies)."""
    if not folder.exists():
        return
    for kind in ("partial", "replaced"):
        for left in folder.parent.glob(f".{glob.escape(folder.name)}.*.{kind}"):
            if not left.is_dir():
                continue
            try:
                with locked(left):
                    shutil.rmtree(left)
            except ScenarioError:
                continue


def _swap_in(stage: Path, folder: Path) -> None:
    """Put ``stage`` in the place of ``folder`` and remove the old one; SIGINT and SIGTERM wait until both renames
    are done, so that a stop never leaves ``folder`` missing."""
    old = hidden_sibling(folder, "replaced")
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        os.rename(folder, old)
        try:
            os.rename(stage, folder)
        except OSError:
            os.rename(old, folder)
            raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    shutil.rmtree(old, ignore_errors=True)


def prepare_folder(folder: Path, manifest: Manifest, resume: bool) -> Manifest:
    """Make ``folder`` (locked by the caller, given by :func:`results_target`) ready for ``manifest``'s run; return
    the manifest to continue from: with ``resume``, the run it holds (its done shards verified again; bad ones will be
    recomputed)."""
    if resume and (folder / MANIFEST_FILE).exists():
        previous = read_manifest(folder)
        problems = _same_run(previous, manifest)
        if problems:
            raise ScenarioError(folder, problems)
        return _resumable(folder, previous)
    write_manifest(folder, manifest)
    (folder / RUNS_FILE).mkdir(exist_ok=True)
    return manifest


def write_ensemble(
    folder: str | Path,
    scenario: Scenario,
    seed: int,
    table: pd.DataFrame,
    posterior: dict[str, Any],
    write_also: Callable[[Path], dict[str, Any]],
    overwrite: bool = False,
    flag: str = "--resample",
) -> Manifest:
    """Write runs simulated outside :func:`run_to_folder` (a design of its own: a posterior ensemble) as a results
    folder: shards in the scenario's chunks, ``write_also(folder)`` for the files that re-create them (it returns what
    to add to the ``posterior`` record), and a manifest holding that record, marked complete last."""
    folder = Path(folder)
    check_target(folder, flag, None, overwrite)
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder), results_target(folder, flag, None, overwrite) as target:
        plan = chunks(len(table), scenario.monte_carlo.chunk_runs)
        fresh = new_manifest(scenario, len(table), seed, {}, plan)
        fresh.posterior = posterior
        manifest = prepare_folder(target, fresh, False)
        manifest.posterior = posterior | write_also(target)
        for chunk in plan:
            manifest.shards[str(chunk.index)] = write_shard(
                target, chunk, table.iloc[chunk.first : chunk.first + chunk.runs]
            )
        manifest.chunks_done, manifest.status = [chunk.index for chunk in plan], "complete"
        write_manifest(target, manifest)
    return manifest


def read_results(folder: str | Path, columns: list[str] | None = None) -> Results:
    """Read a results folder written by ``sim run`` (optionally only some columns), sorted by ``run_id``,
    after :func:`verify_folder` has checked it."""
    folder = Path(folder)
    manifest = verify_folder(folder)
    return Results(runs=read_columns(folder, manifest, columns), manifest=manifest)


def read_summary(folder: str | Path) -> Results:
    """The summary's columns of a results folder (all runs, few columns)."""
    return read_results(folder, columns=summary_columns(result_columns(folder)))


def read_columns(folder: Path, manifest: Manifest, columns: list[str] | None) -> pd.DataFrame:
    """Some columns of a folder :func:`verify_folder` has checked (returning ``manifest``), in ``run_id`` order."""
    import pyarrow.parquet

    try:
        # Shard by shard, in run order: reading the folder as one dataset takes many times the table's size for wide tables.
        return pd.concat(
            [
                pyarrow.parquet.read_table(shard_path(folder, chunk.index), columns=columns).to_pandas(
                    self_destruct=True
                )
                for chunk in manifest.plan()
            ],
            ignore_index=True,
        )
    except (OSError, ValueError, KeyError) as error:
        raise ScenarioError(folder, [(RUNS_FILE, f"cannot be read ({error.__class__.__name__}: {error})")]) from None


def result_columns_unchecked(folder: Path) -> list[str]:
    """The column names of the shards in a results folder, finished or not."""
    import pyarrow.dataset

    return pyarrow.dataset.dataset(folder / RUNS_FILE, format="parquet").schema.names


def result_columns(folder: str | Path) -> list[str]:
    """The column names of a results folder's runs, without reading the runs (the folder is not verified)."""
    folder = Path(folder)
    read_manifest(folder)
    try:
        return result_columns_unchecked(folder)
    except (OSError, ValueError) as error:
        verify_folder(folder)  # names the damaged shard, if that is why
        raise ScenarioError(folder, [(RUNS_FILE, f"cannot be read ({error.__class__.__name__})")]) from None


def scenario_of(manifest: Manifest, folder: Path | None = None) -> Scenario:
    """The scenario a results folder (``folder``, named in any error) was made from, rebuilt and validated again from
    its manifest."""
    manifest_path = MANIFEST_FILE if folder is None else str(folder / MANIFEST_FILE)
    return scenario_from_mapping(manifest.scenario.resolved, f"{manifest_path}: scenario.resolved")
