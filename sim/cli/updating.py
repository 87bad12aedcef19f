"""Commands that learn from the news and keep a record: ``update`` and ``forecasts``, and the ``--log`` of ``run``."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.cli.shared import shown
from sim.errors import ScenarioError
from sim.experiments.folders import check_folder_target, require_empty, results_folder, staged
from sim.reporting.figure_files import use_agg, write_figures

if TYPE_CHECKING:
    from sim.experiments.manifest import Manifest


def _questions(args: argparse.Namespace, scenario) -> list:
    from sim.updating.questions import default_questions, load_questions

    return load_questions(args.questions, scenario) if args.questions else default_questions(scenario)


def check_log(args: argparse.Namespace, scenario) -> None:
    """Refuse, before anything runs, a questions file or a log folder that cannot be used."""
    from sim.updating.forecast_log import read_log

    _questions(args, scenario)
    check_folder_target(Path(args.log), "--log")
    read_log(args.log)


def _check_update_targets(args: argparse.Namespace, folder: Path, out: Path) -> None:
    """Refuse, before anything is written, a folder ``sim update`` cannot write: the tables' ``out``, the fresh
    ensemble's ``--resample`` or the ``--log``."""
    from sim.experiments.results import check_target
    from sim.updating.forecast_log import read_log

    require_empty(out, args.overwrite, source=folder)
    if args.resample:
        check_target(Path(args.resample), "--resample", None, args.overwrite)
    if args.log:
        check_folder_target(Path(args.log), "--log")
        read_log(args.log)


def log_forecast(
    args: argparse.Namespace,
    folder: Path,
    manifest: Manifest,
    runs: pd.DataFrame,
    weights: np.ndarray | None,
    as_of: dt.date,
    evidence: list[str],
) -> str:
    """Append the dated forecast of a results folder (weighted, after an update) to ``--log``; the line to print."""
    from sim.experiments.results import scenario_of
    from sim.updating.forecast_log import log_forecast as append_forecast

    questions = _questions(args, scenario_of(manifest))
    path, forecast = append_forecast(args.log, folder, manifest, runs, questions, as_of, evidence, weights)
    return f"Logged {len(forecast)} forecasts as of {as_of} to {path}"


def log_run(args: argparse.Namespace, folder: Path, manifest: Manifest) -> None:
    """``sim run --log``: the forecast as of the scenario's start (or of the evidence a posterior ensemble learnt)."""
    from sim.experiments.results import read_results
    from sim.updating.update import ensemble_as_of

    runs = read_results(folder).runs
    evidence = [item["sha256"] for item in (manifest.posterior or {}).get("evidence", [])]
    print(log_forecast(args, folder, manifest, runs, None, ensemble_as_of(manifest), evidence))


def cmd_update(args: argparse.Namespace) -> int:
    """``sim update``: weigh a results folder's runs by dated evidence; optionally a fresh ensemble from the posterior."""
    from sim.updating.update import condition
    from sim.updating.update_tables import update_tables, write_update

    for flag in ("runs", "seed"):
        if getattr(args, flag) is not None and not args.resample:
            raise ScenarioError(f"--{flag}", [("", "goes with --resample")])
    from sim.experiments.results import results_folder_holding

    folder = Path(args.dir)
    out = Path(args.out) if args.out else folder / "updates" / Path(args.evidence).stem
    _check_update_targets(args, folder, out)
    with results_folder(folder, writes=results_folder_holding(out) is not None) as folder:
        update = condition(folder, args.evidence, args.as_of, progress=shown(args))
        if not update.evidence.observations:
            raise ScenarioError(
                args.evidence,
                [("observations", "none left to apply (all dated after --as-of, or already applied to this ensemble)")],
            )
        if update.ess == 0:
            raise ScenarioError(
                args.evidence,
                [
                    (
                        "",
                        "no run of the ensemble is compatible with the evidence; "
                        "check the observations or widen the scenario's ranges",
                    )
                ],
            )
        tables = update_tables(update, _questions(args, update.scenario))
        write_update(out, update, tables)
    _print_update(update, tables, args.top)
    print(f"\nTables: {out}")
    if args.log:
        print(
            log_forecast(
                args, folder, update.manifest, update.runs, update.weights, update.as_of, update.evidence_hashes
            )
        )
    if args.resample:
        from sim.updating.resample import run_posterior

        runs = args.runs or update.manifest.runs
        seed = update.manifest.seed + 1 if args.seed is None else args.seed
        manifest = run_posterior(
            update, folder, Path(args.resample), runs, seed, args.jobs, args.overwrite, progress=shown(args)
        )
        print(
            f"Fresh ensemble from the posterior: {manifest.runs:,} runs (seed {seed}) in {args.resample}; "
            f"update it again with: sim update {args.resample} EVIDENCE"
        )
    return 0


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _print_update(update, tables: dict[str, pd.DataFrame], top: int) -> None:
    from sim.updating.posterior import ess_warning

    runs = len(update.runs)
    print(
        f"Update of {update.manifest.scenario.name} on {len(update.evidence.observations)} observations "
        f"({update.evidence.path}), as of {update.as_of}"
    )
    print(f"Effective sample size: {update.ess:,.0f} of {runs:,} runs ({update.ess / runs:.1%})")
    warning = ess_warning(update.ess, runs)
    if warning:
        print(warning)
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print("\nHow expected each report was (mean likelihood over the runs; 1 = every run agreed):")
        print(
            tables["observations"][["date", "kind", "reliability", "expected"]].to_string(float_format="{:.3f}".format)
        )
        print("\nForecast before and after the news:")
        print(tables["questions"].drop(columns="text").to_string(float_format=_percent))
        print(tables["headline"].to_string(float_format=_percent))
        print(f"\nWhat the news taught (the {top} numbers that moved most, in prior standard deviations):")
        print(tables["parameters"].head(top).to_string(index=False, float_format="{:.3g}".format))
        if len(tables["structures"]):
            print("\nStructures, share of runs before and after:")
            print(tables["structures"].to_string(index=False, float_format=_percent))


def cmd_forecasts(args: argparse.Namespace) -> int:
    """``sim forecasts``: the forecast log, beside the platforms and scored."""
    use_agg()
    from sim.backtests.data_folder import data_dir
    from sim.updating.forecast_log import read_log
    from sim.updating.platforms import (
        FOLDER,
        compare_with_platforms,
        model_scores,
        read_platform_forecasts,
    )
    from sim.updating.plots import plot_forecast_log
    from sim.updating.questions import read_questions

    log = read_log(args.log)
    if log.empty:
        raise ScenarioError(
            Path(args.log),
            [("forecasts.csv", "is missing or empty: log forecasts with 'sim run --log' or 'sim update --log'")],
        )
    with pd.option_context("display.width", 200, "display.max_colwidth", 50):
        print(
            log[["as_of", "question", "probability", "lo", "hi", "evidence_sha256", "effective_runs"]].to_string(
                index=False
            )
        )
        if args.questions:
            questions = read_questions(args.questions)
            platforms = read_platform_forecasts(data_dir(args.data, FOLDER))
            compared = compare_with_platforms(log, questions, platforms)
            if len(compared):
                print("\nBeside the platforms (their latest snapshot on or before each as-of date; - where none was):")
                print(compared.replace({"snapshot_date": {"": "-"}}).to_string(index=False, na_rep="-"))
            scored = model_scores(log, questions)
            if len(scored):
                print("\nBrier scores of the resolved questions (lower is better):")
                print(scored.to_string(index=False))
    stem = Path(args.out) if args.out else Path(args.log) / "forecasts"
    check_folder_target(stem.parent, "--out" if args.out else "--log")
    with staged(stem.parent) as stage:
        write_figures({stem.name: lambda ax: plot_forecast_log(log, ax=ax)}, stage, (7, 4))
    print(f"\n{stem}.png")
    return 0
