"""The zone of agreement: the search against closed forms and a brute-force grid; protocols that find the
deal when one exists; one meaning for a threshold; a settlement that redraws the map."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import SETTINGS, quantity, two_sided, write_yaml
from hypothesis import given
from hypothesis import strategies as st

from sim import load_scenario, run_monte_carlo
from sim.model import simulate_history
from sim.model.acceptance import Acceptance, least_margin, pattern_search, search_zone
from sim.model.utility import UtilityForm
from sim.sampling.draws import sample
from sim.sampling.rng import dynamics_generator


def rules_for(
    position: np.ndarray,
    threshold: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    linear: bool,
    weight: np.ndarray | None = None,
) -> Acceptance:
    """Acceptance rules without breakdown: positions ``[V, J, n]``, thresholds ``[V, n]``, box ``[J, n]``."""
    veto, issues, runs = position.shape
    if weight is None:
        weight = np.full(position.shape, 1.0 / issues)
    return Acceptance(
        position=position,
        weight=weight,
        lower=lower,
        upper=upper,
        threshold=threshold,
        loss=np.zeros((veto, runs)),
        horizon=np.ones((veto, runs)),
        base_hazard=np.zeros(runs),
        protection=np.zeros((issues, runs)),
        delay=np.zeros(runs),
        shape=np.ones(runs),
        red_lower=np.broadcast_to(lower, position.shape),
        red_upper=np.broadcast_to(upper, position.shape),
        audience_cost=np.full(runs, np.inf),
        hard=True,
        form=UtilityForm("linear" if linear else "quadratic", np.zeros((issues, runs)), np.ones(runs)),
    )


def acceptable_interval(position: np.ndarray, threshold: np.ndarray, lower, upper, linear: bool):
    """One issue: each veto holder accepts z with u(z) = 1 - loss(z - x) >= w, an interval around x; intersect."""
    reach = 1.0 - threshold if linear else np.sqrt(np.clip(1.0 - threshold, 0.0, None))
    low = np.maximum(lower, (position - reach).max(axis=0))
    high = np.minimum(upper, (position + reach).min(axis=0))
    return low, high


@pytest.mark.parametrize("linear", [False, True])
@pytest.mark.parametrize("veto", [2, 3])
def test_one_issue_zone_matches_the_closed_form(linear, veto):
    rng = np.random.default_rng(veto + 10 * linear)
    runs = 4000
    position = rng.random((veto, runs))
    threshold = rng.uniform(0.6 if linear else 0.88, 1.0, (veto, runs))
    lower = np.where(rng.random(runs) < 0.5, rng.uniform(0, 0.6, runs), 0.0)
    upper = np.where(rng.random(runs) < 0.5, rng.uniform(0.4, 1.0, runs), 1.0)
    low, high = acceptable_interval(position, threshold, lower, upper, linear)
    rules = rules_for(position[:, None, :], threshold, lower[None], upper[None], linear)
    clear = np.abs(high - low) > 1e-6
    exists = high >= low
    assert exists[clear].mean() > 0.2 and (~exists[clear]).mean() > 0.2, "both kinds of case are drawn"
    # A search resumed from last round's packages (here anywhere on the scale, or none) finds the same zones.
    previous = np.where(rng.random(runs) < 0.8, rng.random(runs), np.nan)[None]
    for zone in (search_zone(rules, np.zeros((veto, runs))), search_zone(rules, np.zeros((veto, runs)), previous)):
        assert np.array_equal(zone.found[clear], exists[clear])
        inside = zone.package[0][zone.found]
        assert ((inside >= low[zone.found] - 1e-9) & (inside <= high[zone.found] + 1e-9)).all()


def test_the_polish_moves_only_the_issues_the_box_leaves_free_and_never_lowers_a_score():
    rng = np.random.default_rng(5)
    runs = 50
    position = rng.random((2, 2, runs))
    lower, upper = np.stack([np.zeros(runs), np.full(runs, 0.5)]), np.stack([np.ones(runs), np.full(runs, 0.5)])
    rules = rules_for(position, np.full((2, runs), 0.9), lower, upper, linear=False)
    start = np.stack([np.full(runs, 0.5), np.full(runs, 0.5)])
    package, score = pattern_search(rules.searched, start, least_margin(rules, start), 8)
    assert (package[1] == 0.5).all()
    assert (score >= least_margin(rules, start)).all() and (score > least_margin(rules, start)).any()
    np.testing.assert_allclose(score, least_margin(rules, package), rtol=0, atol=1e-12)


def test_a_search_resumed_from_an_accepted_package_keeps_it():
    # Veto holders at 0.2 and 0.8 accept what lies within 0.35 of their positions: the zone is [0.45, 0.55].
    position = np.array([[[0.2, 0.2]], [[0.8, 0.8]]])
    rules = rules_for(position, np.full((2, 2), 1 - 0.35**2), np.zeros((1, 2)), np.ones((1, 2)), linear=False)
    weights = np.array([[3.0, 3.0], [0.0, 0.0]])  # the contract point leans to the first, outside the zone
    previous = np.array([[0.52, np.nan]])
    zone = search_zone(rules, weights, previous)
    assert zone.found.all()
    assert zone.package[0, 0] == 0.52  # accepted as it stands: nothing to search
    assert 0.45 <= zone.package[0, 1] <= 0.55


@pytest.mark.slow
def test_two_issue_zone_agrees_with_a_grid():
    rng = np.random.default_rng(3)
    runs, veto = 300, 3
    position = rng.random((veto, 2, runs))
    weight = rng.dirichlet([1.0, 1.0], (veto, runs)).transpose(0, 2, 1)
    threshold = rng.uniform(0.85, 0.99, (veto, runs))
    lower = np.stack([rng.uniform(0, 0.4, runs), np.zeros(runs)])
    upper = np.stack([np.ones(runs), rng.uniform(0.6, 1.0, runs)])
    rules = rules_for(position, threshold, lower, upper, linear=False, weight=weight)
    zone = search_zone(rules, np.zeros((veto, runs)))
    grid = np.linspace(0, 1, 201)
    best = np.full(runs, -np.inf)
    for x in grid:
        packages = np.stack([np.full((201, runs), x), np.broadcast_to(grid[:, None], (201, runs))])
        for k in range(201):
            package = packages[:, k]
            ok = ((package >= lower) & (package <= upper)).all(axis=0)
            best = np.maximum(best, np.where(ok, rules.margins(package).min(axis=0), -np.inf))
    clear = np.abs(best) > 2e-3
    assert (best[clear] > 0).mean() > 0.2 and (best[clear] < 0).mean() > 0.2
    assert np.array_equal(zone.found[clear], best[clear] > 0)
    assert (zone.margin[zone.found] >= -1e-9).all()


@pytest.mark.parametrize("red_line", [None, 0.3, 0.55])
def test_alternating_proposer_offers_inside_its_own_red_line(tmp_path, red_line):
    # a wants 1 and may refuse anything below its red line; b accepts down to 0.6 (outside option 0.4, linear).
    raw = {
        "name": "a red line inside the curve",
        "issues": {"share": {"low_means": "all to b", "high_means": "all to a", "no_deal": 0.5}},
        "actors": {
            "a": {
                "veto": True,
                "capability": 1,
                "issues": {"share": {"position": 1.0, "salience": 1.0}},
                "outside_option": 0.0,
            },
            "b": {
                "veto": True,
                "capability": 1,
                "issues": {"share": {"position": 0.0, "salience": 1.0}},
                "outside_option": 0.4,
            },
        },
        "model": {
            "start_date": "2026-01-01",
            "horizon_rounds": 3,
            "utility": "linear",
            "mechanism": {"kind": "alternating", "proposers": ["a"], "lookahead": 1},
        },
    }
    if red_line is not None:
        raw["actors"]["a"]["issues"]["share"]["red_line"] = {"min": red_line}
    runs = run_monte_carlo(load_scenario(write_yaml(tmp_path / "line.yaml", raw)), runs=4, seed=1)
    assert runs["deal"].all() and (runs["months_to_deal"] == 1).all()
    assert runs["settlement_share"].to_numpy() == pytest.approx(0.6, abs=1e-7)


def test_alternating_deal_at_a_one_point_range(tmp_path):
    # Fearon with zero costs: a and b agree exactly on the war's expected outcome, so the range is one point.
    raw = two_sided(0.5, 0.4, 0.02, horizon=6, mechanism={"kind": "alternating", "lookahead": 1})
    runs = run_monte_carlo(load_scenario(write_yaml(tmp_path / "point.yaml", raw)), runs=50, seed=2)
    assert runs["deal"].all() and (runs["months_to_deal"] == 1).all()
    assert np.allclose(runs["settlement_share"], runs["front_at_deal"], atol=1e-7)


def article_variant(article_raw, tmp_path, mechanism: str, runs: int = 1500):
    article_raw.pop("structure", None)  # hard red lines and quadratic utility in every run
    article_raw["model"]["mechanism"] = (
        {"kind": "mediator", "mediator": "united_states"} if mechanism == "mediator" else {"kind": "alternating"}
    )
    scenario = load_scenario(write_yaml(tmp_path / f"{mechanism}.yaml", article_raw))
    return scenario, run_monte_carlo(scenario, runs=runs, seed=9)


@pytest.mark.parametrize("mechanism", ["mediator", "alternating"])
def test_no_deal_crosses_a_red_line_and_flags_agree(article_raw, tmp_path, mechanism):
    coalition_line = 0.5
    article_raw["actors"]["european_coalition"]["issues"]["us_backstop"]["red_line"] = {"min": coalition_line}
    article_raw["groups"]["european_coalition"]["veto_scope"] = "package"  # its members vote, holding its red line
    scenario, runs = article_variant(article_raw, tmp_path, mechanism)
    deals = runs[runs["deal"]]
    assert len(deals) > 100
    assert (deals["settlement_us_backstop"] >= coalition_line - 1e-9).all()
    assert deals["deal_includes_us_backstop"].all(), "a red line at 0.5 and a flag at 0.5 mean the same"
    red_line = deals["actors.russia.issues.territory.red_line.min"]
    assert (deals["settlement_territory"] >= red_line - 1e-9).all()
    assert not (runs["deal"] & ~runs["zone"]).any(), "no protocol reaches a deal the zone search did not see"


@pytest.mark.parametrize("mechanism", ["mediator", "alternating"])
def test_protocols_close_the_zone_on_the_article(article_raw, tmp_path, mechanism):
    _, runs = article_variant(article_raw, tmp_path, mechanism)
    gap = (runs["zone"] & ~runs["deal"]).mean()
    assert runs["zone"].mean() > 0.3 and gap < 0.01


def test_a_settlement_redraws_the_front_and_a_breakdown_resumes_from_it(tmp_path):
    raw = two_sided(0.6, 0.5, 0.02, horizon=24, mechanism={"kind": "mediator", "mediator": "m"})
    raw["front"]["decisive"] = False
    raw["actors"]["m"] = {"capability": 1.0, "issues": {"share": {"position": 0.8, "salience": 1.0}}}
    for name in ("a", "b"):
        raw["actors"][name]["war_cost"] = {"per_round": 0.01}
        raw["actors"][name]["planning_rounds"] = 12
    raw["breakdown"] = {"base_hazard": 0.3}
    scenario = load_scenario(write_yaml(tmp_path / "map.yaml", raw))
    outcomes, history = simulate_history(scenario, sample(scenario, 200, seed=4), dynamics_generator(4, 0))
    assert outcomes["deal"].all() and outcomes["breakdown"].mean() > 0.5
    at_deal = history[history["round"] == outcomes["months_to_deal"][0] - 1]
    assert np.allclose(at_deal["front"], outcomes["settlement_share"], atol=1e-12), "the settled share changes hands"
    broke = np.flatnonzero(outcomes["breakdown"])
    run = broke[0]
    rows = history[history["run"] == run].set_index("round")
    resumed = rows.loc[outcomes["months_to_breakdown"][run] - 1, "front"]
    assert abs(resumed - outcomes["settlement_share"][run]) <= 0.02 + 1e-12, "the war resumes from the settled line"


def test_taking_every_region_ends_the_war_only_when_decisive(tmp_path):
    raw = two_sided(0.9, 0.9, 0.05, horizon=48)
    decisive = run_monte_carlo(load_scenario(write_yaml(tmp_path / "d.yaml", raw)), runs=300, seed=1)
    raw["front"]["decisive"] = False
    open_ended = run_monte_carlo(load_scenario(write_yaml(tmp_path / "o.yaml", raw)), runs=300, seed=1)
    assert decisive["decided_by_fighting"].mean() > 0.9
    assert "decided_by_fighting" not in open_ended and (open_ended["front_end"] == 1.0).mean() > 0.9
    assert (open_ended["cost_a"] >= decisive["cost_a"]).all()


@pytest.mark.slow
@SETTINGS
@given(data=st.data())
def test_the_mediator_closes_within_a_round_of_a_zone(data, tmp_path):
    n_actors = data.draw(st.integers(2, 6))
    n_issues = data.draw(st.integers(1, 5))
    issues = {
        f"issue_{j}": {"low_means": "less", "high_means": "more", "no_deal": data.draw(quantity(0, 1))}
        for j in range(n_issues)
    }
    actors = {}
    for a in range(n_actors):
        stances = {}
        for j in range(n_issues):
            stance = {"position": data.draw(quantity(0, 1)), "salience": data.draw(quantity(0.05, 1))}
            side = data.draw(st.sampled_from([None, "min", "max"]))
            if side is not None:
                stance["red_line"] = {side: data.draw(quantity(0.2, 0.8))}
            stances[f"issue_{j}"] = stance
        actors[f"actor_{a}"] = {
            "veto": a < 2 or data.draw(st.booleans()),
            "capability": data.draw(quantity(0.1, 5)),
            "issues": stances,
            "outside_option": data.draw(quantity(0.3, 0.95)),
        }
    raw = {
        "name": "generated",
        "issues": issues,
        "actors": actors,
        "model": {
            "start_date": "2026-01-01",
            "horizon_rounds": 4,
            "utility": data.draw(st.sampled_from(["quadratic", "linear"])),
            "mechanism": {"kind": "mediator", "mediator": "actor_0"},
        },
    }
    runs = run_monte_carlo(load_scenario(write_yaml(tmp_path / "generated.yaml", raw)), runs=200, seed=1)
    zoned = runs[runs["zone"]]
    late = zoned["months_to_deal"].isna() | (zoned["months_to_deal"] > np.maximum(zoned["months_to_zone"], 2))
    assert late.sum() <= 0.01 * len(runs)


def test_a_view_of_some_runs_reads_the_rules_as_a_copy_of_those_runs_does():
    """The searches read subsets through an index into the packed rules (``Acceptance.searched.at``), never a copy:
    values, margins, acceptance and contract points match those of the rules taken on the same runs."""
    rng = np.random.default_rng(11)
    veto, issues, runs = 3, 4, 60
    position = rng.random((veto, issues, runs))
    lower, upper = rng.random((issues, runs)) * 0.3, 0.7 + rng.random((issues, runs)) * 0.3
    rules = rules_for(position, rng.random((veto, runs)) * 0.9, lower, upper, linear=False)
    subset = np.sort(rng.choice(runs, 25, replace=False))
    taken, view = rules.take(subset), rules.searched.at(subset)
    package = rng.random((issues, subset.size))
    log_weight = rng.normal(size=(veto, subset.size))
    np.testing.assert_array_equal(view.values(package), taken.values(package))
    np.testing.assert_array_equal(view.margins(package), taken.margins(package))
    np.testing.assert_array_equal(view.accepted(package), taken.accepted(package))
    np.testing.assert_array_equal(view.contract_point(log_weight), taken.searched.contract_point(log_weight))
    by_hand = 1.0 - ((package - position[:, :, subset]) ** 2).sum(axis=1) / issues
    np.testing.assert_allclose(view.values(package), by_hand, rtol=0, atol=1e-15)
