"""Sampling designs: each draws the promised distributions; Latin hypercubes stratify; Sobol covers evenly;
the same seed gives the same draws, and two scenarios share the draws of the parameters they share."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import ARTICLE
from scipy.stats import qmc

from sim import load_scenario
from sim.cli import main
from sim.experiments.run_settings import DESIGNS
from sim.sampling.draws import sample, unit_design


@pytest.mark.parametrize("design", DESIGNS)
def test_every_design_draws_within_support_and_near_the_mean(design):
    scenario = load_scenario(ARTICLE)
    draws = sample(scenario, 4096, seed=1, design=design)
    for path, quantity in scenario.quantities():
        low, high = quantity.support()
        assert draws[path].min() >= low - 1e-12 and draws[path].max() <= high + 1e-12
        if quantity.uncertain:
            spread = max(high - low, 1e-12)
            assert abs(draws[path].mean() - quantity.central()) < 0.05 * spread, path
    again = sample(scenario, 4096, seed=1, design=design)
    assert all(np.array_equal(draws[p], again[p]) for p in draws)


def test_latin_hypercube_puts_one_run_in_every_stratum():
    unit = unit_design(load_scenario(ARTICLE), 500, seed=2, design="latin_hypercube")
    strata = np.floor(unit * 500).astype(int)
    assert all(len(np.unique(column)) == 500 for column in strata.T)


def test_sobol_covers_the_cube_more_evenly_than_monte_carlo():
    scenario = load_scenario(ARTICLE)
    sobol = unit_design(scenario, 1024, seed=3, design="sobol")
    random = unit_design(scenario, 1024, seed=3, design="monte_carlo")
    assert qmc.discrepancy(sobol[:, :8]) < qmc.discrepancy(random[:, :8])


def test_shared_parameters_draw_alike_across_scenarios():
    base = sample(load_scenario(ARTICLE), 1000, seed=7)
    stalled = load_scenario(ARTICLE.parent / "ukraine_offensive_stalls.yaml")
    variant = sample(stalled, 1000, seed=7)
    assert np.array_equal(base["front.step"], variant["front.step"])
    assert not np.array_equal(base["front.p_advance"], variant["front.p_advance"])


def test_design_is_chosen_on_the_command_line_and_recorded(tmp_path):
    from sim import read_results

    assert (
        main(["run", str(ARTICLE), "--runs", "256", "--design", "sobol", "--out", str(tmp_path / "s"), "--quiet"]) == 0
    )
    assert read_results(tmp_path / "s").manifest.scenario.resolved["monte_carlo"]["design"] == "sobol"
