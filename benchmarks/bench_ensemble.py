"""Runs per second and peak memory of the ensemble model, against the per-run baseline, in one session.

The ensemble runs as a user runs it (``run_to_folder``: simulate, stream Parquet shards to disk), each
size in a fresh process so that its peak memory is its own. The baseline applies the same rules (the
same NegotiationModel) one Mesa model per run, as a plain Mesa study would.

Usage: python benchmarks/bench_ensemble.py [--sizes 1000 10000 100000 1000000] [--jobs 2] [--baseline 300]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sim import load_scenario, plan_run, run_to_folder
from sim.model import simulate
from sim.sampling.draws import sample

ARTICLE = Path(__file__).resolve().parent.parent / "scenarios" / "ukraine_paris_2026.yaml"


def per_run_rate(runs: int, file: Path = ARTICLE) -> float:
    """Runs per second with one Mesa model per run (draws made up front, as a batch runner would)."""
    scenario = load_scenario(file)
    draws = sample(scenario, runs, seed=1)
    seeds = np.random.SeedSequence(1).spawn(runs)
    started = time.perf_counter()
    for k in range(runs):
        simulate(scenario, {path: values[k : k + 1] for path, values in draws.items()}, np.random.default_rng(seeds[k]))
    return runs / (time.perf_counter() - started)


def child(runs: int, jobs: int, protocol: str | None = None, file: Path = ARTICLE) -> None:
    """Run the ensemble (under ``protocol``, default the scenario's) into a temporary folder; print seconds and
    peak memory (MB) as JSON."""
    scenario = load_scenario(file)
    if protocol is not None:
        scenario = scenario.with_mechanism(protocol)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        run_to_folder(plan_run(scenario, runs=runs, seed=1, jobs=jobs), Path(folder) / "runs")
        seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "main_mb": own, "largest_worker_mb": worker}))


def in_fresh_process(arguments: list[str], **options) -> dict:
    """Run Python with ``arguments`` in a fresh process (``options`` for ``subprocess.run``, e.g. ``cwd``, ``env``)
    and read the JSON its last line prints."""
    done = subprocess.run([sys.executable, *arguments], capture_output=True, text=True, check=True, **options)
    return json.loads(done.stdout.strip().splitlines()[-1])


def ensemble(runs: int, jobs: int) -> dict:
    """Measure one size in a fresh process."""
    return in_fresh_process([__file__, "--child", str(runs), "--jobs", str(jobs)])


def main() -> None:
    """Print, per size, runs per second, the ratio to the per-run baseline, and peak memory."""
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    options.add_argument("--baseline", type=int, default=300, help="runs of the per-run baseline")
    options.add_argument("--jobs", type=int, default=2)
    options.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.child:
        child(args.child, args.jobs)
        return
    baseline = per_run_rate(args.baseline)
    print(f"per-run baseline (one Mesa model per run, 1 process): {baseline:,.0f} runs/s over {args.baseline} runs")
    print(f"ensemble, written to Parquet shards, {args.jobs} job(s):")
    for runs in args.sizes:
        m = ensemble(runs, args.jobs)
        rate = runs / m["seconds"]
        print(
            f"  {runs:>9,} runs: {m['seconds']:7.2f} s, {rate:>9,.0f} runs/s, {rate / baseline:5.0f} x the baseline "
            f"({rate / baseline / args.jobs:4.0f} x per process); peak memory: main {m['main_mb']:.0f} MB, "
            f"largest worker {m['largest_worker_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
