"""The results folder's manifest: a typed record whose JSON keeps the keys, their order and their values, so folders
written before read the same; and the run plan it records, settled once from the scenario and the overrides."""

from __future__ import annotations

import json

import pytest
from helpers import two_sided, write_yaml

from sim import load_scenario, plan_run, run_to_folder
from sim.errors import ScenarioError
from sim.experiments.manifest import MANIFEST_FILE, Manifest, read_manifest
from sim.experiments.run_settings import DEFAULT_MAX_RUNS
from sim.experiments.runner import RunPlan, fit_to_memory

KEYS = [
    "written_by",
    "status",
    "scenario",
    "seed",
    "requested_runs",
    "runs",
    "chunk_runs",
    "chunks_total",
    "chunks_done",
    "shards",
    "parameters",
    "outcome_classes",
    "versions",
    "code_version",
    "timings",
    "until_ci",
]
"""The keys of a ``sim run`` folder's manifest.json, in the order every version has written them."""


@pytest.fixture
def scenario(tmp_path):
    raw = two_sided({"dist": "uniform", "low": 0.4, "high": 0.6}, 0.5, 0.1, horizon=12)
    raw["monte_carlo"] = {"runs": 250, "seed": 5, "chunk_runs": 100}
    return load_scenario(write_yaml(tmp_path / "war.yaml", raw))


def test_the_plan_takes_runs_and_seed_from_the_file_unless_given(scenario):
    assert plan_run(scenario) == RunPlan(scenario, 250, 5)
    plan = plan_run(scenario, runs=40, seed=0, jobs=3, until_ci=0.1)
    assert (plan.runs, plan.seed, plan.jobs, plan.until_ci, plan.max_runs) == (40, 0, 3, 0.1, DEFAULT_MAX_RUNS)
    small = plan_run(scenario, memory_gb=0.3908)  # room for fewer runs than a chunk holds: chunks shrink
    assert small.scenario.monte_carlo.chunk_runs == fit_to_memory(scenario, 0.3908).monte_carlo.chunk_runs < 100


def test_the_manifest_is_written_as_before_and_read_back_typed(scenario, tmp_path):
    folder = tmp_path / "runs"
    written = run_to_folder(plan_run(scenario), folder)
    text = (folder / MANIFEST_FILE).read_text()
    raw = json.loads(text)
    assert list(raw) == KEYS and raw["written_by"] == "negotiation-sim" and raw["until_ci"] is None
    assert list(raw["scenario"]) == ["name", "file", "files", "changes", "resolved"]
    assert list(raw["shards"]) == ["0", "1", "2"] and set(raw["shards"]["2"]) == {"rows", "sha256"}
    read = read_manifest(folder)
    assert isinstance(read, Manifest) and read == written
    assert (read.seed, read.runs, read.chunks_done, read.shards["2"]["rows"]) == (5, 250, [0, 1, 2], 50)
    assert [chunk.runs for chunk in read.plan()] == [100, 100, 50]
    assert read.to_json() == text, "reading and writing again changes nothing"


def test_an_older_manifest_without_the_newer_keys_still_reads(scenario, tmp_path):
    folder = tmp_path / "runs"
    run_to_folder(plan_run(scenario), folder)
    raw = json.loads((folder / MANIFEST_FILE).read_text())
    for key in ("outcome_classes", "versions", "code_version", "until_ci"):
        del raw[key]
    raw["posterior"] = {"as_of": "2026-01-24", "applied": ["a"]}
    (folder / MANIFEST_FILE).write_text(json.dumps(raw))
    read = read_manifest(folder)
    assert read.until_ci is None and read.outcome_classes == [] and read.posterior == raw["posterior"]
    assert list(json.loads(read.to_json()))[-2:] == ["until_ci", "posterior"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"seed": "7"}, "seed: expected int, got str"),
        ({"scenario": {"name": "x"}}, "scenario.file: expected str, got NoneType"),
        ({"runs": 0}, "runs: must be at least 1"),
        ({"chunks_total": 9}, "chunks_total: does not match runs and chunk_runs"),
        ({"runs": 10**12, "requested_runs": 10**12, "chunks_total": 10**10}, "chunks_total: 10,000,000,000 is more"),
        ({"requested_runs": 300}, "requested_runs: is more than runs"),
    ],
)
def test_a_damaged_manifest_is_refused_naming_the_key(scenario, tmp_path, change, problem):
    folder = tmp_path / "runs"
    run_to_folder(plan_run(scenario), folder)
    raw = json.loads((folder / MANIFEST_FILE).read_text()) | change
    (folder / MANIFEST_FILE).write_text(json.dumps(raw))
    with pytest.raises(ScenarioError, match=problem) as error:
        read_manifest(folder)
    assert error.value.file == str(folder / MANIFEST_FILE)
