"""The command line as a person uses it."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest
from helpers import ARTICLE, shard_hashes

from sim.cli import main, parser
from sim.experiments.results import file_sha256, read_results, scenario_of
from sim.experiments.runner import replay_run

SUBCOMMANDS = [
    "run",
    "compare",
    "compare-scenarios",
    "sensitivity",
    "discover",
    "init",
    "validate",
    "provenance",
    "plot",
    "report",
    "summary",
    "verify",
    "replay",
    "backtest",
    "reference-class",
    "score",
    "update",
    "forecasts",
    "schema",
    "explore",
]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_answers_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0 and "usage: sim" in capsys.readouterr().out


def test_parser_knows_every_subcommand():
    assert set(parser()._subparsers._group_actions[0].choices) == set(SUBCOMMANDS)


@pytest.mark.slow
def test_console_script_is_installed():
    done = subprocess.run(["sim", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "run" in done.stdout


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("results") / "article"
    assert (
        main(
            [
                "run",
                str(ARTICLE),
                "--runs",
                "1500",
                "--seed",
                "9",
                "--out",
                str(out),
                "--quiet",
                "--set",
                "monte_carlo.chunk_runs=400",
            ]
        )
        == 0
    )
    return out


@pytest.mark.slow
def test_run_writes_runs_and_manifest(results):
    loaded = read_results(results)
    runs, manifest = loaded.runs, loaded.manifest
    assert len(runs) == 1500 and runs["run_id"].tolist() == list(range(1500))
    for column in [
        "deal",
        "months_to_deal",
        "deal_date",
        "settlement_territory",
        "deal_includes_us_backstop",
        "utility_ukraine",
        "cost_russia",
        "front_end",
        "breakdown",
        "ceasefire",
        "outcome",
        "compromise_territory",
        "front.p_advance",
    ]:
        assert column in runs.columns, column
    assert set(manifest.parameters) <= set(runs.columns)
    assert manifest.seed == 9 and manifest.runs == 1500
    assert manifest.scenario.files[0]["sha256"] == file_sha256(ARTICLE)
    assert {"mesa", "numpy", "python"} <= set(manifest.versions)
    assert manifest.timings["simulate_and_write_seconds"] > 0
    assert manifest.status == "complete" and manifest.chunks_done == [0, 1, 2, 3]
    assert sorted(p.name for p in (results / "runs.parquet").iterdir()) == [f"chunk-00000{i}.parquet" for i in range(4)]


@pytest.mark.slow
def test_same_seed_gives_identical_files_whatever_the_jobs(results, tmp_path):
    again = tmp_path / "again"
    assert (
        main(
            [
                "run",
                str(ARTICLE),
                "--runs",
                "1500",
                "--seed",
                "9",
                "--out",
                str(again),
                "--quiet",
                "--jobs",
                "2",
                "--set",
                "monte_carlo.chunk_runs=400",
            ]
        )
        == 0
    )
    assert shard_hashes(again) == shard_hashes(results)


def test_summary_reads_at_a_glance(results, capsys):
    assert main(["summary", str(results)]) == 0
    text = capsys.readouterr().out
    for phrase in [
        "deal by the horizon (36 months)",
        "deal within 6 months",
        "deal within 12 months",
        "Median months to a deal",
        "territory",
        "US backstop",
        "agreement",
        "fighting_goes_on",
        "compromise",
    ]:
        assert phrase in text, phrase


@pytest.mark.slow
def test_plot_writes_the_figures(results, tmp_path):
    figures = tmp_path / "figures"
    assert main(["plot", str(results), "--out", str(figures), "--history-runs", "200"]) == 0
    names = {p.name for p in figures.iterdir()}
    for name in (
        "outcome_classes",
        "deal_curve",
        "settlement_territory",
        "ecdf_territory",
        "fan_front",
        "fan_proposal_territory",
    ):
        assert {f"{name}.png", f"{name}.svg"} <= names, name
    assert all(p.stat().st_size > 10_000 for p in figures.glob("*.png"))


def test_refuses_a_folder_that_is_not_empty(results, tmp_path, capsys):
    before = shard_hashes(results)
    assert main(["run", str(ARTICLE), "--runs", "10", "--out", str(results), "--quiet"]) == 2
    assert "pass --resume to finish it or --overwrite" in capsys.readouterr().err
    assert shard_hashes(results) == before
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert main(["run", str(ARTICLE), "--runs", "10", "--out", str(other), "--quiet"]) == 2
    assert (other / "notes.txt").read_text() == "mine" and not (other / "runs.parquet").exists()


def test_resume_with_other_settings_is_refused(results, capsys):
    assert (
        main(
            [
                "run",
                str(ARTICLE),
                "--runs",
                "1500",
                "--seed",
                "10",
                "--out",
                str(results),
                "--quiet",
                "--resume",
                "--set",
                "monte_carlo.chunk_runs=400",
            ]
        )
        == 2
    )
    assert "seed: differs from the run being resumed" in capsys.readouterr().err


@pytest.mark.slow
def test_replay_rebuilds_a_run_exactly(results, capsys):
    stored = read_results(results)
    scenario = scenario_of(stored.manifest)
    for run_id in (0, 777, 1499):
        history, outcome = replay_run(scenario, stored.manifest.seed, stored.manifest.runs, run_id)
        expected = stored.runs.loc[run_id]
        assert outcome.index.tolist() == stored.runs.columns.tolist()
        assert all(pd.isna(expected[c]) and pd.isna(outcome[c]) or expected[c] == outcome[c] for c in outcome.index)
        last = history.iloc[-1]
        assert last["front"] == expected["front_end"] and last["cost_ukraine"] == expected["cost_ukraine"]
        months_with_deal = history.loc[history["deal"] | history["broken"], "month"]
        assert (months_with_deal.min() if len(months_with_deal) else float("nan")) == expected[
            "months_to_deal"
        ] or not expected["deal"]
    assert main(["replay", str(results), "777"]) == 0
    text = capsys.readouterr().out
    assert "Run 777" in text and "proposal_territory" in text and "Outcome:" in text
    no_deal = int(stored.runs.loc[~stored.runs["deal"], "run_id"].iloc[0])
    assert main(["replay", str(results), str(no_deal)]) == 0
    assert re.search(r"\ndeal_date +never\n", capsys.readouterr().out.split("Outcome:")[1])
    assert main(["replay", str(results), "1500"]) == 2


def test_plot_of_a_folder_without_results(tmp_path, capsys):
    assert main(["plot", str(tmp_path)]) == 2
    assert "not a results folder" in capsys.readouterr().err


def test_provenance_counts_assumptions(capsys):
    assert main(["provenance", str(ARTICLE)]) == 0
    text = capsys.readouterr().out
    assert "front.regions.contested_donbas.weight" in text and "Moscow currently controls about 75 percent" in text
    assert "rest wholly or partly on an assumption" in text


def test_provenance_csv(capsys):
    assert main(["provenance", str(ARTICLE), "--csv"]) == 0
    table = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert {"parameter", "value", "kind", "source"} <= set(table.columns)


def test_bad_numbers_on_the_command_line(tmp_path):
    for flags in (["--runs", "0"], ["--seed", "-1"], ["--jobs", "0"]):
        assert main(["run", str(ARTICLE), "--out", str(tmp_path / "x"), *flags]) == 2
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "where, expected",
    [
        ("outcome < 5", "cannot compare column 'outcome' < 5.0: text and numbers cannot be ordered"),
        ("(" * 3000 + "deal" + ")" * 3000, "nest more than 50 levels deep"),
    ],
)
def test_a_condition_that_cannot_be_evaluated_is_blamed_on_where(results, tmp_path, capsys, where, expected):
    out = tmp_path / "found"
    assert main(["discover", str(results), "--where", where, "--out", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: --where: cannot evaluate") and expected in error and "Traceback" not in error
    assert not out.exists()


@pytest.mark.parametrize("command", ["run", "sensitivity", "compare"])
def test_a_bad_set_value_is_blamed_on_set_not_the_file(command, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([command, str(ARTICLE), "--set", "front.p_advance=7", "--out", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: --set front.p_advance: ") and ARTICLE.name not in error, error
    assert not out.exists()


def test_a_files_own_problem_is_blamed_on_the_file_whatever_is_set(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {ARTICLE}\nmonte_carlo: {{design: nope}}\n")
    assert main(["sensitivity", str(bad), "--set", "front.p_advance=0.5", "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.startswith(f"error: {bad}: monte_carlo.design")


def test_schema_command_prints_json(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Scenario"


@pytest.mark.slow
def test_module_entry_point():
    done = subprocess.run([sys.executable, "-m", "sim.cli", "validate", str(ARTICLE)], capture_output=True, text=True)
    assert done.returncode == 0 and "ok:" in done.stdout


@pytest.mark.slow
def test_compare_runs_every_model_on_the_same_draws(tmp_path, capsys):
    out = tmp_path / "compare"
    assert (
        main(
            [
                "compare",
                str(ARTICLE),
                "--runs",
                "600",
                "--seed",
                "2",
                "--out",
                str(out),
                "--models",
                "mediator,alternating,compromise,nash,kalai_smorodinsky",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "How far the models disagree" in text and "kalai_smorodinsky" in text
    table = pd.read_csv(out / "comparison.csv").set_index(["issue", "model"])
    assert set(table.index.get_level_values("model")) == {
        "mediator",
        "alternating",
        "compromise",
        "nash",
        "kalai_smorodinsky",
    }
    assert {p.name for p in out.glob("compare_*.png")} >= {"compare_territory.png", "compare_us_backstop.png"}
    from sim import load_scenario
    from sim.experiments.runner import run_models

    tables = run_models(load_scenario(ARTICLE), ["mediator", "compromise"], runs=600, seed=2)
    assert tables["compromise"]["settlement_territory"].equals(
        tables["mediator"]["compromise_territory"].rename("settlement_territory")
    )
    assert table.loc[("territory", "compromise"), "median"] == pytest.approx(
        tables["compromise"]["settlement_territory"].median()
    )


def test_compare_rejects_unknown_models(capsys, tmp_path):
    assert main(["compare", str(ARTICLE), "--models", "mediator,oracle", "--out", str(tmp_path / "c")]) == 2
    assert "oracle" in capsys.readouterr().err and not (tmp_path / "c").exists()


def test_run_with_another_model(tmp_path):
    assert (
        main(
            ["run", str(ARTICLE), "--runs", "300", "--model", "alternating", "--out", str(tmp_path / "alt"), "--quiet"]
        )
        == 0
    )
    assert read_results(tmp_path / "alt").manifest.scenario.resolved["model"]["mechanism"]["kind"] == "alternating"


def test_summary_exports_json_and_csv(results, capsys):
    import io

    assert main(["summary", str(results), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    deal = read_results(results).runs["deal"].mean()
    assert document["headline"]["deal by the horizon (36 months)"]["estimate"] == pytest.approx(deal)
    assert {"headline", "outcome_classes", "settlements", "events"} <= set(document)
    assert main(["summary", str(results), "--csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(table.columns) == ["table", "row", "column", "value"]
    row = table[(table["table"] == "outcome_classes") & (table["row"] == "agreement") & (table["column"] == "estimate")]
    assert row["value"].item() == pytest.approx(document["outcome_classes"]["agreement"]["estimate"])


def test_progress_bars_show_in_a_terminal_or_when_asked(capsys):
    from sim import load_scenario, run_monte_carlo

    scenario = load_scenario(ARTICLE)
    run_monte_carlo(scenario, runs=50, seed=1)
    assert capsys.readouterr().err == "", "standard error is not a terminal here: no bar"
    run_monte_carlo(scenario, runs=50, seed=1, progress=True)
    assert "50/50" in capsys.readouterr().err
