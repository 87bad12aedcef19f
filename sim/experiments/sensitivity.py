"""What drives the outcome: Sobol indices over a Saltelli design, and a one-at-a-time tornado.

Both run the scenario on designed points of its uncertain parameters (``sim.experiments.runner.run_design``) and
hand the runs to ``sim.analysis.drivers``. The model's own randomness (the war's course) stays in every run,
so the indices describe the parameters' share of the outcome's variance, the rest being chance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis import drivers
from sim.errors import ScenarioError
from sim.experiments.run_settings import DEFAULT_BASE_RUNS, DEFAULT_TORNADO_RUNS, run_settings
from sim.experiments.runner import run_design, runs_fitting
from sim.progress import progress_bar
from sim.sampling.draws import one_at_a_time_design, saltelli_design
from sim.scenario.labels import parameter_labels
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Sensitivity:
    """Sobol indices and tornado swings per outcome (indexed by key path, each parameter's words in ``label``),
    and the runs behind them."""

    sobol: dict[str, pd.DataFrame]
    tornado: dict[str, pd.DataFrame]
    sobol_runs: int
    tornado_runs: int


def sensitivity(
    scenario: Scenario,
    base_runs: int = DEFAULT_BASE_RUNS,
    tornado_runs: int = DEFAULT_TORNADO_RUNS,
    seed: int | None = None,
    jobs: int = 1,
    outcomes: list[str] | None = None,
    progress: bool | None = None,
) -> Sensitivity:
    """Sobol first-order and total indices (``base_runs * (parameters + 2)`` runs) and a tornado
    (``tornado_runs`` runs at the centre and at each parameter's 5% and 95% quantile) for each outcome;
    ``progress`` shows a bar over all the runs (None: only in a terminal)."""
    _, seed = run_settings(scenario, seed=seed)
    check_fits_in_memory(scenario, base_runs, tornado_runs)
    parameters = scenario.uncertain_parameters()
    unit = saltelli_design(len(parameters), base_runs, seed)
    total = len(unit) + (2 * len(parameters) + 1) * tornado_runs
    with progress_bar(total, f"sensitivity: {scenario.name}", progress) as advance:
        return _sensitivity(scenario, unit, tornado_runs, seed, jobs, outcomes, advance)


def machine_memory_bytes() -> int:
    """The physical memory of this machine, in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_fits_in_memory(
    scenario: Scenario, base_runs: int, tornado_runs: int, memory_bytes: int | None = None
) -> None:
    """Refuse, before anything runs, a sensitivity analysis whose runs (all held in memory at once) need more than
    ``memory_bytes`` (default: this machine's memory) by :func:`sim.experiments.runner.runs_fitting`."""
    memory = machine_memory_bytes() if memory_bytes is None else memory_bytes
    most = runs_fitting(scenario, memory)
    parameters = len(scenario.uncertain_parameters())
    sobol, points = base_runs * (parameters + 2), 2 * parameters + 1
    tornado = points * tornado_runs
    if sobol + tornado <= most:
        return
    held = f"all held in memory at once; {memory / 2**30:.1f} GB holds about {most:,} runs of this scenario"
    if tornado >= most:
        made = f"{tornado:,} runs ({points} points x {tornado_runs:,})"
        fitting = max(0, most - sobol) // points
        raise ScenarioError(
            "--tornado-runs", [(f"{tornado_runs:,}", f"makes {made}, {held}: give at most {fitting:,}")]
        )
    made = f"{sobol + tornado:,} runs ({base_runs:,} x ({parameters} parameters + 2), and {tornado:,} for the tornado)"
    fitting = (most - tornado) // (parameters + 2)
    raise ScenarioError("--base-runs", [(f"{base_runs:,}", f"makes {made}, {held}: give at most {fitting:,}")])


def labelled(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The table (indexed by key path) with each parameter's words in a first column, ``label``."""
    out = table.copy()
    out.insert(0, "label", [labels.get(path, path) for path in table.index])
    return out


def _sensitivity(
    scenario: Scenario, unit: np.ndarray, tornado_runs: int, seed: int, jobs: int, outcomes: list[str] | None, advance
) -> Sensitivity:
    parameters = scenario.uncertain_parameters()
    width = len(parameters) + 2
    # SALib lays out each base point's A, AB_1..AB_D, B rows together; run them as blocks so that every
    # variant of a base point meets the same chance in the war, then restore SALib's order.
    by_variant = unit.reshape(-1, width, len(parameters)).transpose(1, 0, 2).reshape(-1, len(parameters))
    variant_runs = run_design(scenario, by_variant, seed, jobs, block_runs=len(by_variant) // width, on_chunk=advance)
    order = np.arange(len(unit)).reshape(width, -1).T.reshape(-1)
    design_runs = variant_runs.iloc[order].reset_index(drop=True)
    values = drivers.sensitivity_outcomes(design_runs, scenario)
    chosen = outcomes or [c for c in values.columns if values[c].std() > 0]
    unknown = sorted(set(chosen) - set(values.columns))
    if unknown:
        raise ValueError(f"unknown outcome(s) {', '.join(unknown)}; choose from {', '.join(values.columns)}")
    labels = parameter_labels(scenario, parameters)
    sobol = {name: labelled(drivers.sobol_indices(values[name], parameters, seed), labels) for name in chosen}
    centre_and_swings = one_at_a_time_design(len(parameters)).repeat(tornado_runs, axis=0)
    swings = run_design(scenario, centre_and_swings, seed, jobs, block_runs=tornado_runs, on_chunk=advance)
    blocks = [swings.iloc[k : k + tornado_runs] for k in range(0, len(swings), tornado_runs)]
    tornado = {name: labelled(drivers.tornado(blocks, parameters, name, scenario), labels) for name in chosen}
    return Sensitivity(sobol, tornado, len(design_runs), len(swings))
