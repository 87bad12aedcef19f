"""Plot functions: styles pass through, overlays keep each other's limits, tornado and Sobol read right."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from sim.analysis import drivers
from sim.reporting import plots

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def deals_by(month: float, share: float, runs: int = 2000) -> pd.DataFrame:
    """Runs where a share of them deal at one month."""
    deal = np.arange(runs) < share * runs
    return pd.DataFrame({"deal": deal, "months_to_deal": np.where(deal, month, np.nan)})


def test_an_overlaid_deal_curve_keeps_the_first_curves_limits_and_labels_lines():
    high, low = deals_by(2, 0.22), deals_by(3, 0.05)
    figure, ax = plt.subplots()
    plots.plot_deal_curve(high, 12, ax=ax, label="first", color="#123456")
    top = ax.get_ylim()[1]
    plots.plot_deal_curve(low, 12, ax=ax, label="second", linestyle="--")
    assert ax.get_ylim()[1] == top >= 0.22
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["first", "second"]
    first, second = ax.get_lines()
    assert first.get_color() == "#123456" and second.get_linestyle() == "--"
    plt.close(figure)


def test_tornado_draws_its_centre_line_above_the_bars():
    table = pd.DataFrame(
        {"value_low": [0.9, 1.0], "value_high": [1.0, 2.0], "outcome_low": [0.2, 0.3], "outcome_high": [0.6, 0.5]},
        index=pd.Index(["a", "b"], name="parameter"),
    )
    table.attrs["centre"] = 0.4
    figure, ax = plt.subplots()
    plots.plot_tornado(table, "deal", ax=ax)
    centre = [line for line in ax.get_lines() if list(line.get_xdata()) == [0.4, 0.4]]
    assert centre and centre[0].get_zorder() > max(patch.get_zorder() for patch in ax.patches)
    plt.close(figure)


def test_sobol_warnings_name_the_unreliable_and_the_sample_that_would_fix_them():
    indices = pd.DataFrame(
        {
            "first_order": [0.5, -0.02, 0.01],
            "first_order_conf": [0.05, 0.1, 0.2],
            "total": [0.6, 1.05, 0.02],
            "total_conf": [0.05, 0.1, 0.01],
        },
        index=pd.Index(["strong", "noisy", "weak"], name="parameter"),
    )
    [warning] = drivers.sobol_warnings(indices, base_runs=1024)
    assert warning.startswith("unreliable estimates of some parameters: 1 with a first-order index below zero (noisy);")
    assert "1 with a total index above one (noisy)" in warning
    assert "2 with a first-order interval wider than the estimate (noisy, weak)" in warning
    # The widest flagged interval, 0.2, must shrink to 0.05: (0.2 / 0.05)^2 = 16 times the base sample.
    assert "about 16,384 (now 1,024)" in warning
    assert drivers.sobol_warnings(indices.loc[["strong"]], base_runs=1024) == []


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_deal_curve_at_0_and_100_percent(share):
    figure, ax = plt.subplots()
    plots.plot_deal_curve(deals_by(1, share), 6, ax=ax)
    assert 0 < ax.get_ylim()[1] <= 1.0
    plt.close(figure)


def test_numbers_on_the_plots_read_as_a_person_writes_them():
    runs = pd.DataFrame(
        {
            "deal": [True, True, False],
            "settlement_centrifuges": [6500.0, 7800.0, np.nan],
            "compromise_centrifuges": 7655.0,
        }
    )
    ax = plots.plot_settlement(runs, "centrifuges")
    assert "compromise model (median 7,655)" in [text.get_text() for text in ax.get_legend().get_texts()]
    limits = pd.DataFrame(
        {"low": [6511.0], "high": [8907.0], "range_low": [5000.0], "range_high": [10000.0]},
        index=pd.Index(["centrifuges"], name="parameter"),
    )
    ax = plots.plot_prim_box(limits)
    assert "6,511 to 8,907" in [text.get_text() for text in ax.texts]
    plt.close("all")


@pytest.mark.parametrize("columns", [1, 3])
def test_a_long_settlement_title_wraps_within_its_axes(columns):
    rng = np.random.default_rng(0)
    runs = pd.DataFrame({"deal": True, "settlement_land": rng.uniform(size=200), "compromise_land": 0.5})
    figure, axes = plt.subplots(1, columns, figsize=(12, 4), squeeze=False)
    ax = plots.plot_settlement(
        runs, "land", ax=axes[0, 0], title="Share of the disputed land held in a settlement " * 3
    )
    figure.canvas.draw()
    title = ax.title.get_window_extent()
    frame = ax.get_window_extent()
    assert "\n" in ax.get_title()
    assert title.x0 >= frame.x0 - 20 and title.x1 <= frame.x1 + 20
    plt.close(figure)
