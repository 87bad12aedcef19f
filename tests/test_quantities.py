"""Scenario numbers: each distribution draws what it promises, from the seed it is given."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from sim.quantities import Quantity

ADAPTER = TypeAdapter(Quantity)

CASES = [
    ({"dist": "uniform", "low": 2, "high": 4}, 3.0, np.sqrt(4 / 12), (2, 4)),
    ({"dist": "triangular", "low": 0, "mode": 0, "high": 3}, 1.0, np.sqrt(9 / 18), (0, 3)),
    ({"dist": "truncated_normal", "mean": 0, "sd": 1, "low": 0, "high": 10}, np.sqrt(2 / np.pi), np.sqrt(1 - 2 / np.pi), (0, 10)),
    ({"dist": "beta", "a": 2, "b": 6, "low": 10, "high": 20}, 12.5, 10 * np.sqrt(12 / (64 * 9)), (10, 20)),
    ({"dist": "choice", "values": [1, 2], "weights": [3, 1]}, 1.25, np.sqrt(3 / 16), (1, 2)),
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
        {"value": float("nan")},
        {"dist": "uniform", "low": 0, "high": 1, "extra": 1},
        True,
    ],
)
def test_impossible_distributions_are_rejected(spec):
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(spec)
