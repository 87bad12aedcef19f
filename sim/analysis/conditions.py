"""Conditions on the runs, such as ``deal and months_to_deal <= 12``, read by a small grammar of their own.

Column names, numbers, quoted text, comparisons (``< <= > >= == !=``, chained as in ``0.2 < x <= 0.5``),
``and``/``or``/``not`` (or ``&``/``|``/``~``) and parentheses: nothing else is understood, so nothing
typed here can reach Python.

    condition  := disjunct ("or" disjunct)*
    disjunct   := negation ("and" negation)*
    negation   := "not" negation | comparison
    comparison := operand (COMPARE operand)*
    operand    := NUMBER | TEXT | NAME | "True" | "False" | "(" condition ")"
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<text>'[^']*'|"[^"]*")
  | (?P<quoted>`[^`]+`)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<compare><=|>=|==|!=|<|>)
  | (?P<symbol>[()&|~])
)""",
    re.VERBOSE,
)
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_WORDS = {"and": "&", "or": "|", "not": "~"}
MAX_NESTING = 50
"""The most levels of parentheses and ``not`` a condition may nest (far more than anyone writes)."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None:
            where = text[position:].lstrip()
            hint = " ('@' names are not allowed: compare columns with numbers)" if where.startswith("@") else ""
            raise ValueError(f"cannot read {where[:20]!r} at character {len(text) - len(where) + 1}{hint}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "name" and value in _WORDS:
            kind, value = "symbol", _WORDS[value]
        elif kind == "quoted":
            kind, value = "name", value[1:-1]
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, runs: pd.DataFrame):
        self.tokens, self.at, self.runs, self.depth = _tokens(text), 0, runs, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, *values: str) -> bool:
        token = self.peek()
        if token is not None and token[1] in values and token[0] in ("symbol", "compare"):
            self.at += 1
            return True
        return False

    def nested(self, read: Callable[[], Any]) -> Any:
        """What ``read`` reads one level deeper (inside a parenthesis or a ``not``), refused past the limit."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ValueError(f"parentheses and 'not' nest more than {MAX_NESTING} levels deep")
        try:
            return read()
        finally:
            self.depth -= 1

    def condition(self) -> Any:
        value = self.disjunct()
        while self.take("|"):
            value = _truth(value) | _truth(self.disjunct())
        return value

    def disjunct(self) -> Any:
        value = self.negation()
        while self.take("&"):
            value = _truth(value) & _truth(self.negation())
        return value

    def negation(self) -> Any:
        if self.take("~"):
            return ~_truth(self.nested(self.negation))
        return self.comparison()

    def comparison(self) -> Any:
        left = self.operand()
        result = None
        while (token := self.peek()) is not None and token[0] == "compare":
            self.at += 1
            right = self.operand()
            step = _compared(token[1], left, right)
            result, left = step if result is None else result & step, right
        return left if result is None else result

    def operand(self) -> Any:
        token = self.peek()
        if token is None:
            raise ValueError("ends where a column, number or '(' was expected")
        self.at += 1
        kind, value = token
        if kind == "number":
            return float(value)
        if kind == "text":
            return value[1:-1]
        if kind == "name" and value in ("True", "False"):
            return value == "True"
        if kind == "name":
            if value not in self.runs.columns:
                close = difflib.get_close_matches(value, list(map(str, self.runs.columns)), n=1, cutoff=0.6)
                known = ", ".join(map(str, self.runs.columns[:30])) + (", ..." if len(self.runs.columns) > 30 else "")
                hint = f"did you mean {close[0]!r}?" if close else f"the runs have: {known}"
                raise ValueError(f"unknown column {value!r}; {hint}")
            return self.runs[value]
        if value == "(":
            inner = self.nested(self.condition)
            if not self.take(")"):
                raise ValueError("a '(' is not closed")
            return inner
        raise ValueError(f"unexpected {value!r} where a column, number or '(' was expected")


def _compared(sign: str, left: Any, right: Any) -> Any:
    """``left sign right``, or a ValueError when the two cannot be compared (text ordered against numbers)."""
    try:
        return _COMPARE[sign](left, right)
    except TypeError:
        raise ValueError(
            f"cannot compare {_described(left)} {sign} {_described(right)}: text and numbers cannot be ordered"
        ) from None


def _described(value: Any) -> str:
    return f"column {value.name!r}" if isinstance(value, pd.Series) else repr(value)


def _truth(value: Any) -> Any:
    if isinstance(value, bool) or (isinstance(value, pd.Series) and pd.api.types.is_bool_dtype(value)):
        return value
    name = f"column {value.name!r}" if isinstance(value, pd.Series) else repr(value)
    raise ValueError(
        f"{name} is not yes/no; compare it, e.g. {value.name if isinstance(value, pd.Series) else 'x'} > 0"
    )


def evaluate(text: str, runs: pd.DataFrame) -> pd.Series:
    """The runs where the condition ``text`` holds, as a boolean Series; ValueError says what cannot be read."""
    parser = _Parser(text, runs)
    value = _truth(parser.condition())
    if (left := parser.peek()) is not None:
        raise ValueError(f"unexpected {left[1]!r} after a complete condition")
    return pd.Series(value, index=runs.index, dtype=bool)
