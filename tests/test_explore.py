"""The explorer's logic: controls, settings -> scenario, common random numbers, views, variants, the command."""

from __future__ import annotations

import socket
import time

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import ARTICLE, write_yaml

from sim import load_scenario
from sim.cli import main
from sim.errors import ScenarioError
from sim.explorer import views
from sim.explorer.controls import (
    DRAWN,
    changed_settings,
    controls,
    group_and_label,
    initial_settings,
    rescaled,
    scenario_with,
    slider_step,
)
from sim.explorer.variant import free_variant_path, write_variant
from sim.explorer.views import Charts, draw_setting, png, run_ensemble, view
from sim.scenario.loading import scenario_from_mapping
from sim.scenario.provenance import kind_of

RUNS = 2000


@pytest.fixture(scope="module")
def article():
    return load_scenario(ARTICLE)


@pytest.fixture(scope="module")
def baseline(article):
    return run_ensemble(article, RUNS, seed=7)


def numbers(scenario):
    return {path: q.model_dump(exclude={"source"}) for path, q in scenario.quantities()}


def test_every_number_and_structural_choice_has_a_control_grouped_by_actor_and_issue(article):
    found = {c.key: c for c in controls(article)}
    assert {path for path, _ in article.quantities()} <= set(found)
    assert found["model.mechanism.kind"].options == ("mediator", "alternating", "none")
    assert found["model.utility"].options == ("quadratic", "linear", "loss_averse")
    assert found["model.red_lines"].options == ("hard", "audience_cost")
    assert found["actors.russia.veto"].group == "russia"
    position = found["actors.ukraine.issues.territory.position"]
    assert (position.group, position.label, position.initial) == ("ukraine / territory", "position", (0.1, 0.1))
    assert (position.minimum, position.maximum) == (0.0, 1.0)  # the issue's scale
    years = found["actors.united_states.issues.guarantee_years.position"]
    assert (years.minimum, years.maximum, years.initial) == (0.0, 50.0, (15.0, 15.0))
    article_raw = article.model_dump(mode="json")
    article_raw["actors"]["ukraine"]["issues"]["territory"]["red_line"] = {"max": 0.1, "relative_to_front": True}
    relative = {c.key: c for c in controls(scenario_from_mapping(article_raw, "relative"))}[
        "actors.ukraine.issues.territory.red_line.max"
    ]
    assert (relative.minimum, relative.maximum) == (-1.0, 1.0)  # offsets from the front
    for control in (
        c for c in found.values() if not c.is_choice
    ):  # a slider snaps to its grid: nothing may move unasked
        assert (control.maximum - control.minimum) / control.step >= 200
        for x in (control.minimum, control.maximum, *control.initial):
            assert x / control.step == pytest.approx(round(x / control.step), abs=1e-6), control.key
    assert (found["front.p_advance"].step, found["actors.russia.planning_rounds"].step) == (0.001, 0.1)
    assert slider_step(0.0, 53034.0, (26517.0, 26517.0)) == 1.0
    assert group_and_label("issues.us_backstop.no_deal") == ("issues / us_backstop", "no deal")
    assert group_and_label("front.p_advance") == ("front", "p advance")


def test_the_initial_settings_give_back_the_scenario(article):
    assert changed_settings(article, initial_settings(article)) == {}
    assert numbers(scenario_with(article, initial_settings(article))) == numbers(article)


@pytest.mark.parametrize(
    ("quantity", "new", "expected"),
    [
        ({"dist": "uniform", "low": 0.2, "high": 0.6}, (0.1, 0.3), {"dist": "uniform", "low": 0.1, "high": 0.3}),
        (
            {"dist": "triangular", "low": 0, "mode": 0.5, "high": 1},
            (2, 4),
            {"dist": "triangular", "low": 2, "mode": 3, "high": 4},
        ),
        (
            {"dist": "truncated_normal", "low": 0, "high": 1, "mean": 0.25, "sd": 0.1},
            (0, 2),
            {"dist": "truncated_normal", "low": 0, "high": 2, "mean": 0.5, "sd": 0.2},
        ),
        (
            {"dist": "choice", "values": [1.0, 0.95, 0.9], "weights": [6, 3, 1]},
            (0.8, 1.0),
            {"dist": "choice", "values": [1.0, 0.9, 0.8], "weights": [6, 3, 1]},
        ),
        ({"value": 0.75}, (0.6, 0.9), {"dist": "uniform", "low": 0.6, "high": 0.9}),
        ({"dist": "uniform", "low": 0.2, "high": 0.6}, (0.4, 0.4), {"value": 0.4}),
    ],
)
def test_a_new_range_moves_the_distribution_keeping_its_shape(quantity, new, expected):
    assert rescaled(quantity, *new) == expected  # rounded to six significant digits, as a slider means


def test_settings_keep_common_random_numbers(article, baseline):
    """A number's draws move with its range run by run; every other number and the model's own chance stay put."""
    settings = initial_settings(article) | {"front.p_advance": (0.3, 0.5)}
    changed = run_ensemble(scenario_with(article, settings), RUNS, seed=7)
    others = [p for p in article.uncertain_parameters() if p != "front.p_advance"]
    assert changed[others].equals(baseline[others])
    np.testing.assert_allclose(changed["front.p_advance"], 0.3 + (baseline["front.p_advance"] - 0.55) * 0.2 / 0.25)
    nobody = scenario_with(article, initial_settings(article) | {"model.mechanism.kind": "none"})
    unchanged = run_ensemble(nobody, RUNS, seed=7)
    assert unchanged["front.p_advance"].equals(baseline["front.p_advance"])


def test_an_ensemble_is_the_same_on_one_process_or_two(article, baseline):
    pd.testing.assert_frame_equal(run_ensemble(article, RUNS, seed=7, jobs=1), baseline)
    pd.testing.assert_frame_equal(run_ensemble(article, RUNS, seed=7, jobs=2), baseline)
    kept = views.start_workers(2)
    assert kept is not None and kept.apply(abs, (-3,)) == 3  # the runner left the explorer's workers running
    pd.testing.assert_frame_equal(run_ensemble(article, RUNS, seed=7, jobs=2), baseline)
    assert views.start_workers(2) is kept


def test_the_view_measures_the_change_from_the_baseline(article, baseline):
    same = view(article, baseline, baseline)
    assert set(same.figures) == {"deal_curve", "outcome_classes", "settlements"}
    assert (same.tables["headline"]["difference"] == 0).all()

    settings = initial_settings(article) | {"model.mechanism.kind": "none"}
    nobody = scenario_with(article, settings)
    shown = view(nobody, baseline, run_ensemble(nobody, RUNS, seed=7))
    row = shown.tables["headline"].loc["deal by the horizon (36 months)"]
    assert row["value"] == 0 and row["difference"] == pytest.approx(-baseline["deal"].mean())
    assert row["lo"] <= row["difference"] <= row["hi"] < 0
    classes = shown.tables["outcome_classes"]
    assert classes["value"].sum() == pytest.approx(1) and classes["baseline"].sum() == pytest.approx(1)


def test_the_zone_of_agreement_shows_when_the_runs_have_it(article, baseline):
    assert {"zone", "months_to_zone"} <= set(baseline.columns)
    settings = initial_settings(article) | {"front.p_advance": (0.3, 0.5)}
    changed = scenario_with(article, settings)
    current = run_ensemble(changed, RUNS, seed=7)
    shown = view(changed, baseline, current)
    labels = [t.get_text() for t in shown.figures["deal_curve"].axes[0].get_legend().get_texts()]
    assert labels == [
        "zone of agreement, baseline (the file)",
        "zone of agreement, this setting",
        "deal, baseline (the file)",
        "deal, this setting",
    ]
    gap = shown.tables["headline"].loc["a zone but no deal by the horizon"]
    assert gap["value"] == pytest.approx((current["zone"] & ~current["deal"]).mean())
    assert gap["baseline"] == pytest.approx((baseline["zone"] & ~baseline["deal"]).mean())
    without = view(changed, baseline.drop(columns="months_to_zone"), current.drop(columns="months_to_zone"))
    assert len(without.figures["deal_curve"].axes[0].get_legend().get_texts()) == 2


def test_a_setting_that_breaks_the_scenario_names_the_key(article):
    settings = initial_settings(article) | {"events.plan_presented_to_russia.round": (0.0, 0.0)}
    with pytest.raises(ScenarioError, match="events.plan_presented_to_russia.round"):
        scenario_with(article, settings)
    with pytest.raises(KeyError, match="no.such"):
        changed_settings(article, {"no.such": (0.0, 1.0)})


def test_a_variant_holds_only_what_changed_with_sources_and_reloads_as_explored(tmp_path):
    copy = tmp_path / ARTICLE.name
    copy.write_text(ARTICLE.read_text())
    scenario = load_scenario(copy)
    settings = initial_settings(scenario) | {
        "front.p_advance": (0.4, 0.6),
        "actors.russia.issues.territory.red_line.min": (0.8, 1.0),
        "events.plan_presented_to_russia.set.actors.russia.reservation_utility": (-0.5, -0.5),
        "model.mechanism.kind": "alternating",
        "actors.european_coalition.veto": False,
    }
    path = write_variant(scenario, settings, free_variant_path(scenario))
    assert path.name == "ukraine_paris_2026_explored_1.yaml" and free_variant_path(scenario).name.endswith("_2.yaml")
    content = yaml.safe_load(path.read_text())
    assert content["extends"] == ARTICLE.name
    assert set(content) == {"extends", "name", "actors", "front", "events", "model"}
    assert content["model"] == {"mechanism": {"kind": "alternating"}}  # a mechanism replaces the parent's whole
    assert content["actors"]["european_coalition"] == {"veto": False}
    p_advance = content["front"]["p_advance"]
    assert p_advance["source"].startswith(
        'variant: set in the explorer (was uniform(low=0.55, high=0.8); line 7 ("has been making slow progress'
    )
    assert kind_of(p_advance["source"]) == "variant"
    floor = content["events"]["plan_presented_to_russia"]["set"]["actors.russia.reservation_utility"]
    assert floor["value"] == -0.5 and floor["source"].startswith("variant:")
    assert numbers(load_scenario(path)) == numbers(scenario_with(scenario, settings))
    with pytest.raises(ScenarioError, match="already exists"):
        write_variant(scenario, settings, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [ARTICLE.name, path.name]


def test_explore_refuses_bad_input_before_serving(tmp_path, capsys):
    assert main(["explore", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml: file not found" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["explore", str(ARTICLE), "--port", str(port)]) == 2
    assert f"{port} is in use" in capsys.readouterr().err


@pytest.mark.slow
def test_the_explorer_renders_in_process_as_in_a_notebook(article):
    import ipywidgets
    import solara

    import sim

    box, context = solara.render(sim.explore(article, runs=300), handle_error=False)
    images = context.find(ipywidgets.Image).widgets
    assert len(images) == 3 and all(len(image.value) > 10_000 for image in images)
    context.close()


def strike() -> dict:
    """A port strike: a union and an employer with outside options, and a mediator; no front."""
    stance = lambda position: {"issues": {"wage": {"position": position, "salience": 1.0}}}  # noqa: E731
    return {
        "name": "port strike",
        "issues": {"wage": {"low_means": "no raise", "high_means": "a 10% raise", "no_deal": 0.0}},
        "actors": {
            "union": {
                "veto": True,
                "capability": 1.0,
                "outside_option": {"dist": "uniform", "low": 0.2, "high": 0.4},
                **stance(1.0),
            },
            "employer": {"veto": True, "capability": 1.0, "outside_option": 0.3, **stance(0.0)},
            "mediator": {"capability": 0.5, **stance(0.5)},
        },
        "model": {
            "start_date": "2026-01-01",
            "horizon_rounds": 6,
            "mechanism": {"kind": "mediator", "mediator": "mediator"},
        },
    }


def test_charts_redrawn_in_place_match_charts_drawn_afresh(tmp_path):
    """The explorer keeps its figures between settings: nothing of the previous setting stays on them."""
    scenario = load_scenario(write_yaml(tmp_path / "strike.yaml", strike()))
    baseline, current = run_ensemble(scenario, 300, seed=1), run_ensemble(scenario, 300, seed=2)
    charts = Charts(scenario)
    view(scenario, current, current, charts)
    again = view(scenario, baseline, current, charts)
    fresh = view(scenario, baseline, current)
    assert again.figures["deal_curve"] is charts.deal_curve
    assert {name: png(figure) for name, figure in again.figures.items()} == {
        name: png(figure) for name, figure in fresh.figures.items()
    }


def test_the_kept_workers_draw_the_figures_as_this_process_does(tmp_path, monkeypatch):
    """Where the explorer keeps worker processes, they draw its figures side by side, pixel for pixel as here."""
    scenario = load_scenario(write_yaml(tmp_path / "strike.yaml", strike()))
    baseline, charts = run_ensemble(scenario, 300, seed=1), Charts(scenario)
    moved = initial_settings(scenario) | {"actors.employer.outside_option": (0.9, 1.0)}
    assert views.start_workers(2) is not None
    on_workers = draw_setting(scenario, moved, baseline, 300, 1, charts)
    monkeypatch.setattr(views, "_workers", [])
    here = draw_setting(scenario, moved, baseline, 300, 1, charts)
    assert list(on_workers.images) == list(here.images) == list(views.FIGURES)
    assert on_workers.images == here.images
    for name, table in here.tables.items():
        pd.testing.assert_frame_equal(on_workers.tables[name], table)


def test_a_setting_is_drawn_from_the_baseline_when_unchanged_and_dropped_when_stale(tmp_path, monkeypatch):
    scenario = load_scenario(write_yaml(tmp_path / "strike.yaml", strike()))
    baseline, charts = run_ensemble(scenario, 200, seed=1), Charts(scenario)
    ensembles = []
    monkeypatch.setattr(views, "run_ensemble", lambda *args: ensembles.append(args) or run_ensemble(*args))
    same = draw_setting(scenario, initial_settings(scenario), baseline, 200, 1, charts)
    assert ensembles == [] and set(same.images) == {"deal_curve", "outcome_classes", "settlements"}
    assert (same.tables["headline"]["difference"] == 0).all()
    moved = initial_settings(scenario) | {"actors.employer.outside_option": (0.9, 1.0)}
    assert draw_setting(scenario, moved, baseline, 200, 1, charts, stale=lambda: True) is None and ensembles == []
    drawn = draw_setting(scenario, moved, baseline, 200, 1, charts)
    assert len(ensembles) == 1 and drawn.images["deal_curve"] != same.images["deal_curve"]
    with pytest.raises(ScenarioError):
        broken = initial_settings(scenario) | {"actors.employer.capability": (-1.0, -1.0)}
        draw_setting(scenario, broken, baseline, 200, 1, charts)


def test_moving_one_control_redraws_that_control_alone(article):
    import ipyvuetify
    import solara

    import sim
    from sim.explorer import app

    rendered = []
    original = app.NumberControl.f
    app.NumberControl.f = lambda control, *args: rendered.append(control.key) or original(control, *args)
    try:
        box, context = solara.render(sim.explore(article, runs=200), handle_error=False)
        assert len(rendered) == sum(not c.is_choice for c in controls(article))
        rendered.clear()
        slider = next(w for w in context.find(ipyvuetify.RangeSlider).widgets if w.label.startswith("p advance"))
        slider.v_model = [0.5, 0.8]
        status = context.find(ipyvuetify.Html, class_="sim-status").widget
        deadline = time.monotonic() + 60
        while status.children[0].startswith("Setting 1") and time.monotonic() < deadline:
            time.sleep(0.05)  # the setting is drawn off the page's thread
        assert status.children[0].startswith("Setting 2: 200 runs")
        assert rendered == ["front.p_advance"]
        back = next(w for w in context.find(ipyvuetify.Btn).widgets if w.children == ["Back to the baseline"])
        back.fire_event("click", {})
        slider = next(w for w in context.find(ipyvuetify.RangeSlider).widgets if w.label.startswith("p advance"))
        assert tuple(slider.v_model) == (0.55, 0.8) and slider.label == "p advance: 0.55 to 0.8"
        status = context.find(ipyvuetify.Html, class_="sim-status").widget
        deadline = time.monotonic() + 60
        while not status.children[0].startswith("Setting 1") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert status.children[0].startswith("Setting 1: 200 runs")  # the baseline, as drawn when the page opened
        context.close()
    finally:
        app.NumberControl.f = original


def test_a_negotiation_without_a_front_explores_too(tmp_path):
    scenario = load_scenario(write_yaml(tmp_path / "strike.yaml", strike()))
    found = {c.key: c for c in controls(scenario)}
    assert found["actors.employer.outside_option"].initial == (0.3, 0.3)
    settings = initial_settings(scenario) | {"actors.employer.outside_option": (0.9, 1.0)}
    changed = scenario_with(scenario, settings)
    baseline = run_ensemble(scenario, 500, seed=3)
    shown = view(changed, baseline, run_ensemble(changed, 500, seed=3))  # every baseline run deals: no crash at 100%
    assert set(shown.figures) == {"deal_curve", "outcome_classes", "settlements"}
    deal = shown.tables["headline"].loc["deal by the horizon (6 months)"]
    assert not [m for m in shown.tables["headline"].index if "ceasefire" in m or "breaks down" in m]
    assert deal["baseline"] == 1.0 and deal["value"] < 0.9 and deal["hi"] < 0  # a better outside option: fewer deals


def test_a_structural_choice_is_drawn_per_run_or_fixed_to_one_option(tmp_path):
    raw = strike() | {
        "structure": {
            "protocol": {
                "source": "assumption: either may happen",
                "options": {
                    "mediated": {"weight": 3, "changes": {}},
                    "alternating": {"weight": 1, "changes": {"model": {"mechanism": {"kind": "alternating"}}}},
                },
            }
        }
    }
    scenario = load_scenario(write_yaml(tmp_path / "strike.yaml", raw))
    found = {c.key: c for c in controls(scenario)}
    assert found["structure.protocol"].options == (DRAWN, "mediated", "alternating")
    assert found["structure.protocol"].initial == DRAWN
    settings = initial_settings(scenario) | {"structure.protocol": "alternating"}
    fixed = scenario_with(scenario, settings)
    assert fixed.structure == {} and fixed.model.mechanism.kind == "alternating"
    path = write_variant(scenario, settings, free_variant_path(scenario))
    assert numbers(load_scenario(path)) == numbers(fixed) and load_scenario(path).structure == {}
    drawn = run_ensemble(scenario, 400, seed=5)
    alternating = run_ensemble(fixed, 400, seed=5)
    assert drawn["actors.union.outside_option"].equals(alternating["actors.union.outside_option"])
