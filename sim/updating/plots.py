"""Plots of dated forecasts: ``plot_*(data, ax=None) -> Axes``, never shown or saved here."""

from __future__ import annotations

import pandas as pd


def plot_forecast_log(log: pd.DataFrame, ax=None, **style):
    """Each question's probability (with its 95% interval) against the as-of date of the forecast, from a forecast
    log (:func:`sim.updating.forecast_log.read_log`); ``style`` goes to every line."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for _, rows in log.groupby("question", sort=False):
        rows = rows.sort_values("as_of")
        dates = pd.to_datetime(rows["as_of"])
        (line,) = ax.plot(dates, rows["probability"].astype(float), marker="o", label=rows["text"].iloc[-1], **style)
        ax.fill_between(dates, rows["lo"].astype(float), rows["hi"].astype(float), color=line.get_color(), alpha=0.15)
    ax.set_ylim(0, 1)
    ax.set_xlabel("as-of date of the forecast")
    ax.set_ylabel("probability (95% interval)")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.set_title("Forecasts as the news came in")
    if len(log):
        ax.legend(fontsize="small")
    return ax
