"""Today's mediator against the halving mediator it replaced, on the article as it stood then, in one session.

The zone search replaced the halving mediator after commit c09b336 (docs/model.md, 7b). The article's file has
since grown (seven issues, the coalition's members, reneging foreseen), so its speed today says nothing about the
mediator itself. This takes that commit's code and article from the repository's history (``git archive``, into a
temporary folder; nothing in the checkout changes), reads the article with today's schema (its retired
``concession_step`` dropped, ``horizons_months`` read as ``horizons``), and runs a million runs with 2 jobs in
pairs, alternately with the halving code and with today's mediator (``bench_protocols.py``), each in a fresh process.
It prints each run's seconds and peak memory, and the mean ratio of the rates.

Usage: python benchmarks/bench_halving_baseline.py [--runs 1000000] [--jobs 2] [--pairs 3] [--commit c09b336]
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

from bench_ensemble import in_fresh_process
from bench_protocols import measure

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "scenarios/ukraine_paris_2026.yaml"
HALVING_RUN = """
import json, resource, sys, tempfile, time
from pathlib import Path
from sim import load_scenario, run_to_folder
runs, jobs = int(sys.argv[1]), int(sys.argv[2])
with tempfile.TemporaryDirectory() as folder:
    started = time.perf_counter()
    run_to_folder(load_scenario(sys.argv[3]), Path(folder) / "runs", runs=runs, seed=1, jobs=jobs)
    seconds = time.perf_counter() - started
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "main_mb": own, "largest_worker_mb": worker}))
"""


def checkout(commit: str, folder: Path) -> None:
    """The code and scenarios of ``commit`` written into ``folder``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tree:
        tree.extractall(folder, filter="data")


def todays_reading(old_article: Path, target: Path) -> None:
    """That day's article as today's schema reads it: ``concession_step`` (no longer a setting) dropped and
    ``horizons_months`` renamed ``horizons``."""
    lines = old_article.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line.replace("horizons_months:", "horizons:") for line in lines if "concession_step:" not in line]
    target.write_text("".join(kept), encoding="utf-8")


def halving(folder: Path, runs: int, jobs: int) -> dict:
    """The halving code (checked out in ``folder``) on its own article, in a fresh process."""
    arguments = ["-c", HALVING_RUN, str(runs), str(jobs), str(folder / ARTICLE)]
    return in_fresh_process(arguments, cwd=folder, env=os.environ | {"PYTHONPATH": str(folder)})


def main() -> None:
    """Print each pair's seconds and peak memory, then the mean ratio of today's rate to the halving code's."""
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--runs", type=int, default=1_000_000)
    options.add_argument("--jobs", type=int, default=2)
    options.add_argument("--pairs", type=int, default=3)
    options.add_argument("--commit", default="c09b336", help="the last commit with the halving mediator")
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        old = Path(temporary) / "halving"
        checkout(args.commit, old)
        article = Path(temporary) / "article_then.yaml"
        todays_reading(old / ARTICLE, article)
        print(f"the article at {args.commit}, {args.runs:,} runs, {args.jobs} job(s), written to Parquet shards:")
        ratios = []
        for pair in range(1, args.pairs + 1):
            then, now = halving(old, args.runs, args.jobs), measure("mediator", args.runs, args.jobs, article)
            ratios.append(then["seconds"] / now["seconds"])
            for name, result in (("halving mediator", then), ("today's mediator", now)):
                print(
                    f"  pair {pair}, {name:<17} {result['seconds']:6.1f} s, {args.runs / result['seconds']:>8,.0f} runs/s;"
                    f" peak memory: main {result['main_mb']:.0f} MB, largest worker {result['largest_worker_mb']:.0f} MB"
                )
        print(f"today's mediator runs at {sum(ratios) / len(ratios):.2f} of the halving code's rate (mean over pairs)")


if __name__ == "__main__":
    main()
