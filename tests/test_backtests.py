"""Backtests on real data: the figures published with the data, recomputed."""

from __future__ import annotations

import pytest

from sim.backtests import deu
from sim.cli import main

pytestmark = pytest.mark.skipif(not deu.DEFAULT_PATH.is_file(), reason="shared/data/deu3 is not beside the project")


def test_deu_baselines_match_the_published_errors():
    errors = deu.mean_absolute_errors(deu.load_deu())["mean_absolute_error"]
    # shared/data/README.md: mean 23.71, salience-weighted mean 23.68, median 28.59, reference point 51.11.
    assert errors["mean"] == pytest.approx(23.71, abs=0.005)
    assert errors["compromise"] == pytest.approx(23.68, abs=0.005)
    assert errors["median"] == pytest.approx(28.59, abs=0.005)
    assert errors["reference_point"] == pytest.approx(51.11, abs=0.005)


def test_deu_counts_the_issues_with_an_outcome():
    data = deu.load_deu()
    assert len(data.outcome) == 353 and len(data.actors) == 30


def test_backtest_command(capsys):
    assert main(["backtest", "deu"]) == 0
    text = capsys.readouterr().out
    assert "353 issues" in text and "compromise" in text and "23.68" in text


def test_backtest_with_a_missing_file(tmp_path, capsys):
    assert main(["backtest", "deu", "--data", str(tmp_path / "none.csv")]) == 2
    assert "none.csv: file not found" in capsys.readouterr().err
