"""Likelihoods, importance weights and effective sample size on small cases worked by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from helpers import ARTICLE

from sim.analysis.summary import effective_sample_size, proportion
from sim.scenario.loading import load_scenario
from sim.updating.evidence import Evidence, FrontAt, Happened, PositionAt, RedLineAt
from sim.updating.likelihood import log_likelihood
from sim.updating.posterior import importance_weights, parameter_shifts, weighted_quantile

SCENARIO = load_scenario(ARTICLE)
COMMON = {"source": "test", "date": dt.date(2026, 2, 18)}


def evidence(*observations) -> Evidence:
    return Evidence(path="test.yaml", sha256="0" * 64, observations=observations)


def runs(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_no_deal_by_a_date_keeps_one_minus_reliability_for_runs_that_disagree():
    table = runs(deal_date=pd.to_datetime(["2026-02-06", "2026-03-06", None]))
    said = Happened(id="no_deal", kind="happened", what="deal", happened=False, reliability=0.8, **COMMON)
    got = log_likelihood(evidence(said), table, {}, SCENARIO)["no_deal"].to_numpy()
    np.testing.assert_allclose(got, np.log([0.2, 1.0, 1.0]))


def test_a_contradicted_report_teaches_nothing():
    table = runs(ceasefire_date=pd.to_datetime(["2026-02-06", None]))
    claim = Happened(id="claim", kind="happened", what="ceasefire", happened=True, reliability=0.0, **COMMON)
    assert np.all(log_likelihood(evidence(claim), table, {}, SCENARIO)["claim"] == 0.0)


def test_front_report_is_a_gaussian_kernel_on_the_runs_front():
    report = FrontAt(
        id="front", kind="front", region="contested_donbas", value=0.3, plus_minus=0.1, reliability=1.0, **COMMON
    )
    fronts = {("contested_donbas", pd.Timestamp(COMMON["date"])): np.array([0.3, 0.4, 0.1])}
    got = log_likelihood(evidence(report), runs(run_id=[0, 1, 2]), fronts, SCENARIO)["front"].to_numpy()
    np.testing.assert_allclose(got, [0.0, -0.5, -2.0])


def test_red_line_and_position_bounds_read_the_drawn_numbers_and_constants():
    table = runs(**{"actors.russia.issues.territory.red_line.min": [1.0, 0.8]})
    line = RedLineAt(
        id="line",
        kind="red_line",
        actor="russia",
        issue="territory",
        bound="min",
        at_least=1.0,
        reliability=0.9,
        **COMMON,
    )
    constant = PositionAt(
        id="constant",
        kind="position",
        actor="united_states",
        issue="guarantee_years",
        at_most=20,
        reliability=0.9,
        **COMMON,
    )  # the article's constant 15 years
    got = log_likelihood(evidence(line, constant), table, {}, SCENARIO)
    np.testing.assert_allclose(got["line"], np.log([1.0, 0.1]))
    np.testing.assert_allclose(got["constant"], [0.0, 0.0])


def test_weights_and_effective_sample_size_by_hand():
    weights = importance_weights(np.log([1.0, 0.2]))
    np.testing.assert_allclose(weights, [1 / 1.2, 0.2 / 1.2])
    assert effective_sample_size(weights) == pytest.approx(1.44 / 1.04)
    assert effective_sample_size(np.full(10, 0.1)) == pytest.approx(10)
    assert effective_sample_size(np.array([0.0, 1.0, 0.0])) == pytest.approx(1)
    assert np.all(importance_weights(np.array([-np.inf, -np.inf])) == 0)


def test_weighted_proportion_uses_the_effective_sample_size():
    got = proportion(pd.Series([True, False]), np.array([0.75, 0.25]))
    assert got["estimate"] == pytest.approx(0.75)
    assert got["se"] == pytest.approx(np.sqrt(0.75 * 0.25 / 1.6))
    unweighted = proportion(pd.Series([True, False, False, True]))
    assert proportion(pd.Series([True, False, False, True]), np.full(4, 0.25)) == pytest.approx(unweighted)


def test_parameter_shift_in_prior_standard_deviations():
    table = runs(x=[0.0, 1.0, 2.0, 3.0])
    weights = np.array([0.0, 0.0, 0.5, 0.5])
    shifted = parameter_shifts(table, ["x"], weights).iloc[0]
    assert shifted["posterior_mean"] == pytest.approx(2.5)
    assert shifted["shift_in_sd"] == pytest.approx((2.5 - 1.5) / np.std([0, 1, 2, 3]))
    assert weighted_quantile(np.array([0.0, 1.0, 2.0, 3.0]), weights, 0.05) == 2.0
