"""Scenario discovery: PRIM and CART find a region that is known, and the command reads a results folder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import ARTICLE

from sim.analysis import discovery
from sim.cli import main


@pytest.fixture(scope="module")
def known_region():
    rng = np.random.default_rng(0)
    runs = pd.DataFrame(rng.uniform(size=(5000, 4)), columns=["a", "b", "c", "d"])
    runs["months_to_deal"] = np.where((runs["a"] > 0.6) & (runs["b"] < 0.3), 5.0, np.nan)
    runs["deal"] = runs["months_to_deal"].notna()
    runs["outcome"] = np.where(runs["deal"], "agreement", "no_agreement")
    return runs


@pytest.mark.slow
def test_prim_finds_the_box(known_region):
    happens = discovery.condition(known_region, "deal_within_12_months")
    box = discovery.prim(known_region, ["a", "b", "c", "d"], happens, threshold=0.9)
    step = box.trajectory.loc[box.chosen]
    assert step.density >= 0.9 and step.coverage > 0.8
    assert set(box.limits.index) == {"a", "b"}
    assert box.limits.loc["a", "low"] == pytest.approx(0.6, abs=0.03)
    assert box.limits.loc["b", "high"] == pytest.approx(0.3, abs=0.03)
    assert box.useful


@pytest.mark.slow
def test_prim_finds_a_useful_box_when_the_outcome_is_already_common():
    """Three runs in four have the outcome and one parameter decides it: the widest box dense enough (0.8) is barely
    denser than all runs, so the box chosen is the first that is also useful."""
    rng = np.random.default_rng(2)
    runs = pd.DataFrame(rng.uniform(size=(4000, 3)), columns=["a", "b", "c"])
    happens = pd.Series(runs["a"] > 0.25)
    box = discovery.prim(runs, ["a", "b", "c"], happens)
    assert box.useful
    assert box.trajectory.loc[box.chosen, "density"] >= discovery.MIN_LIFT * happens.mean()
    assert "a" in box.limits.index and box.limits.loc["a", "low"] == pytest.approx(0.25, abs=0.05)


def test_prim_says_when_no_box_helps(known_region):
    noise = pd.Series(np.random.default_rng(1).uniform(size=len(known_region)) < 0.95)
    assert not discovery.prim(known_region, ["a", "b", "c", "d"], noise).useful


def test_cart_finds_the_rule(known_region):
    leaves = discovery.cart(known_region, ["a", "b", "c", "d"], discovery.condition(known_region, "agreement"), 2)
    best = leaves.iloc[0]
    assert best.density > 0.97 and best.coverage > 0.97
    cuts = dict(part.split(" ", 1) for part in best.rule.split(" and "))
    assert cuts["a"].startswith(">") and float(cuts["a"][2:]) == pytest.approx(0.6, abs=0.01)
    assert cuts["b"].startswith("<=") and float(cuts["b"][3:]) == pytest.approx(0.3, abs=0.01)


def test_cart_rules_name_each_parameter_once(known_region):
    leaves = discovery.cart(known_region, ["a", "b", "c", "d"], discovery.condition(known_region, "agreement"), 4)
    for rule in leaves["rule"]:
        names = [part.split()[-3] if part.count(" ") == 4 else part.split()[0] for part in rule.split(" and ")]
        assert len(names) == len(set(names)), rule
    assert discovery.simplified_rule({"x": (0.19, np.inf)}) == "x > 0.19"
    assert discovery.simplified_rule({"x": (0.1, 0.4), "y": (-np.inf, 2.0)}) == "0.1 < x <= 0.4 and y <= 2"


def test_conditions(known_region):
    assert (
        discovery.condition(known_region, where="deal and a > 0.9").sum()
        == ((known_region.a > 0.9) & known_region.deal).sum()
    )
    with pytest.raises(ValueError, match="unknown outcome"):
        discovery.condition(known_region, "happiness")
    with pytest.raises(ValueError, match="cannot evaluate"):
        discovery.condition(known_region, where="deal and (")


@pytest.mark.slow
def test_discover_command(tmp_path, capsys):
    results = tmp_path / "runs"
    assert main(["run", str(ARTICLE), "--runs", "3000", "--out", str(results), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["discover", str(results), "deal_within_12_months"]) == 0
    text = capsys.readouterr().out
    assert "PRIM box" in text and "coverage" in text and "CART leaves" in text
    assert {"prim_tradeoff.png", "prim_tradeoff.svg", "prim_box.png", "prim_box.svg", "prim_box.csv"} <= {
        p.name for p in (results / "discovery").iterdir()
    }
    assert main(["discover", str(results), "--where", "outcome == 'no such class'"]) == 2
    assert "nothing to tell apart" in capsys.readouterr().err
