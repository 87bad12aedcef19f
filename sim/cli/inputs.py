"""Commands on inputs and data: ``validate``, ``provenance``, ``schema``, ``backtest``."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from sim.cli.checks import BAD_INPUT
from sim.errors import ScenarioError
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario, schema_json


def cmd_validate(args: argparse.Namespace) -> int:
    """``sim validate``: check scenario files, printing what each holds or what is wrong with it."""
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
    """``sim provenance``: where each of a scenario's numbers comes from."""
    import pandas as pd

    from sim.scenario.provenance import KINDS, provenance

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
    """``sim init``: write a starter scenario to fill in."""
    from sim.scenario.starter import bad_names, starter_scenario

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
    shown = shlex.quote(str(path))
    print(f"next: edit it, then `sim validate {shown}` and `sim run {shown}`")
    return 0


def _print_stakes(scenario: Scenario) -> None:
    """Each actor's stakes per issue in months (weeks, days) of its cost without agreement, one column per actor."""
    from sim.scenario.provenance import stakes

    table = stakes(scenario)
    if table.empty:
        return
    unit, cost = scenario.time_unit, "war cost" if scenario.front is not None else "cost of no agreement"
    print()
    print(
        f"Stakes: what each issue is worth to each actor in {unit}s of its own {cost} (central values: utility "
        f"weight x {'distance' if scenario.model.utility == 'linear' else 'squared distance'} to the farthest "
        f"other veto holder's position / cost per {unit}; * = the actor also holds a red line there)"
    )
    worth = table.pivot(index="issue", columns="actor", values="stake").reindex(index=list(scenario.issues))
    lines = table.pivot(index="issue", columns="actor", values="red_line").reindex_like(worth)
    shown = worth.apply(
        lambda column: [f"{v:7.1f}{'*' if lines.at[i, column.name] else ' '}" for i, v in column.items()]
    )
    print(shown[[a for a in scenario.actors if a in shown.columns]].to_string())


def cmd_schema(args: argparse.Namespace) -> int:
    """``sim schema``: the JSON schema of scenario (or evidence) files."""
    from sim.updating.evidence import evidence_schema_json

    text = evidence_schema_json() if args.evidence else schema_json()
    if args.out:
        from sim.experiments.folders import check_file_target
        from sim.experiments.results import write_atomically

        out = Path(args.out)
        check_file_target(out, "--out", ".json")
        write_atomically(out, lambda temporary: temporary.write_text(text))
    else:
        sys.stdout.write(text)
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """``sim backtest``: the models against a real data set."""
    from sim.registry.backtests import BACKTESTS

    print(BACKTESTS[args.dataset].run(Path(args.data) if args.data else None, args.top))
    return 0
