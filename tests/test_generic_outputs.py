"""Negotiations other than a war: outputs in the scenario's words, and no crash at a share of 0% or 100%."""

from __future__ import annotations

import re

import matplotlib
import pandas as pd
import pytest
from conftest import SCENARIOS, write_yaml

from sim import analysis, load_scenario, plots, run_monte_carlo
from sim.cli import main
from sim.model.outcomes import outcome_classes
from sim.results import read_results

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PORT = SCENARIOS / "port_strike_2024.yaml"
IRAN = SCENARIOS / "iran_nuclear_talks_2015.yaml"
WAR_WORDS = re.compile(r"\b(front|fighting|military|ceasefire|war|breaks down|broke down)\b", re.IGNORECASE)


def agreeing(tmp_path, mechanism: str) -> object:
    """Two parties who want the same: with a mediator every run deals at once; without one, none does."""
    stance = {"issues": {"price": {"position": 0.5, "salience": 1.0}}}
    raw = {
        "name": "two who agree",
        "issues": {"price": {"low_means": "low", "high_means": "high", "no_deal": {"dist": "uniform", "low": 0.0, "high": 0.2}}},
        "actors": {"a": {"veto": True, "capability": 1.0, **stance}, "b": {"veto": True, "capability": 1.0, **stance}},
        "model": {"start_date": "2026-01-01", "horizon_rounds": 3,
                  "mechanism": {"kind": "mediator", "mediator": "a"} if mechanism == "mediator" else {"kind": "none"}},
        "monte_carlo": {"runs": 400, "seed": 2},
    }
    return write_yaml(tmp_path / f"agree_{mechanism}.yaml", raw)


def test_classes_follow_what_the_scenario_has():
    port, article = load_scenario(PORT), load_scenario(SCENARIOS / "ukraine_paris_2026.yaml")
    assert list(outcome_classes(port)) == ["agreement", "no_agreement"]
    assert list(outcome_classes(port).values()) == ["contract_agreed", "strike_goes_on"]
    assert list(outcome_classes(article)) == ["agreement", "agreement_broke_down", "decided_by_fighting",
                                              "ceasefire_only", "front_frozen", "fighting_goes_on"]
    assert list(analysis.headline_measures(port)) == ["deal by the horizon (6 months)", "deal within 1 month",
                                                      "deal within 3 months"]


def test_a_scenario_without_a_front_has_no_war_columns():
    runs = run_monte_carlo(load_scenario(PORT), runs=300, seed=1)
    assert not [c for c in runs.columns if WAR_WORDS.search(c.replace("_", " ")) or c.startswith("front")]
    assert set(runs["outcome"]) <= {"contract_agreed", "strike_goes_on"}


@pytest.mark.parametrize("file", [PORT, IRAN], ids=["port strike", "Iran talks"])
def test_the_whole_chain_speaks_the_scenarios_words(file, tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["run", str(file), "--runs", "1000", "--out", str(out), "--quiet"]) == 0
    summary = capsys.readouterr().out
    assert "deal within 3 months" in summary and not WAR_WORDS.search(summary), summary
    assert main(["plot", str(out), "--history-runs", "100"]) == 0
    names = {p.stem for p in (out / "figures").glob("*.png")}
    assert "fan_proposal_" + load_scenario(file).issues.__iter__().__next__() in names and "fan_front" not in names
    assert main(["report", str(out), "--history-runs", "100"]) == 0
    page = re.sub(r"<pre>.*?</pre>|<details>.*?</details>|src=\"[^\"]+\"", "", (out / "report.html").read_text(), flags=re.S)
    assert not WAR_WORDS.search(re.sub(r"<[^>]+>", " ", page))
    assert main(["replay", str(out), "0"]) == 0
    assert not WAR_WORDS.search(capsys.readouterr().out.split("Outcome:")[0])


@pytest.mark.parametrize("mechanism", ["mediator", "none"], ids=["every run deals", "no run deals"])
def test_every_plot_and_the_report_at_0_and_100_percent(mechanism, tmp_path):
    file = agreeing(tmp_path, mechanism)
    out = tmp_path / "runs"
    assert main(["run", str(file), "--out", str(out), "--quiet"]) == 0
    runs = read_results(out).runs
    assert runs["deal"].mean() == (1.0 if mechanism == "mediator" else 0.0)
    assert main(["plot", str(out), "--history-runs", "50"]) == 0
    assert main(["report", str(out), "--history-runs", "50"]) == 0
    scenario = load_scenario(file)
    for draw in (lambda ax: plots.plot_outcome_classes(runs, list(outcome_classes(scenario).values()), ax=ax),
                 lambda ax: plots.plot_deal_curve(runs, 3, ax=ax),
                 lambda ax: plots.plot_deal_curves({"a": runs, "b": runs}, 3, ax=ax),
                 lambda ax: plots.plot_settlement(runs, "price", ax=ax),
                 lambda ax: plots.plot_settlement_ecdf({"a": runs}, "price", ax=ax),
                 lambda ax: plots.plot_model_comparison({"a": runs}, "price", ax=ax)):
        figure, ax = plt.subplots()
        draw(ax)
        figure.canvas.draw()
        plt.close(figure)


def test_error_bars_never_go_negative():
    shares = pd.DataFrame({"estimate": [0.0, 1.0], "lo": [1e-19, 1.0], "hi": [0.01, 1.0 - 1e-17]})
    errors = plots.interval_errors(shares["estimate"], shares["lo"], shares["hi"])
    assert (errors >= 0).all() and errors[1, 0] == pytest.approx(0.01)
