"""Parameters named in the scenario's words: sensitivity tables, Sobol and tornado bars, PRIM boxes."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest
from helpers import SCENARIOS

from sim import load_scenario
from sim.experiments.sensitivity import sensitivity
from sim.reporting import plots
from sim.scenario.labels import key_in_words, parameter_label, parameter_labels

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PORT_STRIKE = SCENARIOS / "port_strike_2024.yaml"


@pytest.fixture(scope="module")
def strike():
    return load_scenario(PORT_STRIKE)


@pytest.mark.parametrize(
    "path, label",
    [
        (
            "actors.usmx.issues.wage_increase.red_line.max",
            "United States Maritime Alliance: red line on wage increase (most it accepts)",
        ),
        (
            "actors.ila.delay_cost.per_round",
            "International Longshoremen's Association: cost of a week without agreement",
        ),
        ("actors.ila.planning_rounds", "International Longshoremen's Association: weeks it looks ahead"),
        ("actors.federal_government.issues.automation.position", "The federal government: position on automation"),
        ("issues.automation.no_deal", "automation without a deal"),
        ("breakdown.base_hazard", "chance a deal breaks down per week"),
        ("actors.nobody.capability", "actors.nobody.capability"),  # not the scenario's: the key path itself
    ],
)
def test_a_number_is_named_by_its_actor_issue_and_what_it_is_in_the_rounds_unit(strike, path, label):
    assert parameter_label(strike, path) == label


def test_long_descriptions_give_way_to_keys_and_events_and_sections_read_in_words():
    article = load_scenario(SCENARIOS / "ukraine_paris_2026.yaml")
    assert parameter_label(article, "actors.ukraine.issues.territory.salience") == "Ukraine: salience of territory"
    assert parameter_label(article, "actors.united_states.capability") == "The United States, mediator: capability"
    assert parameter_label(article, "front.p_advance") == "chance the front advances in a month"
    assert (
        parameter_label(article, "events.plan_presented_to_russia.set.actors.russia.reservation_utility")
        == "after plan presented to Russia, Russia: least utility it accepts"
    )
    assert parameter_label(article, "breakdown.protection.us_backstop") == "breakdown hazard removed by US backstop"


def test_names_keep_the_capitals_their_descriptions_give_them():
    talks = load_scenario(SCENARIOS / "iran_nuclear_talks_2015.yaml")
    assert parameter_label(talks, "actors.iran.issues.stockpile.position") == (
        "Iran: position on Iran's stockpile of low-enriched uranium"
    )
    assert parameter_label(talks, "actors.iran.issues.limit_years.position") == (
        "Iran: position on how long the limits on enrichment last"
    )
    assert parameter_label(talks, "actors.e3_eu.issues.centrifuges.salience") == "E3 EU: salience of centrifuges"
    assert key_in_words("us_backstop", "US pledge to take part") == "US backstop"
    assert key_in_words("duration", "Duration of the guarantees, in years") == "duration"


def test_labels_that_read_alike_keep_their_key_paths(strike):
    assert parameter_labels(strike, ["a_b", "a b", "actors.ila.capability"]) == {
        "a_b": "a b [a_b]",
        "a b": "a b [a b]",
        "actors.ila.capability": "International Longshoremen's Association: capability",
    }


def test_sensitivity_tables_and_bars_carry_the_labels_and_time_in_weeks(strike):
    result = sensitivity(
        strike, base_runs=8, tornado_runs=20, outcomes=["weeks_to_deal", "outcome_wage_increase"], progress=False
    )
    sobol, tornado = result.sobol["weeks_to_deal"], result.tornado["weeks_to_deal"]
    assert list(sobol.columns[:1]) == ["label"] and sobol.index.name == "parameter"
    assert sobol.loc["actors.usmx.issues.wage_increase.red_line.max", "label"] == parameter_label(
        strike, "actors.usmx.issues.wage_increase.red_line.max"
    )
    assert 0 < tornado.attrs["centre"] <= strike.horizon + 1  # weeks, not months
    figure, (left, right) = plt.subplots(1, 2)
    plots.plot_sobol(sobol, "weeks_to_deal", top=3, ax=left)
    plots.plot_tornado(tornado, "weeks_to_deal", top=3, ax=right)
    shown = [t.get_text().replace("\n", " ") for t in left.get_yticklabels()]
    assert shown == list(sobol["label"].head(3))[::-1]
    assert all(
        t.get_text().replace("\n", " ").startswith(name)
        for t, name in zip(right.get_yticklabels(), list(tornado["label"].head(3))[::-1], strict=True)
    )
    plt.close(figure)


def test_bars_without_labels_fall_back_to_key_paths():
    table = pd.DataFrame(
        {"first_order": [0.2], "first_order_conf": [0.1], "total": [0.3], "total_conf": [0.1]},
        index=pd.Index(["actors.a.capability"], name="parameter"),
    )
    ax = plots.plot_sobol(table)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["actors.a.capability"]
    plt.close(ax.figure)
