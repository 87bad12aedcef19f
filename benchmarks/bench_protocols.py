"""Runs per second of every bargaining protocol on the article's scenario (or another), in one session.

Each protocol runs as a user runs it (``run_to_folder`` with the article's scenario switched to that
protocol: simulate, stream Parquet shards to disk), in a fresh process so that its peak memory is its own.
Rates are also given as a ratio to the per-run baseline of ``bench_ensemble.py`` (one Mesa model per
run, the mediator), measured in the same session.

Usage: python benchmarks/bench_protocols.py [--runs 1000000] [--jobs 2] [--baseline 300] [--scenario FILE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench_ensemble import ARTICLE, child, in_fresh_process, per_run_rate

from sim.registry.models import PROTOCOLS


def measure(protocol: str, runs: int, jobs: int, file: Path) -> dict:
    """Measure one protocol on the scenario ``file`` in a fresh process."""
    arguments = [__file__, "--child", protocol, "--runs", str(runs), "--jobs", str(jobs), "--scenario", str(file)]
    return in_fresh_process(arguments)


def main() -> None:
    """Print, per protocol, runs per second, the ratio to the per-run baseline, and peak memory."""
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--runs", type=int, default=1_000_000)
    options.add_argument("--jobs", type=int, default=2)
    options.add_argument("--baseline", type=int, default=300, help="runs of the per-run baseline")
    options.add_argument("--protocols", nargs="+", default=list(PROTOCOLS), choices=PROTOCOLS.names())
    options.add_argument("--scenario", type=Path, default=ARTICLE, help="the scenario file (default: the article's)")
    options.add_argument("--child", help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.child:
        child(args.runs, args.jobs, args.child, args.scenario)
        return
    baseline = per_run_rate(args.baseline, args.scenario)
    print(
        f"per-run baseline (one Mesa model per run, mediator, 1 process): {baseline:,.0f} runs/s over {args.baseline} runs"
    )
    print(f"{args.scenario.name}, {args.runs:,} runs, {args.jobs} job(s), written to Parquet shards:")
    for protocol in args.protocols:
        m = measure(protocol, args.runs, args.jobs, args.scenario)
        rate = args.runs / m["seconds"]
        print(
            f"  {protocol:<12} {m['seconds']:7.1f} s, {rate:>8,.0f} runs/s, {rate / baseline:5.0f} x the baseline; "
            f"peak memory: main {m['main_mb']:.0f} MB, largest worker {m['largest_worker_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
