"""What several test modules share: the project's folders, small scenarios written to a temporary folder,
hypothesis strategies for scenario numbers, and the hashes of a results folder's shards."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from sim.experiments.results import file_sha256

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
ARTICLE = SCENARIOS / "ukraine_paris_2026.yaml"


def write_yaml(path: Path, data: dict) -> Path:
    """Write ``data`` as YAML to ``path`` and return the path."""
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def two_sided(p_advance, initial: float, step: float, horizon: int = 36, mechanism: dict | None = None) -> dict:
    """A minimal war between ``a`` (the front's side, wants 1) and ``b`` (wants 0) over one region."""
    stance = lambda position: {"issues": {"share": {"position": position, "salience": 1.0}}}  # noqa: E731
    return {
        "name": "two-sided test war",
        "issues": {"share": {"low_means": "b holds all", "high_means": "a holds all", "follows_front": True}},
        "actors": {
            "a": {"veto": True, "capability": 1.0, **stance(1.0)},
            "b": {"veto": True, "capability": 1.0, **stance(0.0)},
        },
        "front": {
            "side": "a",
            "opponent": "b",
            "step": step,
            "p_advance": p_advance,
            "regions": {"region": {"initial": initial, "weight": 1.0}},
            "decisive": True,
        },
        "model": {
            "start_date": "2026-01-01",
            "horizon_rounds": horizon,
            "winter_months": [],
            "utility": "linear",
            "mechanism": mechanism or {"kind": "none"},
        },
        "monte_carlo": {"runs": 1000, "seed": 1},
    }


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
"""Hypothesis settings for tests that build scenarios (each example writes and runs one)."""


@st.composite
def quantity(draw, low: float, high: float):
    """A number in [low, high] in any of the scenario file's spellings."""
    a, b = sorted((draw(st.floats(low, high)), draw(st.floats(low, high))))
    kind = draw(st.sampled_from(["number", "fixed", "uniform", "triangular", "beta", "choice"]))
    if kind == "number" or a == b:
        return a
    if kind == "fixed":
        return {"value": a, "source": "assumption: generated"}
    if kind == "uniform":
        return {"dist": "uniform", "low": a, "high": b}
    if kind == "triangular":
        return {"dist": "triangular", "low": a, "mode": draw(st.floats(a, b)), "high": b}
    if kind == "beta":
        return {"dist": "beta", "a": draw(st.floats(0.2, 5)), "b": draw(st.floats(0.2, 5)), "low": a, "high": b}
    return {"dist": "choice", "values": [a, b], "weights": [draw(st.floats(0.1, 1)), draw(st.floats(0.1, 1))]}


def shard_hashes(folder):
    """The SHA-256 of every shard of a results folder, by file name."""
    return {p.name: file_sha256(p) for p in sorted((folder / "runs.parquet").glob("*.parquet"))}


def mutate(raw, keys, value):
    """Set (or, with ``KeyError`` as the value, delete) the value at ``keys`` in ``raw``; returns ``raw``."""
    node = raw
    for key in keys[:-1]:
        node = node[key]
    if value is KeyError:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return raw
