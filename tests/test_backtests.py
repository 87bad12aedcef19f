"""Backtests on real data: the figures published with the data, recomputed; and bad data files refused."""

from __future__ import annotations

import json

import pytest

from sim.backtests import csis, deu, ktab
from sim.backtests.data_folder import find_data_dir
from sim.cli import main
from sim.registry.backtests import BACKTESTS

needs_data = pytest.mark.skipif(
    any(find_data_dir(folder) is None for folder in (deu.FOLDER, ktab.FOLDER, csis.FOLDER)),
    reason="shared/data (deu3/, ktab-china-soe/, csis-ukraine-peace-items/) is not beside the project",
)


@needs_data
def test_deu_baselines_match_the_published_errors():
    errors = deu.mean_absolute_errors(deu.load_deu())["mean_absolute_error"]
    # shared/data/README.md: mean 23.71, salience-weighted mean 23.68, median 28.59, reference point 51.11.
    assert errors["mean"] == pytest.approx(23.71, abs=0.005)
    assert errors["compromise"] == pytest.approx(23.68, abs=0.005)
    assert errors["median"] == pytest.approx(28.59, abs=0.005)
    assert errors["reference_point"] == pytest.approx(51.11, abs=0.005)
    # The expected-utility model, reported whatever it is: it does not beat the compromise model here.
    assert errors["expected_utility"] == pytest.approx(27.77, abs=0.01)


@needs_data
def test_deu_counts_the_issues_with_an_outcome():
    data = deu.load_deu()
    assert len(data.outcome) == 353 and len(data.actors) == 30


@needs_data
def test_backtest_command(capsys):
    assert main(["backtest", "deu"]) == 0
    text = capsys.readouterr().out
    assert "353 issues" in text and "compromise" in text and "23.68" in text


@needs_data
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


@needs_data
def test_backtest_ktab_command(capsys):
    assert main(["backtest", "ktab"]) == 0
    text = capsys.readouterr().out
    assert "Policy 35.01" in text and "Competitive 39.96" in text


@needs_data
def test_csis_presets_match_the_published_scores():

    items = csis.load_csis()
    first, third = csis.draft_scores(items, items.presets["1"]), csis.draft_scores(items, items.presets["3"])
    assert first.round(2).tolist() == [6.78, 6.89, 7.22, 7.00]
    assert round(third["Russia"], 2) == 6.40 and third["Russia"] < items.thresholds[1]


@needs_data
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


@needs_data
def test_backtest_csis_command(capsys):
    assert main(["backtest", "csis", "--top", "3"]) == 0
    text = capsys.readouterr().out
    assert "preset 1: Ukraine 6.78, Russia 6.89, USA 7.22, EU 7.00" in text and "below threshold: Russia" in text
    assert "118,136" in text


# -- bad data files: one message naming the file and what is wrong, exit status 2 ------------------------

PLACES = {"deu": (deu.FOLDER, deu.FILE), "ktab": (ktab.FOLDER, "SOE-Policy.csv"), "csis": (csis.FOLDER, csis.FILE)}
"""Where each backtest's file lies in a data folder."""
_ARTICLE = {"title": "1-An item", **{f"{actor}_sat": 5 for actor in csis.ACTORS}}
CONTENTS = {
    "empty file": {name: ("", "empty") for name in PLACES},
    "binary file": {name: (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content, not text") for name in PLACES},
    "text not in UTF-8": {name: (b"caf\xe9\n", "not valid utf-8 text (byte 3)") for name in PLACES},
    "text of another format": {
        "deu": ("hello, world\n", "missing column(s) isnr, rp, out"),
        "ktab": ("hello, world\n", "line 1: expected a title ending in the actor and dimension counts"),
        "csis": ("hello, world\n", "not JSON: line 1, column 1: Expecting value"),
    },
    "a column or key missing": {
        "deu": ("isnr\tpcom\tscom\trp\n\t1\t1\t\nd1\t50\t40\t0\n", "missing column(s) out"),
        "ktab": (
            "Title, 1, 1,\nActor,Description,Influence,P Position,\nA,a,1,2,\n",
            "title says 1 actors and 1 dimensions; found 1 actor rows and 4 header columns",
        ),
        "csis": (json.dumps({"articles": {"1": _ARTICLE}}), "missing key minimum_acceptable_threshold"),
    },
    "a value that is not a number": {
        "deu": (
            "isnr\tpcom\tscom\trp\tout\n\t1\t1\t\t\nd1\tfifty\t40\t0\t30\n",
            "row 2, column pcom: expected a number (got 'fifty')",
        ),
        "ktab": (
            "Title, 1, 1,\nActor,Description,Influence,P Position,P Salience,\nA,a,high,2,3,\n",
            "line 3, column Influence: expected a number (got 'high')",
        ),
        "csis": (
            json.dumps({"articles": {"1": {**_ARTICLE, "Ukraine_sat": "high"}}}),
            "articles.1.Ukraine_sat: expected a number (got 'high')",
        ),
    },
}
"""Per kind of bad file, per backtest: the file's content and the problem the message names."""


def _bad_data(root, backtest: str, kind: str) -> tuple[object, str]:
    """The ``--data`` path of a bad data file of ``kind`` for ``backtest``, and the message expected."""
    folder, name = PLACES[backtest]
    file = root / name
    if kind == "missing file":
        return file, f"{file}: file not found"
    if kind == "folder without the data":
        return root, f"{root}: --data: holds no {folder}/ folder"
    if kind == "folder in the file's place":
        (root / folder / name).mkdir(parents=True)
        return root, f"{root / folder / name}: a folder, not a file"
    content, problem = CONTENTS[kind][backtest]
    file.write_bytes(content if isinstance(content, bytes) else content.encode())
    return file, f"{file}: not a {backtest} data file: {problem}"


@pytest.mark.parametrize("backtest", BACKTESTS.names())
@pytest.mark.parametrize("kind", ["missing file", "folder without the data", "folder in the file's place", *CONTENTS])
def test_a_bad_data_file_gets_one_message(backtest, kind, tmp_path, capsys):
    data, expected = _bad_data(tmp_path, backtest, kind)
    assert main(["backtest", backtest, "--data", str(data)]) == 2
    assert capsys.readouterr().err == f"error: {expected}\n"
