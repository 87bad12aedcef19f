"""Commands on one Monte Carlo run: ``run``, ``summary``, ``verify``, ``replay``, ``plot``, ``report``."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import summary
from sim.cli.shared import load_changed, parse_changes, shown
from sim.errors import ScenarioError
from sim.experiments.folders import derived_output, results_folder, staged
from sim.experiments.results import (
    MANIFEST_FILE,
    RUNS_FILE,
    read_columns,
    read_results,
    read_summary,
    scenario_of,
    verify_folder,
    write_atomically,
)
from sim.progress import progress_bar
from sim.registry.figures import figure_set
from sim.reporting.figure_files import use_agg, write_figures
from sim.reporting.summary_text import summary_csv, summary_json, summary_text


def run_folder(args: argparse.Namespace) -> Path:
    """Where ``sim run`` writes: ``--out``, or ``results/<scenario file name>``."""
    return Path(args.out) if args.out else Path("results") / Path(args.file).stem


def stop_message(args: argparse.Namespace, signal_name: str) -> str:
    """The one line printed when a command is stopped by a signal."""
    if args.command == "run" and args.overwrite:
        return (
            f"stopped by {signal_name}: the new run was discarded and {run_folder(args)} left as it was "
            "(--overwrite replaces a folder only with a complete run)"
        )
    if args.command == "run" and (run_folder(args) / MANIFEST_FILE).is_file():
        return f"stopped by {signal_name}: finished chunks are kept in {run_folder(args)}; add --resume to the same command to finish"
    return f"stopped by {signal_name}"


def cmd_run(args: argparse.Namespace) -> int:
    """``sim run``: run a scenario into a results folder and print its summary."""
    from sim.experiments.folder_runs import run_to_folder
    from sim.experiments.runner import plan_run
    from sim.progress import progress_bar

    changes = parse_changes(args.set)
    if args.design:
        changes["monte_carlo.design"] = args.design
    scenario = load_changed(args.file, changes)
    if args.model:
        scenario = scenario.with_mechanism(args.model)
    plan = plan_run(
        scenario,
        args.runs,
        args.seed,
        args.jobs,
        args.backend,
        args.scheduler,
        args.until_ci,
        args.max_runs,
        args.memory,
    )
    out = run_folder(args)
    if args.log:
        from sim.cli.updating import check_log

        check_log(args, scenario)
    with progress_bar(plan.runs, scenario.name, shown(args)) as advance:
        manifest = run_to_folder(
            plan, out, resume=args.resume, overwrite=args.overwrite, changes=changes, on_chunk=advance
        )
    print(summary_text(read_summary(out).runs, manifest))
    seconds = manifest.timings["simulate_and_write_seconds"]
    print(f"\nResults: {out / RUNS_FILE} and {out / MANIFEST_FILE} ({seconds:.1f} s)")
    if args.log:
        from sim.cli.updating import log_run

        log_run(args, out, manifest)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """``sim summary``: a results folder's summary, as text, JSON or CSV."""
    with results_folder(args.dir, writes=False) as folder:
        results = read_summary(folder)
    write = summary_json if args.json else summary_csv if args.csv else summary_text
    print(write(results.runs, results.manifest), end="" if args.csv else "\n")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """``sim verify``: check a results folder's shards against its manifest, and the scenario it records (which
    reading the runs alone does not need: a protocol from a plug-in, for instance)."""
    with results_folder(args.dir, writes=False) as folder:
        manifest = verify_folder(folder)
        scenario_of(manifest, folder)
    print(
        f"ok: {folder}: {manifest.runs:,} runs in {manifest.chunks_total:,} shards, exactly those the manifest "
        "lists, each with its recorded rows, SHA-256 and run ids"
    )
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    """``sim replay``: one run of a results folder again, round by round."""
    from sim.experiments.results import design_points
    from sim.experiments.runner import replay_run

    with results_folder(args.dir, writes=False) as folder:
        manifest = read_results(folder, columns=["run_id"]).manifest
    if not 0 <= args.run_id < manifest.runs:
        raise ScenarioError(args.dir, [("run_id", f"must be between 0 and {manifest.runs - 1}")])
    scenario = scenario_of(manifest)
    history, outcome = replay_run(
        scenario,
        manifest.seed,
        manifest.runs,
        args.run_id,
        manifest.requested_runs,
        design_points(folder, manifest),
    )
    history = history.drop(columns=[c for c in history if not _applies(c, scenario)])
    with pd.option_context("display.max_columns", None, "display.width", 250, "display.max_rows", None):
        print(f"Run {args.run_id} of {manifest.scenario.name} (seed {manifest.seed}), round by round:")
        print(
            history.T.to_string(header=[f"{scenario.time_unit[0]}{n}" for n in history[scenario.time_unit]])
            if args.wide
            else history.to_string(index=False)
        )
        print()
        print("Outcome:")
        print(summary.in_time_unit(outcome.map(_as_date), scenario.time_unit).to_string())
    return 0


def _as_date(value):
    """A date as a person writes it (2024-10-08), "never" for one that did not come; any other value as it is."""
    if not isinstance(value, (np.datetime64, pd.Timestamp)):
        return value
    return "never" if pd.isna(value) else str(pd.Timestamp(value).date())


def _applies(column: str, scenario) -> bool:
    """Whether a round-by-round column means something in this scenario (no front, fighting or beliefs
    about the fighting without a front; no ceasefire or breakdown where there can be none)."""
    if scenario.front is None and (column in ("fighting", "decided") or column.startswith(("front", "belief_"))):
        return False
    if column == "ceasefire" and scenario.ceasefire is None:
        return False
    return column != "broken" or scenario.can_break_down()


def cmd_plot(args: argparse.Namespace) -> int:
    """``sim plot``: a results folder's figures, as PNG and SVG."""
    use_agg()
    out, writes = derived_output(Path(args.dir), args.out, "figures")
    with results_folder(args.dir, writes=writes) as folder:
        results = read_summary(folder)
        figures = figure_set(results, _history(args, results, folder))
        with staged(out) as stage, progress_bar(len(figures), "figures", shown(args), unit="figure") as advance:
            write_figures({name: figure.draw for name, figure in figures.items()}, stage, (7, 4), advance)
        print(f"{len(figures)} figures (PNG and SVG): {out}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``sim report``: a results folder's HTML report."""
    use_agg()
    from sim.reporting.html_report import build_report

    out, writes = derived_output(Path(args.dir), args.out, "report.html", ".html")
    with results_folder(args.dir, writes=writes) as folder:
        results = read_summary(folder)
        page = build_report(
            results,
            figure_set(results, _history(args, results, folder)),
            lambda names: read_columns(folder, results.manifest, names),
            progress=shown(args),
        )
        write_atomically(out, lambda temporary: temporary.write_text(page, encoding="utf-8"))
    print(out)
    return 0


def _history(args: argparse.Namespace, results, folder: Path) -> pd.DataFrame | None:
    """The first ``--history-runs`` runs' histories, simulated again (None without the flag)."""
    from sim.experiments.histories import folder_history

    return folder_history(results, folder, args.history_runs) if args.history_runs else None
