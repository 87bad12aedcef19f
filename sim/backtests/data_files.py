"""Reading the real data files (the backtests', the history's) and checking what they hold.

Every problem is one :class:`~sim.errors.ScenarioError` naming the file: ``FILE: file not found``, or
``FILE: not a KIND data file: PROBLEM``, where PROBLEM names the line, row, column or key when it has one.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ScenarioError


def not_a_data_file(path: Path, kind: str, problem: str) -> ScenarioError:
    """The error for a file that is not a ``kind`` data file because of ``problem``."""
    return ScenarioError(path, [("", f"not a {kind} data file: {problem}")])


def read_text(path: Path, kind: str, encoding: str = "utf-8") -> str:
    """The text of a ``kind`` data file; refuses a missing file, a folder, binary content and an empty file."""
    if not path.exists():
        raise ScenarioError(path, [("", "file not found")])
    if not path.is_file():
        raise ScenarioError(path, [("", "a folder, not a file" if path.is_dir() else "not a regular file")])
    raw = path.read_bytes()
    if b"\0" in raw:
        raise not_a_data_file(path, kind, "binary content, not text")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise not_a_data_file(path, kind, f"not valid {encoding} text (byte {error.start})") from None
    if not text.strip():
        raise not_a_data_file(path, kind, "empty")
    return text


def read_table(
    path: Path, kind: str, columns: Iterable[str], separator: str = ",", encoding: str = "utf-8"
) -> pd.DataFrame:
    """A ``kind`` data table, every cell as text (blank cells empty), with at least one row and ``columns``."""
    text = read_text(path, kind, encoding)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False)
    except pd.errors.ParserError as error:
        raise not_a_data_file(path, kind, f"cannot be read as a table: {str(error).strip()}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise not_a_data_file(path, kind, f"missing column(s) {', '.join(missing)}")
    if frame.empty:
        raise not_a_data_file(path, kind, "a header and no rows")
    return frame


def refuse_rows(path: Path, kind: str, frame: pd.DataFrame, bad: pd.Series, column: str, problem: str) -> None:
    """Raise for the first row of ``frame`` that ``bad`` marks, naming it (counted from 1 after the header,
    by the frame's index), the column, the problem and the value."""
    if bad.any():
        row = frame.index[int(np.flatnonzero(bad.to_numpy())[0])]
        value = frame.loc[row, column]
        raise not_a_data_file(path, kind, f"row {row + 1}, column {column}: {problem} (got {value!r})")


def numbers(path: Path, kind: str, frame: pd.DataFrame, column: str) -> pd.Series:
    """A column of ``frame`` as numbers, NaN where blank; refuses any other cell that is not a finite number."""
    text = frame[column].str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    refuse_rows(path, kind, frame, (values.isna() | np.isinf(values)) & (text != ""), column, "expected a number")
    return values.astype(float)


def read_json_object(path: Path, kind: str) -> dict[str, Any]:
    """A ``kind`` data file holding one JSON object."""
    try:
        document = json.loads(read_text(path, kind))
    except json.JSONDecodeError as error:
        raise not_a_data_file(path, kind, f"not JSON: line {error.lineno}, column {error.colno}: {error.msg}") from None
    if not isinstance(document, dict):
        raise not_a_data_file(path, kind, f"expected a JSON object, got {type(document).__name__}")
    return document


_JSON_NAMES = {dict: "JSON object", list: "list", str: "text", int: "whole number"}


def json_entry(path: Path, kind: str, document: dict[str, Any], keys: tuple[str, ...], expected: type) -> Any:
    """The value at ``keys`` in a JSON ``document``, which must be an ``expected`` (``float``: any finite number)."""
    value: Any = document
    for depth, key in enumerate(keys):
        if not isinstance(value, dict) or key not in value:
            raise not_a_data_file(path, kind, f"missing key {'.'.join(keys[: depth + 1])}")
        value = value[key]
    if expected is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise not_a_data_file(path, kind, f"{'.'.join(keys)}: expected a number (got {value!r})")
    elif isinstance(value, bool) or not isinstance(value, expected):
        raise not_a_data_file(path, kind, f"{'.'.join(keys)}: expected a {_JSON_NAMES[expected]} (got {value!r})")
    return value
