"""Provenance: quoted numbers checked against the values, kinds counted honestly, stakes in months of war."""

from __future__ import annotations

import re

import pytest
from helpers import ARTICLE, SCENARIOS, two_sided, write_yaml

from sim import load_scenario
from sim.cli import main
from sim.scenario.provenance import kind_of, numbers_agree, provenance, quoted_numbers, stakes
from sim.scenario.quantities import Fixed, Uniform


def test_quoted_numbers_read_percentages_both_ways():
    assert quoted_numbers('line 6: "about 75 percent of the Donetsk region, and 26,517 km2"') == [75, 0.75, 26517]
    assert quoted_numbers("assumption: no quote, 15 years") == []


@pytest.mark.parametrize(
    ("quantity", "agree"),
    [
        (Fixed(value=0.0, source='line 17: "offered security guarantees for 15 years"'), False),
        (Fixed(value=15.0, source='line 17: "offered security guarantees for 15 years"'), True),
        (Fixed(value=0.75, source='line 6: "about 75 percent of the Donetsk region"'), True),
        (Fixed(value=0.7, source='line 6: "about 75 percent of the Donetsk region"'), False),
        (Uniform(dist="uniform", low=10, high=20, source='line 17: "offered security guarantees for 15 years"'), True),
        (Uniform(dist="uniform", low=20, high=25, source='line 17: "offered security guarantees for 15 years"'), False),
        (Fixed(value=0.0, source='line 17: "offered security guarantees for 15 years" (weight assumed)'), None),
        (Fixed(value=1.0, source='line 7: "unwilling to compromise"'), None),
    ],
)
def test_a_value_is_checked_against_the_numbers_its_quote_states(quantity, agree):
    assert numbers_agree(quantity) is agree


def test_a_contradicted_value_is_not_counted_as_the_articles():
    source = 'line 17: "offered security guarantees for 15 years"'
    assert kind_of(source) == "article"
    assert kind_of(source, numbers_agree=False) == "article+assumption"
    assert kind_of(source + " (how long: assumption)") == "article+assumption"


def test_provenance_flags_a_quote_with_another_number(article_raw, tmp_path, capsys):
    article_raw["issues"]["guarantee_years"]["no_deal"] = {
        "value": 0,
        "source": 'line 17: "offered security guarantees for 15 years"',
    }
    path = write_yaml(tmp_path / "wrong.yaml", article_raw)
    table = provenance(load_scenario(path)).set_index("parameter")
    assert table.loc["issues.guarantee_years.no_deal", "numbers_agree"] is False
    assert table.loc["issues.guarantee_years.no_deal", "kind"] == "article+assumption"
    assert main(["provenance", str(path)]) == 0
    assert "differ from every number their quote states" in capsys.readouterr().out


@pytest.mark.parametrize("path", [ARTICLE, SCENARIOS / "ukraine_2026_02.yaml"], ids=lambda p: p.name)
def test_every_article_number_of_the_shipped_scenarios_is_stated_by_its_line(path):
    table = provenance(load_scenario(path))
    assert not (table["numbers_agree"] == False).any()  # noqa: E712
    article = table[table["kind"] == "article"]
    assert len(article) >= 10 and not article["source"].str.contains("assum").any()


def test_stakes_are_weight_times_squared_distance_over_the_monthly_cost(tmp_path):
    raw = two_sided(0.5, 0.5, 0.01, horizon=12)
    raw["actors"]["a"]["issues"]["share"]["position"] = 0.8
    raw["actors"]["a"]["delay_cost"] = {"per_round": 0.01}
    raw["actors"]["b"]["delay_cost"] = {"per_round": 0.06}
    raw["model"] |= {"utility": "quadratic", "round_months": 3}
    table = stakes(load_scenario(write_yaml(tmp_path / "two.yaml", raw))).set_index("actor")
    assert table.loc["a", "farthest"] == "b" and table.loc["a", "distance"] == pytest.approx(0.8)
    assert table.loc["a", "stake"] == pytest.approx(0.64 / (0.01 / 3))
    assert table.loc["b", "stake"] == pytest.approx(0.64 / (0.06 / 3))
    raw["model"]["utility"] = "linear"
    linear = stakes(load_scenario(write_yaml(tmp_path / "linear.yaml", raw))).set_index("actor")
    assert linear.loc["a", "stake"] == pytest.approx(0.8 / (0.01 / 3))
    raw["actors"]["b"]["delay_cost"] = {"per_round": 0.0}
    without = stakes(load_scenario(write_yaml(tmp_path / "free.yaml", raw)))
    assert list(without["actor"]) == ["a"], "an actor without war costs has no stakes in months of war"


def test_the_article_puts_kyivs_territorial_stake_beyond_a_year_of_war(capsys):
    table = stakes(load_scenario(ARTICLE)).set_index(["actor", "issue"])
    assert table.loc[("ukraine", "territory"), "stake"] > 24
    assert (
        table.loc[("russia", "territory"), "red_line"]
        and not table.loc[("european_coalition", "us_backstop"), "red_line"]
    )
    assert main(["provenance", str(ARTICLE)]) == 0
    assert "Stakes: what each issue is worth to each actor in months of its own war cost" in capsys.readouterr().out


def test_a_negotiation_without_a_front_has_stakes_in_its_rounds_unit(capsys):
    port = load_scenario(SCENARIOS / "port_strike_2024.yaml")
    table = stakes(port).set_index(["actor", "issue"])
    ila = port.actors["ila"]
    saliences = {issue: stance.salience.central() for issue, stance in ila.issues.items()}
    scale = port.issues["wage_increase"]
    distance = abs(
        port.actors["usmx"].issues["wage_increase"].position.central() - ila.issues["wage_increase"].position.central()
    ) / (scale.high - scale.low)
    weekly = ila.delay_cost.per_round.central()  # one round is one week
    expected = saliences["wage_increase"] / sum(saliences.values()) * distance**2 / weekly
    assert table.loc[("ila", "wage_increase"), "stake"] == pytest.approx(expected)
    assert main(["provenance", str(SCENARIOS / "port_strike_2024.yaml")]) == 0
    out = capsys.readouterr().out
    assert (
        "in weeks of its own cost of no agreement" in out
        and "cost per week" in out
        and not re.search(r"\bwar\b", out, re.I)
    )
