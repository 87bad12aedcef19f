"""The forecast log: ``forecasts.csv`` in a folder the user names, one row per question and forecast, appended by
``sim run --log`` and ``sim update --log``. Appending rewrites the file under a temporary name and renames it,
under the folder's lock, so an existing log is never left half-written or lost."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.experiments.folder_lock import locked
from sim.experiments.results import write_atomically

if TYPE_CHECKING:
    from sim.experiments.manifest import Manifest

LOG_FILE = "forecasts.csv"
LOG_COLUMNS = (
    "as_of",
    "question",
    "text",
    "by",
    "probability",
    "lo",
    "hi",
    "scenario",
    "scenario_sha256",
    "evidence_sha256",
    "runs",
    "effective_runs",
    "results",
)
"""One forecast of one question: its as-of date, the question, the probability and 95% interval, the scenario
and its hash, the hashes of the evidence it rests on (``;``-separated, empty for none), runs, effective runs
and the results folder."""


def scenario_hash(manifest: Manifest) -> str:
    """A short hash of the resolved scenario a results folder ran (its files and every change)."""
    text = json.dumps(manifest.scenario.resolved, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def log_rows(
    forecast: pd.DataFrame,
    as_of: dt.date,
    manifest: Manifest,
    evidence: list[str],
    runs: int,
    effective_runs: float,
    results: str | Path,
) -> pd.DataFrame:
    """Rows of the log for a dated forecast (:func:`sim.updating.questions.dated_forecast`)."""
    rows = pd.DataFrame(
        {
            "as_of": as_of.isoformat(),
            "question": forecast.index,
            "text": forecast["text"].to_numpy(),
            "by": [str(d) for d in forecast["by"]],
            "probability": forecast["estimate"].round(4).to_numpy(),
            "lo": forecast["lo"].round(4).to_numpy(),
            "hi": forecast["hi"].round(4).to_numpy(),
            "scenario": manifest.scenario.name,
            "scenario_sha256": scenario_hash(manifest),
            "evidence_sha256": ";".join(h[:16] for h in evidence),
            "runs": runs,
            "effective_runs": round(float(effective_runs), 1),
            "results": str(results),
        }
    )
    return rows[list(LOG_COLUMNS)]


def read_log(folder: str | Path) -> pd.DataFrame:
    """The forecast log in ``folder`` (empty if there is none yet); a file that is not a log is refused."""
    path = Path(folder) / LOG_FILE
    if not path.exists():
        return pd.DataFrame(columns=list(LOG_COLUMNS))
    return _parse(path, path.read_text(encoding="utf-8"))


def _parse(path: Path, text: str) -> pd.DataFrame:
    try:
        log = pd.read_csv(io.StringIO(text), dtype={"evidence_sha256": str}, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ScenarioError(path, [("", f"cannot be read as a forecast log ({error.__class__.__name__})")]) from None
    if tuple(log.columns) != LOG_COLUMNS:
        raise ScenarioError(
            path, [("header", f"is not a forecast log's ({', '.join(LOG_COLUMNS)}); choose another --log folder")]
        )
    return log


def append_to_log(folder: str | Path, rows: pd.DataFrame) -> Path:
    """Add ``rows`` to the log in ``folder`` (made if needed), atomically under the folder's lock; a forecast logged
    again (same as-of date, question, scenario and evidence) replaces its earlier row. Returns the log's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder):
        path = folder / LOG_FILE
        existing = read_log(folder)
        keys = ["as_of", "question", "scenario_sha256", "evidence_sha256"]
        combined = pd.concat([existing.astype(object), rows.astype(object)], ignore_index=True)
        combined = combined.drop_duplicates(keys, keep="last").sort_values(["question", "as_of"], kind="stable")
        write_atomically(path, lambda temporary: combined.to_csv(temporary, index=False))
    return path


def log_forecast(
    log: str | Path,
    folder: str | Path,
    manifest: Manifest,
    runs: pd.DataFrame,
    questions: list,
    as_of: dt.date,
    evidence: list[str],
    weights: np.ndarray | None = None,
) -> tuple[Path, pd.DataFrame]:
    """Forecast ``questions`` from a results folder's runs (weighted by an update's ``weights``, if given) as of
    ``as_of``, and append it to the log in ``log``; returns the log's path and the rows added."""
    from sim.analysis.summary import effective_sample_size
    from sim.experiments.results import scenario_of
    from sim.updating.questions import dated_forecast

    forecast = dated_forecast(questions, runs, scenario_of(manifest), weights)
    effective = len(runs) if weights is None else effective_sample_size(weights)
    added = log_rows(forecast, as_of, manifest, evidence, len(runs), effective, folder)
    return append_to_log(log, added), added
