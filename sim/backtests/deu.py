"""Decision-making in the EU (DEU II + III): forecasts per legislative issue against the actual outcome.

The data file is tab-separated: one row per issue, positions ``p<actor>`` and saliences ``s<actor>``
(0-100) of the Commission, the Parliament and the member states, the reference point ``rp`` and the
outcome ``out``. Its second row is not DEU data (GDP per actor) and is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.backtests.data_files import not_a_data_file, numbers, read_table
from sim.backtests.data_folder import data_file
from sim.model.compromise import weighted_position
from sim.model.expected_utility import EUOptions, expected_utility_rounds, weighted_mean

FOLDER = "deu3"
FILE = "deu3.csv"
KIND = "deu"
_NOT_ACTORS = {"prnrnmc", "prnr", "prname", "proc", "proccde"}


@dataclass(frozen=True)
class DeuIssues:
    """Issues with an outcome: positions and saliences ``[actors, issues]`` (NaN where not coded)."""

    actors: tuple[str, ...]
    issue_ids: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    reference_point: np.ndarray
    outcome: np.ndarray


def load_deu(data: str | Path | None = None) -> DeuIssues:
    """Read the DEU file (``data`` itself, or found in the data folder: :func:`sim.backtests.data_folder.data_file`), keeping
    the issues that have an outcome."""
    path = data_file(data, FOLDER, FILE)
    table = read_table(path, KIND, ("isnr", "rp", "out"), separator="\t").iloc[1:]
    actors = tuple(c[1:] for c in table.columns if c.startswith("p") and c not in _NOT_ACTORS and f"s{c[1:]}" in table)
    if not actors:
        raise not_a_data_file(path, KIND, "no actor columns (a position pNAME beside a salience sNAME)")
    outcome = numbers(path, KIND, table, "out")
    known = outcome.notna().to_numpy()
    if not known.any():
        raise not_a_data_file(path, KIND, "no issue has an outcome (column out)")

    def columns(names: list[str]) -> np.ndarray:
        return np.array([numbers(path, KIND, table, name).to_numpy()[known] for name in names])

    return DeuIssues(
        actors=actors,
        issue_ids=table["isnr"].to_numpy()[known],
        position=columns([f"p{a}" for a in actors]),
        salience=columns([f"s{a}" for a in actors]),
        reference_point=columns(["rp"])[0],
        outcome=outcome.to_numpy()[known],
    )


def forecasts(data: DeuIssues) -> pd.DataFrame:
    """Each model's forecast per issue: the expected-utility model (weighted mean after 10 rounds, published
    options), mean and median of positions, the compromise model, the reference point.

    Capability is equal for all (the data has none): the compromise model weights positions by salience.
    """
    coded = ~np.isnan(data.position)
    salience = np.where(coded & ~np.isnan(data.salience), data.salience, 0.0)
    mean = np.nanmean(data.position, axis=0)
    compromise = weighted_position(np.nan_to_num(data.position)[:, None, :], salience[:, None, :])[0]
    capability = np.ones_like(salience)
    rounds = expected_utility_rounds(data.position, capability, salience / 100.0, EUOptions())
    return pd.DataFrame(
        {
            "expected_utility": weighted_mean(rounds[-1], capability, salience / 100.0),
            "mean": mean,
            "median": np.nanmedian(data.position, axis=0),
            "compromise": np.where(salience.sum(axis=0) > 0, compromise, mean),
            "reference_point": data.reference_point,
        },
        index=pd.Index(data.issue_ids, name="issue"),
    )


def mean_absolute_errors(data: DeuIssues) -> pd.DataFrame:
    """Mean absolute error of each forecast against the outcome, over the issues it forecasts."""
    errors = (forecasts(data) - data.outcome[:, None]).abs()
    return pd.DataFrame({"mean_absolute_error": errors.mean(), "issues": errors.notna().sum()}).rename_axis("model")
