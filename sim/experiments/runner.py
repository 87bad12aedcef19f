"""Monte Carlo orchestration: split the runs into seeded chunks, simulate them here, in local processes
or on a Dask cluster, and hand each finished chunk on (to memory, or to a results folder).

Each chunk has its own random streams, keyed by its index, so results never depend on the number of
processes, the backend, or the order in which chunks finish.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import multiprocessing.pool
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ScenarioError, Stopped
from sim.experiments.run_settings import DEFAULT_MAX_RUNS, DEFAULT_MEMORY_GB, run_settings
from sim.model import simulate, simulate_history, solve
from sim.progress import progress_bar
from sim.registry.models import PROTOCOLS
from sim.sampling.draws import draws_from_unit, sample
from sim.sampling.rng import dynamics_generator
from sim.scenario.schema import Scenario

SCHEDULER_TIMEOUT = 10
"""Seconds to wait for a Dask scheduler before refusing it."""
_PROCESS_BYTES = 400 * 2**20  # the interpreter, numpy, pandas, pyarrow, Mesa and numba's compiler, before any run


def bytes_per_run(scenario: Scenario) -> int:
    """Peak memory one run adds to a chunk, simulated and written to Parquet (``benchmarks/bench_memory.py``
    measures it: about 55 bytes per uncertain parameter; the estimate leaves a margin)."""
    return 2048 + 60 * len(scenario.uncertain_parameters()) + 16 * len(scenario.actors) * len(scenario.issues)


def runs_fitting(scenario: Scenario, memory_bytes: float) -> int:
    """How many runs of ``scenario`` fit in ``memory_bytes`` beside the process itself (:func:`bytes_per_run`)."""
    return max(0, int((memory_bytes - _PROCESS_BYTES) // bytes_per_run(scenario)))


def fit_to_memory(scenario: Scenario, memory_gb: float = DEFAULT_MEMORY_GB) -> Scenario:
    """The scenario with chunks small enough for one process to stay within ``memory_gb`` (unchanged if its
    own ``monte_carlo.chunk_runs`` fits). The chunk size is part of the run: it is recorded in the manifest."""
    fitting = runs_fitting(scenario, memory_gb * 2**30)
    if not fitting:
        needed = (_PROCESS_BYTES + bytes_per_run(scenario)) / 2**30
        raise ScenarioError(
            "--memory", [(f"{memory_gb:g}", f"too little for one run of this scenario (needs {needed:.2f} GB)")]
        )
    if fitting >= scenario.monte_carlo.chunk_runs:
        return scenario
    return scenario.model_copy(update={"monte_carlo": scenario.monte_carlo.model_copy(update={"chunk_runs": fitting})})


MAX_CHUNKS = 20_000
"""The most chunks one run may have: the manifest lists each, and is rewritten as each finishes."""


def chunk_count(runs: int, chunk_runs: int, requested: int | None = None) -> int:
    """How many chunks :func:`chunks` makes, counted without listing them."""
    first_part = runs if requested is None else min(requested, runs)
    return -(-first_part // chunk_runs) + -(-(runs - first_part) // chunk_runs)


def check_plan_size(runs: int, chunk_runs: int) -> None:
    """Refuse a run that would need more than :data:`MAX_CHUNKS` chunks, before any is planned."""
    needed = chunk_count(runs, chunk_runs)
    if needed > MAX_CHUNKS:
        raise ScenarioError(
            "--runs",
            [
                (
                    f"{runs:,}",
                    f"needs {needed:,} chunks of {chunk_runs:,} runs, more than "
                    f"{MAX_CHUNKS:,}; ask for fewer runs or larger chunks "
                    "(--set monte_carlo.chunk_runs=N, within --memory)",
                )
            ],
        )


@dataclass(frozen=True)
class Chunk:
    """Runs ``first`` to ``first + runs - 1`` of a Monte Carlo run, the ``index``-th chunk."""

    index: int
    first: int
    runs: int


def chunks(runs: int, chunk_runs: int, requested: int | None = None) -> list[Chunk]:
    """Split ``runs`` into chunks of ``chunk_runs``. With ``requested`` (a run extended by ``--until-ci``),
    the first ``requested`` runs are split as they were asked for and the rest follow in whole chunks."""
    first_part = runs if requested is None else min(requested, runs)
    plan = [
        Chunk(i, first, min(chunk_runs, first_part - first)) for i, first in enumerate(range(0, first_part, chunk_runs))
    ]
    for first in range(first_part, runs, chunk_runs):
        plan.append(Chunk(len(plan), first, min(chunk_runs, runs - first)))
    return plan


def draw_chunk(scenario: Scenario, seed: int, chunk: Chunk, units: np.ndarray | None = None):
    """One chunk's numbers and its stream of the model's own randomness: drawn by the scenario's design, or from
    ``units``, a whole run's points in the unit cube (an ensemble drawn from a design of its own, such as a posterior)."""
    if units is not None:
        draws = draws_from_unit(scenario, units[chunk.first : chunk.first + chunk.runs])
    else:
        draws = sample(scenario, chunk.runs, seed, chunk.index, scenario.monte_carlo.design)
    return draws, dynamics_generator(seed, chunk.index)


def run_chunk(scenario: Scenario, seed: int, chunk: Chunk) -> pd.DataFrame:
    """Draw and simulate one chunk: a row per run with ``run_id``, the uncertain parameters and the outcomes."""
    draws, dynamics_rng = draw_chunk(scenario, seed, chunk)
    columns: dict[str, Any] = {"run_id": range(chunk.first, chunk.first + chunk.runs)}
    columns |= {path: draws[path] for path in scenario.uncertain_parameters()}
    columns |= simulate(scenario, draws, dynamics_rng)
    return pd.DataFrame(columns)


def replay_run(
    scenario: Scenario, seed: int, runs: int, run_id: int, requested: int | None = None, units: np.ndarray | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """Re-simulate the chunk holding ``run_id`` (from ``units`` if the run had a design of its own) and return that
    run's round-by-round history and outcome row."""
    chunk = next(
        c for c in chunks(runs, scenario.monte_carlo.chunk_runs, requested) if c.first <= run_id < c.first + c.runs
    )
    draws, dynamics_rng = draw_chunk(scenario, seed, chunk, units)
    outcomes, history = simulate_history(scenario, draws, dynamics_rng)
    position = run_id - chunk.first
    row = pd.Series(
        {"run_id": run_id}
        | {path: draws[path][position] for path in scenario.uncertain_parameters()}
        | {name: values[position] for name, values in outcomes.items()}
    )
    return history[history["run"] == position].drop(columns="run").reset_index(drop=True), row


def _worker_start(parent: int) -> None:
    """In each local worker: leave Ctrl-C to the parent, and die with the parent however it ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the kernel kills us when the parent dies
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def worker_pool(jobs: int) -> multiprocessing.pool.Pool:
    """A pool of ``jobs`` spawned local processes that ignore Ctrl-C (left to this process) and die with it. Linux
    ties them to the *thread* that starts the pool: start a long-lived pool from the main thread.

    The start method is named here rather than left to the default: importing Mesa (its ``batchrunner``) switches the
    whole program's default to ``spawn``, so the default would depend on whether the model was imported first.
    ``import sim`` and the command line's parsing import no Mesa, so that a program importing ``sim`` keeps its own.
    """
    return multiprocessing.get_context("spawn").Pool(jobs, initializer=_worker_start, initargs=(os.getpid(),))


@contextmanager
def _local_pool(jobs: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of ``jobs`` spawned processes that ends at once, its workers with it, if its user is interrupted."""
    pool = worker_pool(jobs)
    try:
        yield pool
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()


def _ready(pending: list[multiprocessing.pool.AsyncResult], timeout: float) -> set[multiprocessing.pool.AsyncResult]:
    """The tasks done within ``timeout`` seconds (waiting on the oldest: tasks finish roughly in order)."""
    pending[0].wait(timeout)
    return {task for task in pending if task.ready()}


def check_backend(backend: str, scheduler: str | None) -> None:
    """Refuse, before anything is written, a backend that is not installed or a scheduler that cannot be reached."""
    if backend != "dask":
        return
    try:
        from dask.distributed import Client
    except ImportError:
        raise ScenarioError(
            "--backend", [("dask", "needs the cluster extra: python -m pip install -e '.[cluster]'")]
        ) from None
    if scheduler:
        import logging

        quiet = logging.getLogger("distributed")
        level, quiet.level = quiet.level, logging.CRITICAL
        try:
            Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT}s").close()
        except (OSError, TimeoutError, ValueError) as error:
            raise ScenarioError(
                "--scheduler", [(scheduler, f"cannot reach a Dask scheduler there ({error})")]
            ) from None
        finally:
            quiet.level = level


@contextmanager
def _signals_noted() -> Iterator[list[int]]:
    """While chunks run, SIGINT and SIGTERM are noted (to be acted on between chunks or waits) rather than raised in
    the middle of a pool's own calls, where an exception could leave its locks held, or of compiled code, which
    cannot pass it on."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = {
        s: signal.signal(s, lambda signum, _frame: received.append(signum)) for s in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _dask_wait_first(pending: list, timeout: float) -> set:
    from dask.distributed import wait as dask_wait

    try:
        return dask_wait(pending, timeout=timeout, return_when="FIRST_COMPLETED").done
    except TimeoutError:
        return set()


@contextmanager
def _pool(backend: str, jobs: int, scheduler: str | None, kept: multiprocessing.pool.Pool | None = None):
    """(submit, wait_first, result_of) for a pool of ``jobs`` local processes (``kept``, its caller's, left running
    afterwards; else one of its own) or a Dask cluster; ``wait_first(pending, timeout)`` returns the tasks done
    within ``timeout`` seconds."""
    if kept is not None:
        yield lambda fn, *args: kept.apply_async(fn, args), _ready, lambda task: task.get()
    elif backend == "dask":
        from dask.distributed import Client, LocalCluster

        cluster = (
            None
            if scheduler
            else LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        )
        client = Client(scheduler or cluster)
        try:
            yield (
                lambda fn, *args: client.submit(fn, *args, pure=False),
                _dask_wait_first,
                lambda future: future.result(),
            )
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    else:
        with _local_pool(jobs) as pool:
            yield lambda fn, *args: pool.apply_async(fn, args), _ready, lambda task: task.get()


def iter_chunks(
    scenario: Scenario,
    plan: Iterable[Chunk],
    seed: int,
    jobs: int = 1,
    backend: str = "processes",
    scheduler: str | None = None,
    pool: multiprocessing.pool.Pool | None = None,
) -> Iterator[tuple[Chunk, pd.DataFrame]]:
    """Simulate every chunk of ``plan``, yielding ``(chunk, table)`` as each finishes: here, or on ``jobs``
    processes (``pool``: a :func:`worker_pool` of that many kept by the caller, which saves starting them).

    At most two chunks per worker are in flight, so memory does not grow with the number of runs. SIGINT or SIGTERM
    raises :class:`Stopped`: here, once the chunk under way is done and handed on; with a pool, at once (its workers
    stop too, unless they are the caller's). Off the main thread, which alone receives signals, they are left to the
    program.
    """
    plan = list(plan)
    if backend == "processes" and (jobs <= 1 or len(plan) <= 1):
        with _signals_noted() as received:
            for chunk in plan:
                yield chunk, run_chunk(scenario, seed, chunk)
                if received:
                    raise Stopped(received[0])
        return
    with _signals_noted() as received, _pool(backend, jobs, scheduler, pool) as (submit, wait_first, result_of):
        queue = iter(plan)
        pending = {submit(run_chunk, scenario, seed, chunk): chunk for chunk in itertools.islice(queue, 2 * jobs)}
        while pending:
            finished = wait_first(list(pending), 0.2)
            if received:
                raise Stopped(received[0])
            for future in finished:
                chunk = pending.pop(future)
                table = result_of(future)
                following = next(queue, None)
                if following is not None:
                    pending[submit(run_chunk, scenario, seed, following)] = following
                yield chunk, table
        if received:
            raise Stopped(received[0])


@dataclass(frozen=True)
class RunPlan:
    """How a scenario is run, settled once: the scenario (its chunks small enough for one process's memory), the runs
    and seed, where the chunks run, and with ``until_ci`` the headline intervals' target width and the most runs."""

    scenario: Scenario
    runs: int
    seed: int
    jobs: int = 1
    backend: str = "processes"
    scheduler: str | None = None
    until_ci: float | None = None
    max_runs: int = DEFAULT_MAX_RUNS


def plan_run(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    backend: str = "processes",
    scheduler: str | None = None,
    until_ci: float | None = None,
    max_runs: int = DEFAULT_MAX_RUNS,
    memory_gb: float = DEFAULT_MEMORY_GB,
) -> RunPlan:
    """The run plan of ``scenario`` with these overrides: runs and seed default to the file's ``monte_carlo``; chunks
    are made smaller if one process would need more than ``memory_gb``."""
    fitted = fit_to_memory(scenario, memory_gb)
    return RunPlan(fitted, *run_settings(scenario, runs, seed), jobs, backend, scheduler, until_ci, max_runs)


def run_monte_carlo(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    on_chunk: Callable[[int], None] | None = None,
    progress: bool | None = None,
    memory_gb: float = DEFAULT_MEMORY_GB,
    pool: multiprocessing.pool.Pool | None = None,
) -> pd.DataFrame:
    """Run the scenario ``runs`` times (default: the file's) from ``seed``, in memory; one row per run
    (in chunks that keep each process within ``memory_gb``), on ``jobs`` processes (``pool``: a
    :func:`worker_pool` of that many kept by the caller from one run to the next).

    ``on_chunk`` is called with the number of runs each finished chunk adds; ``progress`` shows a bar
    (None: only in a terminal). For runs too many to hold in memory, use :func:`sim.experiments.folder_runs.run_to_folder`.
    """
    plan = plan_run(scenario, runs, seed, jobs, memory_gb=memory_gb)
    size = plan.scenario.monte_carlo.chunk_runs
    tables = {}
    with progress_bar(plan.runs, scenario.name, progress) as advance:
        for chunk, table in iter_chunks(plan.scenario, chunks(plan.runs, size), plan.seed, jobs, pool=pool):
            tables[chunk.index] = table
            advance(len(table))
            if on_chunk is not None:
                on_chunk(len(table))
    return pd.concat([tables[i] for i in sorted(tables)], ignore_index=True)


def solve_chunk(scenario: Scenario, seed: int, chunk: Chunk, solution: str) -> pd.DataFrame:
    """A static solution for one chunk, from the same draws as :func:`run_chunk`."""
    draws, dynamics_rng = draw_chunk(scenario, seed, chunk)
    columns: dict[str, Any] = {"run_id": range(chunk.first, chunk.first + chunk.runs)}
    return pd.DataFrame(columns | solve(scenario, draws, dynamics_rng, solution))


def run_models(
    scenario: Scenario,
    models: list[str],
    runs: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    progress: bool | None = None,
) -> dict[str, pd.DataFrame]:
    """Each model on the same scenario, runs and seed (so the same draws): a table per model (``progress``:
    a bar over all of them; None: only in a terminal)."""
    runs, seed = run_settings(scenario, runs, seed)
    tables = {}
    with progress_bar(runs * len(models), f"{len(models)} models", progress) as advance:
        for name in models:
            if name in PROTOCOLS:
                tables[name] = run_monte_carlo(
                    scenario.with_mechanism(name), runs=runs, seed=seed, jobs=jobs, on_chunk=advance, progress=False
                )
            else:
                plan = chunks(runs, scenario.monte_carlo.chunk_runs)
                tables[name] = pd.concat(
                    [solve_chunk(scenario, seed, chunk, name) for chunk in plan], ignore_index=True
                )
                advance(runs)
    return tables


def run_design(
    scenario: Scenario,
    unit: np.ndarray,
    seed: int,
    jobs: int = 1,
    block_runs: int | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Simulate one run per row of ``unit`` (points in the unit cube, columns in the order of
    ``uncertain_parameters()``), in chunks of the scenario's size; ``on_chunk`` is called with each
    finished chunk's number of runs.

    With ``block_runs`` the design is a sequence of blocks of that many rows, and the k-th run of every
    block meets the same chance in the war (common random numbers), so blocks differ only by design. Blocks
    smaller than a chunk are simulated several to a chunk (each run's outcome is the same either way).
    """
    size = scenario.monte_carlo.chunk_runs
    blocks = block_runs or len(unit)
    parts: list[tuple[int, int, int]] = []  # stream, first row, rows
    for start in range(0, len(unit), blocks):
        for index, first in enumerate(range(start, min(start + blocks, len(unit)), size)):
            parts.append((index if block_runs else len(parts), first, min(first + size, start + blocks) - first))
    batches = [(stream, _rows(batch), _lanes(batch)) for stream, batch in _batches(parts, size)]
    arguments = ((scenario, seed, stream, unit[rows], rows, lanes) for stream, rows, lanes in batches)

    def counted(table: pd.DataFrame) -> pd.DataFrame:
        if on_chunk is not None:
            on_chunk(len(table))
        return table

    if jobs > 1 and len(batches) > 1:
        with _local_pool(jobs) as pool:
            tables = [counted(table) for table in pool.imap(_star_design_chunk, arguments)]
    else:
        tables = [counted(_design_chunk(*each)) for each in arguments]
    return pd.concat(tables).sort_values("run_id", kind="stable", ignore_index=True)


def _batches(parts: list[tuple[int, int, int]], size: int) -> Iterator[tuple[int, list[tuple[int, int, int]]]]:
    """Design parts that draw the same stream and have the same length, grouped up to ``size`` rows a batch."""
    alike: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for part in parts:
        alike.setdefault((part[0], part[2]), []).append(part)
    for (stream, rows), group in alike.items():
        per_batch = max(1, size // rows)
        for k in range(0, len(group), per_batch):
            yield stream, group[k : k + per_batch]


def _rows(batch: list[tuple[int, int, int]]) -> np.ndarray:
    """The design rows of a batch of parts, in order."""
    return np.concatenate([np.arange(first, first + rows) for _, first, rows in batch])


def _lanes(batch: list[tuple[int, int, int]]) -> np.ndarray | None:
    """Which run of its part each row of a batch is: the column of the war's chance it reads (None for one part)."""
    return np.concatenate([np.arange(rows) for _, _, rows in batch]) if len(batch) > 1 else None


def _star_design_chunk(arguments: tuple) -> pd.DataFrame:
    return _design_chunk(*arguments)


def _design_chunk(
    scenario: Scenario, seed: int, stream: int, unit: np.ndarray, rows: np.ndarray, lanes: np.ndarray | None
) -> pd.DataFrame:
    draws = draws_from_unit(scenario, unit)
    columns: dict[str, Any] = {"run_id": rows}
    columns |= {path: draws[path] for path in scenario.uncertain_parameters()}
    columns |= simulate(scenario, draws, dynamics_generator(seed, stream), lanes)
    return pd.DataFrame(columns)


def history_sample(scenario: Scenario, seed: int, runs: int, units: np.ndarray | None = None) -> pd.DataFrame:
    """Round-by-round history of the first chunk of a Monte Carlo run (re-simulated exactly, from ``units`` if the
    run had a design of its own), with ``run_id``."""
    chunk = chunks(runs, scenario.monte_carlo.chunk_runs)[0]
    draws, dynamics_rng = draw_chunk(scenario, seed, chunk, units)
    _, history = simulate_history(scenario, draws, dynamics_rng)
    return history.rename(columns={"run": "run_id"}).assign(run_id=lambda h: h["run_id"] + chunk.first)
