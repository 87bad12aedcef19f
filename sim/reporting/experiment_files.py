"""What the experiment commands leave in their folders: the tables as CSV and the figures as PNG and SVG."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.reporting import plots
from sim.reporting.figure_files import write_figures
from sim.scenario.labels import plain_label

if TYPE_CHECKING:
    from sim.analysis.discovery import PrimBox
    from sim.experiments.sensitivity import Sensitivity
    from sim.scenario.schema import Scenario


def write_model_comparison(
    out: Path, scenario: Scenario, tables: dict[str, pd.DataFrame], by_model: pd.DataFrame, disagreement: pd.DataFrame
) -> None:
    """The models' comparison and disagreement tables, and per issue the models' settlements side by side."""
    out.mkdir(parents=True, exist_ok=True)
    by_model.to_csv(out / "comparison.csv")
    disagreement.to_csv(out / "disagreement.csv")
    write_figures(
        {
            f"compare_{issue}": _drawing(plots.plot_model_comparison, tables, issue, plain_label(spec.units))
            for issue, spec in scenario.issues.items()
        },
        out,
    )


def write_scenario_comparison(
    out: Path,
    baseline: Scenario,
    tables: dict[str, pd.DataFrame],
    probabilities: pd.DataFrame,
    settlements: pd.DataFrame,
) -> None:
    """The paired differences against the baseline, the scenarios' deal curves and per issue their settlements."""
    out.mkdir(parents=True, exist_ok=True)
    probabilities.to_csv(out / "probability_differences.csv")
    settlements.to_csv(out / "settlement_differences.csv")
    drawings = {"deal_curves": _drawing(plots.plot_deal_curves, tables, baseline.horizon, unit=baseline.time_unit)}
    for issue, spec in baseline.issues.items():
        drawings[f"ecdf_{issue}"] = _drawing(plots.plot_settlement_ecdf, tables, issue, plain_label(spec.units))
    write_figures(drawings, out)


def write_sensitivity(out: Path, result: Sensitivity, top: int) -> None:
    """Per outcome: the Sobol indices and one-at-a-time swings as tables, and the ``top`` parameters of each drawn."""
    out.mkdir(parents=True, exist_ok=True)
    drawings: dict[str, Callable] = {}
    for outcome, indices in result.sobol.items():
        indices.to_csv(out / f"sobol_{outcome}.csv")
        result.tornado[outcome].to_csv(out / f"tornado_{outcome}.csv")
        drawings[f"sobol_{outcome}"] = _drawing(plots.plot_sobol, indices, outcome, top)
        drawings[f"tornado_{outcome}"] = _drawing(plots.plot_tornado, result.tornado[outcome], outcome, top)
    write_figures(drawings, out, size=(8, 5))


def write_discovery(
    folder: Path,
    box: PrimBox,
    tree: pd.DataFrame,
    labels: dict[str, str],
    advance: Callable[[int], object] | None = None,
) -> None:
    """PRIM's peeling trajectory and chosen box, CART's leaves, and the trade-off and box figures."""
    box.trajectory.to_csv(folder / "prim_trajectory.csv")
    box.limits.to_csv(folder / "prim_box.csv")
    tree.to_csv(folder / "cart_leaves.csv", index=False)
    drawings = {
        "prim_tradeoff": _drawing(plots.plot_prim_tradeoff, box.trajectory, box.chosen),
        "prim_box": _drawing(plots.plot_prim_box, box.limits, labels=labels),
    }
    write_figures(drawings, folder, advance=advance)


def _drawing(plot: Callable, *args, **kwargs) -> Callable:
    """``plot(*args, ax=ax, **kwargs)`` as a function of the axes."""
    return lambda ax: plot(*args, ax=ax, **kwargs)
