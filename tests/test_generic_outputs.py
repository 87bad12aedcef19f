"""Negotiations other than a war: outputs in the scenario's words, and no crash at a share of 0% or 100%."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from helpers import SCENARIOS, write_yaml

from sim import ScenarioError, load_scenario, run_monte_carlo
from sim.analysis import summary
from sim.cli import main
from sim.experiments.results import read_results
from sim.model.outcomes import outcome_classes
from sim.reporting import plots

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
        "issues": {
            "price": {"low_means": "low", "high_means": "high", "no_deal": {"dist": "uniform", "low": 0.0, "high": 0.2}}
        },
        "actors": {"a": {"veto": True, "capability": 1.0, **stance}, "b": {"veto": True, "capability": 1.0, **stance}},
        "model": {
            "start_date": "2026-01-01",
            "horizon_rounds": 3,
            "mechanism": {"kind": "mediator", "mediator": "a"} if mechanism == "mediator" else {"kind": "none"},
        },
        "monte_carlo": {"runs": 400, "seed": 2},
    }
    return write_yaml(tmp_path / f"agree_{mechanism}.yaml", raw)


def test_classes_follow_what_the_scenario_has():
    port, article = load_scenario(PORT), load_scenario(SCENARIOS / "ukraine_paris_2026.yaml")
    assert list(outcome_classes(port)) == ["agreement", "no_agreement"]
    assert list(outcome_classes(port).values()) == ["contract_agreed", "strike_goes_on"]
    assert list(outcome_classes(article)) == [
        "agreement",
        "agreement_broke_down",
        "ceasefire_only",
        "front_frozen",
        "fighting_goes_on",
    ]
    decisive = load_scenario(SCENARIOS / "ukraine_paris_2026.yaml", {"front.decisive": True})
    assert list(outcome_classes(decisive))[2] == "decided_by_fighting"
    assert list(summary.headline_measures(port))[:5] == [
        "deal by the horizon (26 weeks)",
        "deal within 1 week",
        "deal within 4 weeks",
        "deal within 13 weeks",
        "zone of agreement by the horizon (26 weeks)",
    ]


def test_a_scenario_without_a_front_has_no_war_columns():
    runs = run_monte_carlo(load_scenario(PORT), runs=300, seed=1)
    assert not [c for c in runs.columns if WAR_WORDS.search(c.replace("_", " ")) or c.startswith("front")]
    assert set(runs["outcome"]) <= {"contract_agreed", "strike_goes_on"}


@pytest.mark.parametrize(
    ("file", "within"),
    [(PORT, "deal within 4 weeks"), (IRAN, "deal within 3 months")],
    ids=["port strike", "Iran talks"],
)
@pytest.mark.slow
def test_the_whole_chain_speaks_the_scenarios_words(file, within, tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["run", str(file), "--runs", "1000", "--out", str(out), "--quiet"]) == 0
    summary = capsys.readouterr().out
    assert within in summary and not WAR_WORDS.search(summary), summary
    assert main(["plot", str(out), "--history-runs", "100"]) == 0
    names = {p.stem for p in (out / "figures").glob("*.png")}
    assert "fan_proposal_" + load_scenario(file).issues.__iter__().__next__() in names and "fan_front" not in names
    assert main(["report", str(out), "--history-runs", "100"]) == 0
    page = re.sub(
        r"<pre>.*?</pre>|<details>.*?</details>|src=\"[^\"]+\"", "", (out / "report.html").read_text(), flags=re.S
    )
    assert not WAR_WORDS.search(re.sub(r"<[^>]+>", " ", page))
    assert main(["replay", str(out), "0"]) == 0
    assert not WAR_WORDS.search(capsys.readouterr().out.split("Outcome:")[0])


@pytest.mark.slow
@pytest.mark.parametrize("mechanism", ["mediator", "none"], ids=["every run deals", "no run deals"])
def test_every_plot_and_the_report_at_0_and_100_percent(mechanism, tmp_path):
    file = agreeing(tmp_path, mechanism)
    out = tmp_path / "runs"
    assert main(["run", str(file), "--out", str(out), "--quiet"]) == 0
    runs = read_results(out).runs
    assert runs["deal"].mean() == (1.0 if mechanism == "mediator" else 0.0)
    assert main(["plot", str(out), "--history-runs", "50"]) == 0
    assert main(["report", str(out), "--history-runs", "50"]) == 0
    page = (out / "report.html").read_text()
    every = "every" if mechanism == "mediator" else "no"
    assert f"A deal within 3 months happens in {every} run (and within each headline horizon in every run or" in page
    assert "mean_if_yes" not in page  # no empty table of drivers
    interval = re.search(r"95% interval ([\d.]+%) to ([\d.]+%), as in the table", page)
    assert interval and all(f"<td>{end}</td>" in page for end in interval.groups())
    scenario = load_scenario(file)
    for draw in (
        lambda ax: plots.plot_outcome_classes(runs, list(outcome_classes(scenario).values()), ax=ax),
        lambda ax: plots.plot_deal_curve(runs, 3, ax=ax),
        lambda ax: plots.plot_deal_curves({"a": runs, "b": runs}, 3, ax=ax),
        lambda ax: plots.plot_settlement(runs, "price", ax=ax),
        lambda ax: plots.plot_settlement_ecdf({"a": runs}, "price", ax=ax),
        lambda ax: plots.plot_model_comparison({"a": runs}, "price", ax=ax),
    ):
        figure, ax = plt.subplots()
        draw(ax)
        figure.canvas.draw()
        plt.close(figure)


def test_error_bars_never_go_negative():
    shares = pd.DataFrame({"estimate": [0.0, 1.0], "lo": [1e-19, 1.0], "hi": [0.01, 1.0 - 1e-17]})
    errors = plots.interval_errors(shares["estimate"], shares["lo"], shares["hi"])
    assert (errors >= 0).all() and errors[1, 0] == pytest.approx(0.01)


def test_weekly_and_daily_rounds_date_results_in_their_unit():
    runs = run_monte_carlo(load_scenario(PORT), runs=400, seed=3)
    deals = runs[runs["deal"]]
    weeks = deals["months_to_deal"] / summary.MONTHS_PER_UNIT["week"]
    assert np.allclose(weeks, np.round(weeks)) and weeks.min() >= 1
    expected = pd.Timestamp("2024-10-01") + pd.to_timedelta(np.round(weeks) * 7, unit="D")
    assert (deals["deal_date"] == expected.to_numpy()).all()
    assert summary.deal_curve(runs, 4, "week").columns[0] == "week"
    assert summary.median_time_to_deal(runs, "week") == pytest.approx(weeks.median())
    daily = load_scenario(PORT, {"model.round_unit": "day", "model.horizon_rounds": 90, "report.horizons": None})
    assert daily.horizon == 90 and daily.headline_horizons == [30, 60]
    assert list(summary.headline_measures(daily))[1] == "deal within 30 days"


def test_round_lengths_and_the_old_key():
    assert load_scenario(IRAN, {"model.round_months": 3}).model.round_length == 3
    assert load_scenario(SCENARIOS / "ukraine_paris_2026.yaml").model.round_months == 1.0
    with pytest.raises(ScenarioError, match="round_length: a round of more than a year"):
        load_scenario(PORT, {"model.round_length": 60})
    dates = load_scenario(IRAN, {"model.start_date": "2024-01-31"}).model.dates_after(np.arange(3))
    assert [d.strftime("%Y-%m-%d") for d in dates] == ["2024-01-31", "2024-02-29", "2024-03-31"]


@pytest.mark.parametrize("unit, length", [("month", 1), ("month", 3), ("week", 2), ("day", 5)])
@pytest.mark.parametrize("start", ["2024-01-29", "2024-01-31", "2023-12-30"])
def test_the_months_of_the_rounds_are_the_months_of_their_dates(unit, length, start):
    settings = load_scenario(IRAN, {"model.start_date": start, "model.round_unit": unit, "model.round_length": length})
    rounds = np.arange(700)
    assert (settings.model.months_after(rounds) == settings.model.dates_after(rounds).month).all()
