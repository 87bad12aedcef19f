"""What the commands share: reading changes, printing tables and summaries, saving figures."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim import analysis
from sim.errors import ScenarioError, Stopped
from sim.folder_lock import locked
from sim.results import Results, read_results, result_columns

BAD_INPUT = 2
MAX_RUNS = 10**9
"""The most runs one command may ask for (a million-run chunk list stays small; 10^12 runs would not end)."""
JOBS_PER_CORE = 4
_FLAG_RANGES = {  # flag: (lowest, highest or None for no upper limit)
    "runs": (1, MAX_RUNS), "max_runs": (1, MAX_RUNS), "seed": (0, None), "base_runs": (1, 10**7),
    "tornado_runs": (1, 10**7), "top": (1, None), "depth": (1, 32), "history_runs": (0, 100_000),
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
        return f"--jobs: must be between 1 and {most_jobs} ({JOBS_PER_CORE} per core of this machine; got {args.jobs:,})"
    return None


def _stop(signum: int, frame: Any) -> None:
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
        text_table(analysis.headline(runs, horizon)),
        "",
        f"Median months to a deal, among runs with one: {analysis.median_months_to_deal(runs):.1f}",
        "",
        "Outcome classes",
        text_table(analysis.outcome_shares(runs)),
        "",
        "Settlement among deals (quantiles) and the compromise model's forecast (median over runs)",
        text_table(analysis.settlement_quantiles(runs), percent=False),
    ]
    events = analysis.event_shares(runs)
    if len(events):
        lines += ["", "Events: share of runs in which each happened, and its median month",
                  events.to_string(formatters={"estimate": "{:6.1%}".format, "lo": "{:6.1%}".format,
                                               "hi": "{:6.1%}".format, "median_month": "{:.0f}".format})]
    return "\n".join(lines)

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
        units = plain_label(spec.get("units", ""))
        figures[f"settlement_{issue}"] = lambda ax, i=issue, u=units: plots.plot_settlement(runs, i, u, ax=ax)
        figures[f"ecdf_{issue}"] = lambda ax, i=issue, u=units: plots.plot_settlement_ecdf({"this scenario": runs}, i, u, ax=ax)
    if history is not None and "front" in history and manifest["scenario"]["resolved"].get("front"):
        side = manifest["scenario"]["resolved"]["front"]["side"]
        figures["fan_front"] = lambda ax: plots.plot_fan(history, "front", f"front: share held by {side}", ax=ax)
        for issue in issues:
            figures[f"fan_proposal_{issue}"] = lambda ax, i=issue: plots.plot_fan(
                history, f"proposal_{i}", f"package on the table: {i.replace('_', ' ')}", ax=ax)
    return figures

def history_of(results: Results, runs: int) -> pd.DataFrame:
    from sim.results import scenario_of
    from sim.runner import history_sample

    manifest = results.manifest
    history = history_sample(scenario_of(manifest), manifest["seed"], manifest["runs"])
    return history[history["run_id"] < runs]
