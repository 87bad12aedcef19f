"""Commands on history: ``reference-class`` (base rates for a war's profile) and ``score`` (historical
negotiations forecast and scored against what happened)."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from sim.backtests.data_folder import data_dir
from sim.cli.shared import shown
from sim.errors import ScenarioError
from sim.history import data, reference_class
from sim.history.record import historical_record
from sim.reporting.summary_text import text_table
from sim.scenario.loading import load_scenario


def _profile(args: argparse.Namespace) -> reference_class.Profile:
    stated = reference_class.Profile()
    if args.file:
        scenario = load_scenario(args.file)
        if scenario.reference_class is None:
            raise ScenarioError(
                args.file, [("reference_class", "missing: the scenario states no profile (give one with the flags)")]
            )
        stated = reference_class.stated_profile(scenario)
    changes = {
        "conflict_type": args.type,
        "intensity": args.intensity,
        "months_fought": args.months_fought,
        "region": args.region,
    }
    return reference_class.Profile(**{**vars(stated), **{k: v for k, v in changes.items() if v is not None}})


def _horizons(text: str) -> tuple[int, ...]:
    try:
        horizons = tuple(int(k) for k in text.split(","))
    except ValueError:
        raise ScenarioError(
            "--horizons", [("", f"expected comma-separated whole months, e.g. 12,36 (got {text!r})")]
        ) from None
    if not all(k > 0 for k in horizons):
        raise ScenarioError("--horizons", [("", "months must be positive")])
    return horizons


def cmd_reference_class(args: argparse.Namespace) -> int:
    """``sim reference-class``: what history says of a profile of conflicts, and the breakdown fit."""
    profile = _profile(args)
    horizons = _horizons(args.horizons)
    record = historical_record(profile, horizons, data_dir(args.data, data.FOLDER))
    ends, survival, wars, fit = record.ends, record.survival, record.wars, record.fit
    print(f"Reference class: {profile.describe()}")
    print(
        f"(UCDP Conflict Termination v3-2021, episodes 1946-2020; {ends.attrs['still_going_at_data_end']} of the class "
        "were still going when the data end and count as not ended)"
    )
    print(text_table(ends[["estimate", "lo", "hi", "events", "n"]]))
    print(f"\nHow {record.kind} conflict episodes ended (all intensities, 1946-2020)")
    print(text_table(record.terminations[["estimate", "lo", "hi", "events", "n"]]))
    print(
        f"\nHow peace agreements held (UCDP Peace Agreements v22.1, {survival.attrs['n']} agreements 1975-2021; "
        f"{survival.attrs['ended_undated']} ended on an unrecorded date)"
    )
    print(
        "  share still in effect k months after signing (Kaplan-Meier, 95% interval), and the share of all that had ended by then"
    )
    print(text_table(survival[["survival", "lo", "hi", "ended_share"]]))
    print(f"\nCOW inter-state wars 1823-2003: {len(wars)} wars, median duration {wars['months'].median():.1f} months")
    lo, hi = fit.interval("shape")
    print(
        f"\nBreakdown hazard: Weibull fit to the agreements (censored maximum likelihood): shape {fit.shape:.3f} "
        f"[{lo:.3f}, {hi:.3f}], scale {fit.scale:,.0f} months; first-month breakdown chance {fit.first_round_hazard():.3f}"
    )
    print("  as scenario numbers (monthly rounds):")
    numbers = yaml.safe_dump(
        {"breakdown": fit.scenario_numbers()}, sort_keys=False, width=1000, default_flow_style=None
    )
    print("\n".join(f"    {line}" for line in numbers.splitlines()))
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    """``sim score``: the model's forecasts of historical negotiations, scored against what happened."""
    from sim.history import cases

    folder = Path(args.cases)
    scored = cases.score_cases(
        folder,
        runs=args.runs,
        seed=args.seed,
        data_folder=args.data,
        horizons=_horizons(args.horizons),
        progress=shown(args),
    )
    seed = "each case's own" if scored.seed is None else scored.seed
    print(
        f"Historical negotiations while fighting: {len(scored.outcomes)} cases in {folder}, "
        f"{scored.runs:,} runs each (seed: {seed})"
    )
    print("\nWhat happened (read after the forecasts were made)")
    print(scored.outcomes.to_string(formatters={"months": "{:.1f}".format}))
    print("\nForecasts of a deal (or ceasefire agreement) within k months")
    print(text_table(scored.forecasts))
    print("\nMean scores over the cases (lower is better)")
    print(scored.scores.to_string(float_format=lambda v: f"{v:.3f}"))
    print("\nCaveats")
    print("\n".join(f"- {line}" for line in cases.CAVEATS))
    return 0
