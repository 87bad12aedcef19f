"""From a scenario and its draws to the arrays the model runs on.

Every per-run array keeps the runs on its last axis: ``[actors, issues, runs]``, ``[regions, runs]``.
Issue values are normalised to [0, 1] on each issue's scale; the front is the share of each region
held by the front's side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.groups import GroupRules, group_rules, with_members
from sim.model.utility import UtilityForm
from sim.sampling.draws import Draws
from sim.scenario.schema import AlternatingOffers, Mediated, Scenario

INFINITE = np.inf
MAX_PLANNING = 600


@dataclass(frozen=True)
class ModelInputs:
    """Everything one ensemble of runs needs, as arrays."""

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    regions: tuple[str, ...]
    runs: int
    issue_low: np.ndarray  # [I]
    issue_span: np.ndarray  # [I]
    follows_front: np.ndarray  # [I] bool
    no_deal: np.ndarray  # [I, R], NaN where the issue follows the front
    position: np.ndarray  # [A, I, R]
    salience: np.ndarray  # [A, I, R], sums to 1 over issues (utility weights)
    raw_salience: np.ndarray  # [A, I, R], as in the scenario (compromise weights)
    capability: np.ndarray  # [A, I, R]
    red_min: np.ndarray  # [A, I, R]
    red_max: np.ndarray  # [A, I, R]
    red_relative: np.ndarray  # [A, I] bool
    veto: np.ndarray  # [A] bool
    war_cost: np.ndarray  # [A, R]
    winter_multiplier: np.ndarray  # [A, R]
    belief_wins: np.ndarray  # [A, R] prior pseudo-rounds the side won
    belief_losses: np.ndarray  # [A, R]
    planning_rounds: np.ndarray  # [A, R] int
    breakdown_loss: np.ndarray  # [A, R]
    reservation: np.ndarray  # [A, R]
    front_initial: np.ndarray  # [G, R]
    front_weight: np.ndarray  # [G, R], sums to 1 over regions
    step: np.ndarray  # [R]
    p_advance: np.ndarray  # [R]
    base_hazard: np.ndarray  # [R]
    breakdown_shape: np.ndarray  # [R], Weibull shape of the hazard over a deal's age
    protection: np.ndarray  # [I, R]
    implementation_delay: np.ndarray  # [R]
    renegers: tuple[int, ...]  # the actors that may renege on a deal
    reneging_scale: np.ndarray  # [R], scale of the logistic shock to the value of reneging
    guarantee_cost: (
        np.ndarray
    )  # [I, R], credible cost of each guarantee's response to an attacker at the top of its scale
    guarantee_chance: np.ndarray  # [I, R], credible fall in the attacker's chance per round at the top of its scale
    shift_per_round: np.ndarray  # [R], drift in the front's side's chance each round
    shift_while_settled: np.ndarray  # [R], further drift each round a deal or ceasefire holds
    shift_foreseen: bool
    front_parties: tuple[int, int] | None  # the front's side and its opponent
    ceasefire_issue: int | None
    ceasefire_value: np.ndarray  # [R]
    ceasefire_cost_factor: np.ndarray  # [R]
    ceasefire_hazard: np.ndarray  # [R]
    outside_option: np.ndarray  # [A, R], NaN where the actor's outside option is fighting on
    discount: np.ndarray  # [A, R]
    mechanism: str  # "mediator", "alternating" or "none"
    mediator: int | None
    proposers: tuple[int, ...]  # alternating offers: who proposes, in turn
    lookahead: int
    winter: np.ndarray  # [rounds], True where a round falls in a winter month
    winters_before: np.ndarray  # [rounds + 1], how many rounds before each fall in winter
    utility: UtilityForm
    audience_cost: np.ndarray  # [R], utility lost by crossing a red line; inf where red lines are hard
    decisive: bool
    frozen_threshold: float
    horizon: int
    groups: GroupRules | None = None  # actors that speak for members (members are actor rows)


def refresh_inputs(inputs: ModelInputs, changed: ModelInputs, runs: np.ndarray | None = None) -> None:
    """Copy every per-run array of ``changed`` into ``inputs`` in place, so that whatever holds ``inputs`` (the model,
    its agents, its protocol) reads the new numbers. With ``runs``, ``changed`` was built for those runs only, and
    only their columns change (an array of the same shape in both holds no runs, or every run); an array whose
    columns an event left as they were is read, not written (most are, and writing the scattered columns of a large
    array costs twice reading them)."""
    arrays = [(value, getattr(changed, name)) for name, value in vars(inputs).items() if isinstance(value, np.ndarray)]
    arrays += [
        (getattr(inputs.utility, name), getattr(changed.utility, name)) for name in ("reference", "loss_aversion")
    ]
    if inputs.groups is not None:
        arrays += [
            (value, getattr(changed.groups, name))
            for name, value in vars(inputs.groups).items()
            if isinstance(value, np.ndarray)
        ]
    for target, source in arrays:
        if runs is None or target.shape == source.shape:
            np.copyto(target, source)
        elif not np.array_equal(np.take(target, runs, axis=-1), source, equal_nan=target.dtype.kind == "f"):
            target[..., runs] = source


def build_inputs(scenario: Scenario, draws: Draws) -> ModelInputs:
    """Arrange a scenario's draws (from :func:`sim.sampling.draws.sample`) into model arrays."""
    scenario, draws = with_members(scenario, draws)
    issues = tuple(scenario.issues)
    actors = tuple(scenario.actors)
    runs = len(next(iter(draws.values())))
    low = np.array([scenario.issues[i].low for i in issues])
    span = np.array([scenario.issues[i].high for i in issues]) - low
    zeros, nan = np.zeros(runs), np.full(runs, np.nan)

    def get(path: str, default: float | None = None) -> np.ndarray:
        if path in draws:
            return draws[path]
        return np.full(runs, np.nan if default is None else default)

    def normalised(values: np.ndarray, j: int) -> np.ndarray:
        return (values - low[j]) / span[j]

    follows = np.array([scenario.issues[i].follows_front for i in issues])
    no_deal = np.stack([nan if follows[j] else normalised(get(f"issues.{i}.no_deal"), j) for j, i in enumerate(issues)])

    shape = (len(actors), len(issues), runs)
    position, salience, capability = np.empty(shape), np.empty(shape), np.empty(shape)
    red_min, red_max = np.full(shape, -INFINITE), np.full(shape, INFINITE)
    red_relative = np.zeros((len(actors), len(issues)), bool)
    for a, name in enumerate(actors):
        actor = scenario.actors[name]
        for j, issue in enumerate(issues):
            key = f"actors.{name}.issues.{issue}"
            stance = actor.issues[issue]
            position[a, j] = normalised(get(f"{key}.position"), j)
            salience[a, j] = get(f"{key}.salience")
            capability[a, j] = (
                get(f"{key}.capability") if stance.capability is not None else get(f"actors.{name}.capability")
            )
            if stance.red_line is not None:
                relative = stance.red_line.relative_to_front
                red_relative[a, j] = relative
                for bound, target in (("min", red_min), ("max", red_max)):
                    if getattr(stance.red_line, bound) is not None:
                        values = get(f"{key}.red_line.{bound}")
                        target[a, j] = values / span[j] if relative else normalised(values, j)
    total = salience.sum(axis=1, keepdims=True)
    utility_weight = np.divide(salience, total, out=np.zeros_like(salience), where=total > 0)

    def per_actor(field: str, default: float) -> np.ndarray:
        return np.stack([get(f"actors.{name}.{field}", default) for name in actors])

    wins, losses = np.empty((len(actors), runs)), np.empty((len(actors), runs))
    p_advance = get("front.p_advance", 0.5)
    for a, name in enumerate(actors):
        if scenario.actors[name].belief is None:
            # Complete information: a prior so strong that observing the war cannot move it.
            wins[a], losses[a] = p_advance * 1e12, (1 - p_advance) * 1e12
        else:
            mean = get(f"actors.{name}.belief.p_advance")
            strength = get(f"actors.{name}.belief.strength")
            wins[a], losses[a] = mean * strength, (1 - mean) * strength

    regions = tuple(scenario.front.regions) if scenario.front else ()
    if regions:
        front_initial = np.stack([get(f"front.regions.{g}.initial") for g in regions])
        weight = np.stack([get(f"front.regions.{g}.weight") for g in regions])
        front_weight = weight / weight.sum(axis=0, keepdims=True)
    else:
        front_initial = front_weight = np.zeros((0, runs))
    front_start = (front_weight * front_initial).sum(axis=0)

    protection = np.stack([get(f"breakdown.protection.{i}", 0.0) for i in issues])
    guarantee = {
        part: np.stack(
            [
                get(f"reneging.guarantees.{i}.credibility", 1.0) * get(f"reneging.guarantees.{i}.{part}", 0.0)
                for i in issues
            ]
        )
        for part in ("cost", "chance")
    }
    ceasefire = scenario.ceasefire
    mechanism = scenario.model.mechanism
    settings = scenario.model
    winter = np.isin(
        settings.months_after(np.arange(settings.horizon_rounds + MAX_PLANNING + 2)), settings.winter_months
    )

    return ModelInputs(
        actors=actors,
        issues=issues,
        regions=regions,
        runs=runs,
        issue_low=low,
        issue_span=span,
        follows_front=follows,
        no_deal=no_deal,
        position=position,
        salience=utility_weight,
        raw_salience=salience,
        capability=capability,
        red_min=red_min,
        red_max=red_max,
        red_relative=red_relative,
        veto=np.array([scenario.actors[name].veto for name in actors]),
        war_cost=per_actor("delay_cost.per_round", 0.0),
        winter_multiplier=per_actor("delay_cost.winter_multiplier", 1.0),
        belief_wins=wins,
        belief_losses=losses,
        planning_rounds=np.rint(per_actor("planning_rounds", 12)).astype(int),
        breakdown_loss=per_actor("breakdown_loss", 0.0),
        reservation=per_actor("reservation_utility", -INFINITE),
        front_initial=front_initial,
        front_weight=front_weight,
        step=get("front.step", 0.0),
        p_advance=p_advance,
        base_hazard=get("breakdown.base_hazard", 0.0),
        breakdown_shape=get("breakdown.shape", 1.0),
        protection=protection,
        implementation_delay=get("breakdown.implementation_delay_rounds", 0.0),
        renegers=tuple(actors.index(name) for name in scenario.reneging.actors) if scenario.reneging else (),
        reneging_scale=get("reneging.shock_scale", np.inf),
        guarantee_cost=guarantee["cost"],
        guarantee_chance=guarantee["chance"],
        shift_per_round=get("power_shift.per_round", 0.0),
        shift_while_settled=get("power_shift.while_settled", 0.0),
        front_parties=(actors.index(scenario.front.side), actors.index(scenario.front.opponent))
        if scenario.front
        else None,
        shift_foreseen=bool(scenario.power_shift is None or scenario.power_shift.foreseen),
        ceasefire_issue=issues.index(ceasefire.issue) if ceasefire else None,
        ceasefire_value=normalised(get("ceasefire.value"), issues.index(ceasefire.issue)) if ceasefire else zeros,
        ceasefire_cost_factor=get("ceasefire.cost_factor", 1.0),
        ceasefire_hazard=get("ceasefire.collapse_hazard", 0.0),
        outside_option=per_actor("outside_option", np.nan),
        discount=per_actor("discount", 1.0),
        mechanism=mechanism.kind,
        mediator=actors.index(mechanism.mediator) if isinstance(mechanism, Mediated) else None,
        proposers=_proposers(scenario, actors),
        lookahead=mechanism.lookahead if isinstance(mechanism, AlternatingOffers) else 0,
        winter=winter,
        winters_before=np.concatenate([[0], np.cumsum(winter)]),
        utility=UtilityForm(
            settings.utility,
            np.where(follows[:, None], front_start[None, :], no_deal),
            get("model.loss_aversion", 2.25),
        ),
        audience_cost=get("model.audience_cost", 0.0)
        if settings.red_lines == "audience_cost"
        else np.full(runs, np.inf),
        decisive=bool(scenario.front and scenario.front.decisive),
        frozen_threshold=settings.frozen_threshold,
        horizon=settings.horizon_rounds,
        groups=group_rules(scenario, draws, actors, low, span),
    )


def _proposers(scenario: Scenario, actors: tuple[str, ...]) -> tuple[int, ...]:
    mechanism = scenario.model.mechanism
    if not isinstance(mechanism, AlternatingOffers):
        return ()
    names = mechanism.proposers or [name for name in actors if scenario.actors[name].veto]
    return tuple(actors.index(name) for name in names)
