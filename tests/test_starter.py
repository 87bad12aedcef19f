"""`sim init`: a commented scenario that validates and runs as it stands."""

from __future__ import annotations

import pytest

from sim import load_scenario, run_monte_carlo
from sim.cli import main


@pytest.mark.parametrize(
    ("options", "actors", "front"),
    [
        ([], ["side_a", "side_b", "mediator"], False),
        (["--actors", "union,employers", "--issues", "wages,hours,pensions"], ["union", "employers"], False),
        (["--actors", "north,south,broker,donor", "--war"], ["north", "south", "broker", "donor"], True),
    ],
)
def test_init_writes_a_valid_commented_scenario(options, actors, front, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "talks", *options]) == 0
    text = (tmp_path / "talks.yaml").read_text()
    assert text.count("#") > 10 and "assumption:" in text
    scenario = load_scenario(tmp_path / "talks.yaml")
    assert list(scenario.actors) == actors and (scenario.front is not None) == front
    runs = run_monte_carlo(scenario, runs=200, seed=1)
    assert len(runs) == 200 and runs["deal"].any()
    assert "sim run talks.yaml" in capsys.readouterr().out


def test_init_refuses_bad_names_and_keeps_an_existing_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "talks", "--actors", "Union,employers"]) == 2
    assert "--actors: Union" in capsys.readouterr().err and not (tmp_path / "talks.yaml").exists()
    assert main(["init", "talks", "--actors", "solo"]) == 2
    (tmp_path / "talks.yaml").write_text("mine")
    assert main(["init", "talks"]) == 2
    assert "exists already" in capsys.readouterr().err and (tmp_path / "talks.yaml").read_text() == "mine"


def test_the_next_steps_quote_a_file_name_with_a_space(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "peace talks"]) == 0
    assert "`sim run 'peace talks.yaml'`" in capsys.readouterr().out
    assert load_scenario(tmp_path / "peace talks.yaml").actors
