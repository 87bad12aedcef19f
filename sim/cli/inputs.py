"""Commands on inputs and data: ``validate``, ``provenance``, ``schema``, ``backtest``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.cli.shared import BAD_INPUT
from sim.errors import ScenarioError
from sim.scenario import Scenario, load_scenario, schema_json


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
            print(
                f"ok: {file}: {len(scenario.actors)} actors, {len(scenario.issues)} issues, {uncertain} uncertain parameters"
            )
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
    print(
        f"{assumed} of {len(table)} numbers rest wholly or partly on an assumption; "
        f"{int(table['uncertain'].sum())} are uncertain (drawn per run)."
    )
    checked = table["quote_found"].dropna()
    if scenario.document is None:
        print("The scenario names no source document; quotes were not checked.")
    elif checked.empty:
        print(f"Source document {scenario.document} not found or no quotes: quotes were not checked.")
    else:
        missing = table.loc[table["quote_found"] == False, "parameter"].tolist()  # noqa: E712
        print(
            f"Quotes checked against {scenario.document}: {int(checked.sum())} of {len(checked)} found"
            + (f"; not found: {', '.join(missing)}" if missing else ".")
        )
    differ = table.loc[table["numbers_agree"] == False, "parameter"].tolist()  # noqa: E712
    if differ:
        print(f"Values that differ from every number their quote states (not counted as article): {', '.join(differ)}")
    _print_stakes(scenario)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from sim.starter import bad_names, starter_scenario

    actors = [a.strip() for a in args.actors.split(",") if a.strip()]
    issues = [i.strip() for i in args.issues.split(",") if i.strip()]
    for flag, names, least in (("--actors", actors, 2), ("--issues", issues, 1)):
        if bad_names(names) or len(set(names)) != len(names) or len(names) < least:
            raise ScenarioError(
                flag,
                [
                    (
                        ", ".join(bad_names(names) or names),
                        f"give {least} or more distinct names of lower-case letters, digits and underscores, "
                        "a letter first, separated by commas",
                    )
                ],
            )
    path = Path(args.name if args.name.endswith((".yaml", ".yml")) else f"{args.name}.yaml")
    if path.exists() and not args.overwrite:
        raise ScenarioError(path, [("", "exists already; choose another name or pass --overwrite")])
    title = path.stem.replace("_", " ").capitalize()
    text = starter_scenario(title, actors, issues, war=args.war)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    scenario = load_scenario(path)
    print(
        f"wrote {path}: {len(scenario.actors)} actors, {len(scenario.issues)} issues, "
        f"{len(scenario.uncertain_parameters())} uncertain numbers, every one an assumption to replace"
    )
    print(f"next: edit it, then `sim validate {path}` and `sim run {path}`")
    return 0


def _print_stakes(scenario: Scenario) -> None:
    """Each actor's stakes per issue in months of its war cost, one column per actor."""
    from sim.provenance import stakes

    table = stakes(scenario)
    if table.empty:
        return
    print()
    print(
        "Stakes: what each issue is worth to each actor in months of its own war cost (central values: utility "
        f"weight x {'distance' if scenario.model.utility == 'linear' else 'squared distance'} to the farthest "
        "other veto holder's position / cost per month; * = the actor also holds a red line there)"
    )
    months = table.pivot(index="issue", columns="actor", values="months").reindex(index=list(scenario.issues))
    lines = table.pivot(index="issue", columns="actor", values="red_line").reindex_like(months)
    shown = months.apply(
        lambda column: [f"{v:7.1f}{'*' if lines.at[i, column.name] else ' '}" for i, v in column.items()]
    )
    print(shown[[a for a in scenario.actors if a in shown.columns]].to_string())


def cmd_schema(args: argparse.Namespace) -> int:
    from sim.updating.evidence import evidence_schema_json

    text = evidence_schema_json() if args.evidence else schema_json()
    if args.out:
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from sim.backtests import deu, ktab

    if args.dataset == "csis":
        from sim.backtests import csis

        items = csis.load_csis(args.data)
        print(
            "CSIS Futures Lab items: preset drafts, mean satisfaction per actor (thresholds "
            + ", ".join(f"{a} {t:g}" for a, t in zip(csis.ACTORS, items.thresholds, strict=True))
            + ")"
        )
        for name, draft in items.presets.items():
            scores = csis.draft_scores(items, draft)
            below = [a for a, v in scores.items() if v < items.thresholds[list(csis.ACTORS).index(a)]]
            print(
                f"  preset {name}: "
                + ", ".join(f"{a} {v:.2f}" for a, v in scores.items())
                + (f"; below threshold: {', '.join(below)}" if below else "; clears every threshold")
            )
        packages = csis.acceptable_packages(csis.as_scenario(items))
        ranked = csis.rank_by_margin(items, packages)
        print(
            f"Packages (without exclusive pairs) that clear every actor's threshold: {len(packages):,} of {2 ** len(items.titles) - 1:,}"
        )
        print("Those with the widest margin (smallest lead of any actor over its threshold):")
        print(ranked.head(args.top).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
        return 0
    if args.dataset == "ktab":
        files = ktab.ktab_files(args.data)
        print("KTAB inputs: the compromise model (influence x salience weighted mean) per dimension")
        for file in files:
            table = ktab.load_ktab(file)
            means = ", ".join(f"{name} {value:.2f}" for name, value in ktab.weighted_means(table).items())
            print(f"  {file.name}: {table.title}, {len(table.actors)} actors: {means}")
        return 0
    data = deu.load_deu(args.data)
    print(f"DEU II + III: {len(data.outcome)} issues with an outcome, {len(data.actors)} actors")
    print("Mean absolute error against the actual outcome (0-100 scale):")
    print(deu.mean_absolute_errors(data).to_string(float_format=lambda v: f"{v:.2f}"))
    return 0
