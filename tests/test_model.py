"""The model's limiting cases: gambler's ruin with bargaining off, Fearon's range under complete information."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import SCENARIOS, two_sided, write_yaml

from sim import load_scenario, run_monte_carlo


def gamblers_ruin(p: float, i: int, n: int) -> tuple[float, float]:
    """Probability that the side reaches n from i, and the expected number of rounds until absorption."""
    if p == 0.5:
        return i / n, i * (n - i)
    ratio = (1 - p) / p
    win = (1 - ratio**i) / (1 - ratio**n)
    q = 1 - p
    return win, i / (q - p) - n / (q - p) * win


@pytest.mark.parametrize(("p", "i", "n"), [(0.5, 3, 10), (0.6, 3, 10), (0.45, 6, 12)])
def test_front_without_bargaining_is_gamblers_ruin(tmp_path, p, i, n):
    scenario = load_scenario(write_yaml(tmp_path / "war.yaml", two_sided(p, i / n, 1 / n, horizon=1200)))
    runs = run_monte_carlo(scenario, runs=20_000, seed=7)
    assert runs["decided_by_fighting"].all(), "every run must be absorbed well before the horizon"
    won = runs["front_end"] == 1.0
    rounds = runs["months_to_decision"]
    expected_win, expected_rounds = gamblers_ruin(p, i, n)
    assert abs(won.mean() - expected_win) < 4 * np.sqrt(expected_win * (1 - expected_win) / len(runs))
    assert abs(rounds.mean() - expected_rounds) < 4 * rounds.std() / np.sqrt(len(runs))
    assert not runs["deal"].any()


def test_deals_under_complete_information_lie_in_fearons_range(tmp_path):
    raw = two_sided(
        {"dist": "uniform", "low": 0.3, "high": 0.7},
        0.5,
        0.02,
        mechanism={"kind": "mediator", "mediator": "m"},
    )
    raw["actors"]["m"] = {
        "capability": {"dist": "uniform", "low": 0.1, "high": 3.0},
        "issues": {"share": {"position": {"dist": "uniform", "low": 0.0, "high": 1.0}, "salience": 1.0}},
    }
    planning = 6
    for name in ("a", "b"):
        raw["actors"][name]["war_cost"] = {"per_round": {"dist": "uniform", "low": 0.0, "high": 0.03}}
        raw["actors"][name]["planning_rounds"] = planning
    scenario = load_scenario(write_yaml(tmp_path / "fearon.yaml", raw))
    runs = run_monte_carlo(scenario, runs=5_000, seed=11)
    deals = runs[runs["deal"]]
    assert len(deals) > 0.9 * len(runs), "with costly war and shared beliefs a deal should almost always come"
    # Fearon (1995): with expected outcome p and costs cA, cB, A accepts x >= p - cA and B accepts x <= p + cB.
    expected = np.clip(deals["front_at_deal"] + planning * 0.02 * (2 * deals["front.p_advance"] - 1), 0, 1)
    cost_a = planning * deals["actors.a.delay_cost.per_round"]
    cost_b = planning * deals["actors.b.delay_cost.per_round"]
    x = deals["settlement_share"]
    assert (x >= expected - cost_a - 1e-9).all()
    assert (x <= expected + cost_b + 1e-9).all()
    # The range binds: some deals sit near each end, so a wrong sign or cost would be caught.
    assert ((x - (expected - cost_a)) < 0.01).any() and (((expected + cost_b) - x) < 0.01).any()


@pytest.mark.slow
def test_same_seed_same_results_whatever_the_number_of_processes(article_raw, tmp_path):
    article_raw["monte_carlo"]["chunk_runs"] = 700
    scenario = load_scenario(write_yaml(tmp_path / "article.yaml", article_raw))
    one = run_monte_carlo(scenario, runs=2_000, seed=3, jobs=1)
    two = run_monte_carlo(scenario, runs=2_000, seed=3, jobs=2)
    again = run_monte_carlo(scenario, runs=2_000, seed=3, jobs=1)
    assert one.equals(two) and one.equals(again)
    assert not one.equals(run_monte_carlo(scenario, runs=2_000, seed=4))


def test_ceasefire_needs_the_opponents_consent(article_raw, tmp_path):
    scenario = load_scenario(write_yaml(tmp_path / "article.yaml", article_raw))
    baseline = run_monte_carlo(scenario, runs=3_000, seed=5)
    article_raw["actors"]["russia"]["issues"]["ceasefire_sequencing"]["position"] = 0.0
    article_raw["actors"]["russia"]["delay_cost"]["per_round"] = 0.03
    willing = run_monte_carlo(load_scenario(write_yaml(tmp_path / "willing.yaml", article_raw)), runs=3_000, seed=5)
    assert baseline["ceasefire"].mean() < 0.02
    assert willing["ceasefire"].mean() > 0.5
    first = willing.loc[willing["ceasefire"] & willing["deal"]]
    assert (first["months_to_ceasefire"] <= first["months_to_deal"]).all()


def test_guarantees_lower_breakdowns(article_raw, tmp_path):
    article_raw["breakdown"]["implementation_delay_rounds"] = 0
    unprotected = dict(article_raw, reneging=dict(article_raw["reneging"], guarantees={}))
    with_guarantees = run_monte_carlo(load_scenario(write_yaml(tmp_path / "g.yaml", article_raw)), runs=4_000, seed=2)
    without = run_monte_carlo(load_scenario(write_yaml(tmp_path / "n.yaml", unprotected)), runs=4_000, seed=2)
    rate = lambda r: r.loc[r["deal"], "breakdown"].mean()  # noqa: E731
    assert rate(with_guarantees) < rate(without)


def test_nothing_assumes_the_articles_actors_issues_or_regions(tmp_path):
    actors = {
        f"party_{k}": {
            "veto": k < 3,
            "capability": 1.0 + k,
            "issues": {
                "water": {"position": k / 5, "salience": 0.5},
                "borders": {"position": 1 - k / 5, "salience": {"dist": "beta", "a": 2, "b": 2}},
            },
            "war_cost": {"per_round": 0.01},
        }
        for k in range(6)
    }
    raw = {
        "name": "six parties, two issues, three regions",
        "issues": {
            "water": {"low_means": "none shared", "high_means": "all shared", "no_deal": 0.0},
            "borders": {"low_means": "old border", "high_means": "new border", "follows_front": True},
        },
        "actors": actors,
        "front": {
            "side": "party_0",
            "opponent": "party_5",
            "step": 0.05,
            "p_advance": 0.5,
            "regions": {name: {"initial": 0.5, "weight": 1.0} for name in ("north", "centre", "south")},
        },
        "model": {
            "start_date": "2030-06-01",
            "round_months": 3,
            "horizon_rounds": 8,
            "mechanism": {"kind": "mediator", "mediator": "party_4"},
        },
    }
    scenario = load_scenario(write_yaml(tmp_path / "other.yaml", raw))
    runs = run_monte_carlo(scenario, runs=500, seed=1)
    assert {"settlement_water", "settlement_borders", "front_end_north", "utility_party_5"} <= set(runs.columns)
    assert runs["deal"].any()
    assert set(runs["months_to_deal"].dropna()) <= {3.0 * k for k in range(1, 9)}


@pytest.mark.parametrize("scenario", ["ukraine_paris_2026.yaml", "iran_nuclear_talks_2015.yaml"])
def test_the_values_of_no_deal_follow_the_documented_equations(scenario):
    from sim.experiments.runner import Chunk, draw_chunk
    from sim.model import _negotiations
    from sim.model.state import ceasefire_package
    from sim.model.utility import package_utility

    loaded = load_scenario(SCENARIOS / scenario)
    draws, rng = draw_chunk(loaded, 5, Chunk(0, 0, 400))
    with _negotiations(loaded, draws, rng, record_history=False) as models:
        model = models[0][0]
        for _ in range(4):
            model.step()
        inputs, state = model.inputs, model.state
        start = state.round + 1
        truce_package = ceasefire_package(inputs, state)
        some = np.flatnonzero(np.arange(inputs.runs) % 3 == 1)
        for agent in model.veto_holders:
            k = agent.index
            belief = np.clip(agent.belief_wins / (agent.belief_wins + agent.belief_losses) + state.shift, 0.0, 1.0)
            horizon = inputs.planning_rounds[k]
            moved = np.clip(state.front + horizon * inputs.step * (2.0 * belief - 1.0), 0.0, 1.0)
            front = (inputs.front_weight * np.where(state.absorbed, state.front, moved)).sum(axis=0)
            winters = np.array([inputs.winter[start : start + h].sum() for h in horizon])
            cost = inputs.war_cost[k] * (horizon + (inputs.winter_multiplier[k] - 1.0) * winters)
            expected = np.where(inputs.follows_front[:, None], front, inputs.no_deal)
            utility = package_utility(inputs.position[k], inputs.salience[k], expected, inputs.utility)
            truce = package_utility(inputs.position[k], inputs.salience[k], truce_package, inputs.utility)
            war_value, truce_value = agent.values_without_deal(state, truce_package)
            np.testing.assert_allclose(war_value, utility - cost, rtol=0, atol=1e-12)
            np.testing.assert_allclose(truce_value, truce - inputs.ceasefire_cost_factor * cost, rtol=0, atol=1e-12)
            in_some = agent.values_without_deal(state, truce_package, some)
            assert np.array_equal(in_some[0], war_value[some]) and np.array_equal(in_some[1], truce_value[some])
            assert np.array_equal(agent.values_without_deal(state)[1], war_value)
