"""Start-up cost: the import time of ``import sim`` and of ``sim validate scenarios/ukraine_paris_2026.yaml``,
beside a bare interpreter (``python -c pass``) measured in the same session.

Each command runs ``--repeats`` times in a fresh interpreter with ``python -X importtime``; the import time of a run
is the sum of its top-level imports' cumulative times (the interpreter's own start-up imports included, so the
baseline is what ``python -c pass`` imports). Printed per command: the median import time, the median beyond the
baseline, its ratio to the baseline, and the median CPU time of the whole process (the machine may be shared, so
CPU time is the steadier figure). The target is under 0.3 s of import for both.

Usage: python benchmarks/bench_startup.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "ukraine_paris_2026.yaml"
COMMANDS = {
    "python -c pass": "pass",
    "import sim": "import sim",
    "sim validate FILE": f"import sys; from sim.cli import main; sys.exit(main(['validate', {str(SCENARIO)!r}]))",
}
TARGET_SECONDS = 0.3


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(code: str) -> tuple[float, float]:
    """Seconds of import (the top-level imports' cumulative times) and of CPU of one fresh interpreter running ``code``."""
    before = _children_cpu()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    cpu = _children_cpu() - before
    microseconds = 0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        if cumulative.strip().isdigit() and not name.startswith("  "):
            microseconds += int(cumulative)
    return microseconds / 1e6, cpu


def main() -> None:
    """Print each command's median import and CPU time, and its import time against the bare interpreter's."""
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--repeats", type=int, default=7)
    args = options.parse_args()
    medians = {}
    for label, code in COMMANDS.items():
        runs = [measure(code) for _ in range(args.repeats)]
        medians[label] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
    baseline = medians["python -c pass"][0]
    print(f"{'command':<20} {'import s':>9} {'beyond bare':>12} {'x bare':>7} {'CPU s':>7}  under {TARGET_SECONDS} s")
    for label, (imports, cpu) in medians.items():
        verdict = "" if label == "python -c pass" else ("yes" if imports < TARGET_SECONDS else "NO")
        print(f"{label:<20} {imports:9.3f} {imports - baseline:12.3f} {imports / baseline:7.1f} {cpu:7.3f}  {verdict}")


if __name__ == "__main__":
    main()
