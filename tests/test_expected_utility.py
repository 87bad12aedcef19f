"""Bueno de Mesquita's expected-utility model against the published EC car-emissions case."""

from __future__ import annotations

import numpy as np
import pytest

from sim.backtests.data_folder import find_data_dir
from sim.model.expected_utility import EUOptions, expected_utility_rounds, median_voter, weighted_mean

ROOT = find_data_dir("ec-car-emissions")
DATA = ROOT / "ec-car-emissions" / "ec_car_emissions.csv" if ROOT else None
pytestmark = pytest.mark.skipif(DATA is None, reason="shared/data/ec-car-emissions is not beside the project")
# Scholz, Calbert & Smith (2011), mean position by round 0..10, as read from their figure (shared/data/README.md).
PUBLISHED = [7.4, 7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6, 7.3, 7.2]


@pytest.fixture(scope="module")
def ec():
    table = np.genfromtxt(DATA, delimiter=",", names=True, dtype=None, encoding=None)
    return (
        table["Position"].astype(float)[:, None],
        table["Capability"].astype(float)[:, None],
        table["Salience"].astype(float)[:, None],
    )


def test_weighted_mean_and_median_voter(ec):
    position, capability, salience = ec
    assert weighted_mean(position, capability, salience)[0] == pytest.approx(7.389955686853767, abs=1e-12)
    assert median_voter(position, capability, salience)[0] == 7.0


def test_mean_position_by_round_follows_the_published_series(ec):
    position, capability, salience = ec
    rounds = expected_utility_rounds(position, capability, salience, EUOptions())
    means = [weighted_mean(rounds[k], capability, salience)[0] for k in range(11)]
    assert np.abs(np.array(means) - PUBLISHED).max() < 0.1, np.round(means, 3)


@pytest.mark.parametrize(
    "option", [{"compromise_ranking": "smallest_move"}, {"probability_denominator": "pair"}, {"q": 0.5, "t": 0.5}]
)
def test_each_open_choice_changes_the_run(ec, option):
    position, capability, salience = ec
    default = expected_utility_rounds(position, capability, salience, EUOptions())
    other = expected_utility_rounds(position, capability, salience, EUOptions(**option))
    assert not np.allclose(default, other)


def test_runs_are_independent_and_absent_actors_ignored(ec):
    position, capability, salience = ec
    extra = lambda values, value: np.vstack([np.hstack([values, values]), [[value, value]]])  # noqa: E731
    rounds = expected_utility_rounds(extra(position, np.nan), extra(capability, 0.5), extra(salience, 0.5), EUOptions())
    alone = expected_utility_rounds(position, capability, salience, EUOptions())
    assert np.allclose(rounds[:, :10, 0], alone[:, :, 0]) and np.allclose(rounds[:, :10, 1], alone[:, :, 0])
    assert np.isnan(rounds[:, 10, :]).all()
