"""Sensitivity analysis: indices that are right where the answer is known, and the command."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import ARTICLE, two_sided, write_yaml

from sim import load_scenario
from sim.cli import main
from sim.errors import ScenarioError
from sim.experiments.runner import run_design
from sim.experiments.sensitivity import check_fits_in_memory, sensitivity


def no_war(tmp_path):
    stance = {"issues": {"water": {"position": 0.5, "salience": 1.0}, "land": {"position": 0.5, "salience": 1.0}}}
    raw = {
        "name": "two numbers, no war",
        "issues": {
            "water": {
                "low_means": "none",
                "high_means": "all",
                "no_deal": {"dist": "uniform", "low": 0.2, "high": 0.8},
            },
            "land": {"low_means": "none", "high_means": "all", "no_deal": {"dist": "uniform", "low": 0.0, "high": 0.5}},
        },
        "actors": {"a": {"capability": {"dist": "uniform", "low": 1, "high": 2}, **stance}},
        "model": {"start_date": "2026-01-01", "horizon_rounds": 2, "mechanism": {"kind": "none"}},
    }
    return load_scenario(write_yaml(tmp_path / "nowar.yaml", raw))


def test_indices_and_swings_where_each_outcome_depends_on_one_parameter(tmp_path):
    result = sensitivity(
        no_war(tmp_path), base_runs=1024, tornado_runs=10, seed=1, outcomes=["outcome_water", "outcome_land"]
    )
    water = result.sobol["outcome_water"]
    assert water.loc["issues.water.no_deal", "first_order"] == pytest.approx(1.0, abs=0.05)
    assert water.loc["issues.water.no_deal", "total"] == pytest.approx(1.0, abs=0.05)
    assert water.drop("issues.water.no_deal")["total"].abs().max() < 0.01
    swings = result.tornado["outcome_land"]
    assert swings.loc["issues.land.no_deal", "swing"] == pytest.approx(0.45, abs=1e-9)
    assert swings.drop("issues.land.no_deal")["swing"].max() == 0


def test_chance_in_the_war_does_not_show_up_as_an_irrelevant_parameters_effect(tmp_path):
    raw = two_sided(
        {"dist": "uniform", "low": 0.3, "high": 0.7}, 0.5, {"dist": "uniform", "low": 0.01, "high": 0.03}, horizon=24
    )
    raw["actors"]["b"]["capability"] = {"dist": "uniform", "low": 1, "high": 5}
    result = sensitivity(
        load_scenario(write_yaml(tmp_path / "war.yaml", raw)),
        base_runs=1024,
        tornado_runs=200,
        seed=2,
        outcomes=["outcome_share"],
    )
    indices = result.sobol["outcome_share"]
    assert indices.index[0] == "front.p_advance"
    assert indices.loc["actors.b.capability", "total"] < 0.02


@pytest.mark.slow
def test_sensitivity_command(tmp_path, capsys):
    out = tmp_path / "sens"
    assert (
        main(
            [
                "sensitivity",
                str(ARTICLE),
                "--base-runs",
                "16",
                "--tornado-runs",
                "20",
                "--outcomes",
                "deal",
                "--out",
                str(out),
                "--top",
                "5",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "deal: parameters ranked by total Sobol index" in text
    assert {"sobol_deal.png", "sobol_deal.svg", "tornado_deal.png", "tornado_deal.svg", "sobol_deal.csv"} <= {
        p.name for p in out.iterdir()
    }
    assert (
        main(
            [
                "sensitivity",
                str(ARTICLE),
                "--outcomes",
                "happiness",
                "--base-runs",
                "8",
                "--tornado-runs",
                "2",
                "--out",
                str(tmp_path / "bad"),
            ]
        )
        == 2
    )
    assert "unknown outcome(s) happiness" in capsys.readouterr().err


def test_design_blocks_simulated_side_by_side_give_each_run_the_outcome_it_has_alone():
    scenario = load_scenario(ARTICLE)
    unit = np.random.default_rng(4).random((3 * 40, len(scenario.uncertain_parameters())))
    together = run_design(scenario, unit, seed=9, block_runs=40)
    alone = pd.concat(
        [
            run_design(scenario, unit[k : k + 40], seed=9, block_runs=40).assign(run_id=lambda t, k=k: t["run_id"] + k)
            for k in range(0, len(unit), 40)
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(together, alone, check_exact=False, rtol=1e-12, atol=1e-12)
    assert together["deal"].any() and not together["deal"].all()


@pytest.mark.parametrize("flag, base_runs, tornado_runs", [("--base-runs", 10**6, 10), ("--tornado-runs", 10, 10**6)])
def test_runs_past_memory_are_refused_with_the_most_that_fits(tmp_path, flag, base_runs, tornado_runs):
    scenario = no_war(tmp_path)  # three parameters: N x 5 Sobol runs, 7 tornado points
    with pytest.raises(ScenarioError) as refused:
        check_fits_in_memory(scenario, base_runs, tornado_runs, memory_bytes=2**30)
    assert str(refused.value).startswith(f"{flag}: ") and "held in memory at once" in str(refused.value)
    most = int(str(refused.value).rsplit("give at most ", 1)[1].replace(",", ""))
    fitting = {"--base-runs": [most, tornado_runs], "--tornado-runs": [base_runs, most]}[flag]
    check_fits_in_memory(scenario, *fitting, memory_bytes=2**30)
    one_more = [fitting[0] + 1, fitting[1]] if flag == "--base-runs" else [fitting[0], fitting[1] + 1]
    with pytest.raises(ScenarioError):
        check_fits_in_memory(scenario, *one_more, memory_bytes=2**30)
