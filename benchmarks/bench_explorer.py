"""Time from a control change to redrawn charts in the explorer (target: under one second for 10^4 runs).

Two measures, each over several changes of one control (the front's chance of advancing, or without a front
the first number of the file, its low end stepped down), as wall time and as CPU time (the machine may be
shared: CPU time is what the explorer itself spent):
- in the browser: ``sim explore`` served on a free loopback port, the page in headless Chromium, from the
  key press on the slider to every chart redrawn, and the server's CPU time meanwhile (needs Chromium and
  Playwright; skipped without them);
- in process: the same change through the explorer's functions (setting -> scenario -> ensemble -> figures as
  PNG, drawn on the two kept worker processes side by side while this one makes the tables), split into its
  parts, and once per bargaining protocol; then the figures' steps as one process alone would take them. CPU
  time is this process's: the workers' (the simulations, the figures) is not in it.

Usage: python benchmarks/bench_explorer.py [--runs 10000] [--changes 5] [--file SCENARIO]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sim import load_scenario
from sim.explorer.controls import Control, Settings, controls, initial_settings, scenario_with
from sim.explorer.headless import explorer_page, find_chromium, move_control, running_explorer
from sim.explorer.views import Charts, pictured, png, run_ensemble, tables
from sim.scenario.schema import Scenario

ARTICLE = Path(__file__).resolve().parent.parent / "scenarios" / "ukraine_paris_2026.yaml"


def moved_control(scenario: Scenario) -> Control:
    """The control the benchmark moves: the front's chance of advancing, else the file's first number."""
    numbers = [c for c in controls(scenario) if not c.is_choice]
    return next((c for c in numbers if c.key == "front.p_advance"), numbers[0])


def stepped(scenario: Scenario, control: Control, k: int) -> Settings:
    """The baseline's settings with the control's low end ``k`` slider steps of 2% of its range lower."""
    low, high = control.initial
    step = max(control.step, round(0.02 * (control.maximum - control.minimum) / control.step) * control.step)
    return initial_settings(scenario) | {control.key: (max(control.minimum, low - k * step), high)}


def timed(action: Callable[[], object]) -> tuple[object, float, float]:
    """What ``action`` returns, the wall seconds and the CPU seconds it took."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = action()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def in_process(file: Path, runs: int, changes: int) -> None:
    """Seconds per part of one change (wall and CPU), median over ``changes`` changes, then per protocol."""
    scenario = load_scenario(file)
    seed = scenario.monte_carlo.seed
    baseline = run_ensemble(scenario, runs, seed)
    charts = Charts(scenario)
    control = moved_control(scenario)
    parts: dict[str, list[tuple[float, float]]] = {"apply": [], "ensemble": [], "figures and tables": []}

    def change(settings: Settings) -> dict[str, tuple[float, float]]:
        changed, *apply = timed(lambda: scenario_with(scenario, settings))
        current, *ensemble = timed(lambda: run_ensemble(changed, runs, seed))
        _, *pictures = timed(lambda: pictured(changed, baseline, current, charts))
        return {"apply": apply, "ensemble": ensemble, "figures and tables": pictures}

    for k in range(changes):
        for name, seconds in change(stepped(scenario, control, k + 1)).items():
            parts[name].append(seconds)
    totals = [tuple(map(sum, zip(*(parts[name][k] for name in parts), strict=True))) for k in range(changes)]
    print(f"In process, {runs:,} runs per change ({control.group}: {control.label}), median of {changes} changes:")
    show(parts | {"total": totals})
    for kind in ("mediator", "alternating", "none"):
        if kind == "mediator" and scenario.model.mechanism.kind != "mediator":
            continue
        seconds = change(initial_settings(scenario) | {"model.mechanism.kind": kind})
        wall, cpu = (sum(v[i] for v in seconds.values()) for i in (0, 1))
        print(f"  protocol {kind:<11} wall {wall:6.3f} s   CPU {cpu:6.3f} s")

    current = run_ensemble(scenario_with(scenario, stepped(scenario, control, 1)), runs, seed)
    alone: dict[str, list[tuple[float, float]]] = {"tables": [], "figures": [], "PNG": []}
    for _ in range(changes):
        _, *made = timed(lambda: tables(scenario, baseline, current))
        figures, *drawn = timed(lambda: charts.draw(scenario, baseline, current))
        _, *rendered = timed(partial(map_png, figures))
        for name, seconds in zip(alone, (made, drawn, rendered), strict=True):
            alone[name].append(seconds)
    print("The figures and tables in this process alone:")
    show(alone)


def map_png(figures: dict) -> list[bytes]:
    """Each figure as PNG."""
    return [png(figure) for figure in figures.values()]


def show(parts: dict[str, list]) -> None:
    """Each part's median wall and CPU seconds."""
    for name, values in parts.items():
        print(
            f"  {name:<20} wall {statistics.median(v[0] for v in values):6.3f} s   "
            f"CPU {statistics.median(v[1] for v in values):6.3f} s"
        )


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_browser(file: Path, runs: int, changes: int) -> None:
    """Seconds from a key press on a slider to the redrawn page, in headless Chromium, and the server's CPU
    seconds per change."""
    chromium = find_chromium()
    if chromium is None or importlib.util.find_spec("playwright") is None:
        print("In the browser: skipped (needs Chromium and Playwright)")
        return
    control = moved_control(load_scenario(file))
    group = control.group.split(" / ")[0].replace("_", " ")
    times, server = [], []
    with running_explorer(file, runs) as (url, pid), explorer_page(url, chromium) as page:
        for _ in range(changes):
            before = cpu_seconds(pid)
            times.append(move_control(page, group, control.label))
            server.append(cpu_seconds(pid) - before)
    print(
        f"In the browser, {runs:,} runs per change ({control.group}: {control.label}): key press to redrawn charts, "
        f"median {statistics.median(times):.3f} s, max {max(times):.3f} s over {changes} changes; "
        f"the server's CPU time per change, median {statistics.median(server):.3f} s"
    )


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
