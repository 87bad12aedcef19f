"""The summary of a results folder as a person reads it, and as JSON and CSV."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis import summary
from sim.experiments.results import scenario_of
from sim.model.outcomes import outcome_classes
from sim.reporting.history_beside import beside_history_lines
from sim.scenario.labels import readable

if TYPE_CHECKING:
    from sim.experiments.manifest import Manifest


def text_table(frame: pd.DataFrame, percent: bool = True) -> str:
    """A table as text: shares as percentages (``percent``), other numbers as the summary writes them."""

    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:6.1%}" if percent else readable(v)
        return str(v)

    formatters = {c: fmt for c in frame.columns}
    if percent and "se" in frame.columns:
        formatters["se"] = "{:6.2%}".format
    return frame.to_string(formatters=formatters)


def summary_tables(runs: pd.DataFrame, manifest: Manifest) -> dict[str, pd.DataFrame]:
    """The summary's tables: headline probabilities, outcome classes, settlements, and events and
    forecasts per structure where the scenario has them."""
    scenario = scenario_of(manifest)
    tables = {
        "headline": summary.headline(runs, scenario),
        "outcome_classes": summary.outcome_shares(runs, list(outcome_classes(scenario).values())),
        "settlements": summary.settlement_quantiles(runs),
    }
    events = summary.event_shares(runs, scenario.time_unit)
    if len(events):
        tables["events"] = events
    structure = manifest.scenario.resolved.get("structure") or {}
    if structure:
        forecasts = summary.structure_forecasts(runs, structure)
        names = [" / ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in forecasts.index]
        tables["structures"] = forecasts.set_axis(pd.Index(names, name=" / ".join(forecasts.index.names)))
    return tables


def summary_text(runs: pd.DataFrame, manifest: Manifest) -> str:
    """The summary a person reads after a run."""
    tables = summary_tables(runs, manifest)
    scenario = scenario_of(manifest)
    unit = scenario.time_unit
    lines = [
        f"{scenario.name}: {len(runs):,} runs, seed {manifest.seed}",
        "",
        "Headline probabilities (95% intervals)",
        text_table(tables["headline"]),
        "",
        f"Median {unit}s to a deal, among runs with one: {summary.median_time_to_deal(runs, unit):.1f}",
        "",
        "Outcome classes",
        text_table(tables["outcome_classes"]),
        "",
        "Settlement among deals (quantiles) and the compromise model's forecast (median over runs)",
        text_table(tables["settlements"], percent=False),
    ]
    if "events" in tables:
        median = next(c for c in tables["events"].columns if c.startswith("median_"))
        lines += [
            "",
            f"Events: share of runs in which each happened, and its median {median.removeprefix('median_')}",
            tables["events"].to_string(
                formatters={
                    "estimate": "{:6.1%}".format,
                    "se": "{:6.2%}".format,
                    "lo": "{:6.1%}".format,
                    "hi": "{:6.1%}".format,
                    median: "{:.0f}".format,
                }
            ),
        ]
    if "structures" in tables:
        spread = summary.structure_spread(runs, manifest.scenario.resolved["structure"])
        lines += [
            "",
            f"Structure is uncertain: the deal's probability averaged over structures is {spread['averaged']:.1%}; "
            f"under a single structure it ranges from {spread['lowest']:.1%} to {spread['highest']:.1%}",
            text_table(tables["structures"].drop(columns="runs")),
        ]
    lines += beside_history_lines(runs, manifest)
    return "\n".join(lines)


def summary_json(runs: pd.DataFrame, manifest: Manifest) -> str:
    """The summary as JSON: the scenario, runs and seed, the median time to a deal in the scenario's unit, and each table as
    ``{row: {column: value}}`` (missing values as null)."""
    tables = summary_tables(runs, manifest)
    unit = scenario_of(manifest).time_unit
    median = summary.median_time_to_deal(runs, unit)
    document = {
        "scenario": manifest.scenario.name,
        "runs": len(runs),
        "seed": manifest.seed,
        "time_unit": unit,
        "median_time_to_deal": None if np.isnan(median) else median,
    }
    document |= {name: json.loads(table.to_json(orient="index")) for name, table in tables.items()}
    return json.dumps(document, indent=2)


def summary_csv(runs: pd.DataFrame, manifest: Manifest) -> str:
    """The summary as one long CSV table: ``table, row, column, value``."""
    long = [
        table.rename_axis("row").reset_index().melt(id_vars="row", var_name="column").assign(table=name)
        for name, table in summary_tables(runs, manifest).items()
    ]
    return pd.concat(long)[["table", "row", "column", "value"]].to_csv(index=False)
