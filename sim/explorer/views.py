"""What the explorer shows for a setting: a seeded ensemble beside the baseline's, as figures and tables.

The baseline (the scenario as loaded) and every setting run with the same seed and run count, so a
parameter both share is drawn alike run by run and the model's own chance is the same (common
random numbers): differences between them are the settings' doing, measured with paired intervals.
"""

from __future__ import annotations

import atexit
import io
import multiprocessing.pool
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.analysis import comparison, summary
from sim.experiments.runner import run_monte_carlo, worker_pool
from sim.explorer.controls import Setting, changed_settings, scenario_with
from sim.model.outcomes import outcome_classes
from sim.reporting import plots
from sim.scenario.schema import Scenario

BASELINE, CURRENT = "baseline (the file)", "this setting"


ENSEMBLE_CHUNKS = 2
"""The explorer splits each ensemble into this many chunks, simulated side by side where there are cores for them
(the chunks fix the random streams, so the runs are the same however many processes simulate them)."""
_workers: list[multiprocessing.pool.Pool] = []


def run_ensemble(
    scenario: Scenario, runs: int, seed: int, jobs: int | None = None, progress: bool | None = False
) -> pd.DataFrame:
    """``runs`` seeded runs of the scenario in :data:`ENSEMBLE_CHUNKS` chunks (one row per run), on ``jobs`` processes
    (default: one per chunk, up to the cores; the worker processes are kept for the next ensemble); ``progress``
    shows a bar (None: in a terminal)."""
    split = scenario.model_copy(
        update={
            "monte_carlo": scenario.monte_carlo.model_copy(update={"chunk_runs": max(1, -(-runs // ENSEMBLE_CHUNKS))})
        }
    )
    jobs = min(ENSEMBLE_CHUNKS, os.cpu_count() or 1) if jobs is None else jobs
    pool = start_workers(jobs) if jobs > 1 else None
    return run_monte_carlo(split, runs, seed, jobs if pool else 1, progress=progress, pool=pool)


def start_workers(jobs: int | None = None) -> multiprocessing.pool.Pool | None:
    """The explorer's worker processes (one per chunk, up to the cores), started on the first call and kept until the
    program ends. Only the main thread starts them (workers die with the thread that starts them): None elsewhere,
    until it has."""
    jobs = min(ENSEMBLE_CHUNKS, os.cpu_count() or 1) if jobs is None else jobs
    if jobs > 1 and not _workers and threading.current_thread() is threading.main_thread():
        _workers.append(worker_pool(jobs))
        atexit.register(_workers[0].terminate)
    return _workers[0] if _workers else None


def has_zone(runs: pd.DataFrame) -> bool:
    """True when the results say whether a zone of agreement existed (``zone``, ``months_to_zone``)."""
    return {"zone", "months_to_zone"} <= set(runs.columns)


def _zone_times(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs with the month a zone of agreement first existed in place of the month of a deal."""
    return runs.assign(months_to_deal=runs["months_to_zone"])


def headline_changes(scenario: Scenario, baseline: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Each of the scenario's headline probabilities under the baseline and this setting, and the change with a
    paired 95% interval."""
    table = comparison.scenario_differences({BASELINE: baseline, CURRENT: current}, scenario).droplevel("scenario")
    return table[["baseline", "value", "difference", "lo", "hi"]]


def outcome_changes(scenario: Scenario, baseline: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Share of runs in each of the scenario's outcome classes under the baseline and this setting, and the change."""
    classes = list(outcome_classes(scenario).values())
    before, after = (summary.outcome_shares(runs, classes)["estimate"] for runs in (baseline, current))
    return pd.DataFrame({"baseline": before, "value": after, "difference": after - before})


def settlement_changes(baseline: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Each issue's settlement quantiles among deals under this setting and their change from the baseline."""
    before, after = summary.settlement_quantiles(baseline), summary.settlement_quantiles(current)
    columns = [c for c in after.columns if c.startswith("q")]
    return after[columns].join((after[columns] - before[columns]).add_prefix("change_"))


FIGURES = ("deal_curve", "outcome_classes", "settlements")
"""The explorer's figures, in the page's order."""
WORKER_FIGURES = (("settlements",), ("deal_curve", "outcome_classes"))
"""How the figures are shared among the kept workers, drawn side by side (about equal work each)."""


@dataclass
class View:
    """Everything the explorer draws for one setting: figures and tables by name."""

    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def png(figure: Figure) -> bytes:
    """A figure as PNG bytes (what the explorer's page shows)."""
    out = io.BytesIO()
    figure.savefig(
        out, format="png", dpi=80, pil_kwargs={"compress_level": 1}
    )  # a tenth larger, encoded a third faster
    return out.getvalue()


def _figure(width: float = 6.4, height: float = 3.6, left: float = 0.1, bottom: float = 0.14) -> Figure:
    """A figure with fixed margins (a layout engine would take half of each redraw's time)."""
    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(left=left, right=0.97, bottom=bottom, top=0.9, wspace=0.3, hspace=0.55)
    return figure


def clear_data(ax: Axes) -> None:
    """Remove what data drew on ``ax`` (lines, bands, bars, texts, legend), keeping the Axes, its ticks and
    layout, and let its limits and colours start afresh."""
    for container in list(ax.containers):
        container.remove()
    for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts]:
        artist.remove()
    place_legend(ax, None)
    ax.relim()
    ax.set_prop_cycle(None)


def place_legend(ax: Axes, loc: Literal["upper left", "lower right"] | None) -> None:
    """Move the legend a plot function drew on ``ax`` to ``loc`` (not "best": searching for the emptiest corner
    is slow), or remove it (None)."""
    legend = ax.get_legend()
    if legend is not None and loc is None:
        legend.remove()
    elif legend is not None:
        legend.set_loc(loc)


class Charts:
    """The explorer's figures for one scenario, made once and redrawn in place for every setting (making
    Axes and their ticks anew would take a third of each redraw's time)."""

    def __init__(self, scenario: Scenario) -> None:
        self.deal_curve = _figure()
        self.deal_curve.add_subplot()
        self.outcome_classes = _figure(left=0.25)
        self.outcome_classes.add_subplot()
        self.columns = columns = min(3, len(scenario.issues))
        rows = -(-len(scenario.issues) // columns)
        self.settlements = _figure(4.2 * columns, 3.2 * rows, left=0.07, bottom=0.1)
        self.settlements.suptitle("Settlement among deals")
        for k in range(len(scenario.issues)):
            ax = self.settlements.add_subplot(rows, columns, k + 1)
            ax.xaxis.set_major_locator(MaxNLocator(4))  # text is most of a redraw: few ticks
            ax.set_yticks([0.0, 0.5, 1.0])
            ax.tick_params(labelleft=k % columns == 0)  # the same shares in every row: labelled once

    def draw(
        self, scenario: Scenario, baseline: pd.DataFrame, current: pd.DataFrame, names: tuple[str, ...] = FIGURES
    ) -> dict[str, Figure]:
        """The deal curve (and, when the runs say whether a zone of agreement existed, when one did), the outcome
        classes and the settlements of this setting against the baseline (or only the figures ``names``), drawn
        over the previous setting's."""
        drawers = {
            "deal_curve": self._draw_deal_curve,
            "outcome_classes": self._draw_outcome_classes,
            "settlements": self._draw_settlements,
        }
        figures = {}
        for name in names:
            figures[name] = getattr(self, name)
            for ax in figures[name].axes:
                clear_data(ax)
            drawers[name](scenario, baseline, current)
        return figures

    def _draw_deal_curve(self, scenario: Scenario, baseline: pd.DataFrame, current: pd.DataFrame) -> None:
        unit = scenario.time_unit
        curves = {BASELINE: baseline, CURRENT: current}
        if has_zone(current) and has_zone(baseline):
            curves = {
                f"zone of agreement, {BASELINE}": _zone_times(baseline),
                f"zone of agreement, {CURRENT}": _zone_times(current),
                f"deal, {BASELINE}": baseline,
                f"deal, {CURRENT}": current,
            }  # deals drawn last: on top
        ax = plots.plot_deal_curves(curves, scenario.horizon, ax=self.deal_curve.axes[0], unit=unit)
        ax.set_ylabel(f"probability by {unit}")
        gap = " and to a zone of agreement (the gap between them)" if len(curves) > 2 else ""
        ax.set_title(f"Time to a deal{gap}")
        place_legend(ax, "lower right")  # below rising curves, where they seldom are

    def _draw_outcome_classes(self, scenario: Scenario, _baseline: pd.DataFrame, current: pd.DataFrame) -> None:
        plots.plot_outcome_classes(current, list(outcome_classes(scenario).values()), ax=self.outcome_classes.axes[0])

    def _draw_settlements(self, scenario: Scenario, baseline: pd.DataFrame, current: pd.DataFrame) -> None:
        both = {BASELINE: baseline, CURRENT: current}
        for k, (ax, (issue, spec)) in enumerate(zip(self.settlements.axes, scenario.issues.items(), strict=True)):
            plots.plot_settlement_ecdf(both, issue, spec.units, ax=ax)
            ax.set_title(ax.get_xlabel(), fontsize=10)  # text is most of a redraw: the title says what the axis holds
            ax.set_xlabel("")
            ax.set_ylabel("" if k % self.columns else ax.get_ylabel())
            place_legend(ax, None if k else "upper left")  # the same lines in every panel: one legend is enough


def tables(scenario: Scenario, baseline: pd.DataFrame, current: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The tables of this setting against the baseline: the headline measures, the outcome classes, the
    settlements."""
    return {
        "headline": headline_changes(scenario, baseline, current),
        "outcome_classes": outcome_changes(scenario, baseline, current),
        "settlements": settlement_changes(baseline, current),
    }


def view(scenario: Scenario, baseline: pd.DataFrame, current: pd.DataFrame, charts: Charts | None = None) -> View:
    """The figures and tables of this setting against the baseline (drawn on ``charts`` when given, which keeps
    them from one setting to the next); when the runs say whether a zone of agreement existed, the deal curve
    shows when one did too, and the headline table has its measures."""
    figures = (charts or Charts(scenario)).draw(scenario, baseline, current)
    return View(figures=figures, tables=tables(scenario, baseline, current))


_worker_charts: dict[tuple[str, ...], Charts] = {}
"""In each worker process: the charts it draws on, by the scenario's issues (their layout), kept between settings."""


def _images_here(
    names: tuple[str, ...], scenario: Scenario, baseline: pd.DataFrame, current: pd.DataFrame
) -> dict[str, bytes]:
    """The figures ``names`` of this setting as PNG, drawn on this process's own charts (in a worker)."""
    issues = tuple(scenario.issues)
    if issues not in _worker_charts:
        _worker_charts[issues] = Charts(scenario)
    return {
        name: png(figure) for name, figure in _worker_charts[issues].draw(scenario, baseline, current, names).items()
    }


_CHARTED = ("outcome", "deal", "months_to_deal", "zone", "months_to_zone")
"""The columns the figures read, with each ``settlement_<issue>``."""


def _charted(runs: pd.DataFrame) -> pd.DataFrame:
    """The columns of the runs the figures read (a tenth of the table: what is sent to the workers that draw them)."""
    return runs[[column for column in runs.columns if column in _CHARTED or column.startswith("settlement_")]]


@dataclass(frozen=True)
class Drawn:
    """A setting as the page shows it: each figure as PNG, the tables, and the seconds they took."""

    images: dict[str, bytes]
    tables: dict[str, pd.DataFrame]
    seconds: float


def draw_setting(
    scenario: Scenario,
    settings: Mapping[str, Setting],
    baseline: pd.DataFrame,
    runs: int,
    seed: int,
    charts: Charts,
    stale: Callable[[], bool] = lambda: False,
) -> Drawn | None:
    """The setting's ensemble (the baseline's own runs when nothing changed) :func:`pictured` against the baseline;
    None as soon as ``stale()`` says a newer setting came (checked between the steps). Raises
    :class:`~sim.errors.ScenarioError` for a setting that is not a valid scenario."""
    started = time.perf_counter()
    changed = scenario_with(scenario, settings)
    if stale():
        return None
    current = run_ensemble(changed, runs, seed) if changed_settings(scenario, settings) else baseline
    if stale():
        return None
    images, shown_tables = pictured(changed, baseline, current, charts)
    return Drawn(images, shown_tables, time.perf_counter() - started)


def pictured(
    scenario: Scenario, baseline: pd.DataFrame, current: pd.DataFrame, charts: Charts
) -> tuple[dict[str, bytes], dict[str, pd.DataFrame]]:
    """The figures of this setting against the baseline as PNG, and its tables: the figures drawn on ``charts``, or
    where the explorer keeps worker processes, on theirs, side by side (:data:`WORKER_FIGURES`) while this process
    makes the tables."""
    if not _workers:
        shown = view(scenario, baseline, current, charts)
        return {name: png(figure) for name, figure in shown.figures.items()}, shown.tables
    sent = (scenario, _charted(baseline), _charted(current))
    drawing = [_workers[0].apply_async(_images_here, (names, *sent)) for names in WORKER_FIGURES]
    shown_tables = tables(scenario, baseline, current)
    images = {name: image for task in drawing for name, image in task.get().items()}
    return {name: images[name] for name in FIGURES}, shown_tables
