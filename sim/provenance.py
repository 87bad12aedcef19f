"""Where each number of a scenario comes from: the article (checked against its text), a public
fact, a variant's what-if, or an assumption."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sim.quantities import Fixed, QuantityBase
from sim.scenario import Scenario

KINDS = ("article", "article+assumption", "fact", "variant", "assumption", "default", "unsourced")
"""article: stated in the article; article+assumption: the article gives the direction, its size is assumed;
default: a value the scenario leaves to the toolkit's default (the source says which)."""
_QUOTE = re.compile(r'line (\d+): "([^"]+)"')


def _normalise(text: str) -> str:
    text = text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))
    return " ".join(text.split())


def describe(quantity: QuantityBase) -> str:
    """A short text for a number: ``0.75`` or ``uniform(0.5, 0.9)``."""
    if isinstance(quantity, Fixed):
        return f"{quantity.value:g}"
    fields = quantity.model_dump(exclude={"dist", "source"}, exclude_none=True)
    return f"{quantity.dist}({', '.join(f'{k}={v:g}' if not isinstance(v, list) else f'{k}={v}' for k, v in fields.items())})"


def kind_of(source: str | None) -> str:
    """The kind of a source text (see :data:`KINDS`)."""
    if not source or not source.strip():
        return "unsourced"
    if _QUOTE.search(source) or re.match(r"line \d+", source):
        return "article+assumption" if "assum" in _QUOTE.sub("", source) else "article"
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


def quotes_found(source: str, lines: list[str] | None) -> bool | None:
    """Whether every ``line N: "quote"`` in the source is in that line of the document (None: unchecked)."""
    quotes = _QUOTE.findall(source or "")
    if lines is None or not quotes:
        return None
    return all(
        1 <= int(n) <= len(lines) and _normalise(quote) in _normalise(lines[int(n) - 1]) for n, quote in quotes
    )


def provenance(scenario: Scenario) -> pd.DataFrame:
    """One row per number: parameter, value, uncertain, kind, source, quote_found."""
    lines = document_lines(scenario)
    rows = [
        {
            "parameter": path,
            "value": describe(quantity),
            "uncertain": quantity.uncertain,
            "kind": kind_of(quantity.source),
            "source": quantity.source or "",
            "quote_found": quotes_found(quantity.source, lines),
        }
        for path, quantity in scenario.quantities()
    ]
    return pd.DataFrame(rows)
