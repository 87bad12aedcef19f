"""History: the war-termination data read right, reference classes pinned to the published figures, the
breakdown fit recovering known parameters, the shaped hazard, scores, and the commands."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from helpers import ARTICLE, ROOT, write_yaml

from sim.backtests.data_folder import ENVIRONMENT_VARIABLE, find_data_dir
from sim.cli import main
from sim.errors import ScenarioError
from sim.history import breakdown_fit, cases, data, reference_class, scoring
from sim.history.beside import model_deal_survival
from sim.history.survival import kaplan_meier
from sim.model.breakdown import age_weight, round_hazard
from sim.scenario.loading import load_scenario

DATA = find_data_dir(data.FOLDER)
needs_data = pytest.mark.skipif(DATA is None, reason="shared/data/war-termination is not beside the project")
CASES = ROOT / "scenarios" / "history"


@pytest.fixture(scope="module")
def episodes():
    return data.load_episodes(DATA)


@pytest.fixture(scope="module")
def agreements():
    return data.load_agreements(DATA)


# -- the figures published with the data (shared/data/README.md) ---------------------------------------


@needs_data
def test_long_wars_rarely_end_soon_and_more_rarely_by_agreement(episodes):
    ends = reference_class.war_ends(episodes, reference_class.Profile(months_fought=46), (36,))
    # "of UCDP war-intensity episodes that had lasted over 46 months, about 16% ended within the next 36
    # months and about 6% by a peace agreement or ceasefire"
    assert ends["n"].iloc[0] == 80
    assert ends.loc["fighting ends within 36 months", "estimate"] == pytest.approx(0.16, abs=0.01)
    assert ends.loc["... by agreement or ceasefire within 36 months", "estimate"] == pytest.approx(0.06, abs=0.01)
    assert ends.loc["fighting ends within 36 months", "lo"] < 0.16 < ends.loc["fighting ends within 36 months", "hi"]


@needs_data
def test_how_interstate_conflicts_ended(episodes):
    shares = reference_class.termination_shares(episodes, "interstate")["estimate"]
    # "of interstate terminations, 27.5% low activity, 21.7% ceasefire, 20.3% peace agreement, 30.4% victory"
    assert shares["low_activity"] == pytest.approx(0.275, abs=0.001)
    assert shares["ceasefire"] == pytest.approx(0.217, abs=0.001)
    assert shares["peace_agreement"] == pytest.approx(0.203, abs=0.001)
    assert shares["victory"] == pytest.approx(0.304, abs=0.001)


@needs_data
def test_peace_agreements_fail_early_then_rarely(agreements):
    survival = reference_class.agreement_survival(agreements, (12, 36, 60))
    # "of the 374 peace agreements, about 21% had ended (failed) within 12 months of signing, 28% within 36,
    # 31% within 60 (a declining hazard)"
    assert len(agreements) == 374
    assert survival["ended_share"].tolist() == pytest.approx([0.21, 0.28, 0.31], abs=0.005)
    # Kaplan-Meier (censoring the recent agreements) agrees within its interval, and the hazard falls.
    assert (survival["lo"] <= 1 - survival["ended_share"] + 0.01).all()
    lost = 1 - survival["survival"].to_numpy()
    assert lost[0] > (lost[1] - lost[0]) > (lost[2] - lost[1])


@needs_data
def test_median_cow_interstate_war():
    wars = data.load_cow_wars(DATA)
    assert len(wars) == 95
    assert wars["months"].median() == pytest.approx(5.3, abs=0.05)


@needs_data
def test_a_case_is_left_out_of_its_own_class(episodes):
    profile = reference_class.Profile(months_fought=12)
    without = reference_class.Profile(months_fought=12, exclude_conflict=235)
    assert len(reference_class.in_class(episodes, profile)) == len(reference_class.in_class(episodes, without)) + 1


# -- malformed files and where the data are found -------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path):
    if DATA is None:
        pytest.skip("shared/data/war-termination is not beside the project")
    shutil.copytree(DATA / data.FOLDER, tmp_path / data.FOLDER)
    return tmp_path


def _rewrite(folder, name, old, new, encoding="utf-8"):
    path = folder / data.FOLDER / name
    path.write_text(path.read_text(encoding=encoding).replace(old, new, 1), encoding=encoding)


def test_a_bad_date_names_file_row_and_column(data_copy):
    _rewrite(data_copy, data.EPISODES_FILE, "21/07/1946,1.0,4.0", "1946-07-21,1.0,4.0")
    with pytest.raises(ScenarioError) as error:
        data.load_episodes(data_copy)
    assert (
        "ucdp-term-acd-3-2021.csv: not a war-termination data file: "
        "row 1, column ependdate: expected a date as %d/%m/%Y (got '1946-07-21')"
    ) in str(error.value)


def test_an_undocumented_code_is_refused(data_copy):
    _rewrite(data_copy, data.EPISODES_FILE, "21/07/1946,1.0,4.0", "21/07/1946,1.0,9.0")
    with pytest.raises(ScenarioError, match=r"row 1, column outcome: not one of the documented codes"):
        data.load_episodes(data_copy)


def test_a_missing_column_is_named(data_copy):
    _rewrite(data_copy, data.AGREEMENTS_FILE, "pa_date,", "signed,", encoding="latin-1")
    with pytest.raises(ScenarioError, match=r"not a war-termination data file: missing column\(s\) .*pa_date"):
        data.load_agreements(data_copy)


def test_the_command_exits_2_on_a_malformed_file(data_copy, capsys):
    _rewrite(
        data_copy,
        data.COW_FILE,
        "1,Franco-Spanish War,1,230,Spain,2,4,7,1823",
        "1,Franco-Spanish War,1,230,Spain,2,x,7,1823",
    )
    assert main(["reference-class", "--data", str(data_copy)]) == 2
    err = capsys.readouterr().err
    assert (
        "cow_inter_state_war_v4.csv: not a war-termination data file: row 1, column StartMonth1: expected a whole number"
        in err
        and "Traceback" not in err
    )


BAD_FILES = {
    "empty file": (b"", "empty"),
    "binary file": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content, not text"),
    "text of another format": (b"hello, world\n", "missing column(s) "),
    "a header and no rows": (None, "a header and no rows"),
}
"""Per kind of bad file: its content (None: the real file's header alone) and the problem the message names."""


@pytest.mark.parametrize("name", [data.EPISODES_FILE, data.AGREEMENTS_FILE, data.COW_FILE])
@pytest.mark.parametrize("kind", [*BAD_FILES, "folder in the file's place"])
def test_the_command_exits_2_on_a_bad_data_file(data_copy, name, kind, capsys):
    path = data_copy / data.FOLDER / name
    if kind == "folder in the file's place":
        path.unlink()
        path.mkdir()
        expected = f"error: {path}: a folder, not a file"
    else:
        content, problem = BAD_FILES[kind]
        path.write_bytes(path.read_bytes().splitlines(keepends=True)[0] if content is None else content)
        expected = f"error: {path}: not a war-termination data file: {problem}"
    assert main(["reference-class", "--data", str(data_copy)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(expected) and err.count("\n") == 1, err


def test_agreements_of_which_fewer_than_two_ended_on_a_known_date_are_refused(data_copy, capsys):
    path = data_copy / data.FOLDER / data.AGREEMENTS_FILE
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="latin-1")
    table[table["ended"].str.strip() == "False"].head(5).to_csv(path, index=False, encoding="latin-1")
    assert main(["reference-class", "--data", str(data_copy)]) == 2
    err = capsys.readouterr().err
    assert "fewer than two agreements ended on a known date" in err and "Traceback" not in err


# -- survival, the Weibull fit and the shaped hazard ----------------------------------------------------


def test_kaplan_meier_without_censoring_is_the_empirical_survival():
    durations = np.array([1.0, 2.0, 2.0, 3.0, 5.0, 8.0, 8.0, 9.0, 12.0, 20.0])
    curve = kaplan_meier(durations, np.ones(10, bool), (2.0, 8.0, 25.0))
    assert curve["survival"].tolist() == pytest.approx([0.7, 0.3, 0.0])
    censored = kaplan_meier(np.array([1.0, 2.0, 3.0, 4.0]), np.array([True, False, True, True]), (1.0, 3.0))
    # 3 of 4 survive month 1; at month 3 one of the two still at risk fails: 0.75 * 0.5.
    assert censored["survival"].tolist() == pytest.approx([0.75, 0.375])
    assert (censored["lo"] <= censored["survival"]).all() and (censored["survival"] <= censored["hi"]).all()


@pytest.mark.parametrize("shape, scale", [(0.4, 300.0), (1.0, 40.0), (1.8, 20.0)])
def test_weibull_fit_recovers_known_parameters_under_censoring(shape, scale):
    rng = np.random.default_rng(11)
    lifetimes = scale * rng.weibull(shape, 4000)
    follow_up = rng.uniform(0, 3 * scale if shape >= 1 else 200.0, 4000)
    fit = breakdown_fit.fit_weibull(np.minimum(lifetimes, follow_up), lifetimes <= follow_up)
    assert fit.events < 4000
    lo, hi = fit.interval("shape")
    assert lo < shape < hi and fit.shape == pytest.approx(shape, rel=0.06)
    lo, hi = fit.interval("scale")
    assert lo < scale < hi


@needs_data
def test_the_agreements_give_a_falling_breakdown_hazard(agreements):
    fit = breakdown_fit.fit_weibull(agreements["months"].to_numpy(), agreements["ended"].to_numpy())
    assert fit.interval("shape")[1] < 0.5  # a hazard that falls with time
    assert 0.03 < fit.first_round_hazard() < 0.15
    numbers = fit.scenario_numbers()
    assert numbers["shape"]["source"].startswith("fact: ") and "UCDP Peace Agreement" in numbers["shape"]["source"]
    assert numbers["base_hazard"]["mean"] == pytest.approx(fit.first_round_hazard(), rel=0.05)


def test_shaped_hazard_survives_as_a_discrete_weibull():
    level, shape = np.array([0.05]), np.array([0.4])
    ages = np.arange(1, 61)
    holds = np.cumprod([1 - round_hazard(level, age_weight(np.array([a]), shape))[0] for a in ages])
    assert holds == pytest.approx((1 - 0.05) ** (ages**0.4))
    # Shape 1 leaves the level untouched: a constant hazard, exactly.
    assert round_hazard(level, age_weight(np.array([7]), np.array([1.0])))[0] == 0.05


def _immediate_deal(shape, hazard=0.05, horizon=40):
    def stance(position):
        return {"issues": {"share": {"position": position, "salience": 1.0}}, "war_cost": {"per_round": 0.2}}

    return {
        "name": "a deal in the first round",
        "issues": {"share": {"low_means": "b", "high_means": "a", "no_deal": 0.5}},
        "actors": {
            "a": {"veto": True, "capability": 1.0, **stance(0.5)},
            "b": {"veto": True, "capability": 1.0, **stance(0.5)},
            "m": {"capability": 1.0, **stance(0.5)},
        },
        "breakdown": {"base_hazard": hazard, "shape": shape},
        "model": {
            "start_date": "2026-01-01",
            "horizon_rounds": horizon,
            "winter_months": [],
            "mechanism": {"kind": "mediator", "mediator": "m"},
        },
        "monte_carlo": {"runs": 20000, "seed": 3},
    }


@pytest.mark.parametrize("shape", [1.0, 0.4])
def test_deals_in_the_model_break_down_as_the_shape_says(shape, tmp_path):
    from sim.experiments.runner import run_monte_carlo

    runs = run_monte_carlo(load_scenario(write_yaml(tmp_path / "deal.yaml", _immediate_deal(shape))))
    assert (runs["months_to_deal"] == 1).all()
    ages = 39  # rounds after the first, each with its breakdown draw
    expected = 1 - (1 - 0.05) ** (ages**shape)
    assert runs["breakdown"].mean() == pytest.approx(expected, abs=0.012)


# -- scores ------------------------------------------------------------------------------------------------


def test_scores_of_known_forecasts():
    assert scoring.brier(0.8, True) == pytest.approx(0.04)
    assert scoring.log_score(0.8, False) == pytest.approx(-np.log(0.2))
    assert scoring.log_score(1.0, False) == pytest.approx(-np.log(scoring.LOG_FLOOR))
    assert scoring.crps(np.full(50, 3.0), 7.0, cap=36) == pytest.approx(4.0)
    # Uniform on [0, 10] against 10: CRPS = 10/3.
    assert scoring.crps(np.linspace(0, 10, 20001), 10.0, cap=36) == pytest.approx(10 / 3, rel=1e-3)
    # Never (infinite) is capped at the horizon.
    assert scoring.crps(np.full(10, np.inf), 6.0, cap=36) == pytest.approx(30.0)
    assert scoring.within(scoring.constant_forecast(36), 36) == pytest.approx(0.5)


# -- scenarios, cases and commands -------------------------------------------------------------------------


def test_the_article_states_its_reference_class():
    profile = reference_class.profile_of(load_scenario(ARTICLE))
    assert profile.months_fought == pytest.approx(46.4, abs=0.1) and profile.intensity == "war"


def test_a_bad_reference_class_is_refused(tmp_path, article_raw):
    article_raw["reference_class"]["conflict_type"] = "colonial"
    with pytest.raises(ScenarioError, match="reference_class.conflict_type"):
        load_scenario(write_yaml(tmp_path / "bad.yaml", article_raw))


def test_every_case_is_dated_before_its_outcome_and_fully_sourced():
    from sim.scenario.provenance import provenance

    loaded = cases.load_cases(CASES)
    assert len(loaded) >= 5
    for case in loaded:
        assert case.months_to_deal > 0
        assert not (provenance(case.scenario)["kind"] == "unsourced").any(), case.name


def test_outcomes_stay_out_of_the_case_scenarios():
    for case in cases.load_cases(CASES):
        text = case.scenario.path.read_text()
        assert "outcomes.yaml, which the model never reads" in " ".join(text.replace("#", " ").split())
        assert str(case.deal_date) not in text, case.name


def test_a_malformed_outcomes_file_exits_2(tmp_path, capsys):
    for path in CASES.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    text = (tmp_path / "outcomes.yaml").read_text().replace("deal: 1953-07-27", "deal: soon", 1)
    (tmp_path / "outcomes.yaml").write_text(text)
    assert main(["score", "--cases", str(tmp_path), "--runs", "50"]) == 2
    assert (
        "outcomes.yaml: korea_1951.deal: expected a date (YYYY-MM-DD) or null (got 'soon')" in capsys.readouterr().err
    )


@needs_data
def test_score_command(capsys):
    assert main(["score", "--cases", str(CASES), "--runs", "200", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "5 cases" in out and "crps_months" in out and "A handful of cases is not a verdict" in out
    for forecaster in cases.FORECASTERS:
        assert forecaster in out


@needs_data
def test_score_is_seeded():
    first = cases.score_cases(CASES, runs=100, seed=4)
    again = cases.score_cases(CASES, runs=100, seed=4)
    pd.testing.assert_frame_equal(first.scores, again.scores)
    assert first.scores.loc["constant", "brier_12"] == pytest.approx(
        np.mean([(1 / 6 - (m <= 12)) ** 2 for m in first.outcomes["months"]]), abs=1e-3
    )


@needs_data
def test_reference_class_command(capsys):
    assert main(["reference-class", str(ARTICLE)]) == 0
    out = capsys.readouterr().out
    assert "already fought over 46 months" in out and "16.2%" in out and "6.2%" in out
    assert "median duration 5.3 months" in out and "base_hazard: {dist: truncated_normal" in out
    assert main(["reference-class", "--type", "interstate", "--months-fought", "0", "--region", "asia"]) == 0
    assert "interstate conflicts in asia" in capsys.readouterr().out


def test_reference_class_command_needs_a_profile_or_data(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    assert main(["reference-class", "--data", str(tmp_path)]) == 2
    assert "holds no war-termination/ folder" in capsys.readouterr().err
    assert main(["reference-class", "--horizons", "a,b"]) == 2
    assert "--horizons" in capsys.readouterr().err


@needs_data
def test_run_summary_and_report_show_the_model_beside_history(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(ARTICLE), "--runs", "400", "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "Beside history: UCDP episodes" in text and "fighting ends within 36 months" in text
    assert "Deals still holding k months after they were made" in text
    assert main(["report", str(out), "--history-runs", "0"]) == 0
    page = (out / "report.html").read_text()
    assert "<h2>Beside history</h2>" in page and "history survival" in page


def test_deals_that_cannot_break_down_all_hold_beside_history():
    runs = pd.DataFrame({"months_to_deal": [2.0, 5.0, np.nan, 30.0]})
    survival = model_deal_survival(runs, 36, (6, 12))["survival"]
    assert survival.tolist() == [1.0, 1.0]


@needs_data
def test_a_run_without_reneging_prints_history_beside_it(tmp_path, capsys):
    out = tmp_path / "held"
    assert main(["run", str(ARTICLE), "--set", "reneging=null", "--runs", "500", "--out", str(out), "--quiet"]) == 0
    assert "Beside history" in capsys.readouterr().out
