"""Where the real data is found: ``--data``, then the environment variable, then ``shared/data`` beside the checkout
(or beside the working directory in a regular install)."""

from __future__ import annotations

import pytest

from sim.backtests import data_folder, deu
from sim.backtests.data_folder import ENVIRONMENT_VARIABLE, data_dir, data_file
from sim.cli import main
from sim.errors import ScenarioError


def _data(root, folder: str = "deu3"):
    """A data folder at ``root`` holding ``folder/``; returns ``root``."""
    (root / folder).mkdir(parents=True)
    return root


@pytest.fixture
def places(tmp_path, monkeypatch):
    """A checkout with shared/data beside it, a working directory's project with its own, and the flag's and the
    environment's folders; nothing set yet."""
    checkout = tmp_path / "checkout" / "negotiation-sim"
    checkout.mkdir(parents=True)
    project = tmp_path / "elsewhere" / "project"
    project.mkdir(parents=True)
    monkeypatch.setattr(data_folder, "source_checkout", lambda: checkout)
    monkeypatch.chdir(project)
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    return {
        "checkout": _data(tmp_path / "checkout" / "shared" / "data"),
        "cwd": _data(tmp_path / "elsewhere" / "shared" / "data"),
        "flag": _data(tmp_path / "flag"),
        "environment": _data(tmp_path / "environment"),
    }


def test_the_flag_then_the_environment_then_the_checkout_then_the_working_directory(places, monkeypatch):
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(places["environment"]))
    assert data_dir(places["flag"], "deu3") == places["flag"]
    assert data_dir(None, "deu3") == places["environment"]
    monkeypatch.delenv(ENVIRONMENT_VARIABLE)
    assert data_dir(None, "deu3") == places["checkout"]
    (places["checkout"] / "deu3").rmdir()
    assert data_dir(None, "deu3") == places["cwd"]


def test_a_regular_install_has_no_checkout_and_looks_beside_the_working_directory(places, monkeypatch):
    monkeypatch.setattr(data_folder, "source_checkout", lambda: None)
    assert data_folder.default_dirs() == [places["cwd"].resolve()]
    assert data_dir(None, "deu3") == places["cwd"].resolve()


def test_the_source_tree_is_a_checkout_here():
    checkout = data_folder.source_checkout()
    assert checkout is not None and (checkout / "sim" / "backtests" / "data_folder.py").is_file()


@pytest.mark.usefixtures("places")
def test_a_flag_or_variable_that_names_no_data_folder_is_refused_not_passed_over(monkeypatch, tmp_path):
    with pytest.raises(ScenarioError, match="--data: holds no deu3/ folder"):
        data_dir(tmp_path / "nowhere", "deu3")
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path / "nowhere"))
    with pytest.raises(ScenarioError, match=f"{ENVIRONMENT_VARIABLE}: holds no deu3/ folder"):
        data_dir(None, "deu3")
    monkeypatch.delenv(ENVIRONMENT_VARIABLE)
    with pytest.raises(ScenarioError, match=f"data not found: pass --data DIR or set {ENVIRONMENT_VARIABLE}"):
        data_dir(None, "ktab-china-soe")


def test_a_data_file_is_the_flag_itself_or_found_in_the_data_folder(places):
    assert data_file(places["flag"] / "mine.csv", "deu3", "deu3.csv") == places["flag"] / "mine.csv"
    assert data_file(places["flag"], "deu3", "deu3.csv") == places["flag"] / "deu3" / "deu3.csv"
    assert data_file(None, "deu3", "deu3.csv") == places["checkout"] / "deu3" / "deu3.csv"


def test_the_backtest_reads_its_file_from_the_environments_folder(places, monkeypatch, capsys):
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(places["environment"]))
    assert main(["backtest", "deu"]) == 2
    assert f"{places['environment'] / deu.FOLDER / deu.FILE}: file not found" in capsys.readouterr().err
    assert main(["backtest", "ktab"]) == 2
    assert f"{ENVIRONMENT_VARIABLE}: holds no ktab-china-soe/ folder" in capsys.readouterr().err
