"""Property-based tests: any valid scenario runs; any broken one gets a clear message, never a traceback."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from helpers import SETTINGS, quantity, write_yaml
from hypothesis import given
from hypothesis import strategies as st

from sim import ScenarioError, load_scenario, run_monte_carlo
from sim.cli import main
from sim.model.outcomes import outcome_classes


@st.composite
def scenarios(draw) -> tuple[dict, list[list[str]]]:
    """A valid scenario with 1-6 actors, 1-4 issues and 0-3 regions, and the key paths of its numbers."""
    n_actors = draw(st.integers(1, 6))
    n_regions = draw(st.integers(0, 3)) if n_actors >= 2 else 0
    n_issues = draw(st.integers(1, 4))
    numbers: list[list[str]] = []
    issues = {}
    for j in range(n_issues):
        low = draw(st.floats(-10, 10))
        high = low + draw(st.floats(0.5, 50))
        issue = {"low": low, "high": high, "low_means": "less", "high_means": "more"}
        if j == 0 and n_regions:
            issue["follows_front"] = True
        else:
            issue["no_deal"] = draw(quantity(low, high))
            numbers.append(["issues", f"issue_{j}", "no_deal"])
        issues[f"issue_{j}"] = issue
    actors = {}
    for a in range(n_actors):
        stances = {}
        for j, (name, issue) in enumerate(issues.items()):
            stances[name] = {
                "position": draw(quantity(issue["low"], issue["high"])),
                "salience": 1.0 if j == 0 else draw(quantity(0, 1)),
            }
            numbers.append(["actors", f"actor_{a}", "issues", name, "position"])
        actors[f"actor_{a}"] = {
            "veto": a == 0 or draw(st.booleans()),
            "capability": draw(quantity(0, 10)),
            "issues": stances,
            "war_cost": {"per_round": draw(quantity(0, 0.05))},
            "planning_rounds": draw(quantity(1, 24)),
        }
        numbers.append(["actors", f"actor_{a}", "capability"])
        if draw(st.booleans()):
            actors[f"actor_{a}"]["belief"] = {"p_advance": draw(quantity(0, 1)), "strength": draw(quantity(0.5, 50))}
    raw = {
        "name": "generated",
        "issues": issues,
        "actors": actors,
        "breakdown": {"base_hazard": draw(quantity(0, 0.2)), "protection": {"issue_0": draw(quantity(0, 1))}},
        "model": {
            "start_date": "2026-01-01",
            "round_months": draw(st.integers(1, 3)),
            "horizon_rounds": draw(st.integers(1, 24)),
            "utility": draw(st.sampled_from(["quadratic", "linear"])),
            "mechanism": draw(
                st.sampled_from(
                    [
                        {"kind": "none"},
                        {"kind": "mediator", "mediator": f"actor_{draw(st.integers(0, n_actors - 1))}"},
                        {"kind": "alternating", "lookahead": draw(st.integers(1, 3))},
                    ]
                )
            ),
        },
        "monte_carlo": {"runs": 40, "seed": draw(st.integers(0, 2**32)), "chunk_runs": draw(st.integers(7, 40))},
    }
    if n_regions:
        raw["front"] = {
            "side": "actor_0",
            "opponent": "actor_1",
            "step": draw(quantity(0.01, 0.5)),
            "p_advance": draw(quantity(0, 1)),
            "regions": {
                f"region_{g}": {"initial": draw(quantity(0, 1)), "weight": draw(quantity(0.1, 10))}
                for g in range(n_regions)
            },
        }
        numbers.append(["front", "p_advance"])
    return raw, numbers


@pytest.mark.slow
@SETTINGS
@given(generated=scenarios())
def test_any_valid_scenario_runs(generated, tmp_path):
    raw, _ = generated
    scenario = load_scenario(write_yaml(tmp_path / "generated.yaml", raw))
    runs = run_monte_carlo(scenario)
    assert len(runs) == 40 and runs["run_id"].tolist() == list(range(40))
    assert set(runs["outcome"]) <= set(outcome_classes(scenario))
    for issue in raw["issues"]:
        settled = runs[f"settlement_{issue}"].dropna()
        spec = raw["issues"][issue]
        assert ((settled >= spec["low"] - 1e-9) & (settled <= spec["high"] + 1e-9)).all()
    assert np.isfinite(runs.filter(like="utility_").to_numpy()).all()


def _set(raw, path, value):
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


CORRUPTIONS = {
    "text for a number": lambda raw, path: _set(raw, path, "a lot"),
    "not a finite number": lambda raw, path: _set(raw, path, math.nan),
    "unknown distribution": lambda raw, path: _set(raw, path, {"dist": "gamma", "shape": 2}),
    "impossible distribution": lambda raw, path: _set(raw, path, {"dist": "uniform", "low": 1, "high": 0}),
    "list for a number": lambda raw, path: _set(raw, path, [1, 2]),
    "unknown key in an actor": lambda raw, path: raw["actors"]["actor_0"].update(colour="red"),
    "unknown top-level key": lambda raw, path: raw.update(horizon=12),
    "undefined mediator": lambda raw, path: _set(
        raw, ["model", "mechanism"], {"kind": "mediator", "mediator": "nobody"}
    ),
    "missing start date": lambda raw, path: raw["model"].pop("start_date"),
    "negative runs": lambda raw, path: _set(raw, ["monte_carlo", "runs"], -5),
    "absurd horizon": lambda raw, path: _set(raw, ["model", "horizon_rounds"], 10**9),
}


@pytest.mark.slow
@SETTINGS
@given(generated=scenarios(), corruption=st.sampled_from(sorted(CORRUPTIONS)), pick=st.integers(0, 10**6))
def test_any_broken_scenario_gets_a_clear_message(generated, corruption, pick, tmp_path, capsys):
    raw, numbers = generated
    broken = copy.deepcopy(raw)
    CORRUPTIONS[corruption](broken, numbers[pick % len(numbers)])
    path = write_yaml(tmp_path / "broken.yaml", broken)
    try:
        load_scenario(path)
    except ScenarioError as error:
        assert "broken.yaml" in str(error)
    else:
        raise AssertionError(f"{corruption} was accepted")
    assert main(["validate", str(path)]) == 2
    message = capsys.readouterr().err
    assert message.startswith("error: ") and "broken.yaml" in message and "Traceback" not in message
