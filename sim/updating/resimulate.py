"""Re-creating what a results folder's runs went through, where the stored outcome columns do not say it:
each chunk is drawn and simulated again exactly as ``sim run`` (or ``sim update --resample``) made it,
from the manifest, and only the states the evidence needs are kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.experiments.runner import draw_chunk
from sim.model import simulate_history
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.experiments.manifest import Manifest


def fronts_at(
    scenario: Scenario,
    manifest: Manifest,
    wanted: list[tuple[str, pd.Timestamp]],
    units: np.ndarray | None = None,
    on_chunk: Callable[[int], object] | None = None,
) -> dict[tuple[str, pd.Timestamp], np.ndarray]:
    """The front's share of each region at each wanted date, per run (run_id order): linear between the
    states at the ends of the rounds around the date, re-simulated exactly (``on_chunk(runs)`` after each chunk)."""
    if not wanted:
        return {}
    settings = scenario.model
    ends = settings.dates_after(np.arange(settings.horizon_rounds + 1))
    last_round = int(np.searchsorted(ends, max(date for _, date in wanted), side="left"))
    parts: dict[tuple[str, pd.Timestamp], list[np.ndarray]] = {key: [] for key in wanted}
    plan = manifest.plan()
    shortened = cut_short(scenario, last_round)
    for chunk in plan:
        draws, dynamics = draw_chunk(scenario, manifest.seed, chunk, units)
        _, history = simulate_history(shortened, draws, dynamics)
        for region in {region for region, _ in wanted}:
            states = _states(
                history, draws[f"front.regions.{region}.initial"], f"front_{region}", chunk.runs, last_round
            )
            for date in (d for r, d in wanted if r == region):
                k = int(np.clip(np.searchsorted(ends, date, side="right") - 1, 0, len(ends) - 2))
                share = (date - ends[k]) / (ends[k + 1] - ends[k])
                parts[(region, date)].append(states[k] + share * (states[k + 1] - states[k]))
        if on_chunk is not None:
            on_chunk(chunk.runs)
    return {key: np.concatenate(values) for key, values in parts.items()}


def cut_short(scenario: Scenario, last_round: int) -> Scenario:
    """The scenario run only as far as the evidence needs: to ``last_round`` and as many rounds again as its
    protocols look ahead (alternating offers solve the next rounds backwards, up to the horizon), so that every
    round up to ``last_round`` is exactly as in the full run."""
    variants = [scenario.with_structure(picks) for picks in scenario.structures()] if scenario.structure else [scenario]
    lookahead = max(getattr(variant.model.mechanism, "lookahead", 0) for variant in variants)
    rounds = min(scenario.model.horizon_rounds, last_round + 1 + lookahead)
    return scenario.model_copy(update={"model": scenario.model.model_copy(update={"horizon_rounds": rounds})})


def _states(history: pd.DataFrame, initial: np.ndarray, column: str, runs: int, last_round: int) -> np.ndarray:
    """``[rounds + 1, runs]``: the start, then the state at the end of each round up to ``last_round``
    (a run whose model stopped earlier keeps its last state)."""
    states = np.full((last_round + 2, runs), np.nan)
    states[0] = initial
    kept = history[history["round"] <= last_round]
    states[kept["round"].to_numpy() + 1, kept["run"].to_numpy()] = kept[column].to_numpy()
    return pd.DataFrame(states).ffill().to_numpy()
