"""Groups: an actor that speaks for member agents (docs/model.md, section 7c).

Each member becomes an actor of the model (a Mesa agent) with the group's stance, costs and beliefs where its own
are not given, and a share of the group's capability in proportion to its size. With ``veto_scope: package`` the
members vote and the group accepts a package when its decision rule holds: members of at least a ``quota`` of the
size accept (unanimity is a quota of 1, lead nations a quota of 1 among the leads). In margins (deal value less
threshold), the group's margin is the weighted quantile of its members' margins at the quota, and each member's
margin counts as at least the group's, so that the least margin over all veto rows is the least over the other
veto holders and the group. On issues the group contributes to, a package delivers at most what the members whose
condition the package meets contribute. Everything is vectorised over runs (the last axis).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.arrays import rows_at
from sim.model.deal_values import (
    EDGE,
    Groups,
    conditions_met,
    delivered_packages,
    floats,
    indices,
    runs_first,
    voiced_margins,
)
from sim.sampling.draws import Draws

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

NO_GROUP = -1


def with_members(scenario: Scenario, draws: Draws) -> tuple[Scenario, Draws]:
    """The scenario with each group's actor replaced by its members (in its place), and draws for the members'
    numbers: their own where given, else the group's; capability the group's times the member's share of the size.
    Members vote only where the group's actor holds a veto over the whole package (``veto_scope: package``)."""
    if not scenario.groups:
        return scenario, draws
    draws = dict(draws)
    actors = {}
    for name, actor in scenario.actors.items():
        group = scenario.groups.get(name)
        if group is None:
            actors[name] = actor
            continue
        sizes = {member: draws[f"groups.{name}.members.{member}.size"] for member in group.members}
        total = sum(sizes.values())
        prefix = f"actors.{name}."
        inherited = [path.removeprefix(prefix) for path in draws if path.startswith(prefix)]
        for member, spec in group.members.items():
            for rest in inherited:
                value = draws.get(f"groups.{name}.members.{member}.{rest}", draws[prefix + rest])
                scaled = rest == "capability" or rest.endswith(".capability")
                draws[f"actors.{member}.{rest}"] = value * sizes[member] / total if scaled else value
            actors[member] = actor.model_copy(
                update={
                    "veto": actor.veto and group.veto_scope == "package",
                    "description": spec.description or f"{member}, a member of {name}",
                }
            )
    return scenario.model_copy(update={"actors": actors}), draws


def reach(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Conditions' bounds widened by floating-point error, the upper ``None`` where no condition has one."""
    return low - EDGE, high + EDGE if np.isfinite(high).any() else None


def conditions_hold(issue: np.ndarray, low: np.ndarray, high: np.ndarray | None, package: np.ndarray) -> np.ndarray:
    """``[A, n]``: whether each actor row's condition (on issue ``issue [A]``, within ``low``/``high [A, n]`` from
    :func:`reach`) holds for ``package [J, n]``; True for rows without one."""
    high = np.full_like(low, np.inf) if high is None else high
    return conditions_met(indices(issue), runs_first(low), runs_first(high), floats(package))


@dataclass(frozen=True)
class GroupTerms:
    """The groups' rules over some runs ``[n]``: the votes of the veto rows ``[V]`` that belong to voting groups, and
    what the contributing members ``[K]`` give to the contributed issues ``[C]`` on their conditions. Build it with
    :func:`group_terms`."""

    voters: tuple[np.ndarray, ...]  # per voting group, its veto rows
    unanimous: tuple[bool, ...]  # per voting group: in every run, its decision needs each member with a vote
    vote: np.ndarray  # [V, n] each veto row's weight in its group's decision (0 outside groups)
    quota: np.ndarray  # [voting groups, n] the share of the group's weight that must accept
    necessary: np.ndarray  # [V, n] rows whose rejection alone sinks the package (see group_terms)
    capped: np.ndarray  # [C] indices of the contributed issues
    contribution: np.ndarray  # [K, C, n] on the normalised scale
    condition_issue: np.ndarray  # [K] the issue a contribution depends on, NO_GROUP for none
    condition_low: np.ndarray  # [K, n] from reach()
    condition_high: np.ndarray | None  # [K, n] from reach(), None where no condition has an upper bound

    def take(self, runs: np.ndarray) -> GroupTerms:
        """The same terms on a subset of runs (indices or a mask over the last axis)."""
        fixed = ("voters", "unanimous", "capped", "condition_issue")
        runs = np.flatnonzero(runs) if runs.dtype == bool else runs
        per_run: dict[str, Any] = {
            f.name: np.take(getattr(self, f.name), runs, axis=-1)
            for f in fields(self)
            if f.name not in fixed and getattr(self, f.name) is not None
        }
        return replace(self, **per_run)

    @cached_property
    def packed(self) -> Groups:
        """These terms as the compiled rules read them (:class:`sim.model.deal_values.Groups`)."""
        row_group = np.full(self.vote.shape[0], NO_GROUP)
        for k, rows in enumerate(self.voters):
            row_group[rows] = k
        runs = self.vote.shape[1]
        high = (
            np.full((self.condition_issue.size, runs), np.inf) if self.condition_high is None else self.condition_high
        )
        return Groups(
            capped=indices(self.capped),
            contribution=runs_first(self.contribution),
            condition_issue=indices(self.condition_issue),
            condition_low=runs_first(self.condition_low),
            condition_high=runs_first(high),
            row_group=indices(row_group),
            unanimous=np.array(self.unanimous, np.bool_),
            vote=runs_first(self.vote),
            quota=runs_first(self.quota),
        )

    def voice(self, margins: np.ndarray, runs: np.ndarray | None = None) -> np.ndarray:
        """Veto rows' margins ``[V, m]`` with each member's raised to its group's (the quota's weighted quantile, which
        for a unanimous group is the least margin of the members with a vote); column ``i`` on run ``runs[i]`` (on run
        ``i`` if None)."""
        runs = np.arange(margins.shape[1]) if runs is None else runs
        return voiced_margins(self.packed, floats(margins), runs)

    def deliver(self, package: np.ndarray, runs: np.ndarray | None = None) -> np.ndarray:
        """``package [J, m]`` with each contributed issue cut to what the members whose condition it meets contribute;
        column ``i`` on run ``runs[i]`` (on run ``i`` if None)."""
        runs = np.arange(package.shape[1]) if runs is None else runs
        return delivered_packages(self.packed, floats(package), runs)


def group_terms(
    row_group: np.ndarray,
    vote: np.ndarray,
    quota: np.ndarray,
    capped: np.ndarray,
    contribution: np.ndarray,
    condition_issue: np.ndarray,
    condition_low: np.ndarray,
    condition_high: np.ndarray,
) -> GroupTerms:
    """Terms from each veto row's group ``row_group [V]`` (NO_GROUP outside groups), its ``vote [V, n]``, each group's
    ``quota [G, n]`` and the contributing members' arrays. A member is necessary when its vote exceeds what its
    group's quota leaves over, ``v_m > (1 - q) sum v``; every veto holder outside a group is. A group is unanimous
    when its quota is the whole weight and every vote is too large for the quota's tolerance to spare it."""
    groups = [k for k in range(quota.shape[0]) if (row_group == k).any()]
    members = row_group != NO_GROUP
    total = np.zeros_like(quota)
    np.add.at(total, row_group[members], vote[members])
    spare = ((1.0 - quota) * total)[np.maximum(row_group, 0)]
    necessary = ~members[:, None] | (vote > spare * (1.0 + EDGE) + EDGE)
    voters = tuple(np.flatnonzero(row_group == k) for k in groups)
    sparable = [(vote[rows] > 0) & (vote[rows] <= 2 * EDGE * total[k]) for k, rows in zip(groups, voters, strict=True)]
    unanimous = tuple(
        bool((quota[k] >= 1.0).all() and not tiny.any()) for k, tiny in zip(groups, sparable, strict=True)
    )
    return GroupTerms(
        voters,
        unanimous,
        vote,
        quota[groups],
        necessary,
        capped,
        contribution,
        condition_issue,
        *reach(condition_low, condition_high),
    )


@dataclass(frozen=True)
class GroupRules:
    """The groups of a model over all its runs ``[R]``, by actor row ``[A]`` (members are actor rows)."""

    names: tuple[str, ...]  # [G]
    members: tuple[tuple[int, ...], ...]  # [G] the actor rows of each group's members
    group_of: np.ndarray  # [A] int, NO_GROUP outside groups
    vote: np.ndarray  # [A, R] weight in the group's decision
    size: np.ndarray  # [A, R]
    quota: np.ndarray  # [G, R]
    capped: np.ndarray  # [C]
    contribution: np.ndarray  # [A, C, R]
    condition_issue: np.ndarray  # [A]
    condition_low: np.ndarray  # [A, R]
    condition_high: np.ndarray  # [A, R]

    def search_weight(self, veto: list[int]) -> np.ndarray:
        """Starting log weights ``[V, R]`` of the veto rows in the zone search: a member's share of its group's size
        (so that identical members pull as their group would), 0 for the other veto holders."""
        weight = np.zeros((len(veto), self.size.shape[1]))
        for rows in self.members:
            total = self.size[list(rows)].sum(axis=0)
            for k, a in enumerate(veto):
                if a in rows:
                    weight[k] = np.log(self.size[a] / total)
        return weight

    def terms(self, veto: np.ndarray, runs: np.ndarray) -> GroupTerms:
        """The terms the acceptance rules of veto rows ``veto`` (actor rows) use over ``runs``."""
        give = np.flatnonzero((self.contribution > 0).any(axis=(1, 2)))
        return group_terms(
            self.group_of[veto],
            rows_at(self.vote, veto, runs),
            self.quota[:, runs],
            self.capped,
            rows_at(self.contribution, give, runs),
            self.condition_issue[give],
            rows_at(self.condition_low, give, runs),
            rows_at(self.condition_high, give, runs),
        )


def group_rules(
    scenario: Scenario, draws: Draws, actors: tuple[str, ...], issue_low: np.ndarray, issue_span: np.ndarray
) -> GroupRules | None:
    """Arrange the groups of a scenario whose actors are already expanded (:func:`with_members`) into arrays."""
    if not scenario.groups:
        return None
    issues = list(scenario.issues)
    runs = len(next(iter(draws.values())))
    count = len(actors)
    capped = sorted({issues.index(i) for group in scenario.groups.values() for i in group.contributes_to})
    group_of = np.full(count, NO_GROUP)
    vote, size = np.zeros((count, runs)), np.zeros((count, runs))
    contribution = np.zeros((count, len(capped), runs))
    condition_issue = np.full(count, NO_GROUP)
    condition_low, condition_high = np.full((count, runs), -np.inf), np.full((count, runs), np.inf)
    quota = np.ones((len(scenario.groups), runs))
    members = []
    for k, (name, group) in enumerate(scenario.groups.items()):
        if group.rule == "quota":
            quota[k] = draws[f"groups.{name}.quota"]
        rows = []
        for member, spec in group.members.items():
            a = actors.index(member)
            rows.append(a)
            key = f"groups.{name}.members.{member}"
            group_of[a], size[a] = k, draws[f"{key}.size"]
            vote[a] = size[a] if group.rule != "lead" else float(member in group.leads)
            for c, j in enumerate(capped):
                if issues[j] in spec.contribution:
                    contribution[a, c] = draws[f"{key}.contribution.{issues[j]}"] / issue_span[j]
            if spec.condition is not None:
                j = issues.index(spec.condition.issue)
                condition_issue[a] = j
                if spec.condition.at_least is not None:
                    condition_low[a] = (draws[f"{key}.condition.at_least"] - issue_low[j]) / issue_span[j]
                if spec.condition.at_most is not None:
                    condition_high[a] = (draws[f"{key}.condition.at_most"] - issue_low[j]) / issue_span[j]
        members.append(tuple(rows))
    return GroupRules(
        tuple(scenario.groups),
        tuple(members),
        group_of,
        vote,
        size,
        quota,
        np.array(capped, int),
        contribution,
        condition_issue,
        condition_low,
        condition_high,
    )


def group_outcomes(
    rules: GroupRules, actors: tuple[str, ...], columns: dict[str, np.ndarray], deal: np.ndarray, package: np.ndarray
) -> dict[str, np.ndarray]:
    """Per group, its utility and cost (its members', weighted by size); per member, whether it contributes to the
    deal (its condition holds for the settled package)."""
    out: dict[str, np.ndarray] = {}
    for name, rows in zip(rules.names, rules.members, strict=True):
        weight = rules.size[list(rows)] / rules.size[list(rows)].sum(axis=0)
        for measure in ("utility", "cost"):
            out[f"{measure}_{name}"] = sum(
                w * columns[f"{measure}_{actors[a]}"] for w, a in zip(weight, rows, strict=True)
            )
    bounds = reach(rules.condition_low, rules.condition_high)
    holds = conditions_hold(rules.condition_issue, *bounds, np.nan_to_num(package))
    for rows in rules.members:
        for a in rows:
            out[f"contributes_{actors[a]}"] = deal & holds[a]
    return out
