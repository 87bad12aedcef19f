"""Where each number of a scenario comes from: the article (checked against its text), a public
fact, a variant's what-if, or an assumption."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sim.scenario.quantities import Choice, Fixed, QuantityBase
from sim.scenario.schema import Scenario

KINDS = ("article", "article+assumption", "fact", "variant", "assumption", "default", "unsourced")
"""article: stated in the article; article+assumption: the article gives the direction, its size is assumed
(or a value its quoted line contradicts); default: a value the scenario leaves to the toolkit's default."""
_QUOTE = re.compile(r'line (\d+): "([^"]+)"')
_NUMBER = re.compile(r"(?<![\w.,])(\d[\d,]*(?:\.\d+)?)\s*(percent|per cent|%)?")
_RELATIVE = 1e-9


def _normalise(text: str) -> str:
    text = text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    return " ".join(text.split())


def describe(quantity: QuantityBase) -> str:
    """A short text for a number: ``0.75`` or ``uniform(0.5, 0.9)``."""
    if isinstance(quantity, Fixed):
        return f"{quantity.value:g}"
    fields = quantity.model_dump(exclude={"source"}, exclude_none=True)
    return f"{fields.pop('dist')}({', '.join(f'{k}={v:g}' if not isinstance(v, list) else f'{k}={v}' for k, v in fields.items())})"


def kind_of(source: str | None, numbers_agree: bool | None = None) -> str:
    """The kind of a source text (see :data:`KINDS`); an article source whose quoted numbers disagree with
    the value (``numbers_agree`` False) is not the article's statement of it."""
    if not source or not source.strip():
        return "unsourced"
    if _QUOTE.search(source) or re.match(r"line \d+", source):
        stated = "assum" not in _QUOTE.sub("", source) and numbers_agree is not False
        return "article" if stated else "article+assumption"
    for kind in ("assumption", "fact", "variant", "default"):
        if source.startswith(f"{kind}:"):
            return kind
    return "unsourced"


def document_lines(scenario: Scenario) -> list[str] | None:
    """The lines of the scenario's source document, if it names one that can be found."""
    if scenario.document is None:
        return None
    for file in scenario.files:
        candidate = Path(file).parent / scenario.document
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8", errors="replace").splitlines()
    return None


def quotes_found(source: str | None, lines: list[str] | None) -> bool | None:
    """Whether every ``line N: "quote"`` in the source is in that line of the document (None: unchecked)."""
    quotes = _QUOTE.findall(source or "")
    if lines is None or not quotes:
        return None
    return all(1 <= int(n) <= len(lines) and _normalise(quote) in _normalise(lines[int(n) - 1]) for n, quote in quotes)


def quoted_numbers(source: str | None) -> list[float]:
    """The numbers the source's quotes state; a percentage counts both as itself and as a share (75 and 0.75)."""
    numbers = []
    for _, quote in _QUOTE.findall(source or ""):
        for digits, percent in _NUMBER.findall(quote):
            number = float(digits.replace(",", ""))
            numbers += [number, number / 100] if percent else [number]
    return numbers


def _matches(quantity: QuantityBase, number: float) -> bool:
    """Whether the quantity can take the number: one of its values, or inside its range."""
    if isinstance(quantity, (Fixed, Choice)):
        values = quantity.values if isinstance(quantity, Choice) else [quantity.value]
        return any(abs(v - number) <= _RELATIVE * max(1.0, abs(number)) for v in values)
    low, high = quantity.support()
    return low <= number <= high


def numbers_agree(quantity: QuantityBase) -> bool | None:
    """For a number the source says the article states: whether a number its quote states is the value (or
    lies in its range). None where nothing is checked (no quoted number, or the size is an assumption)."""
    source = quantity.source
    numbers = quoted_numbers(source)
    if not numbers or kind_of(source) != "article":
        return None
    return any(_matches(quantity, number) for number in numbers)


def provenance(scenario: Scenario) -> pd.DataFrame:
    """One row per number: parameter, value, uncertain, kind, source, quote_found, numbers_agree."""
    lines = document_lines(scenario)
    rows = []
    for path, quantity in scenario.quantities():
        agree = numbers_agree(quantity)
        rows.append(
            {
                "parameter": path,
                "value": describe(quantity),
                "uncertain": quantity.uncertain,
                "kind": kind_of(quantity.source, agree),
                "source": quantity.source or "",
                "quote_found": quotes_found(quantity.source, lines),
                "numbers_agree": agree,
            }
        )
    return pd.DataFrame(rows)


def stakes(scenario: Scenario) -> pd.DataFrame:
    """What each actor's disputed issues are worth in months (or weeks, days: the rounds' unit) of its own cost
    of going on without agreement (the war's, with a front), at central values: its utility weight times the
    (squared, for quadratic utility) distance from its position to the farthest other veto holder's, divided by
    its cost per month (week, day), in the column ``stake``. Empty when no actor pays such a cost."""
    veto = [name for name, actor in scenario.actors.items() if actor.veto]
    power = 1 if scenario.model.utility == "linear" else 2
    rows = []
    for name, actor in scenario.actors.items():
        per_unit = actor.delay_cost.per_round.central() / scenario.model.round_length
        saliences = {issue: stance.salience.central() for issue, stance in actor.issues.items()}
        total = sum(saliences.values())
        if per_unit <= 0 or total <= 0:
            continue
        for issue, stance in actor.issues.items():
            scale = scenario.issues[issue]
            position = _normalised(stance.position.central(), scale.low, scale.high)
            others = {
                other: _normalised(scenario.actors[other].issues[issue].position.central(), scale.low, scale.high)
                for other in veto
                if other != name
            }
            if not others:
                continue
            opponent = max(others, key=lambda other: abs(others[other] - position))
            weight = saliences[issue] / total
            distance = abs(others[opponent] - position)
            rows.append(
                {
                    "actor": name,
                    "issue": issue,
                    "weight": weight,
                    "farthest": opponent,
                    "distance": distance,
                    "stake": weight * distance**power / per_unit,
                    "red_line": stance.red_line is not None,
                }
            )
    return pd.DataFrame(rows)


def _normalised(value: float, low: float, high: float) -> float:
    return (value - low) / (high - low)
