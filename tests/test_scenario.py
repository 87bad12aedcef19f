"""Loading scenarios: the schema, extends, changes, and a clear message for every kind of bad input."""

from __future__ import annotations

import copy

import pytest
from helpers import ARTICLE, ROOT, SCENARIOS, mutate, write_yaml

from sim import ScenarioError, load_scenario
from sim.cli import main
from sim.scenario.schema import schema_json


def test_schema_file_is_current():
    assert (SCENARIOS / "schema.json").read_text() == schema_json(), "run: sim schema --out scenarios/schema.json"


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenario_validates(path):
    scenario = load_scenario(path)
    assert scenario.uncertain_parameters()


def test_every_number_of_the_article_scenario_is_sourced():
    from sim.scenario.provenance import provenance

    table = provenance(load_scenario(ARTICLE))
    assert (table["kind"] != "unsourced").all(), table.loc[table["kind"] == "unsourced", "parameter"].tolist()
    checked = table["quote_found"].dropna()
    if (ROOT.parent / "shared" / "seed").is_dir():
        assert len(checked) > 20 and checked.all()


def test_extends_changes_only_what_it_names():
    base = load_scenario(ARTICLE)
    variant = load_scenario(SCENARIOS / "ukraine_offensive_stalls.yaml")
    assert variant.front.p_advance != base.front.p_advance
    assert variant.front.regions == base.front.regions and variant.actors == base.actors
    assert [p.name for p in variant.files] == ["ukraine_offensive_stalls.yaml", ARTICLE.name]


def test_null_in_a_variant_removes_a_key():
    variant = load_scenario(SCENARIOS / "ukraine_2026_02.yaml")
    assert "plan_presented_to_russia" in load_scenario(ARTICLE).events and not variant.events
    assert variant.actors["russia"].reservation_utility is None


def test_changes_by_dotted_key():
    changed = load_scenario(ARTICLE, {"front.p_advance": 0.5, "model.horizon_rounds": 12})
    assert changed.front.p_advance.value == 0.5 and changed.model.horizon_rounds == 12


BAD = {
    "unknown key": (["actors", "russia", "colour"], "red", "actors.russia.colour", "unknown key"),
    "wrong type": (
        ["actors", "russia", "issues", "territory", "salience"],
        "high",
        "actors.russia.issues.territory.salience",
        "expected a number",
    ),
    "out of range": (["front", "p_advance"], 1.5, "front.p_advance", "[0, 1]"),
    "impossible distribution": (
        ["front", "step"],
        {"dist": "uniform", "low": 0.9, "high": 0.1},
        "front.step",
        "low < high",
    ),
    "unknown distribution": (
        ["front", "step"],
        {"dist": "lognormall", "mu": 0},
        "front.step",
        "unknown distribution 'lognormall' (did you mean 'lognormal'?)",
    ),
    "misspelt key": (
        ["actors", "russia", "capabilty"],
        0.3,
        "actors.russia.capabilty",
        "unknown key (did you mean 'capability'?)",
    ),
    "source without its colon": (
        ["front", "step", "source"],
        "assumption",
        "front.step.source",
        "a source begins with line N:, fact:, assumption:",
    ),
    "old and new name of a key": (
        ["actors", "russia", "war_cost"],
        {"per_round": 0.01},
        "actors.russia.war_cost",
        "give delay_cost only",
    ),
    "undefined actor": (["front", "side"], "poland", "front.side", "unknown actor 'poland'"),
    "undefined issue": (
        ["actors", "ukraine", "issues", "territorry"],
        {"position": 0.5, "salience": 0.1},
        "actors.ukraine.issues.territorry",
        "unknown issue",
    ),
    "missing issue": (
        ["actors", "ukraine", "issues", "territory"],
        KeyError,
        "actors.ukraine.issues",
        "missing issue 'territory'",
    ),
    "position off scale": (
        ["actors", "ukraine", "issues", "guarantee_years", "position"],
        60,
        "actors.ukraine.issues.guarantee_years.position",
        "scale [0, 50]",
    ),
    "missing key": (["model", "start_date"], KeyError, "model.start_date", "missing required key"),
    "infinite": (["actors", "russia", "capability"], float("inf"), "actors.russia.capability", "finite"),
    "red line min above max": (
        ["actors", "ukraine", "issues", "us_backstop", "red_line"],
        {"min": 0.9, "max": 0.2},
        "actors.ukraine.issues.us_backstop.red_line",
        "min (0.9) is above max (0.2): no value meets both",
    ),
    "drawn red line min above max": (
        ["actors", "ukraine", "issues", "us_backstop", "red_line"],
        {"min": {"dist": "uniform", "low": 0.6, "high": 0.9}, "max": {"dist": "choice", "values": [0.2, 0.5]}},
        "actors.ukraine.issues.us_backstop.red_line",
        "min is above max whatever is drawn (min >= 0.6 > 0.5 >= max)",
    ),
    "flag bound not a number": (
        ["flags", "us_backstop", "at_least"],
        float("nan"),
        "flags.us_backstop.at_least",
        "finite",
    ),
    "flag bounds crossed": (
        ["flags", "us_backstop"],
        {"issue": "us_backstop", "at_least": 0.9, "at_most": 0.1},
        "flags.us_backstop",
        "at_least (0.9) is above at_most (0.1)",
    ),
    "flag bound off scale": (["flags", "us_backstop", "at_least"], 5.0, "flags.us_backstop.at_least", "scale [0, 1]"),
    "fighting since after the start": (
        ["reference_class", "fighting_since"],
        "2030-01-01",
        "reference_class.fighting_since",
        "must not come after model.start_date (2026-01-06)",
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_scenarios_get_one_clear_message(case, article_raw, tmp_path, capsys):
    keys, value, key_path, expected = BAD[case]
    bad = write_yaml(tmp_path / "bad.yaml", mutate(copy.deepcopy(article_raw), keys, value))
    out = tmp_path / "out"
    assert main(["run", str(bad), "--runs", "10", "--out", str(out), "--quiet"]) == 2
    message = capsys.readouterr().err
    assert "bad.yaml" in message and key_path in message and expected in message, message
    assert "Traceback" not in message
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [unclosed\n", "invalid YAML: line"),
        ("- just\n- a list\n", "expected a mapping"),
        ("name: a\nname: b\n", "appears twice"),
    ],
    ids=["bad yaml", "not a mapping", "duplicate key"],
)
def test_unreadable_files(text, expected, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    assert main(["validate", str(bad)]) == 2
    message = capsys.readouterr().err
    assert "bad.yaml" in message and expected in message and "Traceback" not in message


def test_bad_utf8_and_missing_file(tmp_path, capsys):
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("name: caf\xe9\n".encode("latin-1"))
    assert main(["validate", str(bad), str(tmp_path / "nowhere.yaml")]) == 2
    message = capsys.readouterr().err
    assert "latin.yaml: not valid UTF-8" in message and "nowhere.yaml: file not found" in message


@pytest.mark.parametrize(
    ("keys", "value", "problems"),
    [
        (
            ["model", "mechanism"],
            {"kind": "mediator", "mediater": "united_states"},
            [
                ("model.mechanism.mediator", "missing required key"),
                ("model.mechanism.mediater", "unknown key (did you mean 'mediator'?)"),
            ],
        ),
        (
            ["model", "mechanism"],
            {"kind": "alternating", "lookahed": 3},
            [("model.mechanism.lookahed", "unknown key (did you mean 'lookahead'?)")],
        ),
        (
            ["actors", "ukraine", "capability"],
            {"dist": "uniform", "low": 0.1, "high": 0.2, "mean": 0.15},
            [
                (
                    "actors.ukraine.capability.mean",
                    "unknown key: 'mean' is not a parameter of uniform (it takes low, high, and a source)",
                )
            ],
        ),
        (
            ["actors", "ukraine", "capability"],
            {"dist": "uniform", "low": 0.1, "high": 0.2, "value": 0.15},
            [
                (
                    "actors.ukraine.capability.value",
                    "unknown key: 'value' is not a parameter of uniform (it takes low, high, and a source); "
                    "a number is either a constant {value: ...} or a distribution {dist: ...}, not both",
                )
            ],
        ),
        (
            ["front", "regions", "normal"],
            {"initial": 1.5, "weight": 1.0},
            [("front.regions.normal.initial", "values must lie in [0, 1], but this can take [1.5, 1.5] (got 1.5)")],
        ),
    ],
    ids=["missing mediator", "misspelt lookahead", "not a parameter", "value and dist", "region named as a dist"],
)
def test_problems_name_the_keys_as_written(keys, value, problems, article_raw, tmp_path):
    bad = write_yaml(tmp_path / "bad.yaml", mutate(article_raw, keys, value))
    with pytest.raises(ScenarioError) as error:
        load_scenario(bad)
    assert error.value.problems == problems


def test_a_chain_of_extends_is_refused_where_it_grows_too_long(tmp_path):
    for k in range(40):
        parent = f"chain_{k + 1}.yaml" if k < 39 else str(ARTICLE)
        write_yaml(tmp_path / f"chain_{k}.yaml", {"extends": parent})
    assert load_scenario(tmp_path / "chain_9.yaml").files[-1] == ARTICLE
    with pytest.raises(ScenarioError) as error:
        load_scenario(tmp_path / "chain_0.yaml")
    assert str(error.value) == (
        f"{tmp_path / 'chain_31.yaml'}: extends: more than 32 files in a chain of extends (counting from chain_0.yaml)"
    )


def test_a_directory_is_not_a_scenario(tmp_path, capsys):
    (tmp_path / "folder").mkdir()
    write_yaml(tmp_path / "variant.yaml", {"extends": "folder"})
    assert main(["validate", str(tmp_path / "folder"), str(tmp_path / "variant.yaml")]) == 2
    message = capsys.readouterr().err
    assert f"{tmp_path / 'folder'}: is a directory, not a file" in message
    assert "variant.yaml: extends: is a directory, not a file: folder" in message


def test_extends_cycles_and_missing_parents(tmp_path):
    write_yaml(tmp_path / "self.yaml", {"extends": "self.yaml", "name": "x"})
    write_yaml(tmp_path / "a.yaml", {"extends": "b.yaml"})
    write_yaml(tmp_path / "b.yaml", {"extends": "a.yaml"})
    write_yaml(tmp_path / "orphan.yaml", {"extends": "missing.yaml"})
    cases = [
        ("self", "self", "cycle: self.yaml -> self.yaml"),
        ("a", "b", "cycle: a.yaml -> b.yaml -> a.yaml"),
        ("orphan", "orphan", "file not found: missing.yaml"),
    ]
    for name, closing_file, expected in cases:
        with pytest.raises(ScenarioError) as error:
            load_scenario(tmp_path / f"{name}.yaml")
        assert f"{closing_file}.yaml: extends: " in str(error.value) and expected in str(error.value)


def test_bad_set_option(capsys, tmp_path):
    assert main(["run", str(ARTICLE), "--set", "front.p_advance=7", "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "front.p_advance" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_hostile_yaml_is_refused_quickly(tmp_path, capsys):
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    levels += [f"{chr(98 + k)}: &{chr(98 + k)} [{', '.join([f'*{chr(97 + k)}'] * 9)}]" for k in range(7)]
    (tmp_path / "bomb.yaml").write_text("\n".join(levels) + "\n")
    (tmp_path / "deep.yaml").write_text("name: " + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "huge.yaml").write_text("name: x\n" + "# padding\n" * 300_000)
    (tmp_path / "nan.yaml").write_text(ARTICLE.read_text().replace("initial: {value: 0.1,", "initial: {value: .nan,"))
    assert main(["validate", *(str(tmp_path / f"{n}.yaml") for n in ("bomb", "deep", "huge", "nan"))]) == 2
    message = capsys.readouterr().err
    assert "bomb.yaml: expands to more than" in message
    assert "deep.yaml: nested more than 64 levels deep" in message
    assert "huge.yaml: file is" in message
    assert "nan.yaml: front.regions.contested_donbas.initial.value: Input should be a finite number" in message
    assert "Traceback" not in message


def test_the_old_key_war_cost_is_read_as_delay_cost(article_raw, tmp_path):
    for actor in article_raw["actors"].values():
        actor["war_cost"] = actor.pop("delay_cost")
    article_raw["events"]["harsher_winter"] = {"round": 2, "set": {"actors.ukraine.war_cost.winter_multiplier": 3.0}}
    old = load_scenario(write_yaml(tmp_path / "old.yaml", article_raw), {"actors.russia.war_cost.per_round": 0.01})
    assert old.actors["russia"].delay_cost.per_round.value == 0.01
    assert old.actors["ukraine"] == load_scenario(ARTICLE).actors["ukraine"]
    assert set(old.events["harsher_winter"].set) == {"actors.ukraine.delay_cost.winter_multiplier"}
