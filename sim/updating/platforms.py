"""Forecasting platforms beside the model, fairly: for each logged forecast, only the platforms' snapshots dated
on or before its as-of date, and Brier scores for both where the question has resolved.

The platforms' file is ``ceasefire-forecasts/forecasts.csv`` in the shared data folder (``--data``, then
``NEGOTIATION_SIM_DATA``, then ``shared/data`` beside the checkout)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.backtests.data_files import read_table
from sim.history.scoring import brier
from sim.updating.questions import Question

FOLDER = "ceasefire-forecasts"
FILE = "forecasts.csv"
_COLUMNS = ("platform", "question", "snapshot_date", "outcome_bin", "probability", "source_url")


def read_platform_forecasts(data: str | Path) -> pd.DataFrame:
    """The platforms' snapshots that have an exact date and a single probability (``same`` in the question column
    repeats the row above); columns platform, question, snapshot_date, outcome_bin, probability, source_url."""
    table = read_table(Path(data) / FOLDER / FILE, FOLDER, _COLUMNS)
    table["question"] = table["question"].replace("same", np.nan).ffill()
    table["snapshot_date"] = pd.to_datetime(table["snapshot_date"], format="%Y-%m-%d", errors="coerce")
    table["probability"] = pd.to_numeric(table["probability"], errors="coerce")
    usable = table["snapshot_date"].notna() & table["probability"].between(0, 1)
    return table.loc[usable, list(_COLUMNS)].reset_index(drop=True)


def compare_with_platforms(log: pd.DataFrame, questions: list[Question], platforms: pd.DataFrame) -> pd.DataFrame:
    """Per logged forecast of a question that names platforms: the model's probability beside each platform's latest
    snapshot dated on or before the forecast's as-of date, and both Brier scores where the question has resolved."""
    rows = []
    for question in questions:
        for _, forecast in log[log["question"] == question.id].iterrows():
            as_of = pd.Timestamp(forecast["as_of"])
            model = float(forecast["probability"])
            for match in question.platforms:
                same = platforms[
                    (platforms["platform"] == match.platform)
                    & (platforms["question"] == match.question)
                    & (platforms["outcome_bin"] == match.outcome_bin)
                    & (platforms["snapshot_date"] <= as_of)
                ]
                latest = same.sort_values("snapshot_date").tail(1)
                platform = float(latest["probability"].iloc[0]) if len(latest) else np.nan
                resolved = question.resolution
                rows.append(
                    {
                        "question": question.id,
                        "as_of": forecast["as_of"],
                        "model": model,
                        "platform": match.platform,
                        "snapshot_date": latest["snapshot_date"].iloc[0].date().isoformat() if len(latest) else "",
                        "platform_probability": platform,
                        "happened": "" if resolved is None else resolved.happened,
                        "model_brier": np.nan if resolved is None else brier(model, resolved.happened),
                        "platform_brier": np.nan
                        if resolved is None or np.isnan(platform)
                        else brier(platform, resolved.happened),
                    }
                )
    return pd.DataFrame(
        rows,
        columns=[
            "question",
            "as_of",
            "model",
            "platform",
            "snapshot_date",
            "platform_probability",
            "happened",
            "model_brier",
            "platform_brier",
        ],
    )


def model_scores(log: pd.DataFrame, questions: list[Question]) -> pd.DataFrame:
    """The Brier score of every logged forecast of a resolved question."""
    resolved = {q.id: q.resolution.happened for q in questions if q.resolution is not None}
    scored = log[log["question"].isin(list(resolved))].copy()
    scored["happened"] = scored["question"].map(resolved)
    scored["brier"] = [brier(float(p), bool(h)) for p, h in zip(scored["probability"], scored["happened"], strict=True)]
    return scored[["question", "as_of", "probability", "happened", "brier"]].reset_index(drop=True)
