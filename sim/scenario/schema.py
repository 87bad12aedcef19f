"""The scenario file's schema (:mod:`sim.scenario.loading` reads and validates a file once, at the edge).

A scenario names its issues, actors, front-line regions and model settings; nothing in the
toolkit assumes particular actors or issues. Every number is a :data:`~sim.scenario.quantities.Quantity`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, create_model

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

from sim.errors import ScenarioError
from sim.history.choices import ConflictType, Intensity, WorldRegion
from sim.registry.models import PROTOCOLS
from sim.scenario.groups import Group, Name
from sim.scenario.quantities import (
    Choice,
    Finite,
    Fixed,
    NonNegative,
    Probability,
    Quantity,
    QuantityBase,
    bounds_meet,
    whole_numbers,
    within,
)

DAYS_PER_MONTH = 365.25 / 12
CALENDAR_FIRST, CALENDAR_LAST = dt.date(1677, 9, 21), dt.date(2262, 4, 11)
"""The first and last days results can date (pandas' nanosecond timestamps)."""
MONTHS_PER_UNIT = {"month": 1.0, "week": 7 / DAYS_PER_MONTH, "day": 1 / DAYS_PER_MONTH}
"""The units a round may be counted in, and how many months (of 365.25 / 12 days) each is."""
DEFAULT_HORIZONS = {
    "month": (1, 3, 6, 12, 24, 60, 120),
    "week": (1, 2, 4, 8, 13, 26, 52, 104),
    "day": (1, 3, 7, 14, 30, 60, 90, 180, 365),
}
"""Candidates for the headline horizons when a scenario names none: the two largest before its horizon."""
RENAMED_KEYS = {"war_cost": "delay_cost"}
"""An actor's keys read under their new name (old -> new), in files, variants, ``--set`` and event targets;
``model.round_months`` is read as ``model.round_length`` (with monthly rounds)."""

Positive = Annotated[Quantity, within(1e-12)]


def _default(value: float, reason: str, description: str = "") -> Any:
    """A field whose default is a constant with its source (``default: <reason>``), listed by provenance."""
    return Field(default_factory=lambda: Fixed(value=value, source=f"default: {reason}"), description=description)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Issue(_Strict):
    """One negotiated dimension, a scale from ``low`` to ``high`` whose ends are described in words."""

    description: str = ""
    low: Annotated[float, Field(allow_inf_nan=False)] = 0.0
    high: Annotated[float, Field(allow_inf_nan=False)] = 1.0
    low_means: str = Field(description="What the low end of the scale means.")
    high_means: str = Field(description="What the high end of the scale means.")
    units: str = ""
    follows_front: bool = Field(
        default=False,
        description="Without a deal, the issue's value is the front line (share held by the front's side).",
    )
    no_deal: Quantity | None = Field(
        default=None, description="The issue's value when there is no deal (unless it follows the front)."
    )


class RedLine(_Strict):
    """Bounds an actor will not cross on one issue, whatever the package is worth. Drawn bounds are refused only
    when min lies above max in every draw; in a run whose draws cross, no package meets the red line."""

    min: Quantity | None = None
    max: Quantity | None = None
    relative_to_front: bool = Field(
        default=False, description="Bounds are offsets from the current front line, not absolute values."
    )

    _bounds_meet = bounds_meet("min", "max")


class ActorIssue(_Strict):
    """An actor's stance on one issue."""

    position: Quantity = Field(description="Ideal point on the issue's scale.")
    salience: NonNegative = Field(description="How much the issue matters (weights are normalised per actor).")
    capability: NonNegative | None = Field(default=None, description="Overrides the actor's capability on this issue.")
    red_line: RedLine | None = None


class DelayCost(_Strict):
    """What another round without agreement (of war, of a strike) costs an actor, in utility units
    (a whole settlement is worth 1). Written ``delay_cost`` (``war_cost`` is read as the same key)."""

    per_round: NonNegative = _default(0.0, "no cost of delay given")
    winter_multiplier: NonNegative = _default(1.0, "no seasonal change", "Factor on the cost in winter months.")


class Belief(_Strict):
    """A Beta prior on the chance that a round's fighting goes the front's side's way."""

    p_advance: Probability = Field(description="Prior mean.")
    strength: Positive = Field(description="Prior weight in pseudo-rounds of fighting.")


class Actor(_Strict):
    """One party: its stance per issue, its capability, its costs, beliefs and veto."""

    description: str = ""
    veto: bool = Field(default=False, description="A deal needs this actor's consent.")
    capability: NonNegative
    issues: dict[Name, ActorIssue]
    delay_cost: DelayCost = DelayCost()
    belief: Belief | None = Field(default=None, description="Without one, the actor knows the true chance.")
    planning_rounds: Annotated[Quantity, within(1, 600)] = _default(
        12.0, "twelve rounds ahead", "How many rounds ahead the actor weighs fighting on."
    )
    breakdown_loss: NonNegative = _default(0.0, "no loss given", "Utility the actor loses if a deal breaks down.")
    reservation_utility: Quantity | None = Field(default=None, description="A floor under any deal it accepts.")
    outside_option: Quantity | None = Field(
        default=None, description="A fixed value of no deal, replacing the value of fighting on (e.g. without a war)."
    )
    discount: Probability = _default(1.0, "no discounting", "Per-round discount factor in alternating offers.")


class Region(_Strict):
    """A region of the front: the share held by the front's side at the start, and its weight."""

    initial: Probability
    weight: Positive


class Front(_Strict):
    """The front line: each round, in each region, the front's side gains or loses one step."""

    side: Name = Field(description="The actor whose share of each region the front measures.")
    opponent: Name
    step: Annotated[Quantity, within(1e-9, 1.0)] = Field(description="Share of a region won or lost per round.")
    p_advance: Probability = Field(description="Chance that a round's fighting goes the side's way.")
    regions: Annotated[dict[Name, Region], Field(min_length=1)]
    decisive: bool = Field(
        default=False,
        description="Whether the side taking every region ends the war (a decision by fighting); "
        "otherwise the fighting and the talks go on.",
    )


class Breakdown(_Strict):
    """The chance per round that a deal breaks down, and how guarantees lower it."""

    base_hazard: Probability = _default(0.0, "deals never break down")
    shape: Annotated[Quantity, within(0.05, 5.0)] = _default(
        1.0,
        "a constant hazard",
        "Weibull shape of the hazard over a deal's age: a deal survives a rounds with chance "
        "(1 - hazard) ** (a ** shape); below 1 the hazard falls as the deal ages.",
    )
    protection: dict[Name, Probability] = Field(
        default_factory=dict,
        description="Per issue: the share of the hazard removed when the issue is at the top of its scale.",
    )
    implementation_delay_rounds: NonNegative = _default(
        0.0, "guarantees act at once", "Rounds after a deal before the protection takes effect."
    )


class Guarantee(_Strict):
    """What a guarantee issue does, at the top of its scale, to an actor that attacks again after a deal."""

    cost: NonNegative = _default(
        0.0,
        "no response that costs the attacker",
        "Utility the guarantor's response costs the attacker (1 = a whole settlement's worth).",
    )
    chance: Probability = _default(
        0.0,
        "no effect on the fighting",
        "How much the guarantee lowers the attacker's chance of winning a round of the renewed war.",
    )
    credibility: Probability = _default(1.0, "the guarantor acts", "Chance that the guarantor acts as pledged.")


class Reneging(_Strict):
    """Reneging as a decision: each round a deal holds, each named actor compares attacking again with keeping it."""

    actors: Annotated[list[Name], Field(min_length=1)] = Field(description="The actors that may renege.")
    shock_scale: Positive = Field(
        description="Scale of the random swing in the value of attacking again (a "
        "logistic shock, in utility units): the larger, the less the calculation decides."
    )
    guarantees: dict[Name, Guarantee] = Field(default_factory=dict, description="Per issue: its effect on an attacker.")


class PowerShift(_Strict):
    """A foreseen drift in the chance that a round's fighting goes the front's side's way."""

    per_round: Annotated[Quantity, within(-1.0, 1.0)] = _default(0.0, "no drift", "Change in the chance each round.")
    while_settled: Annotated[Quantity, within(-1.0, 1.0)] = _default(
        0.0, "no rearmament", "Further change each round a deal or a ceasefire holds (e.g. rearmament)."
    )
    foreseen: bool = Field(default=True, description="Whether the actors foresee the drift when valuing war and deals.")


class Ceasefire(_Strict):
    """An interim ceasefire the mediator may propose before a full deal."""

    issue: Name = Field(description="The issue on which a ceasefire-first package sits.")
    value: Quantity = Field(description="The ceasefire package's value on that issue.")
    cost_factor: Probability = Field(description="Share of the war's cost still paid during a ceasefire.")
    collapse_hazard: Probability = _default(0.0, "ceasefires hold by chance")


class Flag(_Strict):
    """A yes/no property of a deal, read off one issue (e.g. 'includes a US backstop')."""

    description: str = ""
    issue: Name
    at_least: Finite | None = None
    at_most: Finite | None = None

    _bounds_meet = bounds_meet()


class Event(_Strict):
    """A change to scenario numbers during the talks: scheduled for a round, or a shock with a chance per round."""

    description: str = ""
    round: Annotated[Quantity, within(1, 1200), whole_numbers()] | None = Field(
        default=None, description="The round (1 = the first) from which the change holds; drawn per run if uncertain."
    )
    chance_per_round: Probability | None = Field(
        default=None,
        description="A random shock: the chance, each round from from_round to until_round, that it happens (once).",
    )
    from_round: Annotated[int, Field(ge=1)] = 1
    until_round: Annotated[int, Field(ge=1)] | None = None
    set: Annotated[dict[str, Quantity], Field(min_length=1)] = Field(
        description="Dotted key paths of scenario numbers (as `sim provenance` lists them) and their new values."
    )


class Report(_Strict):
    """How results are told: the headline horizons and the scenario's own names for its outcome classes."""

    horizons: list[Annotated[int, Field(ge=1, le=100_000)]] | None = Field(
        default=None,
        description="The headline 'deal within N months' (or weeks, days: the rounds' unit); "
        "default: a few that fit the horizon.",
    )
    outcome_labels: dict[Name, Name] = Field(
        default_factory=dict,
        description="The scenario's own name for an outcome class, e.g. {no_agreement: strike_goes_on}.",
    )


class Constraints(_Strict):
    """Rules on packages that no utility expresses."""

    exclusive: list[Annotated[list[Name], Field(min_length=2, max_length=2)]] = Field(
        default_factory=list,
        description="Pairs of issues that cannot both be at the top of their scales (e.g. mutually exclusive clauses).",
    )


class ReferenceClass(_Strict):
    """The war as history's base rates see it (UCDP conflict episodes; see ``sim reference-class``)."""

    conflict_type: ConflictType = "any"
    intensity: Intensity = Field(default="war", description="war: reached 1,000 battle deaths in a year.")
    fighting_since: dt.date = Field(description="When the fighting began; the months fought run to model.start_date.")
    region: WorldRegion = "any"
    ucdp_conflict_id: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="The war's own UCDP conflict id, left out of its reference class."
    )
    source: str = Field(description="Where the profile comes from, as for a number's source.")


class Mediated(_Strict):
    """A mediator proposes the compromise, then the package every veto holder accepts nearest to it."""

    kind: Literal["mediator"]
    mediator: Name


class AlternatingOffers(_Strict):
    """The veto holders propose in turn; each offers what the others would accept, from their continuation values."""

    kind: Literal["alternating"]
    proposers: Annotated[list[Name], Field(min_length=1)] | None = Field(
        default=None, description="Who proposes, in turn (one name: a recognised proposer). Default: every veto holder."
    )
    lookahead: Annotated[int, Field(ge=1, le=10_000)] = Field(
        default=3, description="Rounds of offers and counter-offers a proposer solves backwards."
    )


class NoBargaining(_Strict):
    """Nobody negotiates: the war runs its course (the limiting case of the theory tests)."""

    kind: Literal["none"]


def _mechanism_type() -> Any:
    """The mechanisms a scenario may name: those with settings of their own above, and every other protocol in
    :data:`sim.registry.models.PROTOCOLS` as a bare ``{kind: <name>}`` (read when this module is first imported)."""
    own: tuple[type[_Strict], ...] = (Mediated, AlternatingOffers, NoBargaining)
    named = {get_args(model.model_fields["kind"].annotation)[0] for model in own}
    bare = tuple(name for name in PROTOCOLS if name not in named)
    if bare:
        kind: Any = Literal[bare]
        own += (create_model("RegisteredProtocol", __base__=_Strict, kind=(kind, ...)),)
    return Annotated[Union[own], Field(discriminator="kind")]  # noqa: UP007 (a union built from a tuple)


if TYPE_CHECKING:
    Mechanism = Mediated | AlternatingOffers | NoBargaining
else:
    Mechanism = _mechanism_type()


class ExpectedUtilitySettings(_Strict):
    """Options of Bueno de Mesquita's expected-utility model (Scholz, Calbert & Smith 2011); defaults as published."""

    rounds: Annotated[int, Field(ge=0, le=1000)] = 10
    q: Annotated[float, Field(ge=0, le=1)] = 1.0
    t: Annotated[float, Field(ge=0, le=1)] = 1.0
    probability_denominator: Literal["all_pairs", "pair"] = "all_pairs"
    compromise_ranking: Literal["weighted_position", "smallest_move"] = "weighted_position"
    forecast: Literal["mean", "median"] = Field(
        default="mean", description="The forecast: the weighted mean, or the median voter, after the rounds."
    )


class StructuralOption(_Strict):
    """One way the negotiation may be structured, and its weight."""

    weight: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    changes: dict[str, Any] = Field(
        description="Keys of the scenario this option sets, merged into it as a variant's are (e.g. "
        "{model: {utility: linear}}); numbers drawn at random must be declared in the scenario itself.",
    )


class StructuralChoice(_Strict):
    """A choice about how the negotiation works that the scenario is unsure of: each run draws one option, with
    chances proportional to the weights, as it draws any number (recorded as the option's index)."""

    source: str | None = Field(default=None, description="Why these options and weights, as for a number's source.")
    options: Annotated[dict[Name, StructuralOption], Field(min_length=2)]

    def draw(self) -> Choice:
        """The draw: an option's index, with chances proportional to the weights."""
        weights = [option.weight for option in self.options.values()]
        return Choice(dist="choice", values=list(range(len(weights))), weights=weights, source=self.source)


MAX_STRUCTURES = 64


class ModelSettings(_Strict):
    """Time and mechanism."""

    start_date: dt.date
    round_length: Annotated[int, Field(ge=1, le=366)] = Field(
        default=1, description="How long a round is, in round_unit (the old key round_months is read as months)."
    )
    round_unit: Literal["month", "week", "day"] = "month"
    horizon_rounds: Annotated[int, Field(ge=1, le=1200)] = 36
    winter_months: list[Annotated[int, Field(ge=1, le=12)]] = [12, 1, 2]
    utility: Literal["quadratic", "linear", "loss_averse"] = Field(
        default="quadratic",
        description="How an actor values distance from its position: squared, absolute, or squared with the loss "
        "beyond the status quo's counted loss_aversion times (docs/model.md, section 1).",
    )
    loss_aversion: Annotated[Quantity, within(1.0, 10.0)] = _default(
        2.25,
        "Tversky & Kahneman (1992), losses weigh about 2.25 times gains",
        "With utility: loss_averse, how many times a loss beyond the status quo counts.",
    )
    red_lines: Literal["hard", "audience_cost"] = Field(
        default="hard",
        description="hard: no veto holder accepts a package across its red line; audience_cost: it may, at a cost.",
    )
    audience_cost: NonNegative = _default(
        0.1,
        "a tenth of a settlement's worth",
        "With red_lines: audience_cost, the utility an actor loses by crossing "
        "one of its red lines (Fearon 1994, audience costs).",
    )
    frozen_threshold: Annotated[float, Field(ge=0, le=1)] = 0.01
    mechanism: Mechanism
    expected_utility: ExpectedUtilitySettings = ExpectedUtilitySettings()

    @property
    def round_months(self) -> float:
        """The length of a round in months (of 365.25 / 12 days for weeks and days)."""
        return self.round_length * MONTHS_PER_UNIT[self.round_unit]

    def dates_after(self, rounds: np.ndarray) -> pd.DatetimeIndex:
        """The calendar date after each number of ``rounds`` from the start (a month later is the same day
        of the month, or the month's last day if it has fewer)."""
        import pandas as pd

        return pd.DatetimeIndex(self._days_after(rounds)).as_unit("ns")

    def months_after(self, rounds: np.ndarray) -> np.ndarray:
        """The month (1 to 12) of :meth:`dates_after`, without building the dates."""
        import numpy as np

        return self._days_after(rounds).astype("datetime64[M]").astype(np.int64) % 12 + 1

    def _days_after(self, rounds: np.ndarray) -> np.ndarray:
        """:meth:`dates_after` as numpy days."""
        import numpy as np

        steps = np.asarray(rounds, dtype=np.int64) * self.round_length
        if self.round_unit != "month":
            return np.datetime64(self.start_date, "D") + steps * (7 if self.round_unit == "week" else 1)
        month = np.datetime64(self.start_date, "M") + steps
        length = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
        return month.astype("datetime64[D]") + np.minimum(self.start_date.day, length) - 1


class MonteCarlo(_Strict):
    """How many runs, from which seed, in chunks of how many runs."""

    runs: Annotated[int, Field(ge=1, le=100_000_000)] = 10_000
    seed: Annotated[int, Field(ge=0)] = 0
    chunk_runs: Annotated[int, Field(ge=1, le=1_000_000)] = 10_000
    design: Literal["monte_carlo", "latin_hypercube", "sobol"] = Field(
        default="monte_carlo", description="How the uncertain parameters are laid out in each chunk of runs."
    )


class Scenario(_Strict):
    """A whole scenario file."""

    name: str
    description: str = ""
    extends: str | None = Field(default=None, description="A scenario file this one changes (path relative to it).")
    document: str | None = Field(default=None, description="The source document (path relative to this file).")
    issues: Annotated[dict[Name, Issue], Field(min_length=1)]
    actors: Annotated[dict[Name, Actor], Field(min_length=1)]
    front: Front | None = None
    breakdown: Breakdown = Breakdown()
    ceasefire: Ceasefire | None = None
    reneging: Reneging | None = None
    power_shift: PowerShift | None = None
    flags: dict[Name, Flag] = Field(default_factory=dict)
    events: dict[Name, Event] = Field(default_factory=dict)
    constraints: Constraints = Constraints()
    reference_class: ReferenceClass | None = None
    groups: dict[Name, Group] = Field(
        default_factory=dict, description="Actors that speak for members (a coalition): each keyed by its actor's name."
    )
    structure: dict[Name, StructuralChoice] = Field(
        default_factory=dict, description="Structural choices drawn per run: protocol, utility form, red lines, ..."
    )
    model: ModelSettings
    monte_carlo: MonteCarlo = MonteCarlo()
    report: Report = Report()

    _files: tuple[Path, ...] = PrivateAttr(default=())
    _structures: dict[tuple, Scenario] = PrivateAttr(default_factory=dict)

    @property
    def path(self) -> Path | None:
        """The file the scenario was loaded from."""
        return self._files[0] if self._files else None

    @property
    def files(self) -> tuple[Path, ...]:
        """The file it was loaded from, then each file it extends."""
        return self._files

    @property
    def time_unit(self) -> str:
        """The unit rounds are counted in, and results told in: month, week or day."""
        return self.model.round_unit

    @property
    def horizon(self) -> int:
        """The horizon of the talks in :attr:`time_unit`."""
        return self.model.horizon_rounds * self.model.round_length

    @property
    def horizon_months(self) -> float:
        """The horizon of the talks in months."""
        return self.model.horizon_rounds * self.model.round_months

    @property
    def headline_horizons(self) -> list[int]:
        """The headline 'deal within N <unit>' measures, in :attr:`time_unit`, each before the horizon."""
        if self.report.horizons is not None:
            return sorted(set(self.report.horizons))
        return [n for n in DEFAULT_HORIZONS[self.time_unit] if n < self.horizon][-2:]

    def can_break_down(self) -> bool:
        """Whether a deal can break down: an actor may renege, or a breakdown hazard above zero, in the file or set by
        an event."""
        if self.reneging is not None or self.breakdown.base_hazard.support()[1] > 0:
            return True
        return any(
            q.support()[1] > 0 for e in self.events.values() for k, q in e.set.items() if k == "breakdown.base_hazard"
        )

    def with_mechanism(self, kind: str) -> Scenario:
        """This scenario under another bargaining mechanism (``alternating`` or ``none``; ``mediator``
        only if the scenario already names its mediator). Its own settings are kept if it uses ``kind``."""
        if self.model.mechanism.kind == kind:
            return self
        if kind == "mediator":
            raise ScenarioError(
                self.path, [("model.mechanism", "names no mediator: set kind: mediator and mediator: <actor>")]
            )
        from sim.scenario.loading import validated

        raw = self.model_dump(mode="json")
        raw["model"]["mechanism"] = {"kind": kind}
        changed = validated(raw, self.path or Path("scenario"))
        changed._files = self._files
        return changed

    def mechanisms(self) -> tuple[str, ...]:
        """The bargaining mechanisms this scenario can run under (:meth:`with_mechanism`): its own, every registered
        protocol it can switch to, and ``none``."""
        own = self.model.mechanism.kind
        possible = []
        for kind in (*PROTOCOLS, "none"):
            try:
                self.with_mechanism(kind)
            except ScenarioError:
                continue
            possible.append(kind)
        return (own, *(kind for kind in possible if kind != own))

    def with_structure(self, picks: Mapping[str, str]) -> Scenario:
        """This scenario with the named option of each structural choice applied (and no choices left)."""
        key = tuple(sorted(picks.items()))
        cached = self._structures.get(key)
        if cached is None:
            from sim.scenario.loading import merge_changes, validated

            raw = self.model_dump(mode="json", exclude={"structure"})
            for name, option in picks.items():
                raw = merge_changes(raw, copy.deepcopy(self.structure[name].options[option].changes))
            cached = validated(raw, self.path or Path("scenario"))
            cached._files = self._files
            self._structures[key] = cached
        return cached

    def structures(self) -> list[dict[str, str]]:
        """Every combination of the structural choices' options (one empty combination without choices)."""
        combinations: list[dict[str, str]] = [{}]
        for name, choice in self.structure.items():
            combinations = [{**picks, name: option} for picks in combinations for option in choice.options]
        return combinations

    def quantities(self) -> Iterator[tuple[str, QuantityBase]]:
        """Every number in the scenario with its dotted key path, in file order."""
        yield from _walk(self, "")

    def uncertain_parameters(self) -> list[str]:
        """The key paths of the numbers drawn at random."""
        return [path for path, q in self.quantities() if q.uncertain]


def _walk(node: Any, prefix: str) -> Iterator[tuple[str, QuantityBase]]:
    if isinstance(node, StructuralChoice):
        yield prefix, node.draw()
    elif isinstance(node, QuantityBase):
        yield prefix, node
    elif isinstance(node, BaseModel):
        for field in type(node).model_fields:
            yield from _walk(getattr(node, field), f"{prefix}.{field}" if prefix else field)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{prefix}.{key}")


def schema_json() -> str:
    """The JSON schema of a scenario file, for editors."""
    return json.dumps(Scenario.model_json_schema(), indent=2, sort_keys=True) + "\n"
