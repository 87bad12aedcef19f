"""Words for a scenario's numbers, and numbers as words (:func:`readable`).

Each key path (``actors.usmx.issues.wage_increase.red_line.max``) reads as what the number is, whose and on
which issue (``United States Maritime Alliance: red line on wage increase (most it accepts)``), from the
scenario's descriptions, rounds in the scenario's unit (``cost of a week without agreement``). A key path it
does not know is shown as the path itself, in words."""

from __future__ import annotations

import re

from sim.scenario.schema import Scenario

LONGEST_NAME = 40
"""An actor's, issue's or event's description longer than this (an actor's and an event's before any
parenthesis) is named by its key instead."""

_PER_ISSUE = {
    "position": "position on {issue}",
    "salience": "salience of {issue}",
    "capability": "capability on {issue}",
    "red_line.min": "red line on {issue} (least it accepts)",
    "red_line.max": "red line on {issue} (most it accepts)",
}
_PER_ACTOR = {
    "capability": "capability",
    "delay_cost.per_round": "cost of a {round} without agreement",
    "delay_cost.winter_multiplier": "winter factor on its delay cost",
    "planning_rounds": "{round}s it looks ahead",
    "breakdown_loss": "loss if the deal breaks down",
    "reservation_utility": "least utility it accepts",
    "outside_option": "value of no agreement",
    "discount": "discount per {round}",
    "belief.p_advance": "belief: chance the front advances",
    "belief.strength": "belief: its weight, in {round}s",
}
_SECTIONS = {
    "front.p_advance": "chance the front advances in a {round}",
    "front.step": "share of a region won or lost per {round}",
    "ceasefire.value": "ceasefire package's value",
    "ceasefire.cost_factor": "share of the delay cost paid in a ceasefire",
    "ceasefire.collapse_hazard": "chance a ceasefire collapses per {round}",
    "breakdown.base_hazard": "chance a deal breaks down per {round}",
    "breakdown.shape": "shape of the breakdown hazard over a deal's age",
    "breakdown.implementation_delay_rounds": "{round}s before a deal's protection acts",
    "model.loss_aversion": "loss aversion",
    "model.audience_cost": "audience cost of crossing a red line",
}


def readable(value: float, digits: int = 3) -> str:
    """A number as a reader wants it: thousands with separators, smaller numbers to ``digits`` significant
    digits, ``n/a`` for a number that is not there (NaN)."""
    if value != value:
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.{digits}g}"


def short_name(description: str, key: str) -> str:
    """An actor's or event's name for a label: its description up to any parenthesis, if short, else its key in
    words (:func:`key_in_words`)."""
    head = description.split(" (")[0].strip().rstrip(".")
    return head if head and len(head) <= LONGEST_NAME else key_in_words(key, description)


def key_in_words(key: str, description: str) -> str:
    """``key`` in words, each written as ``description`` writes it where it does (``us_backstop`` described as "US
    pledge to ..." reads "US backstop"), a description's first word only if it is not merely capitalised."""
    words = []
    for word in key.split("_"):
        forms = [
            found.group(0)
            for found in re.finditer(rf"\b{re.escape(word)}\b", description, re.IGNORECASE)
            if found.start() > 0 or not found.group(0)[1:].islower()
        ]
        words.append(forms[0] if forms else word)
    return " ".join(words)


def actor_name(scenario: Scenario, key: str) -> str:
    """An actor's name to begin a label with (:func:`short_name`, first letter capitalised)."""
    name = short_name(scenario.actors[key].description, key)
    return name[:1].upper() + name[1:]


def parameter_label(scenario: Scenario, path: str) -> str:
    """What the number at ``path`` is, in the scenario's words (the key path in words if it is not known)."""
    parts = path.split(".")
    length = scenario.model.round_length
    round_ = scenario.time_unit if length == 1 else f"round of {length:g} {scenario.time_unit}s"
    if parts[0] == "actors" and len(parts) > 2 and parts[1] in scenario.actors:
        actor = actor_name(scenario, parts[1])
        rest = ".".join(parts[2:])
        if parts[2] == "issues" and len(parts) > 4 and parts[3] in scenario.issues:
            what = _PER_ISSUE.get(".".join(parts[4:]))
            if what:
                return f"{actor}: {what.format(issue=_issue(scenario, parts[3]))}"
        elif rest in _PER_ACTOR:
            return f"{actor}: {_PER_ACTOR[rest].format(round=round_)}"
    elif parts[0] == "issues" and len(parts) == 3 and parts[2] == "no_deal" and parts[1] in scenario.issues:
        return f"{_issue(scenario, parts[1])} without a deal"
    elif parts[0] == "front" and len(parts) == 4 and parts[1] == "regions":
        what = {"initial": "share held at the start", "weight": "weight"}.get(parts[3])
        if what:
            return f"{parts[2].replace('_', ' ')}: {what}"
    elif parts[0] == "breakdown" and len(parts) == 3 and parts[1] == "protection" and parts[2] in scenario.issues:
        return f"breakdown hazard removed by {_issue(scenario, parts[2])}"
    elif parts[0] == "events" and len(parts) > 2 and parts[1] in scenario.events:
        event = short_name(scenario.events[parts[1]].description, parts[1])
        if parts[2] == "round":
            return f"{round_} of: {event}"
        if parts[2] == "chance_per_round":
            return f"chance per {round_} of: {event}"
        if parts[2] == "set" and len(parts) > 3:
            return f"after {event}, {parameter_label(scenario, '.'.join(parts[3:]))}"
    elif path in _SECTIONS:
        return _SECTIONS[path].format(round=round_)
    return path.replace("_", " ")


def parameter_labels(scenario: Scenario, paths: list[str]) -> dict[str, str]:
    """:func:`parameter_label` of each path; two paths that would read alike get their key paths added."""
    labels = {path: parameter_label(scenario, path) for path in paths}
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {path: label if seen[label] == 1 else f"{label} [{path}]" for path, label in labels.items()}


def _issue(scenario: Scenario, name: str) -> str:
    """An issue's description if short (its first letter lower case, unless it begins with an acronym or an actor's
    name), else its key in words (:func:`key_in_words`)."""
    text = scenario.issues[name].description.strip().rstrip(".")
    if not text or len(text) > LONGEST_NAME:
        return key_in_words(name, text)
    first = re.split(r"[\s'’,]", text, maxsplit=1)[0]
    names = {word.lower() for key in scenario.actors for word in actor_name(scenario, key).split()} | set(
        scenario.actors
    )
    return text[0].lower() + text[1:] if text[1:2].islower() and first.lower() not in names else text


def plain_label(text: str) -> str:
    """Text for a figure label, shown as written (matplotlib would read ``$...$`` as mathematics)."""
    return text.replace("$", r"\$")
