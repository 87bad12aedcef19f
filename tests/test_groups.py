"""Groups: an actor that speaks for member agents by a decision rule, its members contributing on conditions."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import SCENARIOS, write_yaml

from sim import load_scenario, run_monte_carlo
from sim.cli import main
from sim.model import build_inputs
from sim.model.groups import NO_GROUP, GroupTerms, group_terms
from sim.sampling.draws import central

OUTCOMES = ["deal", "zone", "months_to_deal", "breakdown"]
SETTLEMENTS = [
    "settlement_territory",
    "settlement_us_backstop",
    "settlement_multinational_force",
    "settlement_guarantee_years",
]
IDENTICAL = {"m1": {"size": 1.0}, "m2": {"size": 2.0}, "m3": {"size": 0.5}}


def terms(vote, quota, row_group=None, contribution=None, condition_issue=None, low=None, high=None) -> GroupTerms:
    """Group terms over one run, for sums worked by hand."""
    vote = np.asarray(vote, float)[:, None]
    members = len(vote)
    contribution = np.zeros((members, 0, 1)) if contribution is None else np.asarray(contribution, float)[:, None, None]
    return group_terms(
        row_group=np.zeros(members, int) if row_group is None else np.asarray(row_group),
        vote=vote,
        quota=np.array([[quota]]),
        capped=np.array([1] if contribution.shape[1] else [], int),
        contribution=contribution,
        condition_issue=np.full(members, NO_GROUP) if condition_issue is None else np.asarray(condition_issue),
        condition_low=np.full((members, 1), -np.inf) if low is None else np.asarray(low, float)[:, None],
        condition_high=np.full((members, 1), np.inf) if high is None else np.asarray(high, float)[:, None],
    )


@pytest.mark.parametrize(
    ("quota", "vote", "group_margin"),
    [
        (0.5, [0.5, 0.3, 0.2], 0.05),  # the two that accept hold 0.3 + 0.2 = 0.5 of the size: enough
        (0.6, [0.5, 0.3, 0.2], -0.1),  # 0.5 is not 0.6: the group needs the first member, who rejects
        (0.3, [0.5, 0.3, 0.2], 0.2),  # the second alone holds 0.3
        (1.0, [0.5, 0.3, 0.2], -0.1),  # unanimity: the least margin
        (1.0, [0.0, 1.0, 0.0], 0.2),  # lead rule, the second member leading: its margin
        (1.0, [1.0, 0.0, 0.0], -0.1),  # lead rule, the first member leading
        (1.0, [1e-12, 0.6, 0.4], 0.05),  # unanimity, but the first member's vote is within the quota's tolerance
    ],
)
def test_quota_rules_worked_by_hand(quota, vote, group_margin):
    margins = np.array([[-0.1], [0.2], [0.05]])
    voiced = terms(vote, quota).voice(margins)
    assert voiced.min() == pytest.approx(group_margin)
    assert np.allclose(voiced[:, 0], np.maximum(margins[:, 0], group_margin))


def test_only_members_the_quota_cannot_spare_bound_the_search():
    necessary = terms([0.5, 0.3, 0.2], 0.6, row_group=[0, 0, NO_GROUP]).necessary[:, 0]
    assert necessary.tolist() == [True, False, True]  # 0.5 > 0.8 * 0.4 spare; 0.3 is not; outside the group: always
    assert terms([0.5, 0.3, 0.2], 1.0).necessary.all()


def test_a_member_whose_condition_fails_withdraws_its_contribution():
    # Member 1 gives 0.3 on any package; member 2 gives 0.5 only if issue 0 is at least 0.5.
    group = terms([1, 1], 1.0, contribution=[0.3, 0.5], condition_issue=[NO_GROUP, 0], low=[-np.inf, 0.5])
    delivered = group.deliver(np.array([[0.4, 0.6, 0.6], [1.0, 1.0, 0.5]]), runs=np.zeros(3, int))
    assert delivered[1].tolist() == pytest.approx([0.3, 0.8, 0.5])  # condition fails; holds; asked for less
    assert delivered[0].tolist() == [0.4, 0.6, 0.6]


def grouped(article_raw, tmp_path, group: dict | None):
    raw = copy.deepcopy(article_raw)
    raw.pop("groups")
    raw["actors"]["european_coalition"]["veto"] = True
    if group is not None:
        raw["groups"] = {"european_coalition": group}
    return run_monte_carlo(load_scenario(write_yaml(tmp_path / "grouped.yaml", raw)), runs=500, seed=4)


@pytest.mark.parametrize(
    ("rule", "exact"),
    [
        ({"rule": "unanimity"}, True),
        ({"rule": "quota", "quota": 0.6}, False),
        ({"rule": "lead", "leads": ["m2"]}, False),
    ],
)
def test_a_group_of_identical_members_behaves_as_its_actor(article_raw, tmp_path, rule, exact):
    alone = grouped(article_raw, tmp_path, None)
    members = grouped(article_raw, tmp_path, {**rule, "members": IDENTICAL})
    assert alone["deal"].mean() > 0.3
    for column in OUTCOMES:
        assert np.array_equal(alone[column].to_numpy(), members[column].to_numpy(), equal_nan=True), column
    for column in SETTLEMENTS + ["utility_european_coalition"]:
        gap = np.nan_to_num((alone[column] - members[column]).abs().to_numpy())
        # The search's proof of no zone may use only members the rule cannot spare, so it may stop elsewhere.
        assert gap.max() < 1e-9 if exact else gap.mean() < 2e-3 * (1 + members[column].abs().mean()), column
    assert np.allclose(alone["cost_european_coalition"], members["cost_european_coalition"], rtol=1e-12)
    utility = sum(members[f"utility_{m}"] * spec["size"] for m, spec in IDENTICAL.items()) / 3.5
    assert np.allclose(members["utility_european_coalition"], utility)
    assert np.allclose(members["utility_m1"], members["utility_m3"])


def test_the_article_force_is_what_the_members_whose_condition_holds_contribute():
    scenario = load_scenario(SCENARIOS / "ukraine_paris_2026.yaml")
    runs = run_monte_carlo(scenario, runs=600, seed=5)
    deals = runs[runs["deal"]]
    assert len(deals) > 200
    group = scenario.groups["european_coalition"]
    available = np.zeros(len(deals))
    for name, member in group.members.items():
        key = f"groups.european_coalition.members.{name}"
        if member.condition is None:
            holds = np.ones(len(deals), bool)
        else:
            holds = deals["settlement_us_backstop"].to_numpy() >= deals[f"{key}.condition.at_least"].to_numpy() - 1e-9
        assert np.array_equal(deals[f"contributes_{name}"].to_numpy(), holds), name
        available += holds * deals[f"{key}.contribution.multinational_force"].to_numpy()
    assert (deals["settlement_multinational_force"].to_numpy() <= available + 1e-9).all()
    withheld = deals["settlement_us_backstop"] < 0.4  # below every member's threshold: only Turkey's part is left
    assert withheld.any() and (deals.loc[withheld, "settlement_multinational_force"] <= 0.1 + 1e-9).all()


def test_members_vote_only_with_a_veto_over_the_package():
    scenario = load_scenario(SCENARIOS / "ukraine_paris_2026.yaml")
    inputs = build_inputs(scenario, central(scenario))
    members = [inputs.actors.index(m) for m in scenario.groups["european_coalition"].members]
    assert "european_coalition" not in inputs.actors and not inputs.veto[members].any()
    uncertain = load_scenario(SCENARIOS / "ukraine_structure_uncertain.yaml")
    voting = uncertain.with_structure({"utility": "quadratic", "red_lines": "hard", "coalition_veto": "package"})
    inputs = build_inputs(voting, central(voting))
    assert inputs.veto[[inputs.actors.index(m) for m in voting.groups["european_coalition"].members]].all()
    assert {f"structure.{name}" for name in uncertain.structure} <= set(uncertain.uncertain_parameters()), (
        "every structural choice, the coalition's veto scope included, is a factor of `sim sensitivity`"
    )


BAD = {
    "unknown lead": ({"leads": ["spain"]}, "groups.european_coalition.leads.0", "unknown member 'spain'"),
    "quota out of range": ({"rule": "quota", "quota": 1.5}, "groups.european_coalition.quota", "[1e-09, 1]"),
    "quota without the rule": ({"quota": 0.5}, "groups.european_coalition.quota", "only rule quota takes a quota"),
    "quota missing": ({"rule": "quota"}, "groups.european_coalition.quota", "rule quota needs a quota"),
    "unknown rule": ({"rule": "majority"}, "groups.european_coalition.rule", "'unanimity', 'quota' or 'lead'"),
    "no members": ({"members": {}}, "groups.european_coalition.members", "at least 1 item"),
    "a member named as an actor": (
        {"members": {"russia": {"size": 1.0}}},
        "groups.european_coalition.members.russia",
        "already an actor",
    ),
    "unknown contributed issue": (
        {"contributes_to": ["troops"]},
        "groups.european_coalition.contributes_to.0",
        "unknown issue 'troops'",
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_groups_get_one_clear_message(case, article_raw, tmp_path, capsys):
    change, key_path, expected = BAD[case]
    raw = copy.deepcopy(article_raw)
    group = raw["groups"]["european_coalition"]
    if "members" in change:
        group["leads"] = []
        group["rule"] = "unanimity"
    group.update(change)
    bad = write_yaml(tmp_path / "bad.yaml", raw)
    out = tmp_path / "out"
    assert main(["run", str(bad), "--runs", "10", "--out", str(out), "--quiet"]) == 2
    message = capsys.readouterr().err
    assert "bad.yaml" in message and key_path in message and expected in message, message
    assert "Traceback" not in message and not out.exists()


@pytest.mark.parametrize(
    ("where", "value", "key_path", "expected"),
    [
        (
            ["groups", "unions"],
            {"rule": "unanimity", "members": {"x": {"size": 1}}},
            "groups.unions",
            "unknown actor 'unions'",
        ),
        (
            ["members", "germany", "contribution", "us_backstop"],
            0.1,
            "members.germany.contribution.us_backstop",
            "not an issue the group contributes to",
        ),
        (
            ["members", "france", "condition", "issue"],
            "backstop",
            "members.france.condition.issue",
            "unknown issue 'backstop'",
        ),
        (["members", "france", "condition", "at_least"], 2.0, "members.france.condition.at_least", "scale [0, 1]"),
        (
            ["members", "france", "condition", "at_most"],
            0.3,
            "members.france.condition: at_least is above at_most whatever is drawn",
            "(at_least >= 0.4 > 0.3 >= at_most)",
        ),
        (["members", "france", "sise"], 0.2, "members.france.sise", "unknown key (did you mean 'size'?)"),
    ],
)
def test_bad_members_get_one_clear_message(where, value, key_path, expected, article_raw, tmp_path, capsys):
    raw = copy.deepcopy(article_raw)
    node = raw if where[0] == "groups" else raw["groups"]["european_coalition"]
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    bad = write_yaml(tmp_path / "bad.yaml", raw)
    assert main(["validate", str(bad)]) == 2
    message = capsys.readouterr().err
    assert key_path in message and expected in message and "Traceback" not in message, message
