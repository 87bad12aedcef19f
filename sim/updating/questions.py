"""Forecast questions with resolution rules, mapped to the model's outcome columns, and dated forecasts.

A question asks whether something happens by a calendar date: ``deal`` (an agreement signed),
``ceasefire`` (a ceasefire in effect), ``ceasefire_or_deal`` (either), or one of the scenario's events. It may
name the forecasting platforms' questions it matches and how it resolved. Without a questions file a
scenario asks whether a deal (and a ceasefire or deal, where it has ceasefires) comes by each headline horizon.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.analysis.summary import deal_curve, proportion, settled_by
from sim.errors import ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.yaml_io import read_yaml_mapping
from sim.updating.evidence import horizon_end
from sim.updating.likelihood import happened_by


class PlatformQuestion(BaseModel):
    """A platform's question that asks the same: rows of ceasefire-forecasts/forecasts.csv with this platform
    and question text (``same`` in the file repeats the row above) and outcome bin."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: str
    question: str
    outcome_bin: str = "Yes"


class Resolution(BaseModel):
    """How a question resolved, when, and on what evidence."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    happened: bool
    known_on: dt.date
    source: str = Field(min_length=1)


class Question(BaseModel):
    """Whether ``measure`` happens by the date ``by``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    text: str
    measure: str = Field(description="deal, ceasefire, ceasefire_or_deal, or one of the scenario's events")
    by: dt.date
    platforms: tuple[PlatformQuestion, ...] = ()
    resolution: Resolution | None = None

    @model_validator(mode="after")
    def _resolved_after_its_date(self) -> Question:
        if self.resolution is not None and self.resolution.happened is False and self.resolution.known_on < self.by:
            raise ValueError(f"resolved as not happened on {self.resolution.known_on}, before its date {self.by}")
        return self


class _QuestionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    questions: list[Question] = Field(min_length=1)


def read_questions(path: str | Path) -> list[Question]:
    """Read a questions file (its form only; :func:`load_questions` also checks it against a scenario)."""
    path = Path(path)
    try:
        return _QuestionsFile.model_validate(read_yaml_mapping(path)).questions
    except ValidationError as error:
        raise ScenarioError(
            path, [(".".join(map(str, e["loc"])), e["msg"].removeprefix("Value error, ")) for e in error.errors()]
        ) from None


def load_questions(path: str | Path, scenario: Scenario) -> list[Question]:
    """Read a questions file and check each measure and date against ``scenario``."""
    path = Path(path)
    questions = read_questions(path)
    known = measures(scenario)
    start, end = scenario.model.start_date, horizon_end(scenario)
    problems = [
        (f"questions.{k}.measure", f"unknown measure {q.measure!r}; choose from {', '.join(known)}")
        for k, q in enumerate(questions)
        if q.measure not in known
    ]
    problems += [
        (f"questions.{k}.by", f"{q.by} is outside the scenario's calendar ({start} to {end})")
        for k, q in enumerate(questions)
        if not start <= q.by <= end
    ]
    if problems:
        raise ScenarioError(path, problems)
    return questions


def measures(scenario: Scenario) -> list[str]:
    """What a question can ask of this scenario."""
    ceasefire = ["ceasefire", "ceasefire_or_deal"] if scenario.ceasefire is not None else []
    return ["deal", *ceasefire, *scenario.events]


def default_questions(scenario: Scenario) -> list[Question]:
    """A deal (and, with ceasefires, a ceasefire or deal) by each headline horizon and by the horizon."""
    counts = sorted({*scenario.headline_horizons, scenario.horizon})
    asked = [
        ("deal", "an agreement"),
        *([("ceasefire_or_deal", "a ceasefire or an agreement")] if scenario.ceasefire is not None else []),
    ]
    return [
        Question(id=f"{measure}_by_{date}", text=f"{words} by {date}", measure=measure, by=date)
        for measure, words in asked
        for date in (calendar_date(scenario, n) for n in counts)
    ]


def calendar_date(scenario: Scenario, count: float) -> dt.date:
    """The date ``count`` months (weeks, days: the scenario's unit) after its start."""
    return (pd.Timestamp(scenario.model.start_date) + pd.DateOffset(**{f"{scenario.time_unit}s": int(count)})).date()


def answer(
    question: Question, runs: pd.DataFrame, scenario: Scenario, weights: np.ndarray | None = None
) -> dict[str, float]:
    """The probability (95% interval) that the question's measure happens by its date: ``estimate``, ``se``, ``lo``, ``hi``."""
    if question.measure == "ceasefire_or_deal":
        return settled_by(runs, question.by, weights)
    return proportion(pd.Series(happened_by(runs, question.measure, pd.Timestamp(question.by), scenario)), weights)


def dated_forecast(
    questions: list[Question], runs: pd.DataFrame, scenario: Scenario, weights: np.ndarray | None = None
) -> pd.DataFrame:
    """Each question's probability with its 95% interval, indexed by question id (columns text, by, estimate, lo, hi)."""
    rows = {q.id: {"text": q.text, "by": q.by, **answer(q, runs, scenario, weights)} for q in questions}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("question")[["text", "by", "estimate", "lo", "hi"]]


def dated_deal_curve(runs: pd.DataFrame, scenario: Scenario, weights: np.ndarray | None = None) -> pd.DataFrame:
    """The probability of a deal by each month (week, day) with its 95% band, with the calendar ``date`` of each."""
    curve = deal_curve(runs, scenario.horizon, scenario.time_unit, weights)
    curve.insert(1, "date", [calendar_date(scenario, n) for n in curve[scenario.time_unit]])
    return curve
