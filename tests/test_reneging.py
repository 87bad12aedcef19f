"""Reneging as a decision and power that shifts, against closed forms: Powell (2006)'s commitment problem (a rising
side reneges once the shift outgrows its costs; the declining side, foreseeing it, fights; guarantees that offset
the shift restore the deal), Fearon (1995) when nothing shifts, the exogenous hazard as the special case, the
article's guarantees now moving the deal and its breakdown, and its breakdown beside the UCDP agreements."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from helpers import mutate, two_sided, write_yaml

from sim import load_scenario, run_monte_carlo
from sim.backtests.data_folder import find_data_dir
from sim.cli import main
from sim.history import data, reference_class
from sim.history.beside import model_deal_survival
from sim.model.reneging import RenegingRule
from sim.model.utility import UtilityForm

STEP, COST, PLANNING = 0.02, 0.0021, 6
VANISHING = 1e-6


def rising_side(
    shift: float, horizon_b: int = PLANNING, loss: float = 0.0, guarantee: dict | None = None, p_advance=0.5, cost=COST
) -> dict:
    """``a`` may renege and grows stronger by ``shift`` a round while the deal holds; ``b`` loses ``loss`` if it breaks.
    A mediator at the middle brings a deal at once; the shock is vanishing, so the calculation alone decides."""
    raw = two_sided(p_advance, 0.5, STEP, horizon=48, mechanism={"kind": "mediator", "mediator": "m"})
    raw["front"]["decisive"] = False
    raw["actors"]["m"] = {"capability": 1.0, "issues": {"share": {"position": 0.5, "salience": 1.0}}}
    for name in ("a", "b"):
        raw["actors"][name]["delay_cost"] = {"per_round": cost}
        raw["actors"][name]["planning_rounds"] = PLANNING
    raw["actors"]["b"]["planning_rounds"] = horizon_b
    raw["actors"]["b"]["breakdown_loss"] = loss
    raw["reneging"] = {"actors": ["a"], "shock_scale": VANISHING}
    raw["power_shift"] = {"while_settled": shift}
    if guarantee:
        raw["issues"]["guarantee"] = {"low_means": "none", "high_means": "in full", "no_deal": 0.0}
        for name in ("a", "b", "m"):
            raw["actors"][name]["issues"]["guarantee"] = {"position": 1.0, "salience": 1e-3}
        raw["reneging"]["guarantees"] = {"guarantee": guarantee}
    return raw


def reneging_age(shift: float, chance: float = 0.0, cost: float = 0.0) -> int:
    """The first age of the deal at which ``a`` gains by attacking again: at even odds and linear utility the renewed
    war wins ``H d (2 (1/2 + age * shift - chance) - 1)`` and costs ``H c + cost``."""
    threshold = (COST / STEP + cost / (PLANNING * STEP) + 2 * chance) / (2 * shift)
    return math.floor(threshold) + 1


def run(tmp_path, raw: dict, runs: int = 200, seed: int = 3):
    return run_monte_carlo(load_scenario(write_yaml(tmp_path / "s.yaml", raw)), runs=runs, seed=seed)


@pytest.mark.parametrize(("chance", "cost"), [(0.0, 0.0), (0.05, 0.0), (0.0, 0.012), (0.03, 0.006)])
def test_the_rising_side_reneges_when_the_shift_outgrows_costs_and_guarantees(tmp_path, chance, cost):
    guarantee = {"chance": chance, "cost": cost} if chance or cost else None
    runs = run(tmp_path, rising_side(0.01, guarantee=guarantee))
    assert runs["deal"].all() and runs["breakdown"].all()
    age = runs["months_to_breakdown"] - runs["months_to_deal"]
    assert (age == reneging_age(0.01, chance, cost)).all(), age.value_counts()
    assert (runs["reneged_by"] == "a").all() and (runs["breakdown_reason"] == "calculation").all()


def test_the_declining_side_fights_when_it_foresees_the_shift_and_guarantees_restore_the_deal(tmp_path):
    # b weighs 24 rounds: it refuses a deal exactly when a would renege within them (Powell 2006).
    critical = COST / STEP / (2 * 24)
    below = run(tmp_path, rising_side(0.95 * critical, horizon_b=24, loss=0.5))
    above = run(tmp_path, rising_side(1.1 * critical, horizon_b=24, loss=0.5))
    assert below["deal"].all() and not above["deal"].any()
    # A guarantee that lowers a's chance by more than the shift can raise it within b's horizon restores the deal.
    offset = 1.1 * critical * 24 - COST / STEP / 2
    guarded = run(tmp_path, rising_side(1.1 * critical, horizon_b=24, loss=0.5, guarantee={"chance": 1.2 * offset}))
    too_weak = run(tmp_path, rising_side(1.1 * critical, horizon_b=24, loss=0.5, guarantee={"chance": 0.8 * offset}))
    assert guarded["deal"].all() and not too_weak["deal"].any()


def test_nothing_shifting_a_deal_holds_unless_fighting_gains_more_than_it_costs(tmp_path):
    raw = rising_side(
        0.0, p_advance={"dist": "uniform", "low": 0.3, "high": 0.7}, cost={"dist": "uniform", "low": 0.0, "high": 0.01}
    )
    raw["actors"]["b"]["delay_cost"] = {"per_round": 0.01}
    runs = run(tmp_path, raw, runs=1000)
    deals = runs[runs["deal"]]
    assert len(deals) > 900
    # Fearon (1995): every deal lies in the range [p - c_a, p + c_b] of the war as each side expects it.
    expected = deals["front_at_deal"] + PLANNING * STEP * (2 * deals["front.p_advance"] - 1)
    cost_a = PLANNING * deals["actors.a.delay_cost.per_round"]
    assert (deals["settlement_share"] >= expected - cost_a - 1e-9).all()
    assert (deals["settlement_share"] <= expected + PLANNING * 0.01 + 1e-9).all()
    # Fighting on from the settled line wins d (2p - 1) a round: a reneges at once exactly when that beats its cost.
    margin = STEP * (2 * deals["front.p_advance"] - 1) - deals["actors.a.delay_cost.per_round"]
    clear = margin.abs() > 1e-4
    gains = margin[clear] > 0
    assert gains.any() and (~gains).any()
    assert (deals.loc[clear, "breakdown"] == gains).all()
    reneged = deals[clear & (margin > 0)]
    assert ((reneged["months_to_breakdown"] - reneged["months_to_deal"]) == 1).all()


def test_the_exogenous_hazard_is_the_special_case_without_a_decision(tmp_path):
    raw = rising_side(0.0)
    raw["breakdown"] = {"base_hazard": 0.05}
    deciding = run(tmp_path, raw, runs=2000)
    del raw["reneging"]
    exogenous = run(tmp_path, raw, runs=2000)
    assert deciding["breakdown"].equals(exogenous["breakdown"]) and 0.5 < exogenous["breakdown"].mean() < 1.0
    assert deciding["months_to_breakdown"].equals(exogenous["months_to_breakdown"])
    broke = deciding["breakdown"]
    assert (deciding.loc[broke, "breakdown_reason"] == "hazard").all() and (
        deciding.loc[broke, "reneged_by"] == ""
    ).all()
    assert (deciding.loc[~broke, "breakdown_reason"] == "").all()


def test_a_shock_breaks_a_deal_the_calculation_keeps_as_often_as_the_logistic_says(tmp_path):
    # G = -H c for every round of the deal (nothing shifts, even odds): each round a reneges with 1/(1 + exp(H c / s)).
    scale = 0.005
    raw = rising_side(0.0)
    raw["reneging"]["shock_scale"] = scale
    runs = run(tmp_path, raw, runs=4000)
    chance = 1 / (1 + math.exp(PLANNING * COST / scale))
    rounds = 48 - runs["months_to_deal"]  # rounds the deal faces after the round it was made
    expected = (1 - (1 - chance) ** rounds).mean()
    assert abs(runs["breakdown"].mean() - expected) < 4 * math.sqrt(expected * (1 - expected) / len(runs))
    assert (runs.loc[runs["breakdown"], "breakdown_reason"] == "shock").all()


def test_the_articles_guarantees_move_the_deal_and_its_breakdown(article_raw, tmp_path):
    article_raw["breakdown"]["base_hazard"] = 0.0
    guarded = run(tmp_path, article_raw, runs=1500, seed=4)
    bare = copy.deepcopy(article_raw)
    bare["reneging"]["guarantees"] = {}
    unguarded = run(tmp_path, bare, runs=1500, seed=4)
    assert guarded["deal"].mean() > unguarded["deal"].mean() + 0.02
    rate = lambda r: r.loc[r["deal"], "breakdown"].mean()  # noqa: E731
    assert rate(guarded) < rate(unguarded) - 0.05
    assert set(guarded.loc[guarded["breakdown"], "reneged_by"]) == {"russia"}


DATA = find_data_dir(data.FOLDER)


@pytest.mark.skipif(DATA is None, reason="shared/data/war-termination is not beside the project")
def test_the_articles_breakdown_lies_within_the_ucdp_agreements_range(article_raw, tmp_path):
    history = reference_class.agreement_survival(data.load_agreements(DATA), (12, 36))["survival"]
    runs = run(tmp_path, article_raw, runs=3000, seed=6)
    model = model_deal_survival(runs, 36, (12, 36))["survival"]
    # About 21% of agreements ended within a year and 28% within three; the article's deals within 6 points of both.
    assert abs((1 - model[12]) - (1 - history[12])) < 0.06
    assert abs((1 - model[36]) - (1 - history[36])) < 0.06
    # The hazard falls: the first year breaks more deals a month than the two after it.
    assert (1 - model[12]) / 12 > 2 * (model[12] - model[36]) / 24


BAD = {
    "unknown reneger": (["reneging", "actors"], ["poland"], "reneging.actors.0", "unknown actor 'poland'"),
    "reneger twice": (["reneging", "actors"], ["russia", "russia"], "reneging.actors.1", "named twice"),
    "unknown guarantee": (
        ["reneging", "guarantees", "backstop"],
        {"cost": 0.1},
        "reneging.guarantees.backstop",
        "unknown issue 'backstop'",
    ),
    "credibility off range": (
        ["reneging", "guarantees", "us_backstop", "credibility"],
        1.5,
        "reneging.guarantees.us_backstop.credibility",
        "[0, 1]",
    ),
    "no shock scale": (["reneging", "shock_scale"], KeyError, "reneging.shock_scale", "missing required key"),
    "misspelt shift": (
        ["power_shift", "while_setled"],
        0.01,
        "power_shift.while_setled",
        "did you mean 'while_settled'",
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_reneging_and_shift_get_one_clear_message(case, article_raw, tmp_path, capsys):
    keys, value, key_path, expected = BAD[case]
    bad = write_yaml(tmp_path / "bad.yaml", mutate(article_raw, keys, value))
    out = tmp_path / "out"
    assert main(["run", str(bad), "--runs", "10", "--out", str(out), "--quiet"]) == 2
    message = capsys.readouterr().err
    assert "bad.yaml" in message and key_path in message and expected in message, message
    assert "Traceback" not in message and not out.exists()


def test_a_shift_needs_a_front(tmp_path, capsys):
    raw = rising_side(0.01)
    del raw["front"]
    raw["issues"]["share"] = {"low_means": "b gets all", "high_means": "a gets all", "no_deal": 0.5}
    raw["reneging"] = {"actors": ["a"], "shock_scale": 0.01}
    path = write_yaml(tmp_path / "strike.yaml", raw)
    assert main(["validate", str(path)]) == 2
    assert "power_shift" in capsys.readouterr().err
    del raw["power_shift"]
    runs = run(tmp_path, raw, runs=300)
    assert runs["deal"].all() and set(runs["breakdown_reason"]) <= {"", "shock"}
    assert np.isfinite(runs.loc[runs["breakdown"], "months_to_breakdown"]).all()


def _one_reneger(drift: np.ndarray) -> RenegingRule:
    """One reneger over ``len(drift)`` runs (its chance 0.5, 0.7, 0.9, ...), one front issue and one guarantee."""
    n = len(drift)
    return RenegingRule(
        position=np.full((1, 1, n), 0.9),
        weight=np.full((1, 1, n), 0.8),
        form=UtilityForm("quadratic", np.zeros((1, n)), np.ones(n)),
        p_advance=np.linspace(0.5, 0.9, n)[None],
        drift=drift,
        direction=np.array([[1.0]]),
        reach=np.full((1, n), 0.4),
        war_cost=np.full((1, n), 0.05),
        follows=np.array([True, False]),
        guarantee=np.array([[np.zeros(n), np.full(n, 0.3)], [np.zeros(n), np.full(n, 0.2)]]),
        scale=np.full(n, 0.1),
    )


def test_the_foreseen_loss_is_the_chance_nobody_attacks_within_the_horizon_for_each_package_weighed():
    """One reneger, one front issue, one guarantee, nothing drifting or delayed: a deal holds ``H`` rounds with
    ``(1 + exp(G / sigma)) ** -H``; the package-free part computed once serves every package."""
    n = 3
    ones, zeros = np.ones(n), np.zeros(n)
    rule = _one_reneger(np.zeros(n))
    loss, horizon = np.array([[0.5] * n, [0.0] * n]), np.array([[12.0, 6.0, 12.0], [12.0] * n])
    foresight = rule.foresee(loss, zeros, zeros[None].repeat(2, 0), zeros, ones, horizon)
    for front, guarantee in [(0.3, 0.0), (0.5, 1.0)]:
        package = np.array([[front] * n, [guarantee] * n])
        chance = np.clip(rule.p_advance[0] - 0.3 * guarantee, 0.0, 1.0)
        moved = np.clip(front + 0.4 * (2.0 * chance - 1.0), 0.0, 1.0)
        gain = 0.8 * (front - 0.9) ** 2 - 0.8 * (moved - 0.9) ** 2 - 0.05 - 0.2 * guarantee
        expected = 0.5 * (1.0 - (1.0 + np.exp(gain / 0.1)) ** -horizon[0])
        np.testing.assert_allclose(foresight.expected_loss(package)[0], expected, rtol=1e-12)
        assert (foresight.expected_loss(package)[1] == 0.0).all()


def test_a_runs_foreseen_loss_does_not_depend_on_the_runs_beside_it():
    """A holder who loses nothing in a run does not set that run's longest horizon, whatever it loses elsewhere."""
    n = 3
    rule, zeros = _one_reneger(np.full(n, -0.01)), np.zeros(n)
    loss = np.array([[0.5, 0.5, 0.5], [0.3, 0.0, 0.0]])
    horizon = np.array([[6.0, 6.0, 12.0], [24.0, 24.0, 24.0]])
    package = np.array([[0.4, 0.5, 0.6], [1.0, 0.5, 0.0]])
    together = rule.foresee(loss, zeros, zeros[None].repeat(2, 0), zeros, np.ones(n), horizon).expected_loss(package)
    for k in range(n):
        one = np.array([k])
        alone = (
            rule.take(one)
            .foresee(
                loss[:, one], zeros[one], zeros[None].repeat(2, 0)[:, one], zeros[one], np.ones(1), horizon[:, one]
            )
            .expected_loss(package[:, one])
        )
        np.testing.assert_allclose(together[:, k], alone[:, 0], rtol=1e-12)
