"""Shared helpers: the project's folders, and small scenarios written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

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


@pytest.fixture
def article_raw() -> dict:
    """The article's scenario as a plain mapping, to change in a test."""
    raw = yaml.safe_load(ARTICLE.read_text())
    raw["document"] = str((ARTICLE.parent / raw["document"]).resolve())
    return raw
