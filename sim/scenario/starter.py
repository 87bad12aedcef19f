"""A commented scenario to start from: ``sim init`` writes it, and it validates as it stands."""

from __future__ import annotations

import datetime as dt
import re

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def bad_names(names: list[str]) -> list[str]:
    """The names that cannot be actor or issue keys (lower case, digits and underscores, a letter first)."""
    return [n for n in names if not _NAME.match(n) or len(n) > 64]


def _actor(name: str, issues: list[str], veto: bool, position: float) -> str:
    stances = "".join(
        f"""      {issue}:
        position: {{value: {position:g}, source: "assumption: where {name} stands on {issue} (0 = low end, 1 = high end)"}}
        salience: {{dist: uniform, low: 0.2, high: 0.5, source: "assumption: how much {issue} matters to {name}"}}
"""
        for issue in issues
    )
    return f"""  {name}:
    description: Who {name} is, in a few words
    veto: {str(veto).lower()}  # a deal needs the consent of every actor with a veto
    # Weight at the table (any positive scale; only ratios between actors matter).
    capability: {{dist: uniform, low: 0.2, high: 0.4, source: "assumption: {name}'s weight in the talks"}}
    issues:
{stances}    # What a round without agreement costs, in utility units: a whole settlement is worth 1.
    delay_cost:
      per_round: {{dist: uniform, low: 0.005, high: 0.02, source: "assumption: a round without agreement costs {name} 0.5-2% of a deal's worth"}}
"""


def starter_scenario(
    title: str, actors: list[str], issues: list[str], war: bool = False, start: dt.date | None = None
) -> str:
    """The YAML text of a valid scenario with these actors and issues, every number an assumption to replace.
    The last actor mediates; with ``war`` the first two fight over one region and the first issue follows the front."""
    start = start or dt.date.today()
    lines = [
        f"""# {title}: a scenario to start from (written by `sim init`). Replace every number and its source:
#   "line N: <quote>" from the document, "fact: <public source>", or "assumption: <reason>".
# A number is a constant {{value: 0.5, source: ...}} or a distribution {{dist: uniform, low: 0.2, high: 0.4, source: ...}}
# (uniform, triangular, pert, normal, truncated_normal, lognormal, beta, integer_uniform, choice).
# docs/writing-a-scenario.md walks through one from a news article to a run; `sim validate` checks the file.
name: {title}
description: What is being negotiated, between whom, as of when.
# document: ../sources/article.txt  # the source text, so that `sim provenance` checks each quote

issues:
"""
    ]
    for k, issue in enumerate(issues):
        follows = war and k == 0
        ending = (
            "    follows_front: true  # without a deal, this issue stands where the front is\n"
            if follows
            else f'    no_deal: {{value: 0.0, source: "assumption: where {issue} stands if nobody agrees"}}\n'
        )
        lines.append(f"""  {issue}:
    description: What {issue} means
    low: 0      # the scale's ends, in the issue's own units
    high: 1
    low_means: what 0 on this scale means
    high_means: what 1 on this scale means
{ending}""")
    lines.append("\nactors:\n")
    for k, actor in enumerate(actors):
        proposes = k == len(actors) - 1 and len(actors) > 2
        position = 0.5 if proposes else (1.0 if k % 2 == 0 else 0.0)
        lines.append(_actor(actor, issues, veto=not proposes, position=position))
    if war:
        lines.append(f"""
# The front: each round, in each region, {actors[0]} gains or loses one step.
front:
  side: {actors[0]}
  opponent: {actors[1]}
  step: {{dist: uniform, low: 0.005, high: 0.02, source: "assumption: a round of fighting moves 0.5-2% of a region"}}
  p_advance: {{dist: uniform, low: 0.45, high: 0.6, source: "assumption: the chance a round goes {actors[0]}'s way"}}
  regions:
    region_one:
      initial: {{value: 0.5, source: "assumption: share of the region {actors[0]} holds at the start"}}
      weight: {{value: 1, source: "assumption: the region's size (area, population)"}}
""")
    mediator = actors[-1] if len(actors) > 2 else None
    mechanism = (
        f"    kind: mediator\n    mediator: {mediator}  # proposes a package each round\n"
        if mediator
        else "    kind: alternating  # the veto holders propose in turn\n"
    )
    lines.append(f"""
model:
  start_date: {start.isoformat()}
  round_length: 1       # one round = one month (or: round_unit: week, or day)
  round_unit: month
  horizon_rounds: 12    # rounds simulated
  winter_months: []     # months in which delay_cost.winter_multiplier applies
  mechanism:
{mechanism}
report:
  horizons: [3, 6]  # the headline 'deal within N months' (in round_unit)
  # outcome_labels: {{no_agreement: talks_fail}}  # the scenario's own names for outcome classes

monte_carlo:
  runs: 10000
  seed: 1
""")
    return "".join(lines)
