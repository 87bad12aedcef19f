"""What the commands share: reading changes, printing tables and summaries, saving figures."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from sim import analysis
from sim.cli.beside import beside_history_lines
from sim.errors import ScenarioError
from sim.folder_lock import locked
from sim.labels import readable
from sim.model.outcomes import outcome_classes
from sim.results import Results, read_results, result_columns, scenario_of

if TYPE_CHECKING:
    from sim.manifest import Manifest


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out`` to write into; its files move into ``out`` only once all are written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        yield stage
        out.mkdir(exist_ok=True)
        for item in sorted(stage.iterdir()):
            os.replace(item, out / item.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def results_folder(path: str | Path, writes: bool) -> Iterator[Path]:
    """An existing results folder, locked for the command: exclusively if it ``writes`` into it, else shared."""
    folder = Path(path)
    if not folder.is_dir():
        raise ScenarioError(folder, [("", "no such folder" if not folder.exists() else "is not a folder")])
    with locked(folder, exclusive=writes):
        yield folder


def shown(args) -> bool | None:
    """Whether a command shows its progress bar: never with --quiet, else when writing to a terminal."""
    return False if getattr(args, "quiet", False) else None


def parse_changes(pairs: list[str]) -> dict[str, Any]:
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


def text_table(frame: pd.DataFrame, percent: bool = True) -> str:
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
        "headline": analysis.headline(runs, scenario),
        "outcome_classes": analysis.outcome_shares(runs, list(outcome_classes(scenario).values())),
        "settlements": analysis.settlement_quantiles(runs),
    }
    events = analysis.event_shares(runs, scenario.time_unit)
    if len(events):
        tables["events"] = events
    structure = manifest.scenario.resolved.get("structure") or {}
    if structure:
        forecasts = analysis.structure_forecasts(runs, structure)
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
        f"Median {unit}s to a deal, among runs with one: {analysis.median_time_to_deal(runs, unit):.1f}",
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
        spread = analysis.structure_spread(runs, manifest.scenario.resolved["structure"])
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
    median = analysis.median_time_to_deal(runs, unit)
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


def save_figure(figure, folder: Path, name: str) -> None:
    """Write a figure as PNG and SVG, and close it."""
    import matplotlib.pyplot as plt

    for suffix in ("png", "svg"):
        figure.savefig(folder / f"{name}.{suffix}", dpi=120)
    plt.close(figure)


def use_agg() -> None:
    import matplotlib

    matplotlib.use("Agg")


def require_empty(folder: Path, overwrite: bool) -> None:
    if folder.exists() and any(folder.iterdir()) and not overwrite:
        raise ScenarioError(folder, [("", "is not empty; choose another --out or pass --overwrite")])


def load_summary(folder: str | Path) -> Results:
    """The summary's columns of a results folder (all runs, few columns)."""
    return read_results(folder, columns=analysis.summary_columns(result_columns(folder)))


def history_of(results: Results, runs: int, folder: Path) -> pd.DataFrame:
    from sim.results import design_points
    from sim.runner import history_sample

    manifest = results.manifest
    history = history_sample(scenario_of(manifest), manifest.seed, manifest.runs, design_points(folder, manifest))
    return history[history["run_id"] < runs]
