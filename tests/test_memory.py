"""Chunks that fit the memory budget: a large scenario runs in smaller chunks, a small one as its file says."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import ARTICLE, ROOT

from sim import load_scenario
from sim.experiments.runner import bytes_per_run, fit_to_memory

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_memory import large_scenario  # noqa: E402

MEASURE = """
import json, sys
from pathlib import Path
from bench_memory import large_scenario
from sim.experiments.folder_runs import run_to_folder
from sim.experiments.runner import plan_run
from sim.scenario.loading import scenario_from_mapping
manifest = run_to_folder(plan_run(scenario_from_mapping(large_scenario(50, 20), "large"), runs=3000, memory_gb=0.45), Path(sys.argv[1]))
peak_kb = int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1])
print(json.dumps({"peak_gb": peak_kb / 2**20, "chunk_runs": manifest.chunk_runs}))
"""


def test_a_small_scenario_keeps_its_chunks():
    article = load_scenario(ARTICLE)
    assert fit_to_memory(article) is article and bytes_per_run(article) < 10_000


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak memory from /proc")
def test_a_large_scenario_runs_within_its_budget(tmp_path):
    # VmHWM is this process's own peak; getrusage's would count the parent it was forked from.
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tmp_path / "runs")],
        capture_output=True,
        text=True,
        cwd=ROOT / "benchmarks",
        check=True,
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert 300 < measured["chunk_runs"] < 1500  # the file asks for 10,000: all 3,000 runs in one chunk need ~0.53 GB
    assert measured["peak_gb"] <= 0.45


def test_the_chunk_size_follows_the_scenario_size():
    from sim.scenario.loading import scenario_from_mapping

    sizes = [
        fit_to_memory(scenario_from_mapping(large_scenario(a, i), "large")).monte_carlo.chunk_runs
        for a, i in ((50, 20), (100, 25), (200, 50))
    ]
    assert sizes[0] > sizes[1] > sizes[2] >= 400  # within the default 1 GB, beside a 400 MB process
