"""Scenario events: scheduled changes and random shocks, in the runs and in the results."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import ARTICLE, two_sided, write_yaml

from sim import ScenarioError, load_scenario, run_monte_carlo
from sim.cli import main
from sim.model import simulate_history
from sim.sampling.draws import sample
from sim.sampling.rng import dynamics_generator


def test_a_scheduled_event_changes_the_war_from_its_round(tmp_path):
    raw = two_sided(0.0, 0.5, 0.01, horizon=10)
    raw["events"] = {"turn_of_the_tide": {"round": 5, "set": {"front.p_advance": 1.0}}}
    scenario = load_scenario(write_yaml(tmp_path / "tide.yaml", raw))
    outcomes, history = simulate_history(scenario, sample(scenario, 50, seed=1), dynamics_generator(1, 0))
    fronts = history.pivot(index="run", columns="round", values="front").to_numpy()
    assert np.allclose(fronts[:, 3], 0.46) and np.allclose(fronts[:, 9], 0.52)
    assert outcomes["event_turn_of_the_tide"].all() and (outcomes["months_to_event_turn_of_the_tide"] == 4).all()


def test_a_random_shock_happens_once_at_its_chance_within_its_window(tmp_path):
    raw = two_sided(0.5, 0.5, 0.01, horizon=12)
    raw["events"] = {"shock": {"chance_per_round": 0.3, "from_round": 3, "until_round": 6, "set": {"front.step": 0.02}}}
    runs = run_monte_carlo(load_scenario(write_yaml(tmp_path / "shock.yaml", raw)), runs=20_000, seed=3)
    months = runs["months_to_event_shock"].dropna()
    assert set(months.unique()) <= {2.0, 3.0, 4.0, 5.0}
    assert runs["event_shock"].mean() == pytest.approx(1 - 0.7**4, abs=0.015)
    assert (months == 2).mean() == pytest.approx(0.3 / (1 - 0.7**4), abs=0.02)


def test_the_article_scenario_has_its_events_in_the_results():
    runs = run_monte_carlo(load_scenario(ARTICLE), runs=2_000, seed=1)
    assert runs["event_plan_presented_to_russia"].all()
    assert set(runs["months_to_event_plan_presented_to_russia"]) == {0.0, 1.0, 2.0}
    before = runs["months_to_deal"] <= runs["months_to_event_plan_presented_to_russia"]
    assert not (runs["deal"] & before).any(), "no deal before the plan reaches Moscow"


@pytest.mark.parametrize(
    ("event", "key", "expected"),
    [
        ({"round": 2, "set": {"front.p_advnce": 0.5}}, "events.e.set.front.p_advnce", "not a number of this scenario"),
        ({"round": 2, "set": {"front.p_advance": 1.5}}, "events.e.set.front.p_advance", "[0, 1]"),
        ({"set": {"front.p_advance": 0.5}}, "events.e", "either round"),
        ({"round": 2, "chance_per_round": 0.1, "set": {"front.p_advance": 0.5}}, "events.e", "either round"),
        ({"round": 0, "set": {"front.p_advance": 0.5}}, "events.e.round", "[1, 1200]"),
        ({"round": 2.5, "set": {"front.p_advance": 0.5}}, "events.e.round", "must be a whole number"),
        (
            {"round": {"dist": "uniform", "low": 1, "high": 3}, "set": {"front.p_advance": 0.5}},
            "events.e.round",
            "must be a whole number",
        ),
        (
            {"round": {"dist": "choice", "values": [1, 2.5]}, "set": {"front.p_advance": 0.5}},
            "events.e.round",
            "must be a whole number",
        ),
    ],
)
def test_bad_events_are_named(article_raw, tmp_path, event, key, expected):
    raw = copy.deepcopy(article_raw)
    raw["events"] = {"e": event}
    path = write_yaml(tmp_path / "events.yaml", raw)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert any(k == key and expected in m for k, m in error.value.problems), error.value.problems
    assert main(["validate", str(path)]) == 2


def test_the_mediator_proposes_the_compromise_of_the_numbers_as_an_event_leaves_them(tmp_path):
    # Positions 1 and 0 with equal salience: the compromise is a's share of the capability, 1/2, and 3/4 once an
    # event in the first round triples a's capability; the mediator's first proposal is the compromise.
    raw = two_sided(0.5, 0.5, 0.01, horizon=3, mechanism={"kind": "mediator", "mediator": "a"})
    raw["events"] = {"a_rearms": {"round": 1, "set": {"actors.a.capability": 3.0}}}
    scenario = load_scenario(write_yaml(tmp_path / "rearm.yaml", raw))
    _, history = simulate_history(scenario, sample(scenario, 20, seed=1), dynamics_generator(1, 0))
    assert np.allclose(history.loc[history["round"] == 0, "proposal_share"], 0.75)


def test_inputs_rebuilt_for_the_runs_an_event_fired_in_match_inputs_built_for_every_run():
    """An event rebuilds the inputs only where it fired (``refresh_inputs(..., runs)``): the same arrays as a rebuild
    of every run, the article's groups and utility included."""
    from sim.model.inputs import build_inputs, refresh_inputs

    scenario = load_scenario(ARTICLE)
    draws = sample(scenario, 40, seed=3)
    inputs = build_inputs(scenario, draws)
    changed = {path: values.copy() for path, values in draws.items()}
    fired = np.arange(0, 40, 3)
    for path in ("front.p_advance", "front.step"):
        changed[path][fired] = changed[path][fired] * 0.5
    refresh_inputs(inputs, build_inputs(scenario, {path: v[fired] for path, v in changed.items()}), fired)
    every = build_inputs(scenario, changed)
    for name, value in vars(every).items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(inputs, name), value, err_msg=name)
    for name in ("reference", "loss_aversion"):
        np.testing.assert_array_equal(getattr(inputs.utility, name), getattr(every.utility, name))
    for name, value in vars(every.groups).items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(inputs.groups, name), value, err_msg=name)
