"""The ``groups`` section of a scenario: an actor that speaks for members (a coalition, a union).

The group is an actor of the scenario (its stance, costs and beliefs are the members' defaults); its members
are agents of their own, each with a size, its own stance where it differs, and what it contributes to some
issues on a condition. How the members' answers make the group's is the group's decision rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sim.scenario.quantities import NonNegative, Quantity, QuantityBase, bounds_meet, within

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Quota = Annotated[Quantity, within(1e-9, 1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MemberIssue(_Strict):
    """Where a member's stance on one issue differs from its group's."""

    position: Quantity | None = Field(default=None, description="Ideal point on the issue's scale (else the group's).")
    salience: NonNegative | None = Field(default=None, description="How much the issue matters (else the group's).")


class Condition(_Strict):
    """When a member contributes: the package's value on one issue lies within bounds (e.g. a backstop at least 0.5)."""

    issue: Name
    at_least: Quantity | None = None
    at_most: Quantity | None = None

    _bounds_meet = bounds_meet()


class Member(_Strict):
    """One member of a group."""

    description: str = ""
    size: Annotated[Quantity, within(1e-12)] = Field(
        description="The member's weight in the group's decisions and its share of the group's capability."
    )
    issues: dict[Name, MemberIssue] = Field(
        default_factory=dict, description="Its stance where it differs from the group's."
    )
    contribution: dict[Name, NonNegative] = Field(
        default_factory=dict,
        description="What it contributes to each of the group's contributed issues, on that issue's scale (0 if absent).",
    )
    condition: Condition | None = Field(default=None, description="It contributes only to packages that meet this.")


class Group(_Strict):
    """An actor that speaks for its members: how their answers make its own, and what they contribute."""

    source: str | None = Field(default=None, description="Why these members and this rule, as for a number's source.")
    rule: Literal["unanimity", "quota", "lead"] = Field(
        description="unanimity: every member accepts; quota: members of at least `quota` of the size accept; "
        "lead: every lead member accepts."
    )
    quota: Quota | None = Field(
        default=None, description="The share of the members' size that must accept (rule quota)."
    )
    leads: list[Name] = Field(default_factory=list, description="The members whose acceptance decides (rule lead).")
    veto_scope: Literal["package", "contributions"] = Field(
        default="package",
        description="package: the group (by its rule) vetoes the whole package, if its actor holds a veto; "
        "contributions: it decides only what its members contribute.",
    )
    contributes_to: list[Name] = Field(
        default_factory=list,
        description="Issues whose value in a deal is at most what the members whose condition holds contribute.",
    )
    members: Annotated[dict[Name, Member], Field(min_length=1)]


def group_problems(scenario: Any) -> Iterator[tuple[str, str]]:
    """Cross-references and ranges of the ``groups`` section that a field alone cannot check."""
    issues = scenario.issues
    mechanism = scenario.model.mechanism
    taken = set(scenario.actors)
    for name, group in scenario.groups.items():
        key = f"groups.{name}"
        if name not in scenario.actors:
            yield (
                key,
                f"unknown actor '{name}': a group is an actor of the scenario (defined: {', '.join(sorted(scenario.actors))})",
            )
            continue
        if name in (getattr(mechanism, "mediator", None), *(getattr(mechanism, "proposers", None) or ())):
            yield key, "a group cannot be the mediator or a named proposer (name one of its members' actors instead)"
        if group.rule == "quota" and group.quota is None:
            yield f"{key}.quota", "rule quota needs a quota: the share of the members' size that must accept, in (0, 1]"
        if group.rule != "quota" and group.quota is not None:
            yield f"{key}.quota", f"only rule quota takes a quota (the rule is {group.rule})"
        if group.rule == "lead" and not group.leads:
            yield f"{key}.leads", "rule lead needs the lead members"
        for k, lead in enumerate(group.leads):
            if lead not in group.members:
                yield f"{key}.leads.{k}", f"unknown member '{lead}' (members: {', '.join(group.members)})"
        for k, issue in enumerate(group.contributes_to):
            if issue not in issues:
                yield f"{key}.contributes_to.{k}", f"unknown issue '{issue}' (defined: {', '.join(sorted(issues))})"
        for member_name, member in group.members.items():
            where = f"{key}.members.{member_name}"
            if member_name in taken:
                yield where, f"the name '{member_name}' is already an actor or another member"
            taken.add(member_name)
            for issue, stance in member.issues.items():
                if issue not in issues:
                    yield f"{where}.issues.{issue}", f"unknown issue '{issue}' (defined: {', '.join(sorted(issues))})"
                elif stance.position is not None:
                    yield from _on_scale(issues[issue], stance.position, f"{where}.issues.{issue}.position")
            for issue, amount in member.contribution.items():
                if issue not in group.contributes_to:
                    yield (
                        f"{where}.contribution.{issue}",
                        f"not an issue the group contributes to ({', '.join(group.contributes_to) or 'none'})",
                    )
                else:
                    yield from _on_scale(issues[issue], amount, f"{where}.contribution.{issue}")
            condition = member.condition
            if condition is None:
                continue
            if condition.issue not in issues:
                yield (
                    f"{where}.condition.issue",
                    f"unknown issue '{condition.issue}' (defined: {', '.join(sorted(issues))})",
                )
                continue
            if condition.issue in group.contributes_to:
                yield f"{where}.condition.issue", "a condition cannot rest on an issue the group contributes to"
            for bound in ("at_least", "at_most"):
                yield from _on_scale(issues[condition.issue], getattr(condition, bound), f"{where}.condition.{bound}")


def _on_scale(issue: Any, quantity: QuantityBase | None, key: str) -> Iterator[tuple[str, str]]:
    if quantity is None:
        return
    low, high = quantity.support()
    if low < issue.low or high > issue.high:
        yield (
            key,
            f"values must lie on the issue's scale [{issue.low:g}, {issue.high:g}], but this can take [{low:g}, {high:g}]",
        )
