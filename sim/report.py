"""One self-contained HTML report of a results folder: figures embedded, nothing fetched when opened."""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sim import analysis, discovery
from sim.provenance import KINDS, provenance
from sim.results import Results, scenario_of

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0 1em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: right; } th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
figure { display: inline-block; margin: .5em; } figure img { max-width: 520px; border: 1px solid #eee; }
.note { color: #555; font-size: .9em; } pre { background: #f6f6f6; padding: .8em; overflow-x: auto; font-size: .8em; }
"""
REGION_PARAMETERS = 100
"""The most parameters the report's PRIM and CART search: those whose means differ most."""
CONTRAST_BATCH = 500
"""Parameters read at once for the drivers table, so that the report's memory does not grow with their number."""
_COUNT_FIGURES = ("<script>window.addEventListener('load', function () { document.body.dataset.figuresShown = "
                  "Array.from(document.images).filter(function (i) { return i.complete && i.naturalWidth > 0; }).length; });</script>")


def _image(draw: Callable[[Any], Any], title: str) -> str:
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    draw(ax)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode()
    return f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,{data}"><figcaption>{html.escape(title)}</figcaption></figure>'


def _table(frame: pd.DataFrame, percent: tuple[str, ...] = ()) -> str:
    formatters = {c: "{:.1%}".format for c in frame.columns if c in percent}
    return frame.to_html(formatters=formatters, float_format=lambda v: f"{v:.4g}", border=0, escape=True)


def _contrast(columns_of: Callable[[list[str]], pd.DataFrame], parameters: list[str], happens: pd.Series) -> pd.DataFrame:
    """:func:`analysis.parameter_contrast` over every parameter, read a batch of columns at a time."""
    batches = [parameters[start:start + CONTRAST_BATCH] for start in range(0, len(parameters), CONTRAST_BATCH)] or [[]]
    tables = [analysis.parameter_contrast(columns_of(batch), batch, happens) for batch in batches]
    return pd.concat(tables).sort_values("standardised_difference", key=np.abs, ascending=False, kind="stable")


def build_report(results: Results, history: pd.DataFrame | None, figures: dict[str, Callable[[Any], Any]],
                 columns_of: Callable[[list[str]], pd.DataFrame]) -> str:
    """The report's HTML: scenario and provenance, headline probabilities, distributions, drivers,
    discovered regions, the compromise baseline and the manifest. ``results`` need hold only the summary's
    columns; ``columns_of(names)`` reads parameter columns (in run order), a batch at a time."""
    runs, manifest = results.runs, results.manifest
    scenario = scenario_of(manifest)
    horizon = analysis.horizon_months(manifest)
    sources = provenance(scenario)
    counts = sources["kind"].value_counts()
    parts = [f"<h1>{html.escape(scenario.name)}</h1>",
             f"<p>{html.escape(scenario.description)}</p>",
             f"<p class='note'>{len(runs):,} runs, seed {html.escape(str(manifest['seed']))}, "
             f"design {html.escape(scenario.monte_carlo.design)}, mechanism {html.escape(scenario.model.mechanism.kind)}, "
             f"horizon {html.escape(str(horizon))} months from {html.escape(str(scenario.model.start_date))}.</p>"]

    parts += ["<h2>Scenario and provenance</h2>",
              f"<p>{len(sources)} numbers, {int(sources['uncertain'].sum())} of them uncertain (drawn per run); sources: "
              + ", ".join(f"{int(counts.get(k, 0))} {k}" for k in KINDS) + ".</p>",
              _table(pd.DataFrame({"actors": [", ".join(scenario.actors)], "issues": [", ".join(scenario.issues)],
                                   "veto holders": [", ".join(a for a, v in scenario.actors.items() if v.veto)]}).T.rename(columns={0: ""})),
              "<details><summary>Every uncertain number and its source</summary>",
              _table(sources.loc[sources["uncertain"], ["parameter", "value", "kind", "source"]].set_index("parameter")),
              "</details>"]

    parts += ["<h2>Headline probabilities</h2>",
              _table(analysis.headline(runs, horizon), percent=("estimate", "se", "lo", "hi")),
              f"<p>Median months to a deal, among runs with one: {analysis.median_months_to_deal(runs):.1f}.</p>",
              _table(analysis.outcome_shares(runs), percent=("estimate", "se", "lo", "hi"))]
    events = analysis.event_shares(runs)
    if len(events):
        parts += ["<h3>Events</h3>", _table(events, percent=("estimate", "se", "lo", "hi"))]

    parts += ["<h2>Distributions</h2>"] + [_image(draw, name.replace("_", " ")) for name, draw in figures.items()]

    happens = discovery.condition(runs, "deal_within_12_months")
    contrast = _contrast(columns_of, manifest["parameters"], happens)
    parameters = manifest["parameters"] if len(manifest["parameters"]) <= REGION_PARAMETERS else list(contrast.index[:REGION_PARAMETERS])
    region = columns_of(parameters)
    parts += ["<h2>Drivers: what goes with a deal within 12 months</h2>",
              f"<p>A deal within 12 months happens in {happens.mean():.1%} of runs. Parameters by how far their mean "
              "differs between those runs and the others (in standard deviations of the parameter):</p>",
              _table(contrast.head(12)),
              "<p class='note'>For variance-based indices, run <code>sim sensitivity</code> on the scenario file.</p>"]
    if len(parameters) < len(manifest["parameters"]):
        parts.append(f"<p class='note'>PRIM and CART below search the {len(parameters)} parameters that differ most, of "
                     f"{len(manifest['parameters']):,} (their memory grows with the parameters searched); "
                     "<code>sim discover</code> searches all.</p>")
    if 0 < happens.sum() < len(runs):
        box = discovery.prim(region, parameters, happens)
        step = box.trajectory.loc[box.chosen]
        from sim import plots

        parts += ["<h2>Discovered region (PRIM)</h2>",
                  f"<p>Box {box.chosen}: coverage {step.coverage:.1%}, density {step.density:.1%}, "
                  f"{int(step.res_dim)} restricted parameters, limits in their own units:</p>",
                  _table(box.limits),
                  _image(lambda ax: plots.plot_prim_tradeoff(box.trajectory, box.chosen, ax=ax), "PRIM trade-off"),
                  _image(lambda ax: plots.plot_prim_box(box.limits, ax=ax), "PRIM box"),
                  "<h3>CART leaves</h3>",
                  _table(discovery.cart(region, parameters, happens).head(6).set_index("rule"), percent=("density", "coverage"))]

    parts += ["<h2>Settlements and the compromise baseline</h2>",
              "<p>Quantiles of each issue's settlement among deals, beside the compromise model's forecast "
              "(capability x salience weighted mean of positions; median over runs).</p>",
              _table(analysis.settlement_quantiles(runs))]

    shown = {k: manifest[k] for k in ("seed", "requested_runs", "runs", "chunk_runs", "until_ci", "code_version",
                                      "versions", "timings") if k in manifest}
    shown["files"] = manifest["scenario"]["files"]
    shown["changes"] = manifest["scenario"]["changes"]
    parts += ["<h2>Manifest</h2>", f"<pre>{html.escape(json.dumps(shown, indent=2, default=str))}</pre>"]
    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{html.escape(scenario.name)}</title>"
            f"<style>{_STYLE}</style></head><body>\n{body}\n{_COUNT_FIGURES}\n</body></html>\n")
