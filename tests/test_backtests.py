"""Backtests on real data: the figures published with the data, recomputed."""

from __future__ import annotations

import pytest

from sim.backtests import csis, deu, ktab
from sim.backtests.data_folder import find_data_dir
from sim.cli import main

pytestmark = pytest.mark.skipif(
    any(find_data_dir(folder) is None for folder in (deu.FOLDER, ktab.FOLDER, csis.FOLDER)),
    reason="shared/data (deu3/, ktab-china-soe/, csis-ukraine-peace-items/) is not beside the project",
)


def test_deu_baselines_match_the_published_errors():
    errors = deu.mean_absolute_errors(deu.load_deu())["mean_absolute_error"]
    # shared/data/README.md: mean 23.71, salience-weighted mean 23.68, median 28.59, reference point 51.11.
    assert errors["mean"] == pytest.approx(23.71, abs=0.005)
    assert errors["compromise"] == pytest.approx(23.68, abs=0.005)
    assert errors["median"] == pytest.approx(28.59, abs=0.005)
    assert errors["reference_point"] == pytest.approx(51.11, abs=0.005)
    # The expected-utility model, reported whatever it is: it does not beat the compromise model here.
    assert errors["expected_utility"] == pytest.approx(27.77, abs=0.01)


def test_deu_counts_the_issues_with_an_outcome():
    data = deu.load_deu()
    assert len(data.outcome) == 353 and len(data.actors) == 30


def test_backtest_command(capsys):
    assert main(["backtest", "deu"]) == 0
    text = capsys.readouterr().out
    assert "353 issues" in text and "compromise" in text and "23.68" in text


def test_backtest_with_a_missing_file(tmp_path, capsys):
    assert main(["backtest", "deu", "--data", str(tmp_path / "none.csv")]) == 2
    assert "none.csv: file not found" in capsys.readouterr().err


def test_ktab_files_load_and_their_weighted_means_match():

    tables = {path.stem: ktab.load_ktab(path) for path in ktab.ktab_files()}
    policy, competitive, combined = tables["SOE-Policy"], tables["SOE-Competitive"], tables["SOE-Pol-Comp"]
    assert (len(policy.actors), len(competitive.actors), len(combined.actors)) == (26, 34, 13)
    assert combined.dimensions == ("Policy", "Competitive")
    # shared/data/README.md: influence x salience weighted mean, policy 35.01, competitive 39.96.
    assert round(ktab.weighted_means(policy)["Policy"], 2) == 35.01
    assert round(ktab.weighted_means(competitive)["Competitive"], 2) == 39.96


def test_ktab_title_counts_are_checked(tmp_path):
    from sim.errors import ScenarioError

    bad = tmp_path / "bad.csv"
    bad.write_text("Title; x,desc, 3, 1, \nActor,Description,Influence,P Position,P Salience, \nA,a,1,2,3, \n")
    with pytest.raises(ScenarioError, match="title says 3 actors"):
        ktab.load_ktab(bad)


def test_backtest_ktab_command(capsys):
    assert main(["backtest", "ktab"]) == 0
    text = capsys.readouterr().out
    assert "Policy 35.01" in text and "Competitive 39.96" in text


def test_csis_presets_match_the_published_scores():

    items = csis.load_csis()
    first, third = csis.draft_scores(items, items.presets["1"]), csis.draft_scores(items, items.presets["3"])
    assert first.round(2).tolist() == [6.78, 6.89, 7.22, 7.00]
    assert round(third["Russia"], 2) == 6.40 and third["Russia"] < items.thresholds[1]


def test_csis_items_load_as_a_scenario_and_its_packages_are_exactly_the_acceptable_drafts():
    import itertools

    import numpy as np

    items = csis.load_csis()
    scenario = csis.as_scenario(items)
    assert len(scenario.issues) == 20 and set(scenario.actors) == set(csis.ACTORS.values())
    assert all(actor.veto and actor.reservation_utility is not None for actor in scenario.actors.values())
    assert len(scenario.constraints.exclusive) == 5
    found = set(csis.acceptable_packages(scenario)["items"])
    # Independently, by CSIS's own rule (mean satisfaction over the draft's items >= threshold), over every draft.
    chosen = np.array(list(itertools.product([0, 1], repeat=20)), dtype=bool)[1:]
    for a, b in items.exclusive:
        chosen = chosen[~(chosen[:, a - 1] & chosen[:, b - 1])]
    means = chosen @ items.satisfaction.T / chosen.sum(axis=1, keepdims=True)
    clear = chosen[(means >= items.thresholds).all(axis=1)]
    expected = {tuple(int(k) + 1 for k in np.flatnonzero(row)) for row in clear}
    assert found == expected and len(found) == 118_136
    assert tuple(items.presets["1"]) in found and tuple(items.presets["3"]) not in found


def test_backtest_csis_command(capsys):
    assert main(["backtest", "csis", "--top", "3"]) == 0
    text = capsys.readouterr().out
    assert "preset 1: Ukraine 6.78, Russia 6.89, USA 7.22, EU 7.00" in text and "below threshold: Russia" in text
    assert "118,136" in text
