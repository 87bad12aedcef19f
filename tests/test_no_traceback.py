"""Bad input of every kind the toolkit was seen to crash on: one message naming the file or flag, the key and
the problem, exit status 2, no traceback, and nothing left half-written."""

from __future__ import annotations

import errno
import os

import pytest
import yaml
from helpers import ARTICLE, SCENARIOS, two_sided, write_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.errors import ScenarioError
from sim.experiments import runner
from sim.scenario.loading import load_scenario

PARENT = f"extends: {ARTICLE}\n"
FILES = {
    "a list as a key": (PARENT + "? [a, b]\n: 1\n", "a key must be a plain value"),
    "an integer over Python's digit limit": (PARENT + "name: " + "9" * 5000 + "\n", "a value cannot be read"),
    "extends with a NUL byte": ('extends: "a\\0b"\n', "extends: cannot follow"),
    "an actor named no": (PARENT + "actors:\n  no: {capability: 1}\n", "the key False is not text; quote it"),
    "2.6e4, text to YAML 1.1": (PARENT + "monte_carlo: {runs: 2.6e4}\n", "(got '2.6e4'); '2.6e4' is text to YAML 1.1"),
    "a weight too large to sum": (
        PARENT + "actors: {russia: {capability: 1.0e+308}}\n",
        "actors.russia.capability: 1e+308 is too large",
    ),
    "a start date past the calendar": (
        PARENT + "model: {start_date: 9999-06-01}\n",
        "model.start_date: must lie between",
    ),
    "a merge key": (PARENT + "monte_carlo:\n  <<: {runs: 10}\n  design: nope\n", "monte_carlo.design"),
}


@pytest.mark.parametrize("case", FILES)
def test_bad_scenario_files_get_one_message(case, tmp_path, capsys):
    text, expected = FILES[case]
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    out = tmp_path / "out"
    assert main(["run", str(bad), "--runs", "10", "--out", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert "bad.yaml" in error and expected in error and "Traceback" not in error, error
    assert not out.exists()


def test_extends_through_a_symlink_loop(tmp_path, capsys):
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: loop.yaml\n")
    assert main(["validate", str(bad)]) == 2
    assert "extends: cannot follow 'loop.yaml'" in capsys.readouterr().err


def test_a_merge_key_merges(tmp_path):
    merged = tmp_path / "merged.yaml"
    merged.write_text(PARENT + "monte_carlo:\n  <<: {runs: 10, seed: 7}\n  seed: 8\n")
    scenario = load_scenario(merged)
    assert (scenario.monte_carlo.runs, scenario.monte_carlo.seed) == (10, 8)


def test_a_source_document_that_is_not_utf8(article_raw, tmp_path, capsys):
    (tmp_path / "article.txt").write_bytes(b"\xff\xfe not UTF-8 \x80")
    article_raw["document"] = "article.txt"
    scenario = write_yaml(tmp_path / "s.yaml", article_raw)
    assert main(["provenance", str(scenario)]) == 0
    assert "Quotes checked against article.txt: 0 of" in capsys.readouterr().out


PORT = str(SCENARIOS / "port_strike_2024.yaml")
LAUGHS = "[" + ", ".join(f"&{chr(98 + k)} [{', '.join([f'*{chr(97 + k)}'] * 9)}]" for k in range(8)) + "]"
"""A value whose aliases repeat aliases nine times over, eight levels deep: 9^8 values once expanded."""
FLAGS = {
    "--runs 10^12": (["run", str(ARTICLE), "--runs", str(10**12)], "--runs: must be between 1 and 1,000,000,000"),
    "--runs 10^9 in chunks of 10,000": (
        ["run", str(ARTICLE), "--runs", str(10**9)],
        "needs 100,000 chunks of 10,000 runs",
    ),
    "--memory too small": (["run", str(ARTICLE), "--memory", "0.2"], "--memory: 0.2: too little for one run"),
    "--jobs 1000": (["run", str(ARTICLE), "--jobs", "1000"], "--jobs: must be between 1 and"),
    "--depth 0": (["discover", "x", "deal_within_12_months", "--depth", "0"], "--depth: must be between 1 and 32"),
    "--history-runs -1": (["plot", "x", "--history-runs", "-1"], "--history-runs: must be between 0 and"),
    "--base-runs 0": (["sensitivity", str(ARTICLE), "--base-runs", "0"], "--base-runs: must be between 1 and"),
    "--set a recursive alias": (
        ["run", PORT, "--set", "actors.ila.capability=&a [*a]"],
        "--set actors.ila.capability: nested more than 64 levels deep",
    ),
    "--set a billion laughs": (
        ["run", PORT, "--set", f"description=[&a [x, x, x, x, x, x, x, x, x], {LAUGHS}]"],
        "--set description: expands to more than",
    ),
    "--set extends": (["run", PORT, "--set", "extends=/etc/passwd"], "--set extends: not a value of the scenario"),
    "--memory nan": (["run", PORT, "--memory", "nan"], "--memory: must be a positive finite number (got nan)"),
    "--memory inf": (["run", PORT, "--memory", "inf"], "--memory: must be a positive finite number (got inf)"),
    "--until-ci nan": (["run", PORT, "--until-ci", "nan"], "--until-ci: must be between 0 and 1"),
    "--questions without --log": (["run", PORT, "--questions", "q.yaml"], "--questions: goes with --log"),
    "--max-runs without --until-ci": (["run", PORT, "--max-runs", "5"], "--max-runs: goes with --until-ci"),
    "--max-runs below --runs": (
        ["run", PORT, "--runs", "1000", "--until-ci", "0.1", "--max-runs", "5"],
        "--max-runs: must be at least --runs (1,000; got 5)",
    ),
    "--threshold nan": (["discover", "x", "--where", "deal", "--threshold", "nan"], "--threshold: must be above 0"),
    "--threshold 5": (["discover", "x", "--where", "deal", "--threshold", "5"], "at most 1 (the share of a box's"),
    "--threshold -1": (["discover", "x", "--where", "deal", "--threshold", "-1"], "--threshold: must be above 0"),
    "--months-fought nan": (["reference-class", "--months-fought", "nan"], "--months-fought: must be a finite"),
    "--months-fought inf": (["reference-class", "--months-fought", "inf"], "--months-fought: must be a finite"),
    "--months-fought -5": (["reference-class", "--months-fought", "-5"], "zero or more (got -5)"),
    "--base-runs past memory": (
        ["sensitivity", PORT, "--base-runs", str(10**7)],
        "--base-runs: 10,000,000: makes 200,037,000 runs (10,000,000 x (18 parameters + 2), and 37,000 for the",
    ),
    "two scenarios of one name": (["compare-scenarios", str(ARTICLE), str(ARTICLE)], "two files have this name"),
    "a folder that is not there": (["summary", "no/such/folder"], "no/such/folder: no such folder"),
}


@pytest.mark.parametrize("case", FLAGS)
def test_bad_flags_get_one_message(case, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv, expected = FLAGS[case]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert expected in error and "Traceback" not in error, error
    assert not (tmp_path / "results").exists()


def test_output_paths_that_cannot_be_made(tmp_path, capsys):
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "at-all")
    for out, expected in (
        (tmp_path / "dangling", "it is a link to nothing"),
        (tmp_path / ("x" * 300), "File name too long"),
        ("/proc/no/such", "cannot make the results folder here"),
    ):
        assert main(["run", str(ARTICLE), "--runs", "10", "--out", str(out), "--quiet"]) == 2
        assert expected in capsys.readouterr().err


def test_a_full_disk_mid_run_leaves_a_resumable_folder(tmp_path, monkeypatch, capsys):
    from sim.experiments import folder_runs, results

    folder, written = tmp_path / "full", []
    real = folder_runs.write_shard

    def fill_up(folder_, chunk, table):
        if written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(results.shard_path(folder_, chunk.index)))
        written.append(chunk.index)
        return real(folder_, chunk, table)

    monkeypatch.setattr(folder_runs, "write_shard", fill_up)
    argv = [
        "run",
        str(ARTICLE),
        "--runs",
        "2000",
        "--set",
        "monte_carlo.chunk_runs=1000",
        "--out",
        str(folder),
        "--quiet",
    ]
    assert main(argv) == 2
    assert "No space left on device" in capsys.readouterr().err
    monkeypatch.setattr(folder_runs, "write_shard", real)
    assert main([*argv, "--resume"]) == 0 and main(["verify", str(folder)]) == 0


def test_an_unreachable_dask_scheduler_is_refused_before_anything_is_written(tmp_path, monkeypatch, capsys):
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr(runner, "SCHEDULER_TIMEOUT", 1)
    out = tmp_path / "out"
    argv = [
        "run",
        str(ARTICLE),
        "--runs",
        "10",
        "--backend",
        "dask",
        "--scheduler",
        "tcp://127.0.0.1:9",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert "--scheduler: tcp://127.0.0.1:9: cannot reach a Dask scheduler" in error and "Traceback" not in error
    assert not out.exists()


@pytest.mark.slow
def test_a_dollar_in_units_is_drawn_as_written(tmp_path):
    raw = two_sided(0.6, 0.5, 0.05, horizon=6)
    raw["issues"]["share"]["units"] = "$ of x^$"  # mathematics matplotlib cannot parse, were it read as such
    scenario = write_yaml(tmp_path / "dollars.yaml", raw)
    assert main(["run", str(scenario), "--runs", "200", "--out", str(tmp_path / "r"), "--quiet"]) == 0
    assert main(["plot", str(tmp_path / "r"), "--history-runs", "0"]) == 0
    assert (tmp_path / "r" / "figures" / "settlement_share.svg").is_file()


_SCALARS = st.one_of(st.booleans(), st.integers(-(10**30), 10**30), st.floats(), st.text(max_size=8), st.none())
_KEYS = st.one_of(
    st.sampled_from(["name", "actors", "issues", "model", "monte_carlo", "front", "runs", "seed", "no"]),
    st.integers(0, 3),
    st.booleans(),
)
_TREES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=12,
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(_KEYS, _TREES, max_size=5))
def test_any_mapping_loads_or_gets_a_scenario_error(tmp_path, document):
    path = tmp_path / "any.yaml"
    path.write_text(f"extends: {ARTICLE}\n" + yaml.safe_dump(document))
    try:
        load_scenario(path)
    except ScenarioError as error:
        assert str(error).startswith(str(path))
