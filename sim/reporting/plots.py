"""Plots of a Monte Carlo run. Each ``plot_*`` takes data and an optional Axes and returns the Axes;
none shows or saves a figure (the CLI and notebooks decide where pictures go). Those that draw one
series take ``label=`` and ``color=`` and pass further keywords (``linestyle=``, ``alpha=`` ...) to
matplotlib; drawing on an Axes that already holds a plot only ever widens its limits."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim.analysis import summary
from sim.scenario.labels import readable

CHARACTER_WIDTH = 0.55
"""A character's mean width as a share of the font size, for wrapping titles."""


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else plt.figure(figsize=(7, 4)).add_subplot()


def interval_errors(estimate: pd.Series, lo: pd.Series, hi: pd.Series) -> np.ndarray:
    """Error-bar lengths below and above each estimate, never negative (an interval's end may sit a
    rounding error inside its estimate at a share of 0% or 100%)."""
    return np.clip(np.vstack([np.asarray(estimate - lo, float), np.asarray(hi - estimate, float)]), 0.0, None)


def _widen_ylim(ax: Axes, had_data: bool, top: float) -> None:
    """Set the y-range to ``[0, top]``, keeping any wider range a previous call set on the same Axes."""
    bottom, current = ax.get_ylim() if had_data else (0.0, 0.0)
    ax.set_ylim(min(0.0, bottom), max(current, top))


def label_of(name: str) -> str:
    """A column or class name as words."""
    return name.replace("_", " ")


def plot_outcome_classes(
    runs: pd.DataFrame, classes: list[str] | None = None, ax: Axes | None = None, color: str = "#4c72b0", **style
) -> Axes:
    """Horizontal bars: share of runs per outcome class (the scenario's ``classes``, else those that
    occur), with 95% intervals."""
    ax = _axes(ax)
    shares = summary.outcome_shares(runs, classes).iloc[::-1]
    labels = [label_of(name) for name in shares.index]
    errors = interval_errors(shares["estimate"], shares["lo"], shares["hi"])
    ax.barh(labels, shares["estimate"], xerr=errors, color=color, capsize=3, **style)
    for y, (value, high) in enumerate(zip(shares["estimate"], shares["hi"], strict=True)):
        ax.text(min(high, 1.0) + 0.01, y, f"{value:.1%}", va="center", fontsize=8)
    ax.set_xlim(0, min(1.15, shares["hi"].max() + 0.12))
    ax.set_xlabel(f"share of runs (n = {len(runs):,}; bars: 95% interval)")
    ax.set_title("Outcome classes")
    return ax


def plot_settlement(
    runs: pd.DataFrame,
    issue: str,
    units: str = "",
    ax: Axes | None = None,
    *,
    title: str = "",
    label: str | None = None,
    color: str = "#55a868",
    **style,
) -> Axes:
    """Histogram of one issue's settlement among runs with a deal, with the compromise model's median;
    ``title`` (e.g. the issue's description) replaces the issue's name above it."""
    ax = _axes(ax)
    values = runs.loc[runs["deal"], f"settlement_{issue}"]
    if len(values):
        ax.hist(
            values,
            bins=40,
            color=color,
            alpha=style.pop("alpha", 0.85),
            label=label or f"settlement in deals (n = {len(values):,})",
            **style,
        )
        for q, dash in ((0.05, ":"), (0.5, "--"), (0.95, ":")):
            ax.axvline(values.quantile(q), color="black", linestyle=dash, linewidth=1)
    else:
        ax.text(0.5, 0.5, "no run reached a deal", transform=ax.transAxes, ha="center")
    baseline = runs[f"compromise_{issue}"].median()
    ax.axvline(baseline, color="#c44e52", linewidth=2, label=f"compromise model (median {readable(baseline)})")
    ax.set_xlabel(f"{label_of(issue)}{f' ({units})' if units else ''}; dashed: median, dotted: 5% and 95%")
    ax.set_ylabel("runs")
    _wrapped_title(ax, title or f"Settlement: {label_of(issue)}", fontsize=10)
    ax.legend(fontsize=8)
    return ax


def _wrapped_title(ax: Axes, text: str, fontsize: float) -> None:
    """``text`` above ``ax``, wrapped to the axes' width so that it neither runs off the figure nor over a neighbour."""
    inches = ax.bbox.width / ax.figure.dpi
    characters = max(int(inches * 72 / (fontsize * CHARACTER_WIDTH)), 10)
    ax.set_title(textwrap.fill(text, characters), fontsize=fontsize)


def plot_deal_curve(
    runs: pd.DataFrame,
    horizon: int,
    ax: Axes | None = None,
    *,
    unit: str = "month",
    label: str | None = None,
    color: str | None = None,
    **style,
) -> Axes:
    """Cumulative probability of a deal by month (or week, day: ``unit``) up to ``horizon``, with its 95%
    band; call it again on the same Axes to overlay another run (its limits only widen)."""
    had_data = ax is not None and ax.has_data()
    ax = plot_deal_curves(
        {label or f"P(deal by {unit}), 95% band": runs}, horizon, ax=ax, unit=unit, color=color, **style
    )
    _widen_ylim(ax, had_data, max(0.05, min(1.0, summary.deal_curve(runs, horizon, unit)["hi"].max() * 1.15)))
    ax.set_title("Time to a deal")
    return ax


def plot_model_comparison(tables: dict[str, pd.DataFrame], issue: str, units: str = "", ax: Axes | None = None) -> Axes:
    """Box plots of one issue's settlement among deals, one box per model, with each model's P(deal)."""
    ax = _axes(ax)
    names = list(tables)
    values = [tables[m].loc[tables[m]["deal"], f"settlement_{issue}"].dropna() for m in names]
    ax.boxplot([v if len(v) else [np.nan] for v in values], whis=(5, 95), showfliers=False)
    ax.set_xticks(
        range(1, len(names) + 1),
        [f"{m.replace('_', ' ')}\nP(deal) {tables[m]['deal'].mean():.0%}" for m in names],
        fontsize=8,
    )
    ax.set_ylabel(f"{issue.replace('_', ' ')}{f' ({units})' if units else ''}")
    ax.set_title(f"Settlement by model: {issue.replace('_', ' ')} (boxes: quartiles; whiskers: 5-95%)")
    return ax


def parameter_names(table: pd.DataFrame, labels: dict[str, str] | None = None) -> list[str]:
    """Words for the parameters a table is indexed by: ``labels`` (e.g. from :func:`sim.scenario.labels.parameter_labels`),
    else the table's ``label`` column, else each key path in words."""
    if labels is None and "label" in table.columns:
        labels = dict(zip(table.index, table["label"], strict=True))
    return [(labels or {}).get(path) or path.replace("_", " ") for path in table.index]


def _wrapped(name: str, width: int = 45) -> str:
    """A long bar label on lines of at most ``width`` characters (a key path, without spaces, stays whole)."""
    return "\n".join(textwrap.wrap(name, width, break_long_words=False, break_on_hyphens=False)) or name


def plot_sobol(indices: pd.DataFrame, outcome: str = "", top: int = 12, ax: Axes | None = None) -> Axes:
    """Bars of first-order and total Sobol indices with 95% intervals, for the ``top`` parameters by total
    (named by the table's ``label`` column when it has one)."""
    ax = _axes(ax)
    shown = indices.head(top).iloc[::-1]
    y = np.arange(len(shown))
    ax.barh(
        y + 0.2,
        shown["total"],
        height=0.4,
        xerr=shown["total_conf"].clip(lower=0),
        color="#4c72b0",
        label="total",
        capsize=2,
    )
    ax.barh(
        y - 0.2,
        shown["first_order"],
        height=0.4,
        xerr=shown["first_order_conf"].clip(lower=0),
        color="#8c8c8c",
        label="first order",
        capsize=2,
    )
    ax.set_yticks(y, [_wrapped(name) for name in parameter_names(shown)], fontsize=7)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Sobol index (share of the outcome's variance; bars: 95% interval)")
    ax.set_title(f"What drives {outcome.replace('_', ' ')}" if outcome else "Sobol indices")
    ax.legend(fontsize=8)
    return ax


def plot_tornado(table: pd.DataFrame, outcome: str = "", top: int = 12, ax: Axes | None = None) -> Axes:
    """One-at-a-time swings: the outcome's mean with each parameter at its 5% and 95% quantile, others central
    (named by the table's ``label`` column when it has one)."""
    ax = _axes(ax)
    shown = table.head(top).iloc[::-1]
    centre = table.attrs.get("centre", np.nan)
    y = np.arange(len(shown))
    ax.barh(y, shown["outcome_low"] - centre, left=centre, color="#c44e52", label="parameter at its 5% quantile")
    ax.barh(y, shown["outcome_high"] - centre, left=centre, color="#55a868", label="parameter at its 95% quantile")
    ax.axvline(centre, color="black", linewidth=1.2, linestyle="--", zorder=3)
    labels = [
        _wrapped(f"{name} ({readable(row.value_low)} / {readable(row.value_high)})")
        for name, (_, row) in zip(parameter_names(shown), shown.iterrows(), strict=True)
    ]
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlabel(f"mean {outcome.replace('_', ' ')} (line: all parameters central)")
    ax.set_title("One at a time")
    ax.legend(fontsize=7)
    return ax


def plot_prim_tradeoff(trajectory: pd.DataFrame, chosen: int | None = None, ax: Axes | None = None) -> Axes:
    """PRIM's peeling trade-off: coverage against density for each box, coloured by restricted dimensions."""
    ax = _axes(ax)
    points = ax.scatter(trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"], cmap="viridis", s=18)
    if chosen is not None:
        ax.scatter(
            [trajectory.loc[chosen, "coverage"]],
            [trajectory.loc[chosen, "density"]],
            s=120,
            facecolors="none",
            edgecolors="#c44e52",
            linewidths=2,
            label=f"chosen box ({chosen})",
        )
        ax.legend(fontsize=8)
    ax.figure.colorbar(points, ax=ax, label="restricted parameters")
    ax.set_xlabel("coverage (share of the outcome's runs inside the box)")
    ax.set_ylabel("density (share of the box's runs with the outcome)")
    ax.set_title("PRIM: peeling trade-off")
    return ax


def plot_prim_box(limits: pd.DataFrame, ax: Axes | None = None, labels: dict[str, str] | None = None) -> Axes:
    """The chosen box: each restricted parameter's limits within its full range, labelled in its own units
    (and by ``labels``, key path -> words, when given)."""
    ax = _axes(ax)
    y = np.arange(len(limits))[::-1]
    span = (limits["range_high"] - limits["range_low"]).replace(0, 1.0)
    left = (limits["low"] - limits["range_low"]) / span
    right = (limits["high"] - limits["range_low"]) / span
    ax.barh(y, [1.0] * len(limits), color="#e5e5e5", height=0.6)
    ax.barh(y, right - left, left=left, color="#4c72b0", height=0.6)
    for k, (_, row) in enumerate(limits.iterrows()):
        ax.text(1.02, y[k], f"{readable(row.low)} to {readable(row.high)}", va="center", fontsize=7)
    ax.set_yticks(y, [_wrapped(name) for name in parameter_names(limits, labels)], fontsize=7)
    ax.set_xlim(0, 1.3)
    ax.set_xlabel("position within the parameter's sampled range")
    ax.set_title("PRIM: the box")
    return ax


def plot_deal_curves(
    tables: dict[str, pd.DataFrame],
    horizon: int,
    ax: Axes | None = None,
    *,
    unit: str = "month",
    color: str | None = None,
    **style,
) -> Axes:
    """Cumulative probability of a deal by month (or week, day), one line (labelled by its key) and 95% band
    per scenario; the band takes its line's colour and carries no legend entry."""
    had_data = ax is not None and ax.has_data()
    ax = _axes(ax)
    for name, runs in tables.items():
        curve = summary.deal_curve(runs, horizon, unit)
        line = ax.step(curve[unit], curve["estimate"], where="post", label=name, color=color, **style)[0]
        ax.fill_between(
            curve[unit], curve["lo"], curve["hi"], step="post", alpha=0.2, color=line.get_color(), label="_nolegend_"
        )
    ax.set_xlim(0, max(horizon, ax.get_xlim()[1] if had_data else 0))
    ax.set_xlabel(f"{unit}s from the scenario's start")
    ax.set_ylabel("probability of a deal")
    ax.set_title("Time to a deal, by scenario" if len(tables) > 1 else "Time to a deal")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_settlement_ecdf(
    tables: dict[str, pd.DataFrame], issue: str, units: str = "", ax: Axes | None = None, **style
) -> Axes:
    """Empirical distribution function of one issue's settlement among deals, one line per scenario or model."""
    ax = _axes(ax)
    for name, runs in tables.items():
        values = np.sort(runs.loc[runs["deal"], f"settlement_{issue}"].dropna().to_numpy())
        if len(values):
            ax.step(
                values,
                np.arange(1, len(values) + 1) / len(values),
                where="post",
                label=f"{name} (n = {len(values):,})",
                **style,
            )
        else:
            ax.plot([], [], label=f"{name}: no run reached a deal", **style)
    ax.set_xlabel(f"{issue.replace('_', ' ')}{f' ({units})' if units else ''}")
    ax.set_ylabel("share of deals at or below")
    ax.set_title(f"Settlement among deals: {issue.replace('_', ' ')}")
    ax.legend(fontsize=8)
    return ax


def plot_fan(
    history: pd.DataFrame,
    column: str,
    label: str = "",
    ax: Axes | None = None,
    *,
    unit: str = "month",
    color: str = "#4c72b0",
    **style,
) -> Axes:
    """Fan chart of a quantity over time: median, 50% and 90% bands across runs, round by round on the
    history's ``unit`` column (runs where it is undefined then, e.g. no proposal after a deal, are left out)."""
    ax = _axes(ax)
    bands = history.groupby(unit)[column].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
    if bands.dropna(how="all").empty:
        ax.text(0.5, 0.5, "never defined in these runs", transform=ax.transAxes, ha="center")
    ax.fill_between(bands.index, bands[0.05], bands[0.95], alpha=0.2, color=color, label="90% of runs")
    ax.fill_between(bands.index, bands[0.25], bands[0.75], alpha=0.4, color=color, label="50% of runs")
    ax.plot(bands.index, bands[0.5], color=color, label="median", **style)
    ax.set_xlabel(f"{unit}s from the scenario's start")
    ax.set_ylabel(label or column.replace("_", " "))
    ax.set_title(f"{label or column.replace('_', ' ')} over time (n = {history['run_id'].nunique():,} runs)")
    ax.legend(fontsize=8)
    return ax
