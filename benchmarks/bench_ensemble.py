"""Runs per second of the ensemble model against the per-run baseline, measured in one session.

The baseline applies the same rules (the same NegotiationModel) one Mesa model per run, as a plain
Mesa study would. Usage: python benchmarks/bench_ensemble.py [--sizes 1000 10000 100000] [--baseline 300]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from sim import load_scenario, run_monte_carlo
from sim.model import simulate
from sim.sampling import sample

ARTICLE = Path(__file__).resolve().parent.parent / "scenarios" / "ukraine_paris_2026.yaml"


def ensemble_rate(scenario, runs: int, jobs: int) -> float:
    """Runs per second of ``run_monte_carlo`` for ``runs`` runs."""
    started = time.perf_counter()
    run_monte_carlo(scenario, runs=runs, seed=1, jobs=jobs)
    return runs / (time.perf_counter() - started)


def per_run_rate(scenario, runs: int) -> float:
    """Runs per second with one Mesa model per run (draws made up front, as a batch runner would)."""
    draws = sample(scenario, runs, np.random.default_rng(1))
    seeds = np.random.SeedSequence(1).spawn(runs)
    started = time.perf_counter()
    for k in range(runs):
        simulate(scenario, {path: values[k : k + 1] for path, values in draws.items()}, np.random.default_rng(seeds[k]))
    return runs / (time.perf_counter() - started)


def main() -> None:
    """Print runs per second at each size, the baseline, and their ratio."""
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    options.add_argument("--baseline", type=int, default=300, help="runs of the per-run baseline")
    options.add_argument("--jobs", type=int, default=1)
    args = options.parse_args()
    scenario = load_scenario(ARTICLE)
    ensemble_rate(scenario, 1_000, 1)  # warm-up: imports and first allocations
    baseline = per_run_rate(scenario, args.baseline)
    print(f"per-run baseline (one Mesa model per run): {baseline:,.0f} runs/s over {args.baseline} runs")
    for runs in args.sizes:
        rate = ensemble_rate(scenario, runs, args.jobs)
        print(f"ensemble, {runs:>9,} runs, {args.jobs} job(s): {rate:>9,.0f} runs/s, "
              f"{runs / rate:6.2f} s, {rate / baseline:6.0f} x the baseline")


if __name__ == "__main__":
    main()
