"""A results folder's ``manifest.json`` as a typed record: how the runs were made, which chunks are done, and each done
shard's row count and SHA-256. Read (its structure checked) and written here only; the JSON keeps its keys and their
order, so folders written before read the same."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.experiments.runner import MAX_CHUNKS, Chunk, chunk_count, chunks

MANIFEST_FILE = "manifest.json"
WRITTEN_BY = "negotiation-sim"


@dataclass
class ScenarioRecord:
    """The scenario a run was made from: its name, its file and every file it extends (with their SHA-256), the
    ``--set`` changes, and the whole scenario resolved (which re-creates it)."""

    name: str
    file: str
    files: list[dict[str, str]]
    changes: dict[str, Any]
    resolved: dict[str, Any]


@dataclass
class Manifest:
    """What ``manifest.json`` holds. ``shards`` maps a done chunk's index (as text) to its ``rows`` and ``sha256``;
    ``posterior`` is set for an ensemble drawn from a design of its own (``sim update --resample``)."""

    status: str
    scenario: ScenarioRecord
    seed: int
    requested_runs: int
    runs: int
    chunk_runs: int
    chunks_total: int
    chunks_done: list[int]
    shards: dict[str, dict[str, Any]]
    parameters: list[str]
    outcome_classes: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    code_version: str = ""
    timings: dict[str, Any] = field(default_factory=dict)
    until_ci: float | None = None
    posterior: dict[str, Any] | None = None

    def plan(self) -> list[Chunk]:
        """The run's chunks: the requested runs as they were asked for, then any ``--until-ci`` added."""
        return chunks(self.runs, self.chunk_runs, self.requested_runs)

    def to_json(self) -> str:
        """The manifest as written: ``written_by`` first, then the fields in order (``posterior`` only when set). The
        scenario's record, most of the text and fixed through a run, is encoded once per record (it is rewritten after
        every chunk)."""
        record: dict[str, Any] = {"written_by": WRITTEN_BY}
        for item in dataclasses.fields(self):
            if item.name == "scenario":
                record[item.name] = _SCENARIO_MARK
            elif item.name != "posterior" or self.posterior is not None:
                record[item.name] = getattr(self, item.name)
        # Key order is kept: the scenario's order of actors, issues and parameters fixes the random draws.
        text = json.dumps(record, indent=2, default=str)
        return text.replace(json.dumps(_SCENARIO_MARK), self._scenario_json(), 1) + "\n"

    def _scenario_json(self) -> str:
        """The scenario's record as JSON, indented to sit one level down."""
        encoded = self.__dict__.get("_encoded")
        if encoded is None or encoded[0] is not self.scenario:
            text = json.dumps(dataclasses.asdict(self.scenario), indent=2, default=str).replace("\n", "\n  ")
            encoded = self.__dict__["_encoded"] = (self.scenario, text)
        return encoded[1]


_SCENARIO_MARK = "\u0000scenario\u0000"


_TYPES = {
    "status": str,
    "seed": int,
    "requested_runs": int,
    "runs": int,
    "chunk_runs": int,
    "chunks_total": int,
    "chunks_done": list,
    "shards": dict,
    "parameters": list,
    "scenario": dict,
}
_SCENARIO_TYPES = {"name": str, "file": str, "files": list, "changes": dict, "resolved": dict}


def read_manifest(folder: Path) -> Manifest:
    """The manifest of a folder ``sim run`` wrote, its structure checked; anything else is refused."""
    path = folder / MANIFEST_FILE
    try:
        raw = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise ScenarioError(
            folder, [("", f"has no {MANIFEST_FILE}: not a results folder written by 'sim run'")]
        ) from None
    except (OSError, ValueError) as error:
        raise ScenarioError(
            path, [("", f"cannot be read as JSON ({error.__class__.__name__}); the folder is damaged")]
        ) from None
    if not isinstance(raw, dict) or raw.get("written_by") != WRITTEN_BY:
        raise ScenarioError(
            path, [("written_by", f"is not {WRITTEN_BY!r}: not a manifest written by this version of 'sim run'")]
        )
    problems = _problems(raw)
    if problems:
        raise ScenarioError(path, problems)
    known = {f.name for f in dataclasses.fields(Manifest)}
    manifest = Manifest(**{key: value for key, value in raw.items() if key in known})
    manifest.scenario = ScenarioRecord(**{key: raw["scenario"][key] for key in _SCENARIO_TYPES})
    problem = _plan_problem(manifest)
    if problem:
        raise ScenarioError(path, [problem])
    return manifest


def _plan_problem(manifest: Manifest) -> tuple[str, str] | None:
    """What is wrong with the manifest's runs and chunks (counted before any chunk is listed), or None."""
    if manifest.requested_runs > manifest.runs:
        return "requested_runs", "is more than runs"
    needed = chunk_count(manifest.runs, manifest.chunk_runs, manifest.requested_runs)
    if needed != manifest.chunks_total:
        return "chunks_total", "does not match runs and chunk_runs"
    if needed > MAX_CHUNKS:
        return (
            "chunks_total",
            f"{needed:,} is more than the {MAX_CHUNKS:,} chunks a run may have: the manifest is damaged",
        )
    return None


def _problems(raw: dict[str, Any]) -> list[tuple[str, str]]:
    """What is wrong with the structure of a manifest read as JSON (the keys the folder's checks rely on)."""
    wrong = lambda value, kind: not isinstance(value, kind) or isinstance(value, bool)  # noqa: E731
    problems = [
        (key, f"expected {kind.__name__}, got {type(raw.get(key)).__name__}")
        for key, kind in _TYPES.items()
        if wrong(raw.get(key), kind)
    ]
    if problems:
        return problems
    problems += [
        (f"scenario.{key}", f"expected {kind.__name__}, got {type(raw['scenario'].get(key)).__name__}")
        for key, kind in _SCENARIO_TYPES.items()
        if wrong(raw["scenario"].get(key), kind)
    ]
    problems += [(key, "must be at least 1") for key in ("requested_runs", "runs", "chunk_runs") if raw[key] < 1]
    problems += [("seed", "must be zero or more")] if raw["seed"] < 0 else []
    problems += [("status", "expected 'running' or 'complete'")] if raw["status"] not in ("running", "complete") else []
    problems += (
        [("chunks_done", "expected chunk numbers")]
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in raw["chunks_done"])
        else []
    )
    problems += (
        [("parameters", "expected parameter names")] if not all(isinstance(p, str) for p in raw["parameters"]) else []
    )
    return problems
