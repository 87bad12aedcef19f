"""The forecast log (appended atomically, never corrupted), dated questions, the platforms compared only with
snapshots dated on or before the forecast, Brier scores, and the shipped evidence and questions files."""

from __future__ import annotations

import csv
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from helpers import ARTICLE, SCENARIOS

from sim.backtests.data_folder import find_data_dir
from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario.loading import load_scenario
from sim.updating.evidence import evidence_schema_json, load_evidence
from sim.updating.forecast_log import LOG_COLUMNS, LOG_FILE, append_to_log, read_log
from sim.updating.platforms import FOLDER, compare_with_platforms, model_scores, read_platform_forecasts
from sim.updating.questions import Question, calendar_date, default_questions, load_questions

SCENARIO = load_scenario(ARTICLE)
QUESTIONS = SCENARIOS / "questions" / "ukraine_2026.yaml"
EVIDENCE = SCENARIOS / "evidence" / "ukraine_2026.yaml"


def rows(as_of: str, probability: float, question: str = "q") -> pd.DataFrame:
    values = {
        "as_of": as_of,
        "question": question,
        "text": "a deal",
        "by": "2026-03-31",
        "probability": probability,
        "lo": probability - 0.01,
        "hi": probability + 0.01,
        "scenario": "s",
        "scenario_sha256": "abc",
        "evidence_sha256": "",
        "runs": 100,
        "effective_runs": 100.0,
        "results": "r",
    }
    return pd.DataFrame([values])[list(LOG_COLUMNS)]


def test_log_appends_and_replaces_only_the_same_forecast(tmp_path):
    append_to_log(tmp_path, rows("2026-01-06", 0.3))
    append_to_log(tmp_path, rows("2026-01-24", 0.25))
    append_to_log(tmp_path, rows("2026-01-24", 0.2))
    log = read_log(tmp_path)
    assert list(log["as_of"]) == ["2026-01-06", "2026-01-24"] and list(log["probability"]) == [0.3, 0.2]


def test_a_failed_write_leaves_the_log_as_it_was(tmp_path, monkeypatch):
    append_to_log(tmp_path, rows("2026-01-06", 0.3))
    before = (tmp_path / LOG_FILE).read_bytes()

    def broken(_frame, path, **_options):
        path.write_text("as_of,question\n2026-")  # half a file, then the disk fills
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(ScenarioError, match=rf"^{tmp_path / LOG_FILE}: cannot be written: No space left on device$"):
        append_to_log(tmp_path, rows("2026-01-24", 0.2))
    assert (tmp_path / LOG_FILE).read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name != ".sim.lock"] == [LOG_FILE]


def test_a_file_that_is_not_a_log_is_refused_and_kept(tmp_path):
    (tmp_path / LOG_FILE).write_text("name,value\nx,1\n")
    with pytest.raises(ScenarioError, match="is not a forecast log"):
        append_to_log(tmp_path, rows("2026-01-06", 0.3))
    assert (tmp_path / LOG_FILE).read_text() == "name,value\nx,1\n"


def test_run_refuses_a_bad_log_folder_before_running(tmp_path, capsys):
    (tmp_path / LOG_FILE).write_text("name,value\nx,1\n")
    assert main(["run", str(ARTICLE), "--runs", "10", "--out", str(tmp_path / "out"), "--log", str(tmp_path)]) == 2
    assert "is not a forecast log" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_default_questions_are_dated_from_the_start():
    questions = {q.id: q for q in default_questions(SCENARIO)}
    assert questions["deal_by_2026-07-06"].by == dt.date(2026, 7, 6)
    assert "ceasefire_or_deal_by_2029-01-06" in questions
    assert calendar_date(SCENARIO, 1) == dt.date(2026, 2, 6)


def test_platforms_are_compared_only_with_snapshots_on_or_before_the_as_of_date():
    platforms = pd.DataFrame(
        {
            "platform": ["P", "P"],
            "question": ["Q?", "Q?"],
            "snapshot_date": pd.to_datetime(["2025-12-09", "2026-02-01"]),
            "outcome_bin": ["Yes", "Yes"],
            "probability": [0.24, 0.1],
            "source_url": ["u", "u"],
        }
    )
    question = Question(
        id="q",
        text="a deal",
        measure="deal",
        by=dt.date(2026, 3, 31),
        platforms=[{"platform": "P", "question": "Q?"}],
        resolution={"happened": False, "known_on": "2026-04-01", "source": "test"},
    )
    log = pd.concat([rows("2025-12-01", 0.5), rows("2026-01-24", 0.3), rows("2026-02-18", 0.2)])
    compared = compare_with_platforms(log, [question], platforms).set_index("as_of")
    assert np.isnan(compared.loc["2025-12-01", "platform_probability"])
    assert compared.loc["2026-01-24", "platform_probability"] == 0.24
    assert compared.loc["2026-02-18", "platform_probability"] == 0.1
    assert compared.loc["2026-01-24", "model_brier"] == pytest.approx(0.09)
    assert compared.loc["2026-02-18", "platform_brier"] == pytest.approx(0.01)
    assert list(model_scores(log, [question])["brier"]) == pytest.approx([0.25, 0.09, 0.04])


def test_shipped_questions_load_and_a_bad_measure_is_named(tmp_path):
    assert [q.id for q in load_questions(QUESTIONS, SCENARIO)][0] == "ceasefire_or_deal_by_2026-02-18"
    bad = tmp_path / "q.yaml"
    bad.write_text("questions:\n  - {id: x, text: t, measure: truce, by: 2026-03-31}\n")
    with pytest.raises(ScenarioError, match="questions.0.measure: unknown measure 'truce'"):
        load_questions(bad, SCENARIO)


def test_evidence_schema_file_is_current():
    assert (SCENARIOS / "evidence" / "schema.json").read_text() == evidence_schema_json(), (
        "run: sim schema --evidence --out scenarios/evidence/schema.json"
    )


DATA = find_data_dir("ukraine-2026-evidence")


@pytest.mark.skipif(DATA is None, reason="shared/data (ukraine-2026-evidence/) is not beside the project")
def test_shipped_evidence_cites_rows_with_their_reliability():
    with open(DATA / "ukraine-2026-evidence" / "evidence.csv", newline="") as handle:
        marks = [row["reliability"] for row in csv.DictReader(handle)]
    weight = {"corroborated": 0.95, "single-source": 0.6, "contradicted": 0.0}
    evidence = load_evidence(EVIDENCE, SCENARIO)
    for observation in evidence.observations:
        row = int(re.match(r"evidence\.csv row (\d+) \(([a-z-]+)\)", observation.source).group(1))
        assert weight[marks[row - 1]] == observation.reliability, observation.id
        assert observation.source.split("(")[1].startswith(marks[row - 1])
    assert any(o.reliability == 0 for o in evidence.observations)


@pytest.mark.skipif(
    find_data_dir(FOLDER) is None, reason="shared/data (ceasefire-forecasts/) is not beside the project"
)
def test_platform_file_keeps_only_dated_single_probabilities(tmp_path, capsys):
    platforms = read_platform_forecasts(find_data_dir(FOLDER))
    march = platforms[platforms["question"] == "Russia x Ukraine ceasefire by March 31 2026?"]
    assert list(march["probability"]) == [0.24] and march["snapshot_date"].iloc[0] == pd.Timestamp("2025-12-09")
    assert not (platforms["question"] == "same").any() and platforms["snapshot_date"].notna().all()
    append_to_log(tmp_path, rows("2026-01-06", 0.28, "ceasefire_or_deal_by_2026-03-31"))
    append_to_log(tmp_path, rows("2026-01-06", 0.4, "deal_by_2026-12-31"))
    assert main(["forecasts", str(tmp_path), "--questions", str(QUESTIONS)]) == 0
    out = capsys.readouterr().out
    assert "Polymarket    2025-12-09" in out and (tmp_path / "forecasts.png").stat().st_size > 5000
    no_snapshot_yet = next(line for line in out.splitlines() if "Lines.com" in line)
    assert "NaN" not in no_snapshot_yet and no_snapshot_yet.split()[-4:] == ["-"] * 4
