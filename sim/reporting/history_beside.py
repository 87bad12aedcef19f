"""The "beside history" section of the printed summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sim.errors import ScenarioError
from sim.experiments.results import scenario_of
from sim.history.beside import Beside, applies, beside_history

if TYPE_CHECKING:
    from sim.experiments.manifest import Manifest


def _cell(estimate: float, lo: float, hi: float) -> str:
    return "    n/a" if pd.isna(estimate) else f"{estimate:6.1%} [{lo:5.1%}, {hi:5.1%}]"


def beside_history_lines(runs: pd.DataFrame, manifest: Manifest) -> list[str]:
    """The lines comparing the model with its reference class, or a note saying why there are none;
    nothing for a scenario without a front."""
    scenario = scenario_of(manifest)
    if scenario.front is None:
        return []
    if not applies(scenario):
        return ["", "Beside history: the scenario states no reference_class (see `sim reference-class`)."]
    try:
        beside = beside_history(runs, scenario)
    except ScenarioError as error:
        return ["", f"Beside history: not shown ({error})."]
    return ["", *history_text(beside)]


def history_text(beside: Beside) -> list[str]:
    """The comparison as text lines: the model's probabilities beside the reference class's, with 95% intervals."""
    war, survival = beside.war_ends, beside.deal_survival
    lines = [
        f"Beside history: {beside.profile.describe()}",
        f"{'':48s} {'model (95% MC interval)':>24s}   {'history (95% interval)':>24s}    n",
    ]
    for measure, row in war.iterrows():
        lines.append(
            f"{measure:48s} {_cell(*row['model']):>24s}   {_cell(*row['history'][:3]):>24s} {int(row['history', 'n']):4d}"
        )
    lines.append(
        f"({beside.still_going} episodes of the class were still going when the data end: counted as not ended.)"
    )
    lines.append("Deals still holding k months after they were made (model: its deals; history: UCDP peace agreements)")
    for month, row in survival.iterrows():
        lines.append(
            f"  {int(month):3d} months {'':35s} {_cell(*row['model'][:3]):>24s}   {_cell(*row['history'][:3]):>24s} "
            f"{int(row['history', 'at_risk']):4d}"
        )
    return lines
