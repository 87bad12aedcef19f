"""Peak memory per process of ``sim run`` and ``sim report`` on a large scenario, against the budget.

A scenario of 200 actors x 50 issues (every position and salience uncertain: about 20,000 parameters) is
written to a temporary folder; ``sim run`` and ``sim report`` each run in a fresh process, and their
peak resident memory is read from the operating system. ``--calibrate`` instead measures the memory one
run adds to a chunk at several scenario sizes, beside :func:`sim.experiments.runner.bytes_per_run`'s estimate.

Usage: python benchmarks/bench_memory.py [--actors 200] [--issues 50] [--runs 2000] [--memory 1.0] [--calibrate]
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

import yaml


def large_scenario(actors: int, issues: int) -> dict:
    """A scenario of ``actors`` x ``issues``, every position and salience drawn per run."""
    issue_names = [f"issue_{i}" for i in range(issues)]
    actor_names = [f"actor_{a}" for a in range(actors)]
    uniform = lambda low, high: {"dist": "uniform", "low": low, "high": high}  # noqa: E731
    return {
        "name": f"{actors} actors x {issues} issues",
        "issues": {
            name: {"low_means": "none of it", "high_means": "all of it", "no_deal": 0.5} for name in issue_names
        },
        "actors": {
            name: {
                "veto": k < 2,
                "capability": uniform(0.5, 1.5),
                "issues": {i: {"position": uniform(0.0, 1.0), "salience": uniform(0.1, 1.0)} for i in issue_names},
            }
            for k, name in enumerate(actor_names)
        },
        "front": {
            "side": actor_names[0],
            "opponent": actor_names[1],
            "step": 0.02,
            "p_advance": uniform(0.4, 0.6),
            "regions": {"region": {"initial": 0.5, "weight": 1.0}},
        },
        "model": {
            "start_date": "2026-01-01",
            "horizon_rounds": 36,
            "mechanism": {"kind": "mediator", "mediator": actor_names[2]},
        },
        "monte_carlo": {"runs": 10_000, "seed": 1},
    }


def peak_mb(command: list[str]) -> tuple[float, float]:
    """Run ``command`` in a fresh process; its peak resident memory (MB) and seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if after <= before:
        raise RuntimeError("an earlier child used more memory; measure each command from a fresh benchmark process")
    return after / 1024, seconds


def calibrate_child(actors: int, issues: int, runs: int) -> None:
    """Simulate one chunk of ``runs``; print the process's peak memory before and after, as JSON."""
    from sim.experiments.runner import Chunk, bytes_per_run, run_chunk
    from sim.scenario.loading import scenario_from_mapping

    scenario = scenario_from_mapping(large_scenario(actors, issues), "calibration")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    run_chunk(scenario, 1, Chunk(0, 0, runs))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "measured": (after - before) / runs,
                "estimate": bytes_per_run(scenario),
                "parameters": len(scenario.uncertain_parameters()),
            }
        )
    )


def calibrate() -> None:
    """Bytes one run adds to a chunk, measured at several sizes, beside the estimate the runner uses."""
    print(f"{'actors x issues':>16} {'parameters':>10} {'measured B/run':>15} {'estimate B/run':>15}")
    for actors, issues, runs in ((4, 5, 4000), (20, 10, 2000), (50, 20, 1000), (100, 25, 500)):
        out = subprocess.run(
            [sys.executable, __file__, "--calibrate-child", str(actors), str(issues), str(runs)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        row = json.loads(out.strip().splitlines()[-1])
        print(f"{f'{actors} x {issues}':>16} {row['parameters']:>10,} {row['measured']:>15,.0f} {row['estimate']:>15,}")


def main() -> None:
    if sys.argv[1:2] == ["--step"]:  # a command to measure, from a fresh benchmark process
        print(json.dumps(peak_mb(sys.argv[2:])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=200)
    parser.add_argument("--issues", type=int, default=50)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--memory", type=float, default=1.0, help="the budget per process, GB")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--calibrate-child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.calibrate_child:
        calibrate_child(*args.calibrate_child)
        return
    if args.calibrate:
        calibrate()
        return
    with tempfile.TemporaryDirectory() as work:
        scenario = Path(work) / "large.yaml"
        scenario.write_text(yaml.safe_dump(large_scenario(args.actors, args.issues), sort_keys=False))
        folder = Path(work) / "runs"
        sim = [sys.executable, "-m", "sim.cli"]
        steps = {
            "run": [
                *sim,
                "run",
                str(scenario),
                "--runs",
                str(args.runs),
                "--out",
                str(folder),
                "--quiet",
                "--memory",
                str(args.memory),
            ],
            "report": [*sim, "report", str(folder), "--history-runs", "200"],
        }
        print(f"{args.actors} actors x {args.issues} issues, {args.runs:,} runs, budget {args.memory:g} GB per process")
        for name, command in steps.items():
            # each step from its own benchmark process, so that its peak is its own
            out = subprocess.run(
                [sys.executable, __file__, "--step", *command], capture_output=True, text=True, check=True
            ).stdout
            mb, seconds = json.loads(out.strip().splitlines()[-1])
            print(f"  sim {name:<7} peak {mb:8.0f} MB  ({seconds:.0f} s)")
        from sim.experiments.manifest import read_manifest

        chunk = read_manifest(folder).chunk_runs
        print(f"  chunk size chosen for the budget: {chunk:,} runs (the file asks for 10,000)")


if __name__ == "__main__":
    main()
