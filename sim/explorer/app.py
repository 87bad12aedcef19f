"""The explorer's page (Solara): controls on the left, figures and tables on the right.

Only layout lives here; what a setting means and what it shows come from :mod:`sim.explorer.controls`,
:mod:`sim.explorer.views` and :mod:`sim.explorer.variant`. The same component serves the browser
(``sim explore FILE``) and a notebook (``sim.explore(scenario)``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any, cast

import pandas as pd
import solara

from sim.errors import ScenarioError
from sim.experiments.run_settings import run_settings
from sim.explorer.controls import Control, Settings, changed_settings, controls, initial_settings
from sim.explorer.variant import free_variant_path, write_variant
from sim.explorer.views import Charts, Drawn, draw_setting, run_ensemble
from sim.scenario.labels import readable
from sim.scenario.schema import Scenario

TITLES = {
    "headline": "Change from the baseline (paired 95% intervals)",
    "outcome_classes": "Outcome classes",
    "settlements": "Settlement among deals (this setting, and its change)",
}


def _html_table(name: str, frame: pd.DataFrame) -> str:
    if name == "settlements":
        return frame.to_html(float_format=readable, border=0)
    signed = {c: (lambda v: f"{v:+.1%}") for c in frame.columns if c in ("difference", "lo", "hi")}
    plain = {c: (lambda v: f"{v:.1%}") for c in frame.columns if c not in signed}
    return frame.rename(columns={"value": "this setting"}).to_html(
        formatters={("this setting" if c == "value" else c): f for c, f in (plain | signed).items()}, border=0
    )


@solara.component
def NumberControl(control: Control, value: tuple[float, float], on_value) -> None:
    """A range slider; both ends together make the number a constant."""
    low, high = value
    shown = readable(low, 4) if low == high else f"{readable(low, 4)} to {readable(high, 4)}"
    with solara.Tooltip(control.source or "no source given"):
        solara.SliderRangeFloat(
            f"{control.label}: {shown}",
            value=value,
            min=control.minimum,
            max=control.maximum,
            step=control.step,
            on_value=on_value,
            thumb_label=False,
        )


@solara.component
def ChoiceControl(control: Control, value: Any, on_value) -> None:
    """A structural choice: a switch for yes/no, else a list of options."""
    if isinstance(control.initial, bool):
        solara.Checkbox(label=control.label, value=value, on_value=on_value)
    else:
        solara.Select(control.label, values=list(control.options), value=value, on_value=on_value)


@solara.component
def Explorer(
    scenario: Scenario, runs: int = 10_000, seed: int | None = None, baseline: pd.DataFrame | None = None
) -> None:
    """The whole explorer for one scenario: ``runs`` seeded runs per setting, against the file as loaded (its
    ``baseline`` ensemble, run here unless given)."""
    _, seed = run_settings(scenario, seed=seed)
    every = solara.use_memo(lambda: controls(scenario), [scenario])
    initial = solara.use_memo(lambda: initial_settings(scenario), [scenario])
    baseline = solara.use_memo(
        lambda: run_ensemble(scenario, runs, seed) if baseline is None else baseline, [scenario, runs, seed, baseline]
    )
    settings, set_settings = solara.use_state(initial)
    saved, set_saved = solara.use_state("")
    target, set_target = solara.use_state(str(free_variant_path(scenario)))
    # One callback per control, the same at every render: a control whose value did not change is not redrawn.
    on_value = solara.use_memo(lambda: {c.key: _setter(set_settings, c.key) for c in every}, [every])

    def save() -> None:
        try:
            set_saved(f"Saved {write_variant(scenario, settings, target)}")
            set_target(str(free_variant_path(scenario)))
        except (ScenarioError, OSError) as error:
            set_saved(f"Not saved: {error}")

    with solara.Columns([1, 2], style={"align-items": "flex-start"}):
        with solara.Column(style={"max-height": "95vh", "overflow-y": "auto"}):
            solara.Text(scenario.name, style={"font-size": "1.3em", "font-weight": "bold"})
            solara.Text(f"{runs:,} runs per setting, seed {seed}; baseline: the file as loaded.")
            with solara.Row():
                solara.Button("Back to the baseline", on_click=lambda: set_settings(initial))
            solara.InputText("Save as variant", value=target, on_value=set_target)
            solara.Button("Save the setting as a variant", on_click=save, classes=["sim-save"])
            if saved:
                solara.Text(saved, classes=["sim-saved"])
            _control_groups(every, settings, on_value)
        Results(scenario, settings, baseline, runs, seed)


@dataclass(frozen=True, eq=False)
class Shown:
    """What the results show: the last setting drawn (None before any), its number, the settings last asked for
    (as a sorted tuple) and why they could not be drawn, if they could not."""

    drawn: Drawn | None
    number: int
    asked: tuple
    problem: str = ""


@solara.component
def Results(scenario: Scenario, settings: Settings, baseline: pd.DataFrame, runs: int, seed: int) -> None:
    """The figures and tables of ``settings``, drawn off the page's thread, one setting at a time: a newer setting
    cancels the one being drawn between its steps, and settings that came meanwhile are skipped for the newest (a
    slider dragged draws its end, not every step). A component of its own, re-rendered once when a setting is asked
    for and once when it is drawn, so that drawing re-renders neither the controls nor itself in between."""
    charts = solara.use_memo(lambda: Charts(scenario), [scenario])
    asked = tuple(sorted(settings.items()))
    first = solara.use_memo(
        lambda: Shown(draw_setting(scenario, initial_settings(scenario), baseline, runs, seed, charts), 1, asked),
        [scenario, baseline, runs, seed],
    )
    shown, set_shown = solara.use_state(first)
    count = solara.use_ref(1)
    drawing = solara.use_ref(cast(threading.Thread | None, None))

    def draw() -> Callable[[], None]:
        cancel, previous = threading.Event(), drawing.current

        def work() -> None:
            if previous is not None:
                previous.join()  # one setting at a time: they share the worker processes
            if cancel.is_set():
                return
            if not changed_settings(scenario, settings):
                set_shown(lambda now: now if now is first else first)  # the file as loaded: drawn already
                return
            try:
                drawn = draw_setting(scenario, settings, baseline, runs, seed, charts, stale=cancel.is_set)
            except ScenarioError as error:
                problem = str(error)
                set_shown(lambda now: Shown(now.drawn, now.number, asked, problem))
                return
            if drawn is not None:
                count.current += 1
                set_shown(Shown(drawn, count.current, asked))

        drawing.current = threading.Thread(target=work, daemon=True)
        drawing.current.start()
        return cancel.set

    solara.use_effect(draw, [asked])
    result = shown.drawn
    # Formatted once per setting drawn, not at each render.
    html = solara.use_memo(
        lambda: {name: _html_table(name, frame) for name, frame in result.tables.items()} if result else {}, [result]
    )
    with solara.Column():
        if shown.problem and shown.asked == asked:
            solara.Error(f"This setting is not a valid scenario; the charts show the last valid one. {shown.problem}")
        solara.Text("Drawing the new setting ..." if shown.asked != asked else "", classes=["sim-busy"])
        if result is not None:
            solara.Text(
                f"Setting {shown.number}: {runs:,} runs and charts in {result.seconds:.2f} s", classes=["sim-status"]
            )
            for name, image in result.images.items():
                solara.Image(image, classes=["sim-chart", f"sim-chart-{name}"])
            for name, table in html.items():
                solara.Markdown(f"**{TITLES.get(name, name)}**")
                solara.HTML(unsafe_innerHTML=table, classes=[f"sim-table-{name}"])


def _setter(set_settings, key: str):
    """The callback of the control ``key``: it updates that key in whatever the settings are when it is called."""

    def on_value(value: Any) -> None:
        set_settings(lambda settings: {**settings, key: tuple(value) if isinstance(value, list) else value})

    return on_value


def _control_groups(every: list[Control], settings: Settings, on_value: dict) -> None:
    """The controls in collapsible groups, one per actor (with its issues inside), issue or section."""

    def top(control: Control) -> str:
        return control.group.split(" / ")[0]

    order = list(dict.fromkeys(top(c) for c in every))
    by_top = {name: [c for c in every if top(c) == name] for name in order}
    for name, members in by_top.items():
        with solara.Details(summary=name.replace("_", " "), expand=False):
            for group, inside in groupby(sorted(members, key=lambda c: c.group != name), key=lambda c: c.group):
                if group != name:
                    solara.Text(group.split(" / ")[1].replace("_", " "), style={"font-weight": "bold"})
                for control in inside:
                    value = settings[control.key]
                    if isinstance(value, (str, bool)):
                        ChoiceControl(control, value, on_value[control.key])
                    else:
                        NumberControl(control, value, on_value[control.key])


_served: dict[str, Any] = {}
"""What ``sim explore`` serves: set by :func:`sim.explorer.serve` before the server starts."""


@solara.component
def Page() -> None:
    """The page the server shows."""
    Explorer(**_served)
