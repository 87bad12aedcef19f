"""The command line: ``sim run | compare | compare-scenarios | sensitivity | discover | validate | provenance | plot | report | summary | replay | backtest | schema``.

This is the only module that reads argv, prints, or decides where files go. Bad input exits with
status 2 and one message naming the file, the key and the problem.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim import analysis
from sim.errors import ScenarioError
from sim.results import MANIFEST_FILE, RUNS_FILE, Results, read_results, result_columns
from sim.scenario import load_scenario, schema_json

BAD_INPUT = 2


def _parse_changes(pairs: list[str]) -> dict[str, Any]:
    changes = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ScenarioError("--set", [(pair, "expected KEY=VALUE, e.g. front.p_advance=0.5")])
        try:
            changes[key] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ScenarioError("--set", [(key, f"cannot read the value {value!r}")]) from None
    return changes


def _table(frame: pd.DataFrame, percent: bool = True) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:6.1%}" if percent else f"{v:.3g}"
        return str(v)

    formatters = {c: fmt for c in frame.columns}
    if percent and "se" in frame.columns:
        formatters["se"] = "{:6.2%}".format
    return frame.to_string(formatters=formatters)


def summary_text(runs: pd.DataFrame, manifest: dict[str, Any]) -> str:
    """The summary a person reads after a run."""
    horizon = analysis.horizon_months(manifest)
    scenario = manifest["scenario"]["resolved"]
    lines = [
        f"{scenario['name']}: {len(runs):,} runs, seed {manifest['seed']}",
        "",
        "Headline probabilities (95% intervals)",
        _table(analysis.headline(runs, horizon)),
        "",
        f"Median months to a deal, among runs with one: {analysis.median_months_to_deal(runs):.1f}",
        "",
        "Outcome classes",
        _table(analysis.outcome_shares(runs)),
        "",
        "Settlement among deals (quantiles) and the compromise model's forecast (median over runs)",
        _table(analysis.settlement_quantiles(runs), percent=False),
    ]
    events = analysis.event_shares(runs)
    if len(events):
        lines += ["", "Events: share of runs in which each happened, and its median month",
                  events.to_string(formatters={"estimate": "{:6.1%}".format, "lo": "{:6.1%}".format,
                                               "hi": "{:6.1%}".format, "median_month": "{:.0f}".format})]
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sim.results import run_to_folder

    changes = _parse_changes(args.set)
    if args.design:
        changes["monte_carlo.design"] = args.design
    scenario = load_scenario(args.file, changes)
    if args.model:
        scenario = scenario.with_mechanism(args.model)
    runs = scenario.monte_carlo.runs if args.runs is None else args.runs
    out = Path(args.out) if args.out else Path("results") / Path(args.file).stem
    with tqdm(total=runs, unit="run", desc=scenario.name[:40], disable=args.quiet or None, file=sys.stderr) as bar:
        manifest = run_to_folder(
            scenario, out, runs=runs, seed=args.seed, jobs=args.jobs, backend=args.backend,
            scheduler=args.scheduler, resume=args.resume, overwrite=args.overwrite, changes=changes,
            on_chunk=bar.update, until_ci=args.until_ci, max_runs=args.max_runs,
        )
    print(summary_text(_load_results(out).runs, manifest))
    seconds = manifest["timings"]["simulate_and_write_seconds"]
    print(f"\nResults: {out / RUNS_FILE} and {out / MANIFEST_FILE} ({seconds:.1f} s)")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim import plots
    from sim.runner import MODELS, run_models

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        raise ScenarioError("--models", [(", ".join(unknown) or "(none)", f"expected a comma-separated list of: {', '.join(MODELS)}")])
    scenario = load_scenario(args.file, _parse_changes(args.set))
    for model in models:
        if model in ("mediator", "alternating"):
            scenario.with_mechanism(model)
    out = Path(args.out) if args.out else Path("results") / f"{Path(args.file).stem}-compare"
    _empty_folder(out, args.overwrite)
    tables = run_models(scenario, models, runs=args.runs, seed=args.seed, jobs=args.jobs)
    comparison = analysis.compare_models(tables)
    disagreement = analysis.model_disagreement(tables)
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(f"{scenario.name}: {len(next(iter(tables.values()))):,} runs per model, same draws for every model")
        print()
        print("Probability of a deal and the settlement among deals (median, 5% and 95%)")
        print(comparison.to_string(float_format=lambda v: f"{v:.3g}"))
        print()
        print("How far the models disagree: range of their medians; mean absolute difference run by run")
        print(disagreement.T.to_string(float_format=lambda v: f"{v:.3g}"))
    out.mkdir(parents=True, exist_ok=True)
    comparison.to_csv(out / "comparison.csv")
    disagreement.to_csv(out / "disagreement.csv")
    for issue, spec in scenario.issues.items():
        figure, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        plots.plot_model_comparison(tables, issue, spec.units, ax=ax)
        figure.savefig(out / f"compare_{issue}.png", dpi=120)
        plt.close(figure)
    print(f"\nTables and figures: {out}")
    return 0


def _save(figure, folder: Path, name: str) -> None:
    """Write a figure as PNG and SVG, and close it."""
    import matplotlib.pyplot as plt

    for suffix in ("png", "svg"):
        figure.savefig(folder / f"{name}.{suffix}", dpi=120)
    plt.close(figure)


def _figures_ready() -> None:
    import matplotlib

    matplotlib.use("Agg")


def _empty_folder(folder: Path, overwrite: bool) -> None:
    if folder.exists() and any(folder.iterdir()) and not overwrite:
        raise ScenarioError(folder, [("", "is not empty; choose another --out or pass --overwrite")])


def cmd_sensitivity(args: argparse.Namespace) -> int:
    _figures_ready()
    import matplotlib.pyplot as plt

    from sim import plots
    from sim.sensitivity import sensitivity

    scenario = load_scenario(args.file, _parse_changes(args.set))
    out = Path(args.out) if args.out else Path("results") / f"{Path(args.file).stem}-sensitivity"
    _empty_folder(out, args.overwrite)
    outcomes = [o.strip() for o in args.outcomes.split(",")] if args.outcomes else None
    try:
        result = sensitivity(scenario, args.base_runs, args.tornado_runs, args.seed, args.jobs, outcomes)
    except ValueError as error:
        raise ScenarioError("--outcomes", [("", str(error))]) from None
    out.mkdir(parents=True, exist_ok=True)
    print(f"{scenario.name}: Sobol indices from {result.sobol_runs:,} runs (Saltelli design), "
          f"one-at-a-time swings from {result.tornado_runs:,} runs")
    for outcome, indices in result.sobol.items():
        print(f"\n{outcome}: parameters ranked by total Sobol index (95% intervals)")
        print(indices.head(args.top).to_string(float_format=lambda v: f"{v:.3f}"))
        indices.to_csv(out / f"sobol_{outcome}.csv")
        result.tornado[outcome].to_csv(out / f"tornado_{outcome}.csv")
        figure, ax = plt.subplots(figsize=(8, 5), layout="constrained")
        plots.plot_sobol(indices, outcome, args.top, ax=ax)
        _save(figure, out, f"sobol_{outcome}")
        figure, ax = plt.subplots(figsize=(8, 5), layout="constrained")
        plots.plot_tornado(result.tornado[outcome], outcome, args.top, ax=ax)
        _save(figure, out, f"tornado_{outcome}")
    print(f"\nTables and figures (PNG and SVG): {out}")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    _figures_ready()
    import matplotlib.pyplot as plt

    from sim import discovery, plots

    results = read_results(args.dir)
    runs, parameters = results.runs, results.manifest["parameters"]
    if (args.outcome is None) == (args.where is None):
        raise ScenarioError("sim discover", [("", "name an outcome (e.g. deal_within_12_months) or give --where")])
    try:
        happens = discovery.condition(runs, args.outcome, args.where)
    except ValueError as error:
        raise ScenarioError(args.dir, [("outcome", str(error))]) from None
    label = args.outcome or args.where
    if not 0 < happens.sum() < len(runs):
        raise ScenarioError(args.dir, [("outcome", f"{label!r} happens in {int(happens.sum())} of {len(runs)} runs: nothing to tell apart")])
    box = discovery.prim(runs, parameters, happens, args.threshold)
    tree = discovery.cart(runs, parameters, happens, args.depth)
    out = Path(args.out) if args.out else Path(args.dir) / "discovery"
    out.mkdir(parents=True, exist_ok=True)
    step = box.trajectory.loc[box.chosen]
    with pd.option_context("display.width", 250, "display.max_colwidth", 200):
        print(f"{label}: {box.share:.1%} of {len(runs):,} runs")
        if step.density < args.threshold:
            print(f"\nNo box reaches a density of {args.threshold:.0%}; shown: the best coverage x density.")
        print(f"\nPRIM box {box.chosen}: coverage {step.coverage:.1%}, density {step.density:.1%}, "
              f"mass {step.mass:.1%}, {int(step.res_dim)} restricted parameters:")
        print(box.limits.to_string(float_format=lambda v: f"{v:.4g}"))
        print("\nCART leaves, densest first:")
        print(tree.head(args.depth * 3).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    box.trajectory.to_csv(out / "prim_trajectory.csv")
    box.limits.to_csv(out / "prim_box.csv")
    tree.to_csv(out / "cart_leaves.csv", index=False)
    for name, draw in (("prim_tradeoff", lambda ax: plots.plot_prim_tradeoff(box.trajectory, box.chosen, ax=ax)),
                       ("prim_box", lambda ax: plots.plot_prim_box(box.limits, ax=ax))):
        figure, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        draw(ax)
        _save(figure, out, name)
    print(f"\nTables and figures (PNG and SVG): {out}")
    return 0


def cmd_compare_scenarios(args: argparse.Namespace) -> int:
    _figures_ready()
    import matplotlib.pyplot as plt

    from sim import plots
    from sim.runner import run_monte_carlo

    if len(args.files) < 2:
        raise ScenarioError("compare-scenarios", [("", "give two or more scenario files (the first is the baseline)")])
    scenarios = {Path(f).stem: load_scenario(f) for f in args.files}
    out = Path(args.out) if args.out else Path("results") / "compare-scenarios"
    _empty_folder(out, args.overwrite)
    baseline = next(iter(scenarios.values()))
    runs = baseline.monte_carlo.runs if args.runs is None else args.runs
    seed = baseline.monte_carlo.seed if args.seed is None else args.seed
    tables = {name: run_monte_carlo(s, runs=runs, seed=seed, jobs=args.jobs) for name, s in scenarios.items()}
    probabilities = analysis.scenario_differences(tables)
    settlements = analysis.settlement_differences(tables, seed=seed)
    with pd.option_context("display.width", 200, "display.max_rows", None):
        print(f"{len(scenarios)} scenarios, {runs:,} runs each, seed {seed}, common random numbers; baseline: {next(iter(scenarios))}")
        print("\nChange in probability against the baseline (95% interval from paired runs)")
        print(probabilities.to_string(formatters={c: "{:7.2%}".format for c in probabilities.columns}))
        print("\nChange in settlement quantiles among deals (95% interval from a paired bootstrap)")
        print(settlements.to_string(float_format=lambda v: f"{v:.3g}"))
    out.mkdir(parents=True, exist_ok=True)
    probabilities.to_csv(out / "probability_differences.csv")
    settlements.to_csv(out / "settlement_differences.csv")
    figure, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    plots.plot_deal_curves(tables, baseline.horizon_months, ax=ax)
    _save(figure, out, "deal_curves")
    for issue, spec in baseline.issues.items():
        figure, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        plots.plot_settlement_ecdf(tables, issue, spec.units, ax=ax)
        _save(figure, out, f"ecdf_{issue}")
    print(f"\nTables and figures (PNG and SVG): {out}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for file in args.files:
        try:
            scenario = load_scenario(file)
        except ScenarioError as error:
            print(f"error: {error}", file=sys.stderr)
            failed += 1
        else:
            uncertain = len(scenario.uncertain_parameters())
            print(f"ok: {file}: {len(scenario.actors)} actors, {len(scenario.issues)} issues, {uncertain} uncertain parameters")
    return BAD_INPUT if failed else 0


def cmd_provenance(args: argparse.Namespace) -> int:
    from sim.provenance import KINDS, provenance

    scenario = load_scenario(args.file)
    table = provenance(scenario)
    if args.csv:
        table.to_csv(sys.stdout, index=False)
        return 0
    with pd.option_context("display.max_rows", None, "display.max_colwidth", 90, "display.width", 250):
        print(table[["parameter", "value", "kind", "source"]].to_string(index=False))
    counts = table["kind"].value_counts()
    print()
    print("Sources: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in KINDS))
    assumed = int(counts.get("assumption", 0) + counts.get("article+assumption", 0))
    print(f"{assumed} of {len(table)} numbers rest wholly or partly on an assumption; "
          f"{int(table['uncertain'].sum())} are uncertain (drawn per run).")
    checked = table["quote_found"].dropna()
    if scenario.document is None:
        print("The scenario names no source document; quotes were not checked.")
    elif checked.empty:
        print(f"Source document {scenario.document} not found or no quotes: quotes were not checked.")
    else:
        missing = table.loc[table["quote_found"] == False, "parameter"].tolist()  # noqa: E712
        print(f"Quotes checked against {scenario.document}: {int(checked.sum())} of {len(checked)} found"
              + (f"; not found: {', '.join(missing)}" if missing else "."))
    return 0


def _load_results(folder: str | Path) -> Results:
    """The summary's columns of a results folder (all runs, few columns)."""
    return read_results(folder, columns=analysis.summary_columns(result_columns(folder)))


def figure_set(results: Results, history: pd.DataFrame | None = None) -> dict:
    """The standard figures of a results folder: name -> function drawing it on an Axes."""
    from sim import plots

    runs, manifest = results.runs, results.manifest
    issues = manifest["scenario"]["resolved"]["issues"]
    horizon = analysis.horizon_months(manifest)
    figures = {
        "outcome_classes": lambda ax: plots.plot_outcome_classes(runs, ax=ax),
        "deal_curve": lambda ax: plots.plot_deal_curve(runs, horizon, ax=ax),
    }
    for issue, spec in issues.items():
        units = spec.get("units", "")
        figures[f"settlement_{issue}"] = lambda ax, i=issue, u=units: plots.plot_settlement(runs, i, u, ax=ax)
        figures[f"ecdf_{issue}"] = lambda ax, i=issue, u=units: plots.plot_settlement_ecdf({"this scenario": runs}, i, u, ax=ax)
    if history is not None and "front" in history and manifest["scenario"]["resolved"].get("front"):
        side = manifest["scenario"]["resolved"]["front"]["side"]
        figures["fan_front"] = lambda ax: plots.plot_fan(history, "front", f"front: share held by {side}", ax=ax)
        for issue in issues:
            figures[f"fan_proposal_{issue}"] = lambda ax, i=issue: plots.plot_fan(
                history, f"proposal_{i}", f"package on the table: {i.replace('_', ' ')}", ax=ax)
    return figures


def _history_of(results: Results, runs: int) -> pd.DataFrame:
    from sim.results import scenario_of
    from sim.runner import history_sample

    manifest = results.manifest
    history = history_sample(scenario_of(manifest), manifest["seed"], manifest["runs"])
    return history[history["run_id"] < runs]


def cmd_plot(args: argparse.Namespace) -> int:
    _figures_ready()
    import matplotlib.pyplot as plt

    results = _load_results(args.dir)
    out = Path(args.out) if args.out else Path(args.dir) / "figures"
    out.mkdir(parents=True, exist_ok=True)
    history = _history_of(results, args.history_runs) if args.history_runs else None
    for name, draw in figure_set(results, history).items():
        figure, ax = plt.subplots(figsize=(7, 4), layout="constrained")
        draw(ax)
        _save(figure, out, name)
        print(out / f"{name}.png")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    _figures_ready()
    from sim.report import build_report

    results = read_results(args.dir)
    history = _history_of(results, args.history_runs) if args.history_runs else None
    page = build_report(results, history, figure_set(results, history))
    out = Path(args.out) if args.out else Path(args.dir) / "report.html"
    temporary = out.with_name(f".{out.name}.partial")
    temporary.write_text(page, encoding="utf-8")
    os.replace(temporary, out)
    print(out)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    results = _load_results(args.dir)
    print(summary_text(results.runs, results.manifest))
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from sim.backtests import deu, ktab

    if args.dataset == "csis":
        from sim.backtests import csis

        items = csis.load_csis(args.data or csis.DEFAULT_PATH)
        print("CSIS Futures Lab items: preset drafts, mean satisfaction per actor (thresholds "
              + ", ".join(f"{a} {t:g}" for a, t in zip(csis.ACTORS, items.thresholds)) + ")")
        for name, draft in items.presets.items():
            scores = csis.draft_scores(items, draft)
            below = [a for a, v in scores.items() if v < items.thresholds[list(csis.ACTORS).index(a)]]
            print(f"  preset {name}: " + ", ".join(f"{a} {v:.2f}" for a, v in scores.items())
                  + (f"; below threshold: {', '.join(below)}" if below else "; clears every threshold"))
        packages = csis.acceptable_packages(csis.as_scenario(items))
        ranked = csis.rank_by_margin(items, packages)
        print(f"Packages (without exclusive pairs) that clear every actor's threshold: {len(packages):,} of {2**len(items.titles) - 1:,}")
        print("Those with the widest margin (smallest lead of any actor over its threshold):")
        print(ranked.head(args.top).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
        return 0
    if args.dataset == "ktab":
        files = [Path(args.data)] if args.data else sorted(ktab.DEFAULT_FOLDER.glob("*.csv"))
        if not files:
            raise ScenarioError(ktab.DEFAULT_FOLDER, [("", "no KTAB CSV files found")])
        print("KTAB inputs: the compromise model (influence x salience weighted mean) per dimension")
        for file in files:
            table = ktab.load_ktab(file)
            means = ", ".join(f"{name} {value:.2f}" for name, value in ktab.weighted_means(table).items())
            print(f"  {file.name}: {table.title}, {len(table.actors)} actors: {means}")
        return 0
    data = deu.load_deu(args.data or deu.DEFAULT_PATH)
    print(f"DEU II + III: {len(data.outcome)} issues with an outcome, {len(data.actors)} actors")
    print("Mean absolute error against the actual outcome (0-100 scale):")
    print(deu.mean_absolute_errors(data).to_string(float_format=lambda v: f"{v:.2f}"))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from sim.results import scenario_of
    from sim.runner import replay_run

    manifest = read_results(args.dir, columns=["run_id"]).manifest
    if not 0 <= args.run_id < manifest["runs"]:
        raise ScenarioError(args.dir, [("run_id", f"must be between 0 and {manifest['runs'] - 1}")])
    history, outcome = replay_run(scenario_of(manifest), manifest["seed"], manifest["runs"], args.run_id)
    with pd.option_context("display.max_columns", None, "display.width", 250, "display.max_rows", None):
        print(f"Run {args.run_id} of {manifest['scenario']['name']} (seed {manifest['seed']}), round by round:")
        print(history.T.to_string(header=[f"m{m}" for m in history["month"]]) if args.wide else history.to_string(index=False))
        print()
        print("Outcome:")
        print(outcome.to_string())
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    if args.out:
        Path(args.out).write_text(schema_json())
    else:
        sys.stdout.write(schema_json())
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sim`` command."""
    top = argparse.ArgumentParser(prog="sim", description="Scenario simulation of negotiations while fighting.")
    commands = top.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run a scenario many times and summarise the outcomes")
    run.add_argument("file", help="scenario YAML file")
    run.add_argument("--runs", type=int, help="number of runs (default: the file's monte_carlo.runs)")
    run.add_argument("--seed", type=int, help="random seed (default: the file's monte_carlo.seed)")
    run.add_argument("--jobs", type=int, default=1, help="processes to use (results do not depend on it)")
    run.add_argument("--out", help="results folder (default: results/<scenario file name>)")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="change one scenario value, e.g. --set front.p_advance=0.5 (repeatable)")
    run.add_argument("--design", choices=["monte_carlo", "latin_hypercube", "sobol"],
                     help="how uncertain parameters are sampled (default: the file's monte_carlo.design)")
    run.add_argument("--model", choices=["mediator", "alternating"],
                     help="bargaining mechanism (default: the scenario's model.mechanism)")
    run.add_argument("--backend", choices=["processes", "dask"], default="processes",
                     help="where chunks run: local processes, or a Dask cluster (a local one unless --scheduler)")
    run.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    run.add_argument("--until-ci", type=float, metavar="W",
                     help="add runs until every headline probability's 95%% interval is narrower than W (e.g. 0.01)")
    run.add_argument("--max-runs", type=int, default=10_000_000, help="with --until-ci: stop at this many runs")
    run.add_argument("--resume", action="store_true", help="finish an interrupted run in the same folder")
    run.add_argument("--overwrite", action="store_true", help="replace results already in the folder")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=cmd_run)

    def experiment(name: str, help_text: str, out: str, files: str = "file") -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        if files == "file":
            sub.add_argument("file", help="scenario YAML file")
            sub.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="change one scenario value")
        else:
            sub.add_argument("files", nargs="+", help="scenario YAML files; the first is the baseline")
        sub.add_argument("--seed", type=int, help="random seed (default: the file's)")
        sub.add_argument("--jobs", type=int, default=1, help="processes to use")
        sub.add_argument("--out", help=f"folder for tables and figures (default: {out})")
        sub.add_argument("--overwrite", action="store_true", help="replace what the folder holds")
        return sub

    compare = experiment("compare", "run several models on one scenario and seed, side by side", "results/<scenario>-compare")
    compare.add_argument("--models", default="mediator,alternating,compromise,expected_utility,nash,kalai_smorodinsky",
                         help="comma-separated: mediator, alternating, compromise, expected_utility, nash, kalai_smorodinsky")
    compare.add_argument("--runs", type=int, help="runs per model (default: the file's)")
    compare.set_defaults(handler=cmd_compare)

    both = experiment("compare-scenarios", "run scenarios with common random numbers and report their differences",
                      "results/compare-scenarios", files="files")
    both.add_argument("--runs", type=int, help="runs per scenario (default: the first file's)")
    both.set_defaults(handler=cmd_compare_scenarios)

    sens = experiment("sensitivity", "Sobol indices and a tornado: which assumptions drive the outcome",
                      "results/<scenario>-sensitivity")
    sens.add_argument("--base-runs", type=int, default=1024, help="Saltelli base runs N: N x (parameters + 2) runs")
    sens.add_argument("--tornado-runs", type=int, default=1000, help="runs per point of the one-at-a-time design")
    sens.add_argument("--outcomes", help="comma-separated outcomes (default: every one that varies), e.g. deal,outcome_territory")
    sens.add_argument("--top", type=int, default=12, help="parameters to show per outcome")
    sens.set_defaults(handler=cmd_sensitivity)

    discover = commands.add_parser("discover", help="PRIM and CART: where in parameter space an outcome happens")
    discover.add_argument("dir", help="results folder written by 'sim run'")
    discover.add_argument("outcome", nargs="?", help="an outcome class (e.g. frozen_conflict) or deal_within_N_months")
    discover.add_argument("--where", help="or a condition on the outcome columns, e.g. 'deal and months_to_deal <= 12'")
    discover.add_argument("--threshold", type=float, default=0.8, help="PRIM: the density the box should reach")
    discover.add_argument("--depth", type=int, default=3, help="CART: depth of the tree")
    discover.add_argument("--out", help="folder for tables and figures (default: DIR/discovery)")
    discover.set_defaults(handler=cmd_discover)

    validate = commands.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("files", nargs="+", help="scenario YAML files")
    validate.set_defaults(handler=cmd_validate)

    prov = commands.add_parser("provenance", help="list every number with its source and count the assumptions")
    prov.add_argument("file", help="scenario YAML file")
    prov.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    prov.set_defaults(handler=cmd_provenance)

    plot = commands.add_parser("plot", help="draw the outcome plots of a results folder")
    plot.add_argument("dir", help="results folder written by 'sim run'")
    plot.add_argument("--out", help="figure folder (default: DIR/figures)")
    plot.add_argument("--history-runs", type=int, default=2000,
                      help="runs re-simulated round by round for the fan charts (0: none)")
    plot.set_defaults(handler=cmd_plot)

    report = commands.add_parser("report", help="write one self-contained HTML report of a results folder")
    report.add_argument("dir", help="results folder written by 'sim run'")
    report.add_argument("--out", help="the HTML file (default: DIR/report.html)")
    report.add_argument("--history-runs", type=int, default=2000, help="runs re-simulated for the fan charts (0: none)")
    report.set_defaults(handler=cmd_report)

    summary = commands.add_parser("summary", help="print the summary of a results folder again")
    summary.add_argument("dir", help="results folder written by 'sim run'")
    summary.set_defaults(handler=cmd_summary)

    replay = commands.add_parser("replay", help="rebuild one run of a results folder and print it round by round")
    replay.add_argument("dir", help="results folder written by 'sim run'")
    replay.add_argument("run_id", type=int, help="the run's run_id")
    replay.add_argument("--wide", action="store_true", help="one column per month instead of one row")
    replay.set_defaults(handler=cmd_replay)

    backtest = commands.add_parser("backtest", help="score the models on real decisions with known outcomes")
    backtest.add_argument("dataset", choices=["deu", "ktab", "csis"],
                          help="deu: Decision-making in the EU (DEU II + III); ktab: KTAB's China SOE inputs; "
                               "csis: CSIS's Ukraine peace items")
    backtest.add_argument("--top", type=int, default=5, help="csis: how many of the best packages to list")
    backtest.add_argument("--data", help="path of the data file (default: shared/data beside the project)")
    backtest.set_defaults(handler=cmd_backtest)

    schema = commands.add_parser("schema", help="print the JSON schema of scenario files")
    schema.add_argument("--out", help="write it to this file instead")
    schema.set_defaults(handler=cmd_schema)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sim`` command."""
    args = parser().parse_args(argv)
    if getattr(args, "runs", None) is not None and args.runs < 1:
        print("error: --runs: must be at least 1", file=sys.stderr)
        return BAD_INPUT
    if getattr(args, "seed", None) is not None and args.seed < 0:
        print("error: --seed: must be zero or more", file=sys.stderr)
        return BAD_INPUT
    if getattr(args, "jobs", 1) < 1:
        print("error: --jobs: must be at least 1", file=sys.stderr)
        return BAD_INPUT
    if getattr(args, "until_ci", None) is not None and not 0 < args.until_ci < 1:
        print("error: --until-ci: must lie between 0 and 1 (an interval's width)", file=sys.stderr)
        return BAD_INPUT
    if getattr(args, "scheduler", None) and args.backend != "dask":
        print("error: --scheduler: goes with --backend dask", file=sys.stderr)
        return BAD_INPUT
    if getattr(args, "resume", False) and args.overwrite:
        print("error: --resume and --overwrite: choose one", file=sys.stderr)
        return BAD_INPUT
    try:
        return args.handler(args)
    except ScenarioError as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT
    except BrokenPipeError:
        # The reader (e.g. `head`) closed the pipe: stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
