"""Alternating offers against bargaining theory, and learning while fighting."""

from __future__ import annotations

import pytest
from helpers import two_sided, write_yaml

from sim import load_scenario, run_monte_carlo
from sim.model import simulate_history
from sim.sampling.draws import sample
from sim.sampling.rng import dynamics_generator


def split_game(tmp_path, d1: float, d2: float, horizon: int, w2: float = 0.0) -> float:
    """Player a's share when a (wants 1) and b (wants 0) alternate offers, a first, with no war."""
    stance = lambda position: {"share": {"position": position, "salience": 1.0}}  # noqa: E731
    raw = {
        "name": "split the pie",
        "issues": {"share": {"low_means": "all to b", "high_means": "all to a", "no_deal": 0.5}},
        "actors": {
            "a": {"veto": True, "capability": 1, "issues": stance(1.0), "discount": d1, "outside_option": 0.0},
            "b": {"veto": True, "capability": 1, "issues": stance(0.0), "discount": d2, "outside_option": w2},
        },
        "model": {
            "start_date": "2026-01-01",
            "horizon_rounds": horizon,
            "utility": "linear",
            "mechanism": {"kind": "alternating", "proposers": ["a", "b"], "lookahead": horizon},
        },
    }
    runs = run_monte_carlo(load_scenario(write_yaml(tmp_path / "split.yaml", raw)), runs=2, seed=1)
    assert runs["deal"].all() and (runs["months_to_deal"] == 1).all(), "agreement comes at once"
    return float(runs["settlement_share"].iloc[0])


@pytest.mark.parametrize("d1", [0.2, 0.5, 0.8, 0.9])
@pytest.mark.parametrize("d2", [0.3, 0.6, 0.9])
def test_rubinstein_split(tmp_path, d1, d2):
    assert split_game(tmp_path, d1, d2, horizon=400) == pytest.approx((1 - d2) / (1 - d1 * d2), abs=1e-6)


@pytest.mark.parametrize("horizon", [1, 2, 3, 4, 7, 10, 25])
@pytest.mark.parametrize("d", [0.5, 0.9])
def test_stahl_finite_horizon_split(tmp_path, horizon, d):
    assert split_game(tmp_path, d, d, horizon=horizon) == pytest.approx((1 - (-d) ** horizon) / (1 + d), abs=1e-6)


@pytest.mark.parametrize(("d", "w2"), [(0.9, 0.2), (0.9, 0.47), (0.9, 0.48), (0.9, 0.7), (0.6, 0.3), (0.6, 0.5)])
def test_outside_option_principle(tmp_path, d, w2):
    # Binmore, Shaked & Sutton (1989): the responder's outside option binds only above d / (1 + d).
    expected = 1 / (1 + d) if w2 < d / (1 + d) else 1 - w2
    assert split_game(tmp_path, d, d, horizon=400, w2=w2) == pytest.approx(expected, abs=1e-6)


def learning_war(tmp_path, belief_a: float | None, belief_b: float | None, strength: float = 12.0):
    raw = two_sided(0.5, 0.5, 0.02, horizon=48, mechanism={"kind": "alternating", "lookahead": 1})
    for name, belief in (("a", belief_a), ("b", belief_b)):
        raw["actors"][name]["war_cost"] = {"per_round": 0.004}
        raw["actors"][name]["planning_rounds"] = 12
        if belief is not None:
            raw["actors"][name]["belief"] = {"p_advance": belief, "strength": strength}
    scenario = load_scenario(write_yaml(tmp_path / "learning.yaml", raw))
    outcomes, history = simulate_history(scenario, sample(scenario, 400, seed=3), dynamics_generator(3, 0))
    return outcomes, history


def test_shared_correct_beliefs_give_a_deal_in_the_first_round(tmp_path):
    outcomes, _ = learning_war(tmp_path, None, None)
    assert outcomes["deal"].all() and (outcomes["months_to_deal"] == 1).all()


def test_diverging_optimism_stalls_talks_until_beliefs_converge(tmp_path):
    outcomes, history = learning_war(tmp_path, 0.8, 0.2)
    assert not (outcomes["months_to_deal"] == 1).any(), "mutual optimism leaves no bargaining range at first"
    assert outcomes["deal"].mean() > 0.9, "fighting teaches both sides, and a deal follows"
    gap = (history["belief_a"] - history["belief_b"]).abs()
    start_gap = gap[history["round"] == 0].mean()
    first_deal = history[history["deal"]].groupby("run")["round"].min()
    at_deal = history.set_index(["run", "round"]).loc[list(first_deal.items())]
    gap_at_deal = (at_deal["belief_a"] - at_deal["belief_b"]).abs()
    assert gap_at_deal.max() < 0.5 * start_gap
    assert outcomes["months_to_deal"][outcomes["deal"]].min() > 6
