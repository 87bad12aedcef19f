"""Evidence files: dated observations about a scenario, each with its source and a reliability weight.

An observation says that something happened (or not) by a date, where the front stood in a region at a
date (a value plus or minus a margin), or that an actor's position or red line on an issue is at least
(at most) a value. Values are in the scenario's own units (an issue's scale, a region's share). A file is
checked once, against the scenario it will update: unknown names, dates outside the scenario's calendar
and impossible values are refused with the file, the key and the problem.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import ScenarioError
from sim.scenario.quantities import bounds_meet
from sim.scenario.schema import Scenario
from sim.scenario.yaml_io import read_yaml_mapping


class _Observation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="A short name, unique in the file.")
    date: dt.date = Field(description="When the observation holds (or was reported).")
    source: str = Field(min_length=1, description="Where it comes from: a row of a data file, an address.")
    reliability: float = Field(ge=0.0, le=1.0, description="Weight of the report: 1 sure, 0 ignored (contradicted).")


class Happened(_Observation):
    """Something happened (or did not) by a date: ``deal``, ``ceasefire`` or a scenario event."""

    kind: Literal["happened"]
    what: str = Field(description="deal, ceasefire, or the name of one of the scenario's events")
    happened: bool


class FrontAt(_Observation):
    """The share of a region held by the front's side at a date, plus or minus a margin."""

    kind: Literal["front"]
    region: str
    value: float = Field(ge=0.0, le=1.0)
    plus_minus: float = Field(gt=0.0, le=1.0, description="One standard deviation of the report's error.")


class _Bounded(_Observation):
    actor: str
    issue: str
    at_least: float | None = None
    at_most: float | None = None

    _bounds_meet = bounds_meet()


class PositionAt(_Bounded):
    """An actor's position on an issue is at least (at most) a value, on the issue's scale."""

    kind: Literal["position"]


class RedLineAt(_Bounded):
    """An actor's red line on an issue (its ``min`` or ``max``) is at least (at most) a value."""

    kind: Literal["red_line"]
    bound: Literal["min", "max"]


_KINDS = ("happened", "front", "position", "red_line")
Observation = Annotated[Happened | FrontAt | PositionAt | RedLineAt, Field(discriminator="kind")]


class EvidenceFile(BaseModel):
    """A file of observations about one scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    observations: list[Observation] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> EvidenceFile:
        seen: set[str] = set()
        for observation in self.observations:
            if observation.id in seen:
                raise ValueError(f"observation id {observation.id!r} appears twice")
            seen.add(observation.id)
        return self


class Evidence(BaseModel):
    """Observations read from a file and checked against a scenario, with the file's path and hash."""

    model_config = ConfigDict(frozen=True)

    path: str
    sha256: str
    observations: tuple[Observation, ...]

    def until(self, date: dt.date) -> Evidence:
        """The observations dated on or before ``date``."""
        return self.model_copy(update={"observations": tuple(o for o in self.observations if o.date <= date)})

    def without(self, keys: set[str]) -> Evidence:
        """The observations whose :func:`observation_key` is not in ``keys`` (those not applied yet)."""
        return self.model_copy(
            update={"observations": tuple(o for o in self.observations if observation_key(o) not in keys)}
        )

    @property
    def last_date(self) -> dt.date | None:
        """The latest date of an observation (the as-of date of a forecast updated on them)."""
        return max((o.date for o in self.observations), default=None)


def observation_key(observation: _Observation) -> str:
    """A hash of what an observation says, so that an update chained on an updated ensemble applies it once."""
    text = json.dumps(observation.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def evidence_schema_json() -> str:
    """The JSON schema of evidence files, as ``scenarios/evidence/schema.json`` holds it."""
    return json.dumps(EvidenceFile.model_json_schema(), indent=2) + "\n"


def load_evidence(path: str | Path, scenario: Scenario) -> Evidence:
    """Read an evidence file and check every observation against ``scenario``; bad input raises
    :class:`ScenarioError` naming the file, the observation's key and the problem."""
    path = Path(path)
    raw = read_yaml_mapping(path)
    try:
        parsed = EvidenceFile.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(path, [_describe(e) for e in error.errors()]) from None
    problems = [
        (f"observations.{k}.{key}", message)
        for k, o in enumerate(parsed.observations)
        for key, message in _problems(o, scenario)
    ]
    if problems:
        raise ScenarioError(path, problems)
    return Evidence(
        path=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest(), observations=tuple(parsed.observations)
    )


def _describe(error: Mapping[str, Any]) -> tuple[str, str]:
    location = [str(p) for k, p in enumerate(error["loc"]) if not (k == 2 and p in _KINDS)]  # drop the union's tag
    if error["type"] == "extra_forbidden":
        return ".".join(location), "unknown key"
    if error["type"] == "missing":
        return ".".join(location), "missing required key"
    message = error["msg"].removeprefix("Value error, ")
    if not isinstance(error.get("input"), (dict, list)):
        message += f" (got {error.get('input')!r})"
    return ".".join(location), message


def _unknown(kind: str, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else f"; the scenario has {', '.join(known) or 'none'}"
    return f"unknown {kind} {name!r}{hint}"


def _problems(o: _Observation, scenario: Scenario) -> list[tuple[str, str]]:
    settings = scenario.model
    end = horizon_end(scenario)
    problems = []
    if o.date < settings.start_date:
        problems.append(("date", f"{o.date} is before the scenario starts ({settings.start_date})"))
    elif o.date > end:
        problems.append(("date", f"{o.date} is after the scenario's horizon ({end})"))
    if isinstance(o, Happened):
        known = ["deal", *(["ceasefire"] if scenario.ceasefire is not None else []), *scenario.events]
        if o.what not in known:
            problems.append(("what", _unknown("outcome or event", o.what, known)))
    elif isinstance(o, FrontAt):
        regions = list(scenario.front.regions) if scenario.front else []
        if not scenario.front:
            problems.append(("region", "the scenario has no front"))
        elif o.region not in regions:
            problems.append(("region", _unknown("region", o.region, regions)))
    elif isinstance(o, (PositionAt, RedLineAt)):
        problems += _stance_problems(o, scenario)
    return problems


def horizon_end(scenario: Scenario) -> dt.date:
    """The last date of a scenario's calendar: its start plus the horizon."""
    return scenario.model.dates_after(np.array([scenario.model.horizon_rounds]))[0].date()


def _stance_problems(o: PositionAt | RedLineAt, scenario: Scenario) -> list[tuple[str, str]]:
    if o.actor not in scenario.actors:
        return [("actor", _unknown("actor", o.actor, list(scenario.actors)))]
    if o.issue not in scenario.issues:
        return [("issue", _unknown("issue", o.issue, list(scenario.issues)))]
    stance = scenario.actors[o.actor].issues.get(o.issue)
    if stance is None:
        return [("issue", f"actor {o.actor!r} takes no position on issue {o.issue!r}")]
    if isinstance(o, RedLineAt):
        line = stance.red_line
        if line is None or getattr(line, o.bound) is None:
            return [("bound", f"actor {o.actor!r} has no red line {o.bound} on issue {o.issue!r}")]
        if line.relative_to_front:
            return []  # an offset from the front: any value the scenario's red line may take
    issue = scenario.issues[o.issue]
    return [
        (key, f"{value:g} is outside the issue's scale [{issue.low:g}, {issue.high:g}]")
        for key, value in (("at_least", o.at_least), ("at_most", o.at_most))
        if value is not None and not issue.low <= value <= issue.high
    ]
