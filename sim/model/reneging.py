"""Reneging as a decision (docs/model.md, section 6b).

Each round a deal holds, each actor that may renege (``reneging.actors``) weighs attacking again against
keeping the deal. Attacking reopens the war from the settled line for the rounds it weighs: the front-following
issues move by what it expects that war to win, the other terms stand; it pays that war's cost and, once the
guarantees are in place, the credible cost of their response, and the guarantees lower its chance of winning
each round. The gain ``G`` (attacking less keeping) plus a logistic shock of scale ``sigma`` decides:
it reneges with chance ``1 / (1 + exp(-G / sigma))``, "by calculation" where ``G > 0`` and "by a shock"
otherwise. The exogenous hazard of :mod:`sim.model.breakdown` acts beside it (and alone when nobody may
renege). Those who would suffer a breakdown foresee the decision: their value of a deal counts the chance
that it is broken within their horizon. Everything is vectorised over runs (the last axis).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from sim.model import deal_values
from sim.model.deal_values import (
    KINDS,
    RenegeRule,
    floats,
    foreseen_losses,
    indices,
    renege_gains,
    runs_first,
    timing_terms,
)
from sim.model.inputs import ModelInputs
from sim.model.power_shift import foreseen_rate
from sim.model.state import NegotiationState
from sim.model.utility import UtilityForm, package_utility

if TYPE_CHECKING:
    from sim.model.agents import ActorAgent

REASONS = ("", "hazard", "shock", "calculation")
"""Why a deal broke down, by code: not at all, the exogenous hazard, a reneger's shock, a reneger's calculation."""


@dataclass(frozen=True)
class RenegingRule:
    """The actors that may renege ``[K]`` over some runs ``[n]`` as they stand this round (issues ``[J]``)."""

    position: np.ndarray  # [K, F, n] positions on the issues that follow the front
    weight: np.ndarray  # [K, F, n] utility weights on them
    form: UtilityForm  # over those issues
    p_advance: np.ndarray  # [K, n] each one's chance that the front's side wins a round, the shift so far included
    drift: np.ndarray  # [n] the foreseen change in that chance per round while a deal holds
    direction: np.ndarray  # [K, 1] +1 the front's side, -1 its opponent, 0 neither (its attack moves no front)
    reach: np.ndarray  # [K, n] how far its renewed war moves the front at certain victory: rounds weighed x step
    war_cost: np.ndarray  # [K, n] what those rounds cost it
    follows: np.ndarray  # [J] issues that follow the front
    guarantee: np.ndarray  # [2, J, n] each guarantee's credible fall in the attacker's chance, and credible cost
    scale: np.ndarray  # [n] the shock's scale

    def take(self, runs: np.ndarray) -> RenegingRule:
        """The same rule on a subset of runs (indices or a mask over the last axis)."""
        fixed = ("form", "direction", "follows")
        runs = np.flatnonzero(runs) if runs.dtype == bool else runs
        arrays = {f.name: np.take(getattr(self, f.name), runs, axis=-1) for f in fields(self) if f.name not in fixed}
        return replace(self, form=self.form.take(runs), **arrays)

    def gain(self, package: np.ndarray, protected: np.ndarray) -> np.ndarray:
        """Each reneger's value of attacking again less that of keeping a deal with ``package [J, n]`` this round,
        ``[K, n]``, the guarantees acting where ``protected [n]`` is true."""
        protected = np.broadcast_to(np.asarray(protected, float), package.shape[1:])
        runs = np.arange(package.shape[1])
        return renege_gains(self.packed, floats(package), runs, floats(protected[None]), floats(self.p_advance[None]))[
            0
        ]

    @cached_property
    def packed(self) -> RenegeRule:
        """This rule as the compiled rules read it (:class:`sim.model.deal_values.RenegeRule`)."""
        return RenegeRule(
            position=runs_first(self.position),
            weight=runs_first(self.weight),
            reference=runs_first(self.form.reference),
            loss_aversion=floats(self.form.loss_aversion),
            kind=KINDS[self.form.kind],
            direction=floats(self.direction.ravel()),
            reach=runs_first(self.reach),
            war_cost=runs_first(self.war_cost),
            follows=indices(np.flatnonzero(self.follows)),
            guarantee=runs_first(self.guarantee),
            scale=floats(self.scale),
        )

    def chances(self, gain: np.ndarray) -> np.ndarray:
        """Each reneger's chance of reneging this round given its ``gain``: ``1 / (1 + exp(-G / sigma))``."""
        return expit(gain / self.scale)

    def foresee(
        self,
        loss: np.ndarray,
        base_hazard: np.ndarray,
        protection: np.ndarray,
        delay: np.ndarray,
        shape: np.ndarray,
        horizon: np.ndarray,
    ) -> Foresight:
        """How those who lose ``loss [V, n]`` if a deal breaks down weigh its breakdown within their ``horizon [V, n]``:
        by the exogenous hazard (:func:`~sim.model.breakdown.breakdown_probability`, whose arguments it takes) or by
        some reneger's attack; what does not depend on the package computed once, to weigh many packages with."""
        rows = np.flatnonzero((loss > 0).any(axis=1))
        horizon = horizon[rows]
        longest = np.where(loss[rows] > 0, horizon, 0.0).max(axis=0) if rows.size else np.zeros_like(delay)
        first = np.minimum(delay + 1.0, longest)
        delayed = bool(delay.any())
        points = [first, longest, (1.0 + np.minimum(delay, longest)) / 2.0] if delayed else [first, longest]
        unprotected = np.minimum(delay, horizon)
        return Foresight(
            rule=self,
            loss=loss,
            rows=rows,
            lost=loss[rows],
            drifted=self.p_advance + self.drift * np.stack(points)[..., None, :],
            along=np.clip((horizon - first) / np.maximum(longest - first, 1e-12), 0.0, 1.0),
            unprotected=unprotected,
            protected=horizon - unprotected,
            delayed=delayed,
            exogenous=(base_hazard, protection, delay, shape, horizon) if base_hazard.any() else None,
        )

    def least_loss(
        self, loss: np.ndarray, exogenous: np.ndarray, lower: np.ndarray, upper: np.ndarray, horizon: np.ndarray
    ) -> np.ndarray:
        """A lower bound ``[V, n]`` on :meth:`Foresight.expected_loss` over every package in the box ``[lower, upper]`` (``[J, n]``),
        given the exogenous part's least chance ``exogenous [V, n]``: each reneger's gain is at least its value of the
        worst front a renewed war could bring (a concave utility's least over an interval lies at an end) less its best
        settled front, the war's cost and the strongest response, drift included, all guarantees acting."""
        guard = (self.guarantee[0] * lower).sum(axis=0), (self.guarantee[0] * upper).sum(axis=0)
        response = (self.guarantee[1] * upper).sum(axis=0)
        longest = horizon.max(axis=0)
        drifted = self.drift * longest
        pushed = np.where(self.direction >= 0, self.direction * guard[1], self.direction * guard[0])
        eased = np.where(self.direction >= 0, self.direction * guard[0], self.direction * guard[1])
        low = np.clip(self.p_advance + np.minimum(drifted, 0.0) - pushed, 0.0, 1.0)
        high = np.clip(self.p_advance + np.maximum(drifted, 0.0) - eased, 0.0, 1.0)
        if self.follows.any():
            settled = lower[self.follows].mean(axis=0), upper[self.follows].mean(axis=0)
            ends = np.stack(
                [
                    np.clip(settled[0] + self.reach * (2.0 * low - 1.0), 0.0, 1.0),
                    np.clip(settled[1] + self.reach * (2.0 * high - 1.0), 0.0, 1.0),
                ]
            )
            worst = package_utility(self.position, self.weight, ends[..., None, :], self.form).min(axis=0)
            best = np.clip(self.position, lower[self.follows][None], upper[self.follows][None])
            swing = worst - package_utility(self.position, self.weight, best, self.form)
        else:
            swing = np.zeros_like(low)
        least = swing - self.war_cost - response
        never = np.exp(-np.logaddexp(0.0, least / self.scale).sum(axis=0) * horizon)
        return loss * (1.0 - (1.0 - exogenous) * never)


@dataclass(frozen=True)
class Foresight:
    """The breakdown loss those who lose in a breakdown expect from a package (:meth:`RenegingRule.foresee`), what
    does not depend on the package computed once.

    The log chance that nobody attacks in a round is taken in the first round the guarantees act and in the last
    round of the longest horizon, linearly between (so exactly when nothing drifts, and for one horizon the
    trapezoid rule: with a vanishing shock a horizon whose last round breaks the deal counts as broken), and before
    the guarantees act at the middle of those rounds."""

    rule: RenegingRule
    loss: np.ndarray  # [V, n]
    rows: np.ndarray  # [R] those who lose anything
    lost: np.ndarray  # [R, n] what they lose
    drifted: np.ndarray  # [P, K, n] each reneger's chance at those points
    along: np.ndarray  # [R, n] where each horizon's last round lies between the first and the last point
    unprotected: np.ndarray  # [R, n] rounds of each horizon before the guarantees act
    protected: np.ndarray  # [R, n] and after
    delayed: bool  # the guarantees act late in some run
    exogenous: tuple[np.ndarray, ...] | None  # breakdown_probability's arguments but the package, if any hazard

    def take(self, runs: np.ndarray) -> Foresight:
        """The same foresight on a subset of runs (indices or a mask over the last axis)."""
        runs = np.flatnonzero(runs) if runs.dtype == bool else runs
        exogenous = None if self.exogenous is None else tuple(np.take(part, runs, axis=-1) for part in self.exogenous)
        return replace(
            self,
            rule=self.rule.take(runs),
            loss=self.loss[:, runs],
            lost=self.lost[:, runs],
            drifted=np.take(self.drifted, runs, axis=-1),
            along=self.along[:, runs],
            unprotected=self.unprotected[:, runs],
            protected=self.protected[:, runs],
            exogenous=exogenous,
        )

    @cached_property
    def packed(self) -> deal_values.Foresight:
        """This foresight as the compiled rules read it (:class:`sim.model.deal_values.Foresight`)."""
        runs = self.loss.shape[1]
        base_hazard, protection, delay, shape, horizon = self.exogenous or (
            np.zeros(runs),
            np.zeros((self.rule.guarantee.shape[1], runs)),
            np.zeros(runs),
            np.ones(runs),
            np.zeros((self.rows.size, runs)),
        )
        terms = timing_terms(floats(base_hazard), floats(delay), floats(shape), runs_first(horizon))
        return deal_values.Foresight(
            renege=self.rule.packed,
            rows=indices(self.rows),
            lost=runs_first(self.lost),
            drifted=runs_first(self.drifted),
            along=runs_first(self.along),
            unprotected=runs_first(self.unprotected),
            protected=runs_first(self.protected),
            delayed=bool(self.delayed),
            exogenous=self.exogenous is not None,
            base_hazard=floats(base_hazard),
            protection=runs_first(protection),
            lasting=terms[0],
            after=terms[1],
        )

    def expected_loss(self, package: np.ndarray) -> np.ndarray:
        """What each expects to lose within its horizon if a deal with ``package [J, n]`` breaks down, ``[V, n]``."""
        runs = np.arange(package.shape[1])
        return foreseen_losses(self.packed, floats(package), runs, self.loss.shape[0])


def reneging_rule(
    inputs: ModelInputs, state: NegotiationState, actors: Sequence[ActorAgent], runs: np.ndarray
) -> RenegingRule | None:
    """The renegers' rule over ``runs`` in this round's ``state`` (``actors``: every actor, in the scenario's order),
    or None when nobody may renege."""
    if not inputs.renegers:
        return None
    agents = [actors[k] for k in inputs.renegers]
    renegers, front = list(inputs.renegers), inputs.follows_front
    side, opponent = inputs.front_parties or (None, None)
    direction = np.array([[1.0 if k == side else -1.0 if k == opponent else 0.0] for k in inputs.renegers])
    return RenegingRule(
        position=np.take(inputs.position[renegers][:, front], runs, axis=-1),
        weight=np.take(inputs.salience[renegers][:, front], runs, axis=-1),
        form=UtilityForm(
            inputs.utility.kind, inputs.utility.reference[front][:, runs], inputs.utility.loss_aversion[runs]
        ),
        p_advance=np.stack([agent.expected_p_advance(state)[runs] for agent in agents]),
        drift=foreseen_rate(inputs, settled=True)[runs],
        direction=direction,
        reach=np.abs(direction) * inputs.planning_rounds[renegers][:, runs] * inputs.step[runs],
        war_cost=np.stack([agent.cost_ahead(state)[runs] for agent in agents]),
        follows=inputs.follows_front,
        guarantee=np.stack([inputs.guarantee_chance[:, runs], inputs.guarantee_cost[:, runs]]),
        scale=inputs.reneging_scale[runs],
    )


def who_broke(draw: np.ndarray, exogenous: np.ndarray, chances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From one uniform ``draw [n]``: whether the deal broke this round, and by whom: -1 for the exogenous hazard
    (which takes the draw's first ``exogenous [n]``), else the index of the first reneger ``[K, n]`` whose share of the
    rest the draw falls in."""
    survive = (1.0 - exogenous) * np.cumprod(1.0 - chances, axis=0)
    thresholds = np.vstack([exogenous[None], 1.0 - survive])
    broke = draw < thresholds[-1]
    return broke, np.argmax(draw < thresholds, axis=0) - 1
