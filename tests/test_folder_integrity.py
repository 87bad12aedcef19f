"""Results folders cannot be corrupted silently: one writer at a time, every reader verifies, clean stops."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from helpers import ARTICLE, shard_hashes

from sim.cli import main, parser
from sim.cli.runs import stop_message
from sim.errors import ScenarioError, Stopped
from sim.experiments.folder_lock import LOCK_FILE, locked
from sim.experiments.folder_runs import run_to_folder
from sim.experiments.results import read_results, write_atomically
from sim.experiments.runner import plan_run
from sim.scenario.loading import load_scenario

RUN = ["run", str(ARTICLE), "--runs", "3000", "--seed", "2", "--set", "monte_carlo.chunk_runs=1000", "--quiet"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Two finished folders: seed 2 and seed 5, three shards each."""
    base = tmp_path_factory.mktemp("made")
    assert main([*RUN, "--out", str(base / "seed2")]) == 0
    assert main([*RUN[:5], "5", *RUN[6:], "--out", str(base / "seed5")]) == 0
    return base


@pytest.fixture
def folder(made, tmp_path):
    copy = tmp_path / "runs"
    shutil.copytree(made / "seed2", copy)
    return copy


def _manifest(folder):
    return json.loads((folder / "manifest.json").read_text())


def _doctor_manifest(folder, **changes):
    manifest = _manifest(folder) | changes
    (folder / "manifest.json").write_text(json.dumps(manifest))


DAMAGE = {
    "a shard deleted": (
        lambda f, made: (f / "runs.parquet/chunk-000001.parquet").unlink(),
        "chunk-000001.parquet: is missing",
    ),
    "a stray copy of a shard": (
        lambda f, made: shutil.copy(f / "runs.parquet/chunk-000001.parquet", f / "runs.parquet/copy.parquet"),
        "copy.parquet: is not listed",
    ),
    "a shard from another seed": (
        lambda f, made: shutil.copy(
            made / "seed5/runs.parquet/chunk-000002.parquet", f / "runs.parquet/chunk-000002.parquet"
        ),
        "SHA-256 does not match",
    ),
    "a truncated shard": (
        lambda f, made: os.truncate(f / "runs.parquet/chunk-000000.parquet", 100),
        "SHA-256 does not match",
    ),
    "more runs claimed": (
        lambda f, made: _doctor_manifest(f, runs=4000, requested_runs=4000, chunks_total=4),
        "chunk-000003.parquet",
    ),
    "a foreign manifest": (lambda f, made: (f / "manifest.json").write_text('{"status": "complete"}'), "written_by"),
    "a manifest that is not JSON": (
        lambda f, made: (f / "manifest.json").write_text("{\x00"),
        "cannot be read as JSON",
    ),
    "a manifest with a text seed": (lambda f, made: _doctor_manifest(f, seed="<script>"), "seed: expected int"),
    "an unfinished run": (lambda f, made: _doctor_manifest(f, status="running"), "unfinished run"),
    "an invalid scenario": (
        lambda f, made: _doctor_manifest(f, scenario=_manifest(f)["scenario"] | {"resolved": {"actors": "none"}}),
        "manifest.json: scenario.resolved",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize(
    "command", [["verify"], ["summary"], ["plot", "--history-runs", "0"], ["discover", "--where", "deal"]]
)
def test_every_reader_refuses_a_damaged_folder_naming_what_is_wrong(made, folder, damage, command, capsys):
    harm, expected = DAMAGE[damage]
    harm(folder, made)
    assert main([command[0], str(folder), *command[1:]]) == 2
    error = capsys.readouterr().err
    assert expected in error and "Traceback" not in error
    assert not (folder / "figures").exists() and not (folder / "discovery").exists()


def test_verify_passes_a_sound_folder_and_read_results_checks_run_ids(folder, capsys):
    assert main(["verify", str(folder)]) == 0
    assert "3,000 runs in 3 shards" in capsys.readouterr().out
    assert read_results(folder, columns=["run_id"]).runs["run_id"].tolist() == list(range(3000))


def test_resume_recomputes_a_corrupt_shard_to_the_same_bytes(made, folder):
    (folder / "runs.parquet/chunk-000001.parquet").write_bytes(b"not parquet")
    (folder / "runs.parquet/.chunk-000002.parquet.123-ab.partial").write_bytes(b"left by a crash")
    _doctor_manifest(folder, status="running")
    assert main([*RUN, "--out", str(folder), "--resume", "--quiet"]) == 0
    assert shard_hashes(folder) == shard_hashes(made / "seed2")
    assert not list((folder / "runs.parquet").glob(".*"))
    assert main(["verify", str(folder)]) == 0


@pytest.mark.slow
def test_overwrite_replaces_results_and_everything_derived_from_them(folder):
    assert main(["report", str(folder), "--history-runs", "0"]) == 0
    (folder / "figures").mkdir()
    (folder / "discovery").mkdir()
    assert main([*RUN[:5], "9", *RUN[6:], "--out", str(folder), "--overwrite"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted([LOCK_FILE, "manifest.json", "runs.parquet"])
    assert _manifest(folder)["seed"] == 9 and main(["verify", str(folder)]) == 0


@pytest.mark.parametrize(
    "contents", [{"manifest.json": "{}"}, {"manifest.json": "[1, 2]"}, {"notes.txt": "mine"}, {"runs.parquet": None}]
)
def test_overwrite_refuses_a_folder_sim_did_not_write(tmp_path, contents, capsys):
    folder = tmp_path / "theirs"
    folder.mkdir()
    for name, text in contents.items():
        (folder / name).write_text(text) if text is not None else (folder / name).mkdir()
    assert main([*RUN, "--out", str(folder), "--overwrite"]) == 2
    assert "--overwrite replaces only" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir() if p.name != LOCK_FILE) == sorted(contents)


def test_verify_checks_the_scenario_a_folder_records_and_names_its_manifest(folder, capsys):
    manifest = _manifest(folder)
    manifest["scenario"]["resolved"]["actors"] = "none"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert main(["verify", str(folder)]) == 2
    assert f"{folder / 'manifest.json'}: scenario.resolved: actors:" in capsys.readouterr().err


def test_overwrite_refuses_results_beside_files_sim_did_not_write(folder, capsys):
    (folder / "notes.txt").write_text("mine")
    before = shard_hashes(folder)
    assert main([*RUN[:5], "9", *RUN[6:], "--out", str(folder), "--overwrite"]) == 2
    assert "notes.txt: was not written by sim" in capsys.readouterr().err
    assert shard_hashes(folder) == before and (folder / "notes.txt").read_text() == "mine"


def _contents(folder):
    """A folder's files with their bytes (None for no folder)."""
    return (
        {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()} if folder.exists() else None
    )


def _stop_after_one_chunk(runs):
    if runs:
        raise Stopped(signal.SIGTERM)


@pytest.mark.parametrize("existing", [True, False])
def test_a_stopped_overwrite_leaves_the_folder_as_it_was(folder, existing):
    """The new run is built in a hidden folder beside the old one and takes its place only once complete."""
    if not existing:
        shutil.rmtree(folder)
    before = _contents(folder)
    scenario = load_scenario(ARTICLE, {"monte_carlo.chunk_runs": 1000})
    with pytest.raises(Stopped):
        run_to_folder(plan_run(scenario, runs=3000, seed=9), folder, overwrite=True, on_chunk=_stop_after_one_chunk)
    assert _contents(folder) == before
    assert sorted(p.name for p in folder.parent.iterdir()) == (["runs"] if existing else [])
    args = parser().parse_args([*RUN, "--out", str(folder), "--overwrite"])
    message = stop_message(args, "SIGTERM")
    assert f"the new run was discarded and {folder} left as it was" in message and "--resume" not in message


def test_an_overwrite_clears_what_one_killed_outright_left_beside_the_folder(folder):
    """A SIGKILL leaves the hidden run it was building; the next overwrite removes it, but not one still being
    written by another command."""
    left = folder.parent / f".{folder.name}.999-dead.partial"
    busy = folder.parent / f".{folder.name}.998-busy.partial"
    for stage in (left, busy):
        (stage / "runs.parquet").mkdir(parents=True)
    scenario = load_scenario(ARTICLE, {"monte_carlo.chunk_runs": 1000})
    with locked(busy):
        run_to_folder(plan_run(scenario, runs=1000, seed=9), folder, overwrite=True)
    assert not left.exists() and busy.exists()
    assert read_results(folder, columns=["run_id"]).runs["run_id"].tolist() == list(range(1000))


@pytest.mark.parametrize(
    "command, target",
    [
        (["run", str(ARTICLE), "--runs", "1000", "--quiet", "--out"], "seed2/runs.parquet/x"),
        (["run", str(ARTICLE), "--runs", "1000", "--quiet", "--out"], "seed2/more"),
        (["plot", "seed5", "--history-runs", "0", "--quiet", "--out"], "seed2/runs.parquet"),
        (["plot", "seed5", "--history-runs", "0", "--quiet", "--out"], "seed2/figures"),
        (["plot", "seed2", "--history-runs", "0", "--quiet", "--out"], "seed2/runs.parquet"),
        (["report", "seed5", "--history-runs", "0", "--quiet", "--out"], "seed2/runs.parquet/r.html"),
        (["discover", "seed5", "deal", "--quiet", "--out"], "seed2/runs.parquet/d"),
        (["schema", "--out"], "seed2/runs.parquet/s.json"),
    ],
)
def test_no_output_lands_inside_another_results_folder(made, tmp_path, monkeypatch, command, target, capsys):
    for name in ("seed2", "seed5"):
        shutil.copytree(made / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    assert main([*command, target]) == 2
    assert f"--out: {target}: would write into the results folder seed2" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "seed2").iterdir()) == [LOCK_FILE, "manifest.json", "runs.parquet"]
    assert main(["verify", "seed2"]) == 0


def test_the_schema_replaces_only_a_json_file(tmp_path, capsys):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("a: 1\n")
    assert main(["schema", "--out", str(scenario)]) == 2
    assert "exists and is not a .json file" in capsys.readouterr().err and scenario.read_text() == "a: 1\n"
    assert main(["schema", "--out", str(tmp_path / "schema.json")]) == 0


def test_a_write_error_names_the_file_asked_for_not_its_temporary(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(ScenarioError, match=r"taken: cannot be written: Is a directory") as error:
        write_atomically(tmp_path / "taken", lambda temporary: temporary.write_text("x"))
    assert ".partial" not in str(error.value)


@pytest.mark.parametrize("command", [["run", "--overwrite"], ["run", "--resume"], ["report"], ["plot"], ["summary"]])
def test_a_second_comer_is_refused_while_a_folder_is_being_written(folder, command, capsys):
    arguments = [*RUN, "--out", str(folder), *command[1:]] if command[0] == "run" else [command[0], str(folder)]
    before = shard_hashes(folder)
    with locked(folder):
        assert main(arguments) == 2
    assert "another sim command (process" in capsys.readouterr().err
    assert shard_hashes(folder) == before and not (folder / "report.html").exists()


def test_a_lock_left_by_a_killed_command_does_not_block(folder):
    (folder / LOCK_FILE).write_text("999999999")
    assert main([*RUN, "--out", str(folder), "--overwrite"]) == 0


@pytest.mark.slow
def test_two_overwrites_at_once_leave_one_whole_run(made, tmp_path):
    folder = tmp_path / "race"
    commands = [
        [sys.executable, "-m", "sim.cli", *RUN[:5], seed, *RUN[6:], "--out", str(folder), "--overwrite"]
        for seed in ("2", "5")
    ]
    processes = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for c in commands]
    outcomes = [(p.wait(), p.stderr.read()) for p in processes]
    assert any(code == 0 for code, _ in outcomes), outcomes
    for code, error in outcomes:
        assert code == 0 or (code == 2 and "another sim command" in error and "Traceback" not in error)
    seed = _manifest(folder)["seed"]
    assert shard_hashes(folder) == shard_hashes(made / f"seed{seed}")
    assert main(["verify", str(folder)]) == 0


def _children(pid):
    return [
        int(c)
        for task in os.listdir(f"/proc/{pid}/task")
        for c in open(f"/proc/{pid}/task/{task}/children").read().split()
    ]


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.2, 0.5, 0.8])
def test_ctrl_c_in_one_process_stops_between_chunks_and_the_run_resumes(tmp_path, delay):
    """With the default single process and chunks, SIGINT often lands inside compiled code (which reported it as a
    SystemError): it is noted, the chunk under way is written, and the command exits with 130 and a line on how to
    resume, never a traceback."""
    folder = tmp_path / "interrupted"
    command = [sys.executable, "-m", "sim.cli", "run", str(ARTICLE), "--runs", "40000", "--seed", "2", "--quiet"]
    process = subprocess.Popen([*command, "--out", str(folder)], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if _manifest(folder)["chunks_done"]:
                break
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.01)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    try:
        error = process.communicate(timeout=60)[1]
    finally:
        process.kill()
    assert process.returncode == 130, error
    assert "Traceback" not in error and error.strip().splitlines()[-1].startswith("stopped by SIGINT")
    assert 1 <= len(_manifest(folder)["chunks_done"]) < 4
    assert main([*command[3:], "--out", str(folder), "--resume"]) == 0
    assert read_results(folder, columns=["run_id"]).runs["run_id"].tolist() == list(range(40000))


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")
@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGKILL, -9)])
def test_a_stopped_run_leaves_no_worker_behind_and_resumes(tmp_path, signum, code):
    folder = tmp_path / "stopped"
    command = [
        sys.executable,
        "-m",
        "sim.cli",
        "run",
        str(ARTICLE),
        "--runs",
        "400000",
        "--seed",
        "2",
        "--jobs",
        "2",
        "--set",
        "monte_carlo.chunk_runs=1000",
        "--out",
        str(folder),
        "--quiet",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if len(_manifest(folder)["chunks_done"]) >= 2:
                break
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.02)
    workers = _children(process.pid)
    assert len(workers) >= 2
    process.send_signal(signum)
    try:
        error = process.communicate(timeout=60)[1]
    finally:
        process.kill()  # a no-op unless it hung
    assert process.returncode == code
    if signum != signal.SIGKILL:
        assert "Traceback" not in error and error.strip().splitlines()[-1].startswith(f"stopped by {signum.name}")
        assert "--resume" in error
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)]
    assert main(["verify", str(folder)]) == 2
    assert main([*RUN, "--out", str(folder), "--resume"]) == 2  # a different run: refused, nothing lost
    assert len(_manifest(folder)["chunks_done"]) >= 2


def test_discover_where_reaches_no_python(folder, tmp_path, capsys):
    marker = tmp_path / "ran"
    for where in (f"@pd.io.common.os.system('touch {marker}')", f"deal and __import__('os').system('touch {marker}')"):
        assert main(["discover", str(folder), "--where", where]) == 2
        assert "cannot evaluate" in capsys.readouterr().err
    assert not marker.exists()
