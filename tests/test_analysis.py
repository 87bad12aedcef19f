"""Summaries: intervals and curves against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import analysis
from sim.analysis import summary


def test_wilson_interval_matches_the_textbook():
    # 81 of 263 (Wilson 1927 as tabulated by Newcombe 1998): 0.2553 to 0.3662.
    lo, hi = summary.wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=1e-4) and hi == pytest.approx(0.3662, abs=1e-4)
    assert summary.wilson_interval(0, 10)[0] == 0.0


def test_deal_curve_counts_deals_by_month():
    runs = pd.DataFrame({"months_to_deal": [1.0, 3.0, np.nan, 3.0]})
    curve = summary.deal_curve(runs, 4)
    assert curve["estimate"].tolist() == [0.0, 0.25, 0.25, 0.75, 0.75]
    assert (curve["lo"] <= curve["estimate"]).all() and (curve["estimate"] <= curve["hi"]).all()


def test_outcome_shares_cover_every_class_of_the_scenario():
    runs = pd.DataFrame({"outcome": ["agreement", "no_agreement", "no_agreement", "no_agreement"]})
    shares = summary.outcome_shares(runs, ["agreement", "agreement_broke_down", "no_agreement"])
    assert shares.loc["no_agreement", "estimate"] == 0.75
    assert shares.loc["agreement_broke_down", "estimate"] == 0.0
    assert shares["estimate"].sum() == pytest.approx(1.0)
    assert summary.outcome_shares(runs).index.tolist() == ["agreement", "no_agreement"]


def test_the_analysis_namespace_reaches_every_part_and_nothing_it_imports():
    from sim.analysis import comparison, drivers

    assert analysis.headline is summary.headline
    assert analysis.compare_models is comparison.compare_models
    assert analysis.tornado is drivers.tornado
    with pytest.raises(AttributeError):
        analysis.np  # noqa: B018
    with pytest.raises(AttributeError):
        analysis.no_such_function  # noqa: B018
