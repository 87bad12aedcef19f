"""The war-termination data files, read with their documented codes, date formats and encodings.

Each loader checks the columns it needs and every value it reads; a malformed file raises
:class:`~sim.errors.ScenarioError` naming the file, the row (counting data rows from 1, after the header)
and the column (:mod:`sim.backtests.data_files`).
The folder is found by :func:`sim.backtests.data_folder.data_dir`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.backtests.data_files import not_a_data_file, read_table, refuse_rows
from sim.backtests.data_folder import data_dir
from sim.history.choices import CONFLICT_TYPES, REGIONS

FOLDER = "war-termination"
COW_FILE = "cow_inter_state_war_v4.csv"
EPISODES_FILE = "ucdp-term-acd-3-2021.csv"
AGREEMENTS_FILE = "ucdp-peace-agreements-221.csv"
DAYS_PER_MONTH = 365.25 / 12
EPISODES_OBSERVED_UNTIL = pd.Timestamp("2020-12-31")
"""UCDP Conflict Termination v3-2021 runs to the end of 2020: episodes still going are censored there."""
AGREEMENTS_OBSERVED_UNTIL = pd.Timestamp("2021-12-31")
"""UCDP Peace Agreements v22.1 records agreements to 2021: those still in effect are censored at its end."""

EPISODE_OUTCOMES = {
    1: "peace_agreement",
    2: "ceasefire",
    3: "victory",
    4: "victory",
    5: "low_activity",
    6: "actor_ceases",
}
"""UCDP termination ``outcome``: 1 peace agreement, 2 ceasefire, 3/4 victory of side A/B, 5 low activity,
6 an actor ceases to exist."""
BY_AGREEMENT = ("peace_agreement", "ceasefire")
COW_OUTCOMES = {
    1: "winner",
    2: "loser",
    3: "compromise",
    4: "transformed",
    5: "ongoing",
    6: "stalemate",
    7: "continuing",
    8: "other",
}
"""COW ``Outcome`` (codebook 1-7; the file also holds one 8, kept as ``other``)."""
COW_MISSING = (-8, -9)
PA_TYPES = {1: "full", 2: "partial", 3: "process"}


def _integers(path: Path, frame: pd.DataFrame, column: str, allowed=None, empty: bool = False) -> pd.Series:
    text = frame[column].str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    blank = text == ""
    refuse_rows(path, FOLDER, frame, values.isna() & ~blank, column, "expected a whole number")
    refuse_rows(path, FOLDER, frame, values.notna() & (values != values.round()), column, "expected a whole number")
    if not empty:
        refuse_rows(path, FOLDER, frame, blank, column, "empty")
    if allowed is not None:
        refuse_rows(
            path,
            FOLDER,
            frame,
            values.notna() & ~values.isin(list(allowed)),
            column,
            f"not one of the documented codes {sorted(allowed)}",
        )
    return values


def _dates(path: Path, frame: pd.DataFrame, column: str, fmt: str, empty: bool = False) -> pd.Series:
    text = frame[column].str.strip()
    values = pd.to_datetime(text.where(text != ""), format=fmt, errors="coerce")
    blank = text == ""
    refuse_rows(path, FOLDER, frame, values.isna() & ~blank, column, f"expected a date as {fmt}")
    if not empty:
        refuse_rows(path, FOLDER, frame, blank, column, "empty")
    return values


def months_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Months (of 365.25 / 12 days) from ``start`` to ``end``."""
    return (end - start).dt.days / DAYS_PER_MONTH


def load_cow_wars(folder: str | Path | None = None) -> pd.DataFrame:
    """COW inter-state wars, one row per war: ``war``, ``name``, ``start`` (first participant's entry),
    ``end`` (last participant's exit, over both spells), ``months``, ``participants``."""
    path = data_dir(folder, FOLDER) / FOLDER / COW_FILE
    parts = ("Month", "Day", "Year")
    spells = [(f"Start{p}{k}", f"End{p}{k}") for k in (1, 2) for p in parts]
    columns = ("WarNum", "WarName", "Outcome", *[c for pair in spells for c in pair])
    frame = read_table(path, FOLDER, columns)
    war = _integers(path, frame, "WarNum")
    _integers(path, frame, "Outcome", allowed=(*COW_OUTCOMES, *COW_MISSING))

    def date(kind: str, spell: int, optional: bool) -> pd.Series:
        numbers = {p: _integers(path, frame, f"{kind}{p}{spell}") for p in parts}
        known = (numbers["Year"] > 0) & (numbers["Month"] > 0)
        if not optional:
            refuse_rows(
                path, FOLDER, frame, ~known, f"{kind}Year{spell}", "a war's first spell needs a year and a month"
            )
        day = numbers["Day"].where(numbers["Day"] > 0, 1)
        stamp = pd.to_datetime(
            pd.DataFrame(
                {
                    "year": numbers["Year"].where(known, 2000),
                    "month": numbers["Month"].where(known, 1),
                    "day": day.where(known, 1),
                }
            ),
            errors="coerce",
        )
        refuse_rows(path, FOLDER, frame, known & stamp.isna(), f"{kind}Day{spell}", "not a calendar date")
        return stamp.where(known)

    start = date("Start", 1, optional=False)
    end = pd.concat([date("End", 1, optional=False), date("End", 2, optional=True)], axis=1).max(axis=1)
    refuse_rows(path, FOLDER, frame, end < start, "EndYear1", "ends before it starts")
    table = pd.DataFrame({"war": war.astype(int), "name": frame["WarName"], "start": start, "end": end})
    wars = (
        table.groupby("war")
        .agg(name=("name", "first"), start=("start", "min"), end=("end", "max"), participants=("name", "size"))
        .reset_index()
    )
    wars["months"] = months_between(wars["start"], wars["end"])
    return wars


def load_episodes(folder: str | Path | None = None) -> pd.DataFrame:
    """UCDP conflict episodes, one row each: ``episode``, ``conflict``, ``type`` (see :data:`CONFLICT_TYPES`),
    ``regions`` (a frozenset of :data:`REGIONS` names), ``war`` (reached war intensity in some year),
    ``start`` (the episode's start, ``start_date2``), ``end`` (NaT while still going), ``ended``, ``outcome``
    (:data:`EPISODE_OUTCOMES`, None while going), ``months`` (to its end, or to the data's end)."""
    path = data_dir(folder, FOLDER) / FOLDER / EPISODES_FILE
    frame = read_table(
        path,
        FOLDER,
        (
            "conflictep_id",
            "conflict_id",
            "confterm",
            "ependdate",
            "outcome",
            "type_of_conflict",
            "intensity_level",
            "start_date2",
            "region",
            "location",
            "side_a",
            "side_b",
        ),
    )
    episode = _integers(path, frame, "conflictep_id")
    ended_row = _integers(path, frame, "confterm", allowed=(0, 1))
    outcome = _integers(path, frame, "outcome", allowed=EPISODE_OUTCOMES, empty=True)
    refuse_rows(
        path, FOLDER, frame, (ended_row == 1) & outcome.isna(), "outcome", "an episode that ends needs an outcome"
    )
    end = _dates(path, frame, "ependdate", "%d/%m/%Y", empty=True)
    refuse_rows(
        path, FOLDER, frame, (ended_row == 1) & end.isna(), "ependdate", "an episode that ends needs its end date"
    )
    region_codes = frame["region"].str.split(",")
    bad_region = region_codes.map(lambda codes: not all(c.strip().isdigit() and int(c) in REGIONS for c in codes))
    refuse_rows(path, FOLDER, frame, bad_region, "region", f"not a comma-separated list of the codes {sorted(REGIONS)}")
    table = pd.DataFrame(
        {
            "episode": episode.astype(int),
            "conflict": _integers(path, frame, "conflict_id").astype(int),
            "type": _integers(path, frame, "type_of_conflict", allowed=CONFLICT_TYPES).map(CONFLICT_TYPES),
            "regions": region_codes.map(lambda codes: frozenset(REGIONS[int(c)] for c in codes)),
            "intensity": _integers(path, frame, "intensity_level", allowed=(1, 2)),
            "start": _dates(path, frame, "start_date2", "%d/%m/%Y"),
            "end": end.where(ended_row == 1),
            "ended": ended_row == 1,
            "outcome": outcome.map(EPISODE_OUTCOMES).where(ended_row == 1),
            "name": frame["location"] + ": " + frame["side_a"] + " - " + frame["side_b"],
        }
    )
    episodes = (
        table.groupby("episode")
        .agg(
            conflict=("conflict", "first"),
            type=("type", "first"),
            regions=("regions", "first"),
            war=("intensity", lambda i: bool((i == 2).any())),
            start=("start", "first"),
            end=("end", "last"),
            ended=("ended", "any"),
            outcome=("outcome", "last"),
            name=("name", "first"),
        )
        .reset_index()
    )
    episodes["outcome"] = episodes["outcome"].where(episodes["ended"], None)
    episodes["months"] = months_between(episodes["start"], episodes["end"].fillna(EPISODES_OBSERVED_UNTIL))
    return episodes


def load_agreements(folder: str | Path | None = None) -> pd.DataFrame:
    """UCDP peace agreements (Latin-1), one row each: ``agreement``, ``conflicts`` (UCDP ids, comma-separated), ``name``, ``signed``,
    ``ended``, ``end`` (NaT if in effect, or if the end's date is not recorded), ``ceasefire`` (has a
    ceasefire provision), ``peacekeeping``, ``kind`` (:data:`PA_TYPES`), ``region``, ``months`` (to its end,
    or to the data's end; NaN where it ended on an unknown date)."""
    path = data_dir(folder, FOLDER) / FOLDER / AGREEMENTS_FILE
    frame = read_table(
        path,
        FOLDER,
        ("paid", "conflict_id", "pa_name", "pa_date", "ended", "duration", "cease", "pko", "pa_type", "region"),
        encoding="latin-1",
    )
    ended_text = frame["ended"].str.strip()
    refuse_rows(path, FOLDER, frame, ~ended_text.isin(["", "True", "False"]), "ended", "expected True, False or empty")
    ended = ended_text == "True"
    signed = _dates(path, frame, "pa_date", "%Y-%m-%d")
    end = _dates(path, frame, "duration", "%Y-%m-%d", empty=True)
    refuse_rows(
        path, FOLDER, frame, end.notna() & ~ended, "duration", "an end date for an agreement not marked as ended"
    )
    region = _integers(path, frame, "region", allowed=REGIONS)
    agreements = pd.DataFrame(
        {
            "agreement": _integers(path, frame, "paid").astype(int),
            "conflicts": frame["conflict_id"].str.strip(),
            "name": frame["pa_name"],
            "signed": signed,
            "ended": ended,
            "end": end,
            "ceasefire": _integers(path, frame, "cease", allowed=(0, 1)) == 1,
            "peacekeeping": _integers(path, frame, "pko", allowed=(0, 1)) == 1,
            "kind": _integers(path, frame, "pa_type", allowed=PA_TYPES).map(PA_TYPES),
            "region": region.map(REGIONS),
        }
    )
    months = months_between(signed, end.where(ended, AGREEMENTS_OBSERVED_UNTIL))
    # One agreement's recorded end precedes its signing by days: it ended at once.
    agreements["months"] = months.clip(lower=0.0).where(~ended | end.notna())
    if (agreements["ended"] & agreements["months"].notna()).sum() < 2:
        raise not_a_data_file(
            path, FOLDER, "fewer than two agreements ended on a known date (the breakdown fit needs two)"
        )
    return agreements
