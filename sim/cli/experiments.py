"""Commands that run designed experiments: ``compare``, ``compare-scenarios``, ``sensitivity``, ``discover``."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from sim.analysis import comparison, drivers
from sim.analysis.summary import plural
from sim.cli.shared import load_changed, parse_changes, shown
from sim.errors import ScenarioError
from sim.experiments.folders import derived_output, require_empty, results_folder, staged
from sim.experiments.results import read_results, scenario_of
from sim.experiments.run_settings import run_settings
from sim.model.outcomes import outcome_classes
from sim.progress import progress_bar
from sim.registry.models import PROTOCOLS, model_names
from sim.reporting.figure_files import use_agg
from sim.scenario.labels import parameter_labels, readable
from sim.scenario.loading import load_scenario


def cmd_compare(args: argparse.Namespace) -> int:
    """``sim compare``: the bargaining models on the same draws, side by side; tables and figures to a folder."""
    use_agg()
    from sim.experiments.runner import run_models
    from sim.reporting.experiment_files import write_model_comparison

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in model_names()]
    if unknown or not models:
        raise ScenarioError(
            "--models",
            [(", ".join(unknown) or "(none)", f"expected a comma-separated list of: {', '.join(model_names())}")],
        )
    scenario = load_changed(args.file, parse_changes(args.set))
    for model in models:
        if model in PROTOCOLS:
            scenario.with_mechanism(model)
    out = Path(args.out) if args.out else Path("results") / f"{Path(args.file).stem}-compare"
    require_empty(out, args.overwrite)
    tables = run_models(scenario, models, runs=args.runs, seed=args.seed, jobs=args.jobs, progress=shown(args))
    by_model = comparison.compare_models(tables)
    disagreement = comparison.model_disagreement(tables)
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(f"{scenario.name}: {len(next(iter(tables.values()))):,} runs per model, same draws for every model")
        print()
        print(
            "Probability of a deal, of a zone of agreement (and of a zone without a deal), and the settlement among"
            " deals (median, 5% and 95%); n/a: a static solution has no zone"
        )
        shares = {c: (lambda v: "n/a" if pd.isna(v) else f"{v:.1%}") for c in ("p_deal", "p_zone", "zone_no_deal")}
        print(by_model.to_string(formatters=shares, float_format=readable, na_rep="n/a"))
        print()
        print("How far the models disagree: range of their medians; mean absolute difference run by run")
        print(disagreement.T.to_string(float_format=readable))
    write_model_comparison(out, scenario, tables, by_model, disagreement)
    print(f"\nTables and figures (PNG and SVG): {out}")
    return 0


def cmd_compare_scenarios(args: argparse.Namespace) -> int:
    """``sim compare-scenarios``: scenarios against the first, with common random numbers and paired intervals."""
    use_agg()
    from sim.experiments.runner import run_monte_carlo
    from sim.reporting.experiment_files import write_scenario_comparison

    if len(args.files) < 2:
        raise ScenarioError("compare-scenarios", [("", "give two or more scenario files (the first is the baseline)")])
    names = [Path(f).stem for f in args.files]
    if len(set(names)) < len(names):
        raise ScenarioError(
            "compare-scenarios",
            [
                (
                    name,
                    "two files have this name; the results name each scenario by "
                    "its file name, so give files with different names",
                )
                for name in sorted({n for n in names if names.count(n) > 1})
            ],
        )
    scenarios = {Path(f).stem: load_scenario(f) for f in args.files}
    problems = comparison.comparison_problems(scenarios)
    if problems:
        raise ScenarioError("compare-scenarios", problems)
    out = Path(args.out) if args.out else Path("results") / "compare-scenarios"
    require_empty(out, args.overwrite)
    baseline = next(iter(scenarios.values()))
    runs, seed = run_settings(baseline, args.runs, args.seed)
    tables = {
        name: run_monte_carlo(s, runs=runs, seed=seed, jobs=args.jobs, progress=shown(args))
        for name, s in scenarios.items()
    }
    probabilities = comparison.scenario_differences(tables, baseline)
    settlements = comparison.settlement_differences(tables, seed=seed)
    with pd.option_context("display.width", 200, "display.max_rows", None):
        print(
            f"{len(scenarios)} scenarios, {runs:,} runs each, seed {seed}, common random numbers; baseline: {next(iter(scenarios))}"
        )
        print("\nChange in probability against the baseline (95% interval from paired runs)")
        print(probabilities.to_string(formatters={c: "{:7.2%}".format for c in probabilities.columns}))
        print("\nChange in settlement quantiles among deals (95% interval from a paired bootstrap)")
        print(settlements.to_string(float_format=readable))
    write_scenario_comparison(out, baseline, tables, probabilities, settlements)
    print(f"\nTables and figures (PNG and SVG): {out}")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``sim sensitivity``: Sobol indices and one-at-a-time swings per outcome; tables and figures to a folder."""
    use_agg()
    from sim.experiments.sensitivity import sensitivity
    from sim.reporting.experiment_files import write_sensitivity

    scenario = load_changed(args.file, parse_changes(args.set))
    out = Path(args.out) if args.out else Path("results") / f"{Path(args.file).stem}-sensitivity"
    require_empty(out, args.overwrite)
    outcomes = [o.strip() for o in args.outcomes.split(",")] if args.outcomes else None
    try:
        result = sensitivity(
            scenario, args.base_runs, args.tornado_runs, args.seed, args.jobs, outcomes, progress=shown(args)
        )
    except ValueError as error:
        raise ScenarioError("--outcomes", [("", str(error))]) from None
    write_sensitivity(out, result, args.top)
    print(
        f"{scenario.name}: Sobol indices from {result.sobol_runs:,} runs (Saltelli design), "
        f"one-at-a-time swings from {result.tornado_runs:,} runs"
    )
    for outcome, indices in result.sobol.items():
        print(f"\n{outcome}: parameters ranked by total Sobol index (95% intervals)")
        print(
            indices.head(args.top)
            .set_index("label")
            .rename_axis("parameter (key paths in the CSV files)")
            .to_string(float_format=lambda v: f"{v:.3f}")
        )
        for warning in drivers.sobol_warnings(indices, args.base_runs):
            print(f"warning: {warning}")
    print(f"\nTables and figures (PNG and SVG): {out}")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    """``sim discover``: the parameter regions (PRIM box, CART leaves) where an outcome or condition happens."""
    use_agg()
    out, writes = derived_output(Path(args.dir), args.out, "discovery")
    with results_folder(args.dir, writes=writes) as folder:
        return _discover(args, folder, out)


def _discover(args: argparse.Namespace, folder: Path, out: Path) -> int:
    from sim.analysis import discovery
    from sim.reporting.experiment_files import write_discovery

    results = read_results(folder)
    runs, parameters = results.runs, results.manifest.parameters
    scenario = scenario_of(results.manifest)
    if (args.outcome is None) == (args.where is None):
        example = f"deal_within_{(scenario.headline_horizons or [scenario.horizon])[-1]}_{scenario.time_unit}s"
        raise ScenarioError("sim discover", [("", f"name an outcome (e.g. {example}) or give --where")])
    try:
        classes = list(outcome_classes(scenario).values())
        happens = discovery.condition(runs, args.outcome, args.where, classes, scenario.time_unit)
    except ValueError as error:
        blamed, key = ("--where", "") if args.where is not None else (folder, "outcome")
        raise ScenarioError(blamed, [(key, str(error))]) from None
    label = args.outcome or args.where
    if not 0 < happens.sum() < len(runs):
        raise ScenarioError(
            folder,
            [("outcome", f"{label!r} happens in {int(happens.sum())} of {len(runs)} runs: nothing to tell apart")],
        )
    print(f"{label}: {happens.mean():.1%} of {len(runs):,} runs", flush=True)
    with progress_bar(4, "PRIM, CART and figures", shown(args), unit="step") as advance:
        box = discovery.prim(runs, parameters, happens, args.threshold)
        advance(1)
        labels = parameter_labels(scenario, list(box.limits.index))
        tree = discovery.cart(runs, parameters, happens, args.depth)
        advance(1)
        with staged(out) as stage:
            write_discovery(stage, box, tree, labels, advance)
    step = box.trajectory.loc[box.chosen]
    with pd.option_context("display.width", 250, "display.max_colwidth", 200):
        if not box.useful:
            print(
                f"\nNo useful box: none restricts a parameter and is at least {discovery.MIN_LIFT:g} times as dense as all runs."
            )
        elif step.density < args.threshold:
            print(f"\nNo box reaches a density of {args.threshold:.0%}; shown: the best coverage x density.")
        print(
            f"\nPRIM box {box.chosen}: coverage {step.coverage:.1%}, density {step.density:.1%}, "
            f"mass {step.mass:.1%}, {plural(int(step.res_dim), 'restricted parameter')}:"
        )
        named = box.limits.assign(label=[labels[p] for p in box.limits.index])
        print(named.to_string(float_format=lambda v: f"{v:.4g}"))
        print("\nCART leaves, densest first:")
        print(tree.head(args.depth * 3).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(f"\nTables and figures (PNG and SVG): {out}")
    return 0
