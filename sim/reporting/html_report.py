"""One self-contained HTML report of a results folder: figures embedded, nothing fetched when opened."""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import discovery, drivers, summary
from sim.experiments.results import Results, scenario_of
from sim.model.outcomes import outcome_classes
from sim.progress import progress_bar
from sim.scenario.labels import parameter_labels, readable
from sim.scenario.provenance import KINDS, provenance
from sim.scenario.schema import Scenario

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0 1em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: right; } th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
figure { display: inline-block; margin: .5em; } figure img { max-width: 520px; border: 1px solid #eee; }
caption { caption-side: top; text-align: left; color: #555; padding-bottom: .3em; }
.note { color: #555; font-size: .9em; } pre { background: #f6f6f6; padding: .8em; overflow-x: auto; font-size: .8em; }
"""
REGION_PARAMETERS = 100
"""The most parameters the report's PRIM and CART search: those whose means differ most."""
CONTRAST_BATCH = 500
"""Parameters read at once for the drivers table, so that the report's memory does not grow with their number."""
_COUNT_FIGURES = (
    "<script>window.addEventListener('load', function () { document.body.dataset.figuresShown = "
    "Array.from(document.images).filter(function (i) { return i.complete && i.naturalWidth > 0; }).length; });</script>"
)


def _image(draw: Callable[[Any], Any], caption: str) -> str:
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    draw(ax)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode()
    text = html.escape(caption)
    return f'<figure><img alt="{text}" src="data:image/png;base64,{data}"><figcaption>{text}</figcaption></figure>'


def _table(frame: pd.DataFrame, percent: tuple[str, ...] = ("estimate", "se", "lo", "hi"), caption: str = "") -> str:
    """A table with its index as the first column (no separate header row for the index's name), shares as
    percentages and other numbers :func:`readable`."""
    shown = frame.reset_index() if frame.index.name or any(frame.index.names) else frame
    formatters = {c: ("{:.2%}" if c == "se" else "{:.1%}").format for c in shown.columns if c in percent}
    table = shown.to_html(formatters=formatters, float_format=readable, border=0, escape=True, index=False, na_rep="")
    if caption:
        table = table.replace(">\n  <thead>", f">\n  <caption>{html.escape(caption)}</caption>\n  <thead>", 1)
    return table


def key_findings(runs: pd.DataFrame, scenario: Scenario, classes: list[str]) -> str:
    """A few sentences on what the runs say: the chance of a deal and when, the likeliest outcome class, and
    where deals settle each issue."""
    table = summary.headline(runs, scenario)
    by_horizon = table.iloc[0]
    unit = scenario.time_unit
    sentences = [
        f"Over {len(runs):,} runs, a deal comes within {summary.plural(scenario.horizon, unit)} in "
        f"{by_horizon.estimate:.1%} of them (95% interval {by_horizon.lo:.1%} to {by_horizon.hi:.1%}, as in the table)."
    ]
    soon = [(m, table.loc[m, "estimate"]) for m in table.index if m.startswith("deal within")]
    if soon:
        sentences.append("That is " + ", ".join(f"{p:.0%} {m.removeprefix('deal ')}" for m, p in soon) + ".")
    shares = summary.outcome_shares(runs, classes)["estimate"]
    sentences.append(f"The most common outcome is {shares.idxmax().replace('_', ' ')} ({shares.max():.0%} of runs).")
    settled = summary.settlement_quantiles(runs)
    if runs["deal"].any():
        parts = [
            f"{scenario.issues[i].description or i.replace('_', ' ')} at {readable(row.q50)}"
            f"{' ' + scenario.issues[i].units if scenario.issues[i].units else ''} "
            f"(middle half {readable(row.q25)} to {readable(row.q75)})"
            for i, row in settled.iterrows()
        ]
        sentences.append("Deals settle, at the median: " + "; ".join(parts) + ".")
    return " ".join(sentences)


def drivers_horizon(runs: pd.DataFrame, scenario: Scenario) -> int:
    """The headline horizon (or the scenario's horizon) by which a deal's share of runs is nearest one half, the
    latest of equals: where what goes with a deal says most."""
    horizons = [*scenario.headline_horizons, scenario.horizon]
    shares = {n: summary.within(runs["months_to_deal"], n, scenario.time_unit).mean() for n in horizons}
    return min(reversed(horizons), key=lambda n: abs(shares[n] - 0.5))


def _beside_history(runs: pd.DataFrame, scenario) -> list[str]:
    """The section comparing the model with its reference class (scenarios with a front only)."""
    from sim.errors import ScenarioError
    from sim.history.beside import applies, beside_history

    if scenario.front is None:
        return []
    head = "<h2>Beside history</h2>"
    if not applies(scenario):
        return [head, "<p class='note'>The scenario states no <code>reference_class</code>.</p>"]
    try:
        beside = beside_history(runs, scenario)
    except ScenarioError as error:
        return [head, f"<p class='note'>Not shown: {html.escape(str(error))}.</p>"]
    shown = ("estimate", "lo", "hi", "survival")
    flat = lambda frame: frame.set_axis([f"{a} {b}" for a, b in frame.columns], axis=1)  # noqa: E731
    return [
        head,
        f"<p>{html.escape(beside.profile.describe())}. The model's intervals are Monte Carlo intervals; "
        f"history's are sampling intervals. {beside.still_going} episodes of the class were still going "
        "when the data end and count as not ended.</p>",
        _table(flat(beside.war_ends), percent=tuple(f"{a} {b}" for a in ("model", "history") for b in shown)),
        "<p>Deals still holding k months after they were made: the model's deals (censored at the horizon) "
        "beside UCDP peace agreements (Kaplan-Meier).</p>",
        _table(flat(beside.deal_survival), percent=tuple(f"{a} {b}" for a in ("model", "history") for b in shown)),
    ]


def _contrast(
    columns_of: Callable[[list[str]], pd.DataFrame], parameters: list[str], happens: pd.Series
) -> pd.DataFrame:
    """:func:`drivers.parameter_contrast` over every parameter, read a batch of columns at a time."""
    batches = [parameters[start : start + CONTRAST_BATCH] for start in range(0, len(parameters), CONTRAST_BATCH)] or [
        []
    ]
    tables = [drivers.parameter_contrast(columns_of(batch), batch, happens) for batch in batches]
    return pd.concat(tables).sort_values("standardised_difference", key=np.abs, ascending=False, kind="stable")


def build_report(
    results: Results,
    figures: Mapping[str, tuple[Callable[[Any], Any], str]],
    columns_of: Callable[[list[str]], pd.DataFrame],
    progress: bool | None = None,
) -> str:
    """The report's HTML: key findings, scenario and provenance, headline probabilities, distributions
    (``figures``: name -> (draw, caption)), drivers, discovered regions, the compromise baseline and the manifest.
    ``results`` need hold only the summary's columns; ``columns_of(names)`` reads parameter columns (in run order),
    a batch at a time. ``progress`` shows a bar over the figures and the searches (None: only in a terminal)."""
    with progress_bar(len(figures) + 2, "report", progress, unit="part") as advance:
        return _report(results, figures, columns_of, advance)


def _report(
    results: Results,
    figures: Mapping[str, tuple[Callable[[Any], Any], str]],
    columns_of: Callable[[list[str]], pd.DataFrame],
    advance: Callable[[int], None],
) -> str:
    runs, manifest = results.runs, results.manifest
    scenario = scenario_of(manifest)
    classes = list(outcome_classes(scenario).values())
    horizon, unit = scenario.horizon, scenario.time_unit
    sources = provenance(scenario)
    counts = sources["kind"].value_counts()
    parts = [
        f"<h1>{html.escape(scenario.name)}</h1>",
        f"<p>{html.escape(scenario.description)}</p>",
        f"<p><strong>Key findings.</strong> {html.escape(key_findings(runs, scenario, classes))}</p>",
        f"<p class='note'>{len(runs):,} runs, seed {html.escape(str(manifest.seed))}, "
        f"design {html.escape(scenario.monte_carlo.design)}, mechanism {html.escape(scenario.model.mechanism.kind)}, "
        f"horizon {html.escape(summary.plural(horizon, unit))} from {html.escape(str(scenario.model.start_date))}.</p>",
    ]

    parts += [
        "<h2>Scenario and provenance</h2>",
        f"<p>{len(sources)} numbers, {int(sources['uncertain'].sum())} of them uncertain (drawn per run); sources: "
        + ", ".join(f"{int(counts.get(k, 0))} {k}" for k in KINDS)
        + ".</p>",
        _table(
            pd.DataFrame(
                {
                    "in the scenario": ["actors", "issues", "veto holders"],
                    "names": [
                        ", ".join(scenario.actors),
                        ", ".join(scenario.issues),
                        ", ".join(a for a, v in scenario.actors.items() if v.veto),
                    ],
                }
            )
        ),
        "<details><summary>Every uncertain number and its source</summary>",
        _table(sources.loc[sources["uncertain"], ["parameter", "value", "kind", "source"]], percent=()),
        "</details>",
    ]

    parts += [
        "<h2>Headline probabilities</h2>",
        _table(
            summary.headline(runs, scenario),
            caption="Probabilities with their Monte Carlo standard error and 95% interval",
        ),
        f"<p>Median {unit}s to a deal, among runs with one: {summary.median_time_to_deal(runs, unit):.1f}.</p>",
        _table(summary.outcome_shares(runs, classes), caption="Outcome classes: share of runs"),
    ]
    events = summary.event_shares(runs, unit)
    if len(events):
        caption = f"Share of runs in which each event happened, and its median {unit}"
        parts += ["<h3>Events</h3>", _table(events, caption=caption)]

    parts.append("<h2>Distributions</h2>")
    for draw, caption in figures.values():
        parts.append(_image(draw, caption))
        advance(1)

    within = summary.plural(drivers_horizon(runs, scenario), unit)
    happens = discovery.condition(runs, f"deal_within_{within.replace(' ', '_')}")
    contrast = _contrast(columns_of, manifest.parameters, happens)
    advance(1)
    parameters = (
        manifest.parameters
        if len(manifest.parameters) <= REGION_PARAMETERS
        else list(contrast.index[:REGION_PARAMETERS])
    )
    parts.append(f"<h2>Drivers: what goes with a deal within {within}</h2>")
    if 0 < happens.sum() < len(runs):
        parts += [
            f"<p>A deal within {within} happens in {happens.mean():.1%} of runs. Parameters by how far their mean "
            "differs between those runs and the others (in standard deviations of the parameter):</p>",
            _table(_labelled(contrast.head(12), parameter_labels(scenario, list(contrast.index[:12]))), percent=()),
        ]
    else:
        parts.append(
            f"<p>A deal within {within} happens in {'every' if happens.all() else 'no'} run (and within each "
            "headline horizon in every run or none): no parameter goes with it more than with its absence.</p>"
        )
    parts.append(
        "<p class='note'>For variance-based indices, run <code>sim sensitivity</code> on the scenario file.</p>"
    )
    if len(parameters) < len(manifest.parameters):
        parts.append(
            f"<p class='note'>PRIM and CART below search the {len(parameters)} parameters that differ most, of "
            f"{len(manifest.parameters):,} (their memory grows with the parameters searched); "
            "<code>sim discover</code> searches all.</p>"
        )
    parts += ["<h2>Discovered region (PRIM)</h2>"] + _prim_section(
        columns_of(parameters), parameters, happens, within, parameter_labels(scenario, parameters)
    )
    advance(1)

    parts += _beside_history(runs, scenario)

    parts += [
        "<h2>Settlements and the compromise baseline</h2>",
        _table(
            summary.settlement_quantiles(runs),
            percent=(),
            caption="Quantiles of each issue's settlement among deals, beside the compromise model's forecast "
            "(capability x salience weighted mean of positions; median over runs)",
        ),
    ]

    shown: dict[str, Any] = {
        k: getattr(manifest, k)
        for k in ("seed", "requested_runs", "runs", "chunk_runs", "until_ci", "code_version", "versions", "timings")
    }
    shown["files"] = manifest.scenario.files
    shown["changes"] = manifest.scenario.changes
    parts += ["<h2>Manifest</h2>", f"<pre>{html.escape(json.dumps(shown, indent=2, default=str))}</pre>"]
    body = "\n".join(parts)
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{html.escape(scenario.name)}</title>"
        f"<style>{_STYLE}</style></head><body>\n{body}\n{_COUNT_FIGURES}\n</body></html>\n"
    )


def _labelled(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """A table indexed by parameters with a column naming each in the scenario's words (``labels``)."""
    return frame.assign(label=[labels.get(p, p) for p in frame.index])


def _prim_section(
    runs: pd.DataFrame, parameters: list[str], happens: pd.Series, within: str, labels: dict[str, str]
) -> list[str]:
    """PRIM's box and CART's leaves for quick deals, or why there is none worth showing (parameters named by
    ``labels``, their key paths in the box's table)."""
    from sim.reporting import plots

    if not 0 < happens.sum() < len(runs):
        return [
            f"<p>A deal within {within} happens in {'every' if happens.all() else 'no'} run: "
            "there is no region of the parameters to tell apart.</p>"
        ]
    box = discovery.prim(runs, parameters, happens)
    if not box.useful:
        return [
            f"<p>No useful box: no region of the parameters is markedly denser in deals within {within} "
            f"({box.share:.1%} of all runs) than the whole, so none is shown.</p>"
        ]
    step = box.trajectory.loc[box.chosen]
    return [
        f"<p>Box {box.chosen}: coverage {step.coverage:.1%}, density {step.density:.1%}, "
        f"{summary.plural(int(step.res_dim), 'restricted parameter')}, limits in their own units:</p>",
        _table(_labelled(box.limits, labels), percent=()),
        _image(
            lambda ax: plots.plot_prim_tradeoff(box.trajectory, box.chosen, ax=ax),
            "PRIM's peeling trade-off: each box's coverage against its density; circled, the box chosen.",
        ),
        _image(
            lambda ax: plots.plot_prim_box(box.limits, ax=ax, labels=labels),
            "The chosen box: each restricted parameter's limits within its sampled range.",
        ),
        "<h3>CART leaves</h3>",
        _table(
            discovery.cart(runs, parameters, happens).head(6),
            percent=("density", "coverage"),
            caption="Leaves of a classification tree, densest first: rule, runs, density and coverage",
        ),
    ]
