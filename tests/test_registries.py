"""Each extension point is one registry: an entry registered from a single module (a protocol or a distribution in
``tests/plugins/``, the others here) appears where it should (the command line's choices, the summary, the figures,
the schema) and works, and nothing heavy is imported to parse a command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import ROOT, SCENARIOS

from sim import load_scenario, run_monte_carlo
from sim.analysis import comparison, summary
from sim.cli import main, parser
from sim.experiments.folder_runs import run_to_folder
from sim.experiments.results import read_results
from sim.experiments.runner import plan_run, run_models
from sim.registry.backtests import BACKTESTS, Backtest
from sim.registry.figures import FIGURES, Figure, figure_set
from sim.registry.models import SOLUTIONS, model_names
from sim.registry.outcomes import HEADLINE_MEASURES, OUTCOME_COLUMNS, OutcomeColumn

STRIKE = SCENARIOS / "port_strike_2024.yaml"
PLUGINS = Path(__file__).resolve().parent / "plugins"


def _python(code: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``code`` run in a fresh interpreter that can import the plug-ins of ``tests/plugins``."""
    environment = os.environ | {"PYTHONPATH": os.pathsep.join([str(PLUGINS), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def registered():
    """Register entries for one test: ``registered(registry, name, entry)``; each is removed afterwards."""
    added = []

    def register(registry, name, entry):
        registry.register(name, entry)
        added.append((registry, name))
        return entry

    yield register
    for registry, name in reversed(added):
        registry.unregister(name)


@pytest.fixture(scope="module")
def strike():
    return load_scenario(STRIKE)


@pytest.fixture(scope="module")
def strike_runs(strike):
    return run_monte_carlo(strike, runs=300, seed=5, progress=False)


def test_a_protocol_in_one_module_is_offered_by_the_cli_named_by_scenarios_and_run(tmp_path):
    out = tmp_path / "zone_first"
    done = _python(
        "import sys, zone_first_protocol\n"
        "from sim.cli import main\n"
        "from sim.scenario.schema import schema_json\n"
        "assert 'zone_first' in schema_json()\n"
        "from sim.explorer.controls import controls\n"
        "from sim.scenario.loading import load_scenario\n"
        f"scenario = load_scenario({str(STRIKE)!r})\n"
        "assert 'zone_first' in next(c for c in controls(scenario) if c.key == 'model.mechanism.kind').options\n"
        f"sys.exit(main(['run', {str(STRIKE)!r}, '--model', 'zone_first', '--runs', '400', '--seed', '3', "
        f"'--out', {str(out)!r}, '--quiet']))"
    )
    assert done.returncode == 0, done.stderr
    runs = read_results(out).runs
    assert read_results(out).manifest.scenario.resolved["model"]["mechanism"] == {"kind": "zone_first"}
    # The protocol offers what every veto holder accepts as soon as a zone opens: a deal exactly then.
    assert runs["zone"].mean() > 0.2
    assert (runs["deal"] == runs["zone"]).all()
    assert np.allclose(runs["months_to_deal"], runs["months_to_zone"], equal_nan=True)
    helped = _python("import zone_first_protocol\nfrom sim.cli import main\nmain(['compare', '--help'])")
    assert "zone_first" in helped.stdout
    assert (
        "zone_first"
        not in parser().format_help() + _python("from sim.cli import main\nmain(['compare', '--help'])").stdout
    )


def test_a_distribution_in_one_module_is_in_the_schema_and_draws():
    done = _python(
        "import json, two_point_distribution\n"
        "from sim.scenario.loading import load_scenario\nfrom sim.scenario.schema import schema_json\n"
        "from sim.sampling.draws import sample\n"
        f"s = load_scenario({str(STRIKE)!r}, "
        "{'actors.ila.capability': {'dist': 'two_point', 'low': 0.35, 'high': 0.5}})\n"
        "values = sample(s, 2000, seed=1)['actors.ila.capability']\n"
        "print(json.dumps({'values': sorted(set(values.tolist())), 'high': float((values == 0.5).mean()), "
        "'schema': 'two_point' in schema_json()}))"
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["values"] == [0.35, 0.5] and found["schema"]
    assert found["high"] == pytest.approx(0.5, abs=0.05)
    # Without the plug-in, the same file is refused, naming the key and the distributions it may use.
    with pytest.raises(Exception, match="actors.ila.capability.*unknown distribution 'two_point'"):
        load_scenario(STRIKE, {"actors.ila.capability": {"dist": "two_point", "low": 0.35, "high": 0.5}})


def test_a_solution_registered_here_runs_beside_the_others(registered, strike):
    def no_deal(scenario, draws, _rng):
        runs = len(next(iter(draws.values())))
        return {"deal": np.zeros(runs, bool)} | {f"settlement_{i}": np.full(runs, np.nan) for i in scenario.issues}

    registered(SOLUTIONS, "no_deal", no_deal)
    assert "no_deal" in model_names()
    assert "no_deal" in parser().parse_args(["compare", str(STRIKE)]).models.split(",")
    tables = run_models(strike, ["compromise", "no_deal"], runs=50, seed=1, progress=False)
    assert not tables["no_deal"]["deal"].any() and tables["compromise"]["deal"].all()


def test_an_outcome_column_registered_here_is_computed_and_read_by_the_summary(registered, strike):
    registered(
        OUTCOME_COLUMNS,
        "deal_in_first_round",
        OutcomeColumn(
            "a deal in the first round",
            summary=True,
            compute=lambda model, scenario: {"deal_in_first_round": model.deal_round == 0},
        ),
    )
    runs = run_monte_carlo(strike, runs=200, seed=5, progress=False)
    first = runs["months_to_deal"] <= strike.model.round_months + 1e-9
    assert (runs["deal_in_first_round"] == first).all() and first.any()
    assert "deal_in_first_round" in summary.summary_columns(list(runs.columns))
    assert "utility_ila" not in summary.summary_columns(list(runs.columns))


def test_one_headline_definition_feeds_the_summary_and_the_paired_comparison(registered, strike, strike_runs):
    def both(scenario):
        """The measures the summary's headline table and the paired comparison list."""
        headline_rows = set(summary.headline(strike_runs, scenario).index)
        paired = comparison.scenario_differences({"a": strike_runs, "b": strike_runs}, scenario)
        return headline_rows, set(paired.index.get_level_values("measure"))

    registered(
        HEADLINE_MEASURES, "quick_deal", lambda scenario: {"deal within 3 weeks": lambda r: r["months_to_deal"] <= 0.7}
    )
    in_summary, paired = both(strike)
    assert "deal within 3 weeks" in in_summary and "deal within 3 weeks" in paired
    quick = summary.headline(strike_runs, strike).loc["deal within 3 weeks", "estimate"]
    assert quick == pytest.approx((strike_runs["months_to_deal"] <= 0.7).mean())
    # Changing a built-in definition changes both tables.
    within = HEADLINE_MEASURES["deal_within"]
    HEADLINE_MEASURES.unregister("deal_within")
    try:
        without = both(strike)
    finally:
        HEADLINE_MEASURES.register("deal_within", within)
    gone = {m for m in in_summary if m.startswith("deal within") and m != "deal within 3 weeks"}
    assert gone and not gone & without[0] and not gone & without[1]


def test_a_figure_registered_here_is_drawn_by_sim_plot(registered, strike, tmp_path):
    def share_of_deals(results, _scenario, _history):
        return {"share_of_deals": Figure(lambda ax: ax.bar(["deal"], [results.runs["deal"].mean()]), "Deals.")}

    registered(FIGURES, "share_of_deals", share_of_deals)
    folder = tmp_path / "strike"
    run_to_folder(plan_run(strike, runs=100, seed=1), folder)
    assert list(figure_set(read_results(folder)))[-1] == "share_of_deals"
    assert main(["plot", str(folder), "--history-runs", "0", "--quiet"]) == 0
    assert (folder / "figures" / "share_of_deals.png").is_file()
    assert (folder / "figures" / "deal_curve.svg").is_file()


def test_a_backtest_registered_here_is_a_choice_of_sim_backtest(registered, tmp_path, capsys):
    data = tmp_path / "scores.csv"
    pd.DataFrame({"model": ["a", "b"], "error": [1.5, 2.5]}).to_csv(data, index=False)

    def mean_error(path, _top):
        return f"mean error {pd.read_csv(path)['error'].mean():.2f}"

    registered(BACKTESTS, "scores", Backtest("a table of errors", mean_error))
    with pytest.raises(SystemExit):
        main(["backtest", "--help"])
    assert "scores: a table of errors" in capsys.readouterr().out
    assert main(["backtest", "scores", "--data", str(data)]) == 0
    assert capsys.readouterr().out.strip() == "mean error 2.00"


def test_the_shipped_schema_is_the_one_the_registries_give():
    from sim.scenario.schema import schema_json

    assert (SCENARIOS / "schema.json").read_text() == schema_json(), "run: sim schema --out scenarios/schema.json"


def test_a_name_is_registered_once():
    with pytest.raises(ValueError, match="already registered"):
        SOLUTIONS.register("nash", SOLUTIONS["nash"])


def test_parsing_a_command_and_validating_a_file_import_no_numerics():
    done = _python(
        "import sys\n"
        "import sim, sim.cli\n"
        "sim.cli.parser().parse_args(['run', 'x.yaml'])\n"
        "parsed = sorted(m for m in ('numpy', 'pandas', 'scipy', 'mesa', 'matplotlib') if m in sys.modules)\n"
        f"code = sim.cli.main(['validate', {str(STRIKE)!r}])\n"
        "validated = sorted(m for m in ('numpy', 'pandas', 'scipy', 'mesa', 'matplotlib') if m in sys.modules)\n"
        "print(parsed, validated, code)"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[] [] 0"


def test_a_worker_running_monte_carlo_chunks_imports_no_scipy_stats():
    done = _python(
        "import sys\n"
        "from sim import load_scenario\n"
        "from sim.experiments.runner import Chunk, run_chunk\n"
        f"run_chunk(load_scenario({str(SCENARIOS / 'ukraine_paris_2026.yaml')!r}), 1, Chunk(0, 0, 20))\n"
        "print('scipy.stats' in sys.modules)"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "False", "scipy.stats costs every worker about 0.3 s to import"
