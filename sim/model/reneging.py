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

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from sim.model.breakdown import breakdown_probability
from sim.model.power_shift import foreseen_rate
from sim.model.utility import UtilityForm, package_utility

if TYPE_CHECKING:
    from sim.model.negotiation import NegotiationModel

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
    planning: np.ndarray  # [K, n] rounds of renewed war weighed
    war_cost: np.ndarray  # [K, n] what those rounds cost it
    step: np.ndarray  # [n] share of a region won or lost per round
    follows: np.ndarray  # [J] issues that follow the front
    guarantee_cost: np.ndarray  # [J, n]
    guarantee_chance: np.ndarray  # [J, n]
    scale: np.ndarray  # [n] the shock's scale

    def take(self, runs: np.ndarray) -> RenegingRule:
        """The same rule on a subset of runs (indices or a mask over the last axis)."""
        fixed = ("form", "direction", "follows")
        arrays = {f.name: getattr(self, f.name)[..., runs] for f in fields(self) if f.name not in fixed}
        return replace(self, form=self.form.take(runs), **arrays)

    def gain(self, package: np.ndarray, protected: np.ndarray | bool, ahead: np.ndarray | None = None) -> np.ndarray:
        """Each reneger's value of attacking again less that of keeping a deal with ``package [J, n]``, ``[..., K, n]``,
        the guarantees acting where ``protected``, its chance drifted by ``ahead [..., n]`` rounds (now, if None)."""
        guard = np.where(protected, (self.guarantee_chance * package).sum(axis=0), 0.0)
        response = np.where(protected, (self.guarantee_cost * package).sum(axis=0), 0.0)
        drifted = self.p_advance if ahead is None else self.p_advance + self.drift * ahead[..., None, :]
        chance = np.clip(drifted - self.direction * guard, 0.0, 1.0)
        if not self.follows.any():
            return np.broadcast_to(-(self.war_cost + response), chance.shape)
        settled = package[self.follows]
        moved = np.clip(settled.mean(axis=0) + np.abs(self.direction) * self.planning * self.step * (2.0 * chance - 1.0),
                        0.0, 1.0)
        won = package_utility(self.position, self.weight, moved[..., None, :], self.form)
        return won - package_utility(self.position, self.weight, settled, self.form) - self.war_cost - response

    def chances(self, gain: np.ndarray) -> np.ndarray:
        """Each reneger's chance of reneging this round given its ``gain``: ``1 / (1 + exp(-G / sigma))``."""
        return expit(gain / self.scale)

    def breakdown_within(self, base_hazard: np.ndarray, protection: np.ndarray, delay: np.ndarray, shape: np.ndarray,
                         package: np.ndarray, horizon: np.ndarray) -> np.ndarray:
        """The chance ``[V, n]`` that a deal with ``package`` breaks down within each of ``horizon [V, n]`` rounds, by the
        exogenous hazard (as :func:`~sim.model.breakdown.breakdown_probability`, whose arguments it takes) or because
        some reneger attacks, the drift in power counted at the horizon's midpoint. The exogenous part alone bounds
        it from below."""
        exogenous = breakdown_probability(base_hazard, protection, delay, shape, package, horizon)
        ahead = np.stack([np.ones_like(horizon), (1.0 + horizon) / 2.0, horizon])  # [3, V, n]
        unprotected = np.minimum(delay, horizon)
        log_holds = (horizon - unprotected) * self._mean_log_keep(package, True, ahead)
        if (unprotected > 0).any():
            log_holds = log_holds + unprotected * self._mean_log_keep(package, False, ahead)
        return 1.0 - (1.0 - exogenous) * np.exp(log_holds)

    def _mean_log_keep(self, package: np.ndarray, protected: bool, ahead: np.ndarray) -> np.ndarray:
        """The mean over a horizon of the log chance that nobody reneges in a round, by the trapezoid rule on the first
        round, the midpoint and the last (``ahead [3, V, n]``), ``[V, n]``: exact for a constant chance, and for the
        all-or-nothing decision of a vanishing shock it counts a horizon whose last round breaks the deal as broken."""
        keep = np.log1p(-np.minimum(self.chances(self.gain(package, protected, ahead)), 1.0 - 1e-15)).sum(axis=-2)
        return 0.25 * keep[0] + 0.5 * keep[1] + 0.25 * keep[2]


def reneging_rule(model: NegotiationModel, runs: np.ndarray) -> RenegingRule | None:
    """The renegers' rule over ``runs`` as the model stands this round, or None when nobody may renege."""
    inputs = model.inputs
    if not inputs.renegers:
        return None
    agents = [model.actor_agents[k] for k in inputs.renegers]
    renegers, front = list(inputs.renegers), inputs.follows_front
    side, opponent = inputs.front_parties or (None, None)
    direction = np.array([[1.0 if k == side else -1.0 if k == opponent else 0.0] for k in inputs.renegers])
    return RenegingRule(
        position=inputs.position[renegers][:, front][..., runs],
        weight=inputs.salience[renegers][:, front][..., runs],
        form=UtilityForm(inputs.utility.kind, inputs.utility.reference[front][:, runs], inputs.utility.loss_aversion[runs]),
        p_advance=np.stack([agent.expected_p_advance()[runs] for agent in agents]),
        drift=foreseen_rate(inputs, settled=True)[runs],
        direction=direction,
        planning=inputs.planning_rounds[renegers][:, runs].astype(float),
        war_cost=np.stack([agent.cost_ahead()[runs] for agent in agents]),
        step=inputs.step[runs],
        follows=inputs.follows_front,
        guarantee_cost=inputs.guarantee_cost[:, runs],
        guarantee_chance=inputs.guarantee_chance[:, runs],
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
