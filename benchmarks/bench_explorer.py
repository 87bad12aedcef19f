"""Time from a control change to redrawn charts in the explorer (target: under one second for 10^4 runs).

Two measures, each over several changes of one control (the front's chance of advancing, stepped down):
- in the browser: ``sim explore`` served on a free loopback port, the page in headless Chromium, from the
  key press on the slider to every chart redrawn (needs Chromium and Playwright; skipped without them);
- in process: the same change through the explorer's functions (setting -> scenario -> ensemble ->
  figures and tables -> PNG), split into its parts, and once per bargaining protocol.

Usage: python benchmarks/bench_explorer.py [--runs 10000] [--changes 5] [--file SCENARIO]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from pathlib import Path

from sim import load_scenario
from sim.explorer.controls import initial_settings, scenario_with
from sim.explorer.headless import explorer_page, find_chromium, move_control, running_explorer
from sim.explorer.views import png, run_ensemble, view

ARTICLE = Path(__file__).resolve().parent.parent / "scenarios" / "ukraine_paris_2026.yaml"


def in_process(file: Path, runs: int, changes: int) -> None:
    """Seconds per part of one change, median over ``changes`` changes, then per protocol."""
    scenario = load_scenario(file)
    seed = scenario.monte_carlo.seed
    baseline = run_ensemble(scenario, runs, seed)
    low, high = scenario.front.p_advance.support() if scenario.front else (0.0, 0.0)
    parts: dict[str, list[float]] = {"apply": [], "ensemble": [], "tables and figures": [], "PNG": [], "total": []}

    def change(settings: dict) -> dict[str, float]:
        started = time.perf_counter()
        changed = scenario_with(scenario, settings)
        applied = time.perf_counter()
        current = run_ensemble(changed, runs, seed)
        ran = time.perf_counter()
        shown = view(changed, baseline, current)
        viewed = time.perf_counter()
        for figure in shown.figures.values():
            png(figure)
        done = time.perf_counter()
        return {"apply": applied - started, "ensemble": ran - applied, "tables and figures": viewed - ran,
                "PNG": done - viewed, "total": done - started}

    for k in range(changes):
        settings = initial_settings(scenario)
        if scenario.front:
            settings["front.p_advance"] = (max(0.0, low - 0.02 * (k + 1)), high)
        for name, seconds in change(settings).items():
            parts[name].append(seconds)
    print(f"In process, {runs:,} runs per change, median of {changes} changes:")
    for name, values in parts.items():
        print(f"  {name:<20} {statistics.median(values):6.3f} s")
    for kind in ("mediator", "alternating", "none"):
        if kind == "mediator" and scenario.model.mechanism.kind != "mediator":
            continue
        seconds = change(initial_settings(scenario) | {"model.mechanism.kind": kind})["total"]
        print(f"  protocol {kind:<11} {seconds:6.3f} s")


def in_browser(file: Path, runs: int, changes: int) -> None:
    """Seconds from a key press on a slider to the redrawn page, in headless Chromium."""
    chromium = find_chromium()
    if chromium is None or importlib.util.find_spec("playwright") is None:
        print("In the browser: skipped (needs Chromium and Playwright)")
        return
    with running_explorer(file, runs) as url, explorer_page(url, chromium) as page:
        times = [move_control(page, "front", "p advance") for _ in range(changes)]
    print(f"In the browser, {runs:,} runs per change: key press to redrawn charts, "
          f"median {statistics.median(times):.3f} s, max {max(times):.3f} s over {changes} changes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--file", type=Path, default=ARTICLE)
    args = parser.parse_args()
    in_browser(args.file, args.runs, args.changes)
    in_process(args.file, args.runs, args.changes)


if __name__ == "__main__":
    main()
