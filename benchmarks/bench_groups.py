"""Runs per CPU-second of a scenario with groups of member agents against the same scenario without them.

The article's scenario models the European coalition as nine member agents (docs/model.md, section 7c);
the same scenario with ``groups: {}`` keeps the coalition as one actor. CPU time (``time.process_time``)
is measured rather than wall time, so that other work on the machine counts less. With ``--digest`` each
run's table is also summarised by a SHA-256 digest, to check that a change to the code leaves results
unchanged (run the script before and after, with the same seed).

Usage: python benchmarks/bench_groups.py [--runs 10000] [--seed 3] [--protocols mediator alternating] [--digest]
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import pandas as pd

from sim import load_scenario, run_monte_carlo
from sim.registry.models import PROTOCOLS

ARTICLE = Path(__file__).resolve().parent.parent / "scenarios" / "ukraine_paris_2026.yaml"


def digest(table: pd.DataFrame) -> str:
    """A SHA-256 digest of a results table: its columns, types and every value."""
    content = pd.util.hash_pandas_object(table, index=True).to_numpy().tobytes()
    return hashlib.sha256(content + repr(list(table.dtypes.items())).encode()).hexdigest()[:16]


def main() -> None:
    """Print runs per CPU-second per protocol, with and without the groups."""
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--runs", type=int, default=10_000)
    options.add_argument("--seed", type=int, default=3)
    options.add_argument("--protocols", nargs="+", default=list(PROTOCOLS), choices=PROTOCOLS.names())
    options.add_argument("--digest", action="store_true", help="print a SHA-256 digest of each run's results")
    args = options.parse_args()
    cases = {"with groups": load_scenario(ARTICLE), "without groups": load_scenario(ARTICLE, {"groups": {}})}
    print(f"the article's scenario, {args.runs:,} runs, one job, seed {args.seed}:")
    for protocol in args.protocols:
        for name, scenario in cases.items():
            start = time.process_time()
            table = run_monte_carlo(scenario.with_mechanism(protocol), runs=args.runs, seed=args.seed, progress=False)
            seconds = time.process_time() - start
            line = f"  {protocol:<12} {name:<15} {args.runs / seconds:>8,.0f} runs per CPU-second ({seconds:.2f} s)"
            print(line + (f", digest {digest(table)}" if args.digest else ""))


if __name__ == "__main__":
    main()
