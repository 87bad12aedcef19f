"""Results folders: nothing lost when a run is killed, the same values on every backend."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from helpers import ARTICLE, shard_hashes

from sim import load_scenario, plan_run, read_results, run_to_folder

RUNS, CHUNK = 40_000, 2_000
CHANGE = f"monte_carlo.chunk_runs={CHUNK}"


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whole") / "run"
    run_to_folder(plan_run(load_scenario(ARTICLE, {"monte_carlo.chunk_runs": CHUNK}), runs=RUNS, seed=4), folder)
    return folder


def _command(folder, *extra):
    """``sim run`` of the changed article into ``folder``, as a new process runs it."""
    run = ["run", str(ARTICLE), "--runs", str(RUNS), "--seed", "4", "--out", str(folder), "--quiet", "--set", CHANGE]
    return [sys.executable, "-m", "sim.cli", *run, *extra]


def _start(folder):
    return subprocess.Popen(_command(folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _chunks_done(folder):
    try:
        return len(json.loads((folder / "manifest.json").read_text())["chunks_done"])
    except (OSError, ValueError, KeyError):
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("kill_after_chunks", [0, 3, 12])
def test_a_killed_run_resumes_to_exactly_the_uninterrupted_results(uninterrupted, tmp_path, kill_after_chunks):
    folder = tmp_path / "killed"
    process = _start(folder)
    deadline = time.monotonic() + 120
    while _chunks_done(folder) < kill_after_chunks and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if kill_after_chunks == 0:
        time.sleep(1.5)  # somewhere in start-up or the first chunks
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    done_before = _chunks_done(folder)
    assert done_before < RUNS // CHUNK, "the run finished before it could be killed"
    resumed = subprocess.run(
        _command(folder, "--resume"),
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert shard_hashes(folder) == shard_hashes(uninterrupted)
    runs = read_results(folder, columns=["run_id"]).runs
    assert runs["run_id"].tolist() == list(range(RUNS))
    assert not [p for p in (folder / "runs.parquet").iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_an_unfinished_folder_is_not_read_as_results(tmp_path):
    folder = tmp_path / "unfinished"
    process = _start(folder)
    while _chunks_done(folder) < 1 and process.poll() is None:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done = subprocess.run([sys.executable, "-m", "sim.cli", "summary", str(folder)], capture_output=True, text=True)
    assert done.returncode == 2 and "unfinished run" in done.stderr and "--resume" in done.stderr


@pytest.mark.slow
def test_dask_cluster_gives_the_same_values_as_one_process(uninterrupted, tmp_path):
    pytest.importorskip("dask.distributed")
    folder = tmp_path / "dask"
    scenario = load_scenario(ARTICLE, {"monte_carlo.chunk_runs": CHUNK})
    manifest = run_to_folder(plan_run(scenario, runs=RUNS, seed=4, jobs=2, backend="dask"), folder)
    assert manifest.timings["backend"] == "dask"
    assert shard_hashes(folder) == shard_hashes(uninterrupted)


@pytest.mark.slow
def test_until_ci_adds_seeded_chunks_until_every_headline_interval_is_narrow(tmp_path):
    from sim.analysis import summary

    scenario = load_scenario(ARTICLE, {"monte_carlo.chunk_runs": 1000})
    manifest = run_to_folder(plan_run(scenario, runs=500, seed=3, until_ci=0.06), tmp_path / "a")
    runs = read_results(tmp_path / "a").runs
    headline = summary.headline(runs, scenario)
    assert (headline["hi"] - headline["lo"]).max() < 0.06
    assert manifest.requested_runs == 500 and manifest.runs == len(runs) > 500
    assert runs["run_id"].tolist() == list(range(len(runs)))
    again = run_to_folder(plan_run(scenario, runs=500, seed=3, until_ci=0.06), tmp_path / "b")
    assert again.runs == manifest.runs and shard_hashes(tmp_path / "a") == shard_hashes(tmp_path / "b")


@pytest.mark.slow
def test_replay_of_a_run_extended_by_until_ci(tmp_path):
    from sim.experiments.results import scenario_of
    from sim.experiments.runner import replay_run

    scenario = load_scenario(ARTICLE, {"monte_carlo.chunk_runs": 1000})
    manifest = run_to_folder(plan_run(scenario, runs=1500, seed=8, until_ci=0.045), tmp_path / "x")
    assert manifest.runs > 1500
    stored = read_results(tmp_path / "x").runs
    for run_id in (1499, 1500, manifest.runs - 1):
        _, outcome = replay_run(scenario_of(manifest), 8, manifest.runs, run_id, manifest.requested_runs)
        assert outcome["front_end"] == stored.loc[run_id, "front_end"] and outcome["deal"] == stored.loc[run_id, "deal"]
