"""What the commands share: reading changes, printing tables and summaries, saving figures."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd
import yaml

from sim import analysis
from sim.cli.beside import beside_history_lines
from sim.errors import ScenarioError, Stopped
from sim.folder_lock import locked
from sim.labels import readable
from sim.model.outcomes import outcome_classes
from sim.results import Results, read_results, result_columns, scenario_of

if TYPE_CHECKING:
    from sim.manifest import Manifest

BAD_INPUT = 2
MAX_RUNS = 10**9
"""The most runs one command may ask for (a million-run chunk list stays small; 10^12 runs would not end)."""
JOBS_PER_CORE = 4
_FLAG_RANGES = {  # flag: (lowest, highest or None for no upper limit)
    "runs": (1, MAX_RUNS),
    "max_runs": (1, MAX_RUNS),
    "seed": (0, None),
    "base_runs": (1, 10**7),
    "tornado_runs": (1, 10**7),
    "top": (1, None),
    "depth": (1, 32),
    "history_runs": (0, 100_000),
}


def flag_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with a number given on the command line (out of range, too many jobs), or None."""
    for name, (lowest, highest) in _FLAG_RANGES.items():
        value = getattr(args, name, None)
        if value is not None and (value < lowest or (highest is not None and value > highest)):
            span = f"between {lowest:,} and {highest:,}" if highest is not None else f"at least {lowest:,}"
            return f"--{name.replace('_', '-')}: must be {span} (got {value:,})"
    most_jobs = JOBS_PER_CORE * (os.cpu_count() or 1)
    if not 1 <= getattr(args, "jobs", 1) <= most_jobs:
        return (
            f"--jobs: must be between 1 and {most_jobs} ({JOBS_PER_CORE} per core of this machine; got {args.jobs:,})"
        )
    return None


def _stop(signum: int, _frame: Any) -> None:
    raise Stopped(signum)


@contextmanager
def stopping_cleanly() -> Iterator[None]:
    """Turn SIGTERM into :class:`Stopped` while a command runs, so that pools and files are closed on the way out."""
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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


def plain_label(text: str) -> str:
    """Text for a figure label, shown as written (matplotlib would read ``$...$`` as mathematics)."""
    return text.replace("$", r"\$")


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


class Figure(NamedTuple):
    """A standard figure: the function drawing it on an Axes, and its caption."""

    draw: Callable[[Any], Any]
    caption: str


def _drawing(plot: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
    """``plot(*args, ax=ax, **kwargs)`` as a function of the axes ``ax``."""
    return lambda ax: plot(*args, ax=ax, **kwargs)


def figure_set(results: Results, history: pd.DataFrame | None = None) -> dict[str, Figure]:
    """The standard figures of a results folder, by file name, each with a caption in the scenario's words."""
    from sim import plots

    runs, manifest = results.runs, results.manifest
    scenario = scenario_of(manifest)
    horizon, unit = scenario.horizon, scenario.time_unit
    figures = {
        "outcome_classes": Figure(
            lambda ax: plots.plot_outcome_classes(runs, list(outcome_classes(scenario).values()), ax=ax),
            "Share of runs ending in each outcome class, with 95% intervals.",
        ),
        "deal_curve": Figure(
            lambda ax: plots.plot_deal_curve(runs, horizon, ax=ax, unit=unit),
            f"Probability of a deal by each {unit} up to the horizon ({analysis.plural(horizon, unit)}), "
            "with its 95% band.",
        ),
    }
    for issue, spec in scenario.issues.items():
        words = plain_label(spec.description or plots.label_of(issue))
        units = plain_label(spec.units)
        figures[f"settlement_{issue}"] = Figure(
            _drawing(plots.plot_settlement, runs, issue, units, title=words),
            f"{words}: settlement among runs with a deal, beside the compromise model's forecast.",
        )
        figures[f"ecdf_{issue}"] = Figure(
            _drawing(plots.plot_settlement_ecdf, {"this scenario": runs}, issue, units),
            f"{words}: share of deals settling at or below each value.",
        )
    if history is not None:
        sample = f"(the first {history['run_id'].nunique():,} runs, re-simulated round by round)"
        if scenario.front is not None:
            side = plain_label(scenario.front.side)
            figures["fan_front"] = Figure(
                lambda ax: plots.plot_fan(history, "front", f"front: share held by {side}", ax=ax, unit=unit),
                f"The front line over time: median, 50% and 90% of runs {sample}.",
            )
        for issue, spec in scenario.issues.items():
            figures[f"fan_proposal_{issue}"] = Figure(
                _drawing(
                    plots.plot_fan,
                    history,
                    f"proposal_{issue}",
                    f"package on the table: {plots.label_of(issue)}",
                    unit=unit,
                ),
                f"{plain_label(spec.description or plots.label_of(issue))}: the package on the table while talks go on {sample}.",
            )
    return figures


def history_of(results: Results, runs: int, folder: Path) -> pd.DataFrame:
    from sim.results import design_points
    from sim.runner import history_sample

    manifest = results.manifest
    history = history_sample(scenario_of(manifest), manifest.seed, manifest.runs, design_points(folder, manifest))
    return history[history["run_id"] < runs]
