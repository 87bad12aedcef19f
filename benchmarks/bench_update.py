"""Time to update a large results folder with the February evidence (``sim update``'s work: read and verify the
folder, re-simulate the front where the evidence needs it, weigh every run, summarise the posterior).

The folder is made once (``--runs``, default 100,000, with ``--jobs`` processes) in a temporary folder, then
updated with every observation of ``scenarios/evidence/ukraine_2026.yaml`` (6 January to 18 February). CPU time
(``time.process_time``) is printed beside wall time: the machine may be shared.

Usage: python benchmarks/bench_update.py [--runs 100000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sim.analysis.summary import headline
from sim.experiments.folder_runs import run_to_folder
from sim.experiments.runner import plan_run
from sim.scenario.loading import load_scenario
from sim.updating.posterior import parameter_shifts
from sim.updating.update import condition

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "ukraine_paris_2026.yaml"
EVIDENCE = ROOT / "scenarios" / "evidence" / "ukraine_2026.yaml"


def main() -> None:
    """Print the time to make the folder and the time to update it."""
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--runs", type=int, default=100_000)
    options.add_argument("--jobs", type=int, default=2, help="processes that make the folder")
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "runs"
        started = time.perf_counter()
        run_to_folder(plan_run(load_scenario(SCENARIO), runs=args.runs, jobs=args.jobs), folder)
        print(f"made {args.runs:,} runs in {time.perf_counter() - started:.1f} s (wall, {args.jobs} jobs)")
        wall, cpu = time.perf_counter(), time.process_time()
        update = condition(folder, EVIDENCE)
        posterior = headline(update.runs, update.scenario, update.weights)
        parameter_shifts(update.runs, update.manifest.parameters, update.weights)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"updated on {len(update.evidence.observations)} observations in {wall:.1f} s wall, {cpu:.1f} s CPU "
            f"(effective sample size {update.ess:,.0f}; deal by the horizon {posterior['estimate'].iloc[0]:.1%})"
        )


if __name__ == "__main__":
    main()
