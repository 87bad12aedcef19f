"""Comparing scenarios with common random numbers."""

from __future__ import annotations

import pytest
from helpers import ARTICLE, SCENARIOS, write_yaml

from sim import load_scenario, run_monte_carlo
from sim.analysis import comparison, summary
from sim.cli import main
from sim.experiments import runner


def test_a_scenario_against_itself_differs_by_exactly_nothing():
    scenario = load_scenario(ARTICLE)
    runs = run_monte_carlo(scenario, runs=1500, seed=4)
    again = run_monte_carlo(load_scenario(ARTICLE), runs=1500, seed=4)
    table = comparison.scenario_differences({"a": runs, "b": again}, scenario)
    assert len(table) == len(summary.headline_measures(scenario))
    assert (table["difference"] == 0).all() and (table["hi"] - table["lo"] == 0).all()


@pytest.mark.slow
def test_common_random_numbers_narrow_the_interval_of_a_difference(article_raw, tmp_path):
    scenario = load_scenario(ARTICLE)
    base = run_monte_carlo(scenario, runs=4000, seed=5)
    article_raw["front"]["p_advance"]["low"] = 0.6
    faster = run_monte_carlo(load_scenario(write_yaml(tmp_path / "faster.yaml", article_raw)), runs=4000, seed=5)
    table = comparison.scenario_differences({"base": base, "faster": faster}, scenario).loc["faster"]
    row = table.loc["deal by the horizon (36 months)"]
    assert row["difference"] == pytest.approx(faster["deal"].mean() - base["deal"].mean(), abs=1e-12)
    assert (row["hi"] - row["lo"]) / 2 < 0.6 * row["unpaired_half_width"]
    assert row["lo"] > 0, "a faster advance brings the front to where Kyiv's line meets Moscow's demand sooner"
    quantiles = comparison.settlement_differences({"base": base, "faster": faster}, resamples=100)
    assert {"territory", "us_backstop"} <= set(quantiles.index.get_level_values("issue"))
    assert (quantiles["lo"] <= quantiles["difference"]).all() and (quantiles["difference"] <= quantiles["hi"]).all()


@pytest.mark.slow
def test_compare_scenarios_command(tmp_path, capsys):
    out = tmp_path / "both"
    assert (
        main(
            [
                "compare-scenarios",
                str(ARTICLE),
                str(SCENARIOS / "ukraine_offensive_stalls.yaml"),
                "--runs",
                "800",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "common random numbers" in text and "ukraine_offensive_stalls" in text
    assert {"deal_curves.png", "deal_curves.svg", "ecdf_territory.svg", "probability_differences.csv"} <= {
        p.name for p in out.iterdir()
    }
    assert main(["compare-scenarios", str(ARTICLE), "--out", str(tmp_path / "one")]) == 2


def test_scenarios_without_the_baselines_issues_are_refused_before_any_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "run_monte_carlo", lambda *a, **k: pytest.fail("simulated scenarios it cannot compare"))
    out = tmp_path / "both"
    files = [str(SCENARIOS / "port_strike_2024.yaml"), str(ARTICLE)]
    assert main(["compare-scenarios", *files, "--runs", "50", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "compare-scenarios: ukraine_paris_2026: lacks the baseline's issue(s) wage_increase, automation" in error
    assert not out.exists()
