"""The standard figures of a results folder, drawn by ``sim plot`` and embedded in ``sim report``.

A figure maker (:class:`FigureMaker`) gives, for a results folder (its summary's columns, its scenario, and the runs
re-simulated round by round when there are any), its figures by file name, each a :class:`Figure`: a function
drawing it on a matplotlib Axes and a caption in the scenario's words. A maker returns nothing where its figures do
not apply (no front, no history).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from sim.registry import Registry

if TYPE_CHECKING:
    import pandas as pd

    from sim.experiments.results import Results
    from sim.scenario.schema import Scenario


class Figure(NamedTuple):
    """A standard figure: the function drawing it on an Axes, and its caption."""

    draw: Callable[[Any], Any]
    caption: str


class FigureMaker(Protocol):
    """The figures of one kind for a results folder, by file name."""

    def __call__(self, results: Results, scenario: Scenario, history: pd.DataFrame | None, /) -> dict[str, Figure]: ...


FIGURES: Registry[FigureMaker] = Registry(
    "figure",
    {
        "outcome_classes": "sim.reporting.figure_catalogue:outcome_classes_figure",
        "deal_curve": "sim.reporting.figure_catalogue:deal_curve",
        "settlements": "sim.reporting.figure_catalogue:settlements",
        "front_fan": "sim.reporting.figure_catalogue:front_fan",
        "proposal_fans": "sim.reporting.figure_catalogue:proposal_fans",
    },
)
"""Figure makers, in the order their figures are drawn and shown."""


def figure_set(results: Results, history: pd.DataFrame | None = None) -> dict[str, Figure]:
    """The standard figures of a results folder, by file name (``history``: runs re-simulated round by round)."""
    from sim.experiments.results import scenario_of

    scenario = scenario_of(results.manifest)
    figures: dict[str, Figure] = {}
    for _, make in FIGURES.items():
        figures |= make(results, scenario, history)
    return figures
