"""Scenario numbers: each distribution draws what it promises, from the seed it is given."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from sim.scenario.quantities import Quantity, bounds_problem

ADAPTER = TypeAdapter(Quantity)

CASES = [
    ({"dist": "uniform", "low": 2, "high": 4}, 3.0, np.sqrt(4 / 12), (2, 4)),
    ({"dist": "triangular", "low": 0, "mode": 0, "high": 3}, 1.0, np.sqrt(9 / 18), (0, 3)),
    (
        {"dist": "truncated_normal", "mean": 0, "sd": 1, "low": 0, "high": 10},
        np.sqrt(2 / np.pi),
        np.sqrt(1 - 2 / np.pi),
        (0, 10),
    ),
    ({"dist": "beta", "a": 2, "b": 6, "low": 10, "high": 20}, 12.5, 10 * np.sqrt(12 / (64 * 9)), (10, 20)),
    ({"dist": "choice", "values": [1, 2], "weights": [3, 1]}, 1.25, np.sqrt(3 / 16), (1, 2)),
    # Normal cut at one side: the half-normal's mean sd * sqrt(2 / pi) above its cut.
    (
        {"dist": "normal", "mean": 5, "sd": 2, "low": 5},
        5 + 2 * np.sqrt(2 / np.pi),
        2 * np.sqrt(1 - 2 / np.pi),
        (5, np.inf),
    ),
    ({"dist": "normal", "mean": 1, "sd": 0.5}, 1.0, 0.5, (-np.inf, np.inf)),
    # Log-normal: mean m exp(s^2 / 2), variance (exp(s^2) - 1) m^2 exp(s^2).
    (
        {"dist": "lognormal", "median": 2, "sigma": 0.5},
        2 * np.exp(0.125),
        2 * np.sqrt((np.exp(0.25) - 1) * np.exp(0.25)),
        (0, np.inf),
    ),
    # PERT(0, 3, 10): beta(2.2, 3.8) on [0, 10]; mean (0 + 4 * 3 + 10) / 6, variance ab / ((a+b)^2 (a+b+1)) * 100.
    ({"dist": "pert", "low": 0, "mode": 3, "high": 10}, 22 / 6, 10 * np.sqrt(2.2 * 3.8 / (36 * 7)), (0, 10)),
    # Whole numbers 1..6: a die, mean 3.5, variance 35 / 12.
    ({"dist": "integer_uniform", "low": 1, "high": 6}, 3.5, np.sqrt(35 / 12), (1, 6)),
    ({"value": 0.4, "source": "fact: x"}, 0.4, 0.0, (0.4, 0.4)),
    (0.4, 0.4, 0.0, (0.4, 0.4)),
]


@pytest.mark.parametrize(("spec", "mean", "sd", "support"), CASES)
def test_draws_have_the_promised_mean_spread_and_support(spec, mean, sd, support):
    quantity = ADAPTER.validate_python(spec)
    draws = quantity.ppf(np.random.default_rng(0).random(200_000))
    assert draws.mean() == pytest.approx(mean, abs=5 * sd / np.sqrt(len(draws)) + 1e-12)
    assert draws.std() == pytest.approx(sd, rel=0.02, abs=1e-12)
    assert draws.min() >= support[0] and draws.max() <= support[1]
    assert quantity.central() == pytest.approx(mean, rel=1e-9)
    again = quantity.ppf(np.random.default_rng(0).random(200_000))
    assert np.array_equal(draws, again)


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "uniform", "low": 1, "high": 1},
        {"dist": "triangular", "low": 0, "mode": 5, "high": 3},
        {"dist": "truncated_normal", "mean": 0, "sd": 0, "low": 0, "high": 1},
        {"dist": "truncated_normal", "mean": 100, "sd": 1, "low": 0, "high": 1},
        {"dist": "beta", "a": -1, "b": 1},
        {"dist": "choice", "values": [1, 2], "weights": [1]},
        {"dist": "choice", "values": []},
        {"dist": "normal", "mean": 0, "sd": 1, "low": 50},
        {"dist": "lognormal", "median": 0, "sigma": 1},
        {"dist": "pert", "low": 0, "mode": 2, "high": 1},
        {"dist": "integer_uniform", "low": 1.5, "high": 3},
        {"value": 0.4, "source": "assumption"},
        {"value": 0.4, "source": "line: 4"},
        {"value": float("nan")},
        {"dist": "uniform", "low": 0, "high": 1, "extra": 1},
        True,
    ],
)
def test_impossible_distributions_are_rejected(spec):
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(spec)


def test_a_normal_is_cut_to_the_range_of_its_key():
    from sim.scenario.quantities import Probability

    cut = TypeAdapter(Probability).validate_python({"dist": "normal", "mean": 0.9, "sd": 0.2})
    assert cut.support() == (0.0, 1.0)
    draws = cut.ppf(np.random.default_rng(1).random(10_000))
    assert draws.min() >= 0 and draws.max() <= 1


def test_whole_numbers_and_choices_rise_with_their_quantile():
    u = np.linspace(0, 0.999, 1000)
    for spec in (
        {"dist": "integer_uniform", "low": -2, "high": 2},
        {"dist": "choice", "values": [1.0, 0.95, 0.9], "weights": [6, 2, 2]},
    ):
        values = ADAPTER.validate_python(spec).ppf(u)
        assert (np.diff(values) >= 0).all()
    assert set(ADAPTER.validate_python({"dist": "integer_uniform", "low": -2, "high": 2}).ppf(u)) == {-2, -1, 0, 1, 2}


@pytest.mark.parametrize("source", ['line 4: "quote"', "fact: x", "assumption: y", "variant: z", "default: w"])
def test_every_source_prefix_is_accepted(source):
    assert ADAPTER.validate_python({"value": 1, "source": source}).source == source


@pytest.mark.parametrize(
    ("lower", "upper", "problem"),
    [
        (None, None, "give at_least, at_most or both"),
        (0.9, 0.1, "at_least (0.9) is above at_most (0.1): no value meets both"),
        (0.5, 0.5, None),
        ({"dist": "uniform", "low": 0.4, "high": 0.7}, 0.3, "at_least is above at_most whatever is drawn"),
        ({"dist": "uniform", "low": 0.4, "high": 0.7}, 0.5, None),
        (0.2, {"dist": "normal", "mean": 0.5, "sd": 0.1}, None),
    ],
)
def test_bounds_are_refused_only_when_they_cross_in_every_draw(lower, upper, problem):
    """Bounds that cross in some draws only are kept (those draws meet no value); crossing in every draw is refused."""
    found = bounds_problem(_bound(lower), _bound(upper))
    assert found is None if problem is None else found.startswith(problem), found


def _bound(spec):
    """A bound as a scenario holds it: a plain number (a flag's), a quantity, or None."""
    return spec if spec is None or isinstance(spec, float) else ADAPTER.validate_python(spec)


@pytest.mark.parametrize(
    ("spec", "whole"),
    [
        (3, True),
        (2.5, False),
        ({"dist": "integer_uniform", "low": 1, "high": 3}, True),
        ({"dist": "choice", "values": [1, 2]}, True),
        ({"dist": "choice", "values": [1, 2.5]}, False),
        ({"dist": "uniform", "low": 1, "high": 3}, False),
    ],
)
def test_whole_numbers_are_told_apart(spec, whole):
    assert ADAPTER.validate_python(spec).whole() is whole
