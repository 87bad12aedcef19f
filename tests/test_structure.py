"""Structure as an uncertainty: each run draws a protocol, a utility form, hard or costly red lines; the war's
chance and every number are shared across structures; the summary shows the spread."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import write_yaml

from sim import ScenarioError, load_scenario, run_monte_carlo
from sim.analysis import summary
from sim.experiments.manifest import Manifest, ScenarioRecord
from sim.model.utility import UtilityForm, package_utility
from sim.reporting.summary_text import summary_text

UTILITIES = {
    "source": "assumption: how actors value distance is not known",
    "options": {
        "quadratic": {"weight": 2, "changes": {"model": {"utility": "quadratic"}}},
        "linear": {"weight": 1, "changes": {"model": {"utility": "linear"}}},
    },
}
PROTOCOLS = {
    "options": {
        "mediator": {
            "weight": 1,
            "changes": {"model": {"mechanism": {"kind": "mediator", "mediator": "united_states"}}},
        },
        "alternating": {"weight": 1, "changes": {"model": {"mechanism": {"kind": "alternating"}}}},
    }
}
OUTCOMES = ["deal", "months_to_deal", "settlement_territory", "front_end", "breakdown", "zone", "cost_ukraine"]


def structured(article_raw, tmp_path, **choices):
    article_raw["structure"] = choices
    return load_scenario(write_yaml(tmp_path / "structured.yaml", article_raw))


@pytest.mark.slow
def test_each_run_is_the_scenario_under_the_structure_it_drew(article_raw, tmp_path):
    scenario = structured(article_raw, tmp_path, utility=UTILITIES, protocol=PROTOCOLS)
    runs = run_monte_carlo(scenario, runs=1200, seed=6)
    assert "structure.utility" in runs and "structure.protocol" in runs
    for (utility, protocol), group in runs.groupby(["structure.utility", "structure.protocol"]):
        picks = {
            "utility": ["quadratic", "linear"][int(utility)],
            "protocol": ["mediator", "alternating"][int(protocol)],
        }
        alone = run_monte_carlo(scenario.with_structure(picks), runs=1200, seed=6).loc[group.index]
        pd_equal = [np.array_equal(group[c].to_numpy(), alone[c].to_numpy(), equal_nan=True) for c in OUTCOMES]
        assert all(pd_equal), picks


@pytest.mark.slow
def test_options_are_drawn_with_their_weights(article_raw, tmp_path):
    runs = run_monte_carlo(structured(article_raw, tmp_path, utility=UTILITIES), runs=3000, seed=2)
    share = (runs["structure.utility"] == 1).mean()
    assert abs(share - 1 / 3) < 4 * np.sqrt(2 / 9 / 3000)


def test_identical_options_change_nothing(article_raw, tmp_path):
    article_raw.pop("structure", None)
    plain = run_monte_carlo(load_scenario(write_yaml(tmp_path / "plain.yaml", article_raw)), runs=800, seed=4)
    same = {
        "options": {
            "a": {"weight": 1, "changes": {"model": {"utility": "quadratic"}}},
            "b": {"weight": 1, "changes": {}},
        }
    }
    runs = run_monte_carlo(structured(article_raw, tmp_path, same=same), runs=800, seed=4)
    for column in OUTCOMES:
        assert np.array_equal(plain[column].to_numpy(), runs[column].to_numpy(), equal_nan=True), column


@pytest.mark.slow
def test_the_summary_shows_the_spread_across_structures(article_raw, tmp_path):
    scenario = structured(article_raw, tmp_path, utility=UTILITIES)
    runs = run_monte_carlo(scenario, runs=1500, seed=8)
    resolved = scenario.model_dump(mode="json")
    table = summary.structure_forecasts(runs, resolved["structure"])
    assert set(table.index) == {"quadratic", "linear"}
    assert table["weight"].to_numpy() == pytest.approx([2 / 3, 1 / 3])
    for option, code in (("quadratic", 0), ("linear", 1)):
        assert table.loc[option, "deal_estimate"] == pytest.approx(
            runs.loc[runs["structure.utility"] == code, "deal"].mean()
        )
    record = ScenarioRecord(name=scenario.name, file=str(scenario.path), files=[], changes={}, resolved=resolved)
    manifest = Manifest("complete", record, 8, 1500, 1500, 1500, 1, [0], {}, scenario.uncertain_parameters())
    text = summary_text(runs, manifest)
    assert "averaged over structures" in text and "linear" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"model": {"utility": "cubic"}}, "structure.utility.options.b"),
        ({"front": {"p_advance": {"dist": "uniform", "low": 0.1, "high": 0.2}}}, "drawn at random"),
        ({"colour": "red"}, "unknown key"),
    ],
)
def test_bad_structure_gets_a_clear_message(article_raw, tmp_path, changes, message):
    bad = {"options": {"a": {"weight": 1, "changes": {}}, "b": {"weight": 1, "changes": changes}}}
    with pytest.raises(ScenarioError) as error:
        structured(article_raw, tmp_path, utility=bad)
    assert message in str(error.value) and "structured.yaml" in str(error.value)


def test_loss_averse_utility_counts_losses_beyond_the_status_quo_more():
    form = UtilityForm("loss_averse", reference=np.array([[0.5]]), loss_aversion=np.array([2.25]))
    position, weight = np.array([[1.0]]), np.array([[1.0]])
    # Beyond the status quo (0.5) the loss from 0.25 to 0.64 counts 2.25 times: 1 - (0.64 + 1.25 * 0.39).
    assert package_utility(position, weight, np.array([[0.2]]), form)[0] == pytest.approx(1 - 0.64 - 1.25 * 0.39)
    assert package_utility(position, weight, np.array([[0.8]]), form)[0] == pytest.approx(1 - 0.04)


@pytest.mark.parametrize(("red_lines", "deal"), [("hard", False), ("audience_cost", True)])
def test_a_red_line_with_an_audience_cost_can_be_crossed_at_that_cost(tmp_path, red_lines, deal):
    # a's red line (at least 0.7) is beyond what b accepts (at most 0.6); a's cost of crossing it is 0.05 of its utility.
    stance = lambda position: {"share": {"position": position, "salience": 1.0}}  # noqa: E731
    raw = {
        "name": "audience costs",
        "issues": {"share": {"low_means": "all to b", "high_means": "all to a", "no_deal": 0.5}},
        "actors": {
            "a": {"veto": True, "capability": 1, "issues": stance(1.0), "outside_option": 0.5},
            "b": {"veto": True, "capability": 1, "issues": stance(0.0), "outside_option": 0.4},
        },
        "model": {
            "start_date": "2026-01-01",
            "horizon_rounds": 3,
            "utility": "linear",
            "red_lines": red_lines,
            "audience_cost": 0.05,
            "mechanism": {"kind": "mediator", "mediator": "a"},
        },
    }
    raw["actors"]["a"]["issues"]["share"]["red_line"] = {"min": 0.7}
    runs = run_monte_carlo(load_scenario(write_yaml(tmp_path / "costly.yaml", raw)), runs=5, seed=1)
    assert runs["deal"].all() == deal and runs["zone"].all() == deal
    if deal:
        assert ((runs["settlement_share"] >= 0.55 - 1e-9) & (runs["settlement_share"] <= 0.6 + 1e-9)).all()
