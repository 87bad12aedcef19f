"""What the model takes from Mesa (its step count, run loop and agent set) and what it works around (the agents' id
registry, the start method importing Mesa sets)."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref

import mesa
import numpy as np
from helpers import ARTICLE, two_sided, write_yaml

from sim import load_scenario
from sim.experiments.runner import _local_pool
from sim.model import NegotiationModel, build_inputs, simulate
from sim.model.agents import ActorAgent, release_model
from sim.model.noise import RoundNoise
from sim.sampling.draws import sample
from sim.sampling.rng import dynamics_generator


def _model(scenario, runs: int = 200, seed: int = 3) -> NegotiationModel:
    """A model of one chunk of a scenario without events or structures, as :func:`sim.model.simulate` builds it."""
    draws = sample(scenario, runs, seed)
    regions = len(scenario.front.regions) if scenario.front else 0
    noise = RoundNoise(dynamics_generator(seed, 0), runs, (), regions)
    return NegotiationModel(build_inputs(scenario, draws), noise)


def test_mesa_counts_the_rounds_and_runs_the_model_as_simulate_does(tmp_path):
    raw = two_sided({"dist": "uniform", "low": 0.4, "high": 0.6}, 0.5, 0.25, horizon=600)
    scenario = load_scenario(write_yaml(tmp_path / "war.yaml", raw))
    model = _model(scenario)
    assert model.steps == 0 and model.running
    model.run_model()
    expected = simulate(scenario, sample(scenario, 200, 3), dynamics_generator(3, 0))
    # Every run is decided by the fighting before the horizon; the model stops in the round the last one is.
    last = int(np.nanmax(expected["months_to_decision"]))
    assert model.steps == last and not model.running
    assert np.array_equal(model.decided, expected["decided_by_fighting"])
    assert [agent.name for agent in model.agents] == ["a", "b"]
    assert list(model.agents_by_type) == [ActorAgent]
    assert [agent.name for agent in model.veto_holders] == ["a", "b"]


def test_a_finished_model_is_released_from_mesas_id_registry(tmp_path):
    scenario = load_scenario(write_yaml(tmp_path / "war.yaml", two_sided(0.5, 0.5, 0.1, horizon=6)))
    kept = _model(scenario)
    alive = weakref.ref(kept)
    del kept
    gc.collect()
    assert alive() is not None, "Mesa's registry keeps a model alive: the reason for release_model"
    release_model(alive())
    gc.collect()
    assert alive() is None
    before = len(mesa.Agent._ids)
    simulate(scenario, sample(scenario, 50, 1), dynamics_generator(1, 0))
    assert len(mesa.Agent._ids) == before, "simulate lets go of every model it made"


def test_a_released_model_frees_its_arrays_without_the_cycle_collector(tmp_path):
    scenario = load_scenario(write_yaml(tmp_path / "war.yaml", two_sided(0.5, 0.5, 0.1, horizon=6)))
    model = _model(scenario)
    model.run_model()
    decided = weakref.ref(model.decided)
    gc.disable()
    try:
        release_model(model)
        del model
        assert decided() is None, "the chunk's arrays go with the model, not at the next cycle collection"
    finally:
        gc.enable()


def test_importing_mesa_makes_spawn_the_default_and_the_pool_asks_for_spawn_itself():
    code = (
        "import multiprocessing; multiprocessing.set_start_method('fork'); import sim.model; "
        "print(multiprocessing.get_start_method())"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ARTICLE.parent)
    assert shown.stdout.strip() == "spawn"
    with _local_pool(1) as pool:
        assert pool._ctx.get_start_method() == "spawn"
        assert pool.apply(int, ("7",)) == 7
