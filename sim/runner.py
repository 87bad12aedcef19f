"""Monte Carlo orchestration: split the runs into seeded chunks, simulate them (in processes if asked),
and gather one row per run. Each chunk has its own random streams, keyed by its index, so the
results are the same whatever the number of processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pandas as pd

from sim.model import simulate
from sim.rng import chunk_generators
from sim.sampling import sample
from sim.scenario import Scenario


@dataclass(frozen=True)
class Chunk:
    """Runs ``first`` to ``first + runs - 1`` of a Monte Carlo run, the ``index``-th chunk."""

    index: int
    first: int
    runs: int


def chunks(runs: int, chunk_runs: int) -> list[Chunk]:
    """Split ``runs`` into chunks of ``chunk_runs`` (the last may be smaller)."""
    return [Chunk(i, first, min(chunk_runs, runs - first)) for i, first in enumerate(range(0, runs, chunk_runs))]


def run_chunk(scenario: Scenario, seed: int, chunk: Chunk) -> pd.DataFrame:
    """Draw and simulate one chunk: a row per run with ``run_id``, the uncertain parameters and the outcomes."""
    parameters_rng, dynamics_rng = chunk_generators(seed, chunk.index)
    draws = sample(scenario, chunk.runs, parameters_rng)
    columns = {"run_id": range(chunk.first, chunk.first + chunk.runs)}
    columns |= {path: draws[path] for path in scenario.uncertain_parameters()}
    columns |= simulate(scenario, draws, dynamics_rng)
    return pd.DataFrame(columns)


def iter_chunks(scenario: Scenario, runs: int, seed: int, jobs: int = 1) -> Iterator[pd.DataFrame]:
    """Simulate every chunk, yielding them in order; ``jobs > 1`` uses that many processes."""
    plan = chunks(runs, scenario.monte_carlo.chunk_runs)
    if jobs <= 1 or len(plan) == 1:
        for chunk in plan:
            yield run_chunk(scenario, seed, chunk)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(run_chunk, scenario, seed, chunk) for chunk in plan]
        for future in futures:
            yield future.result()


def run_monte_carlo(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    on_chunk: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Run the scenario ``runs`` times (default: the file's) from ``seed``; one row per run.

    ``on_chunk`` is called with the number of runs each finished chunk adds (for progress bars).
    """
    runs = scenario.monte_carlo.runs if runs is None else runs
    seed = scenario.monte_carlo.seed if seed is None else seed
    frames = []
    for frame in iter_chunks(scenario, runs, seed, jobs):
        frames.append(frame)
        if on_chunk is not None:
            on_chunk(len(frame))
    table = pd.concat(frames, ignore_index=True)
    table["outcome"] = pd.Categorical(table["outcome"])
    return table
