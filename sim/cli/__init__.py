"""The command line: ``sim run | compare | compare-scenarios | sensitivity | discover | init | validate | provenance |
plot | report | summary | verify | replay | backtest | reference-class | score | update | forecasts | schema | explore``.

This package is the only code that reads argv, prints, or decides where files go. Bad input exits with
status 2 and one message naming the file, the key and the problem. Parsing is light: a command's module (and what
it needs: numpy, pandas, Mesa ...) is imported only when that command runs, and the choices and defaults come from
the registries (:mod:`sim.registry`) and :mod:`sim.experiments.run_settings`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from sim.cli.checks import BAD_INPUT, flag_problem, stopping_cleanly
from sim.cli.explore import add_explore
from sim.cli.history_and_news import add_history_commands, add_log_flags, add_news_commands
from sim.errors import ScenarioError, Stopped
from sim.experiments.run_settings import (
    BACKENDS,
    DEFAULT_BASE_RUNS,
    DEFAULT_MAX_RUNS,
    DEFAULT_MEMORY_GB,
    DEFAULT_TORNADO_RUNS,
    DESIGNS,
)
from sim.registry import resolve
from sim.registry.backtests import BACKTESTS
from sim.registry.models import PROTOCOLS, model_names


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sim`` command."""
    top = argparse.ArgumentParser(prog="sim", description="Scenario simulation of negotiations while fighting.")
    commands = top.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run a scenario many times and summarise the outcomes")
    run.add_argument("file", help="scenario YAML file")
    run.add_argument("--runs", type=int, help="number of runs (default: the file's monte_carlo.runs)")
    run.add_argument("--seed", type=int, help="random seed (default: the file's monte_carlo.seed)")
    run.add_argument("--jobs", type=int, default=1, help="processes to use (results do not depend on it)")
    run.add_argument("--out", help="results folder (default: results/<scenario file name>)")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change one scenario value, e.g. --set front.p_advance=0.5 (repeatable)",
    )
    run.add_argument(
        "--design",
        choices=DESIGNS,
        help="how uncertain parameters are sampled (default: the file's monte_carlo.design)",
    )
    run.add_argument(
        "--model",
        choices=PROTOCOLS.names(),
        help="bargaining protocol (default: the scenario's model.mechanism)",
    )
    run.add_argument(
        "--backend",
        choices=BACKENDS,
        default="processes",
        help="where chunks run: local processes, or a Dask cluster (a local one unless --scheduler)",
    )
    run.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    run.add_argument(
        "--until-ci",
        type=float,
        metavar="W",
        help="add runs until every headline probability's 95%% interval is narrower than W (e.g. 0.01)",
    )
    run.add_argument("--max-runs", type=int, default=DEFAULT_MAX_RUNS, help="with --until-ci: stop at this many runs")
    run.add_argument(
        "--memory",
        type=float,
        default=DEFAULT_MEMORY_GB,
        metavar="GB",
        help="memory one process may use; a large scenario runs in smaller chunks to fit (default: %(default)s)",
    )
    run.add_argument("--resume", action="store_true", help="finish an interrupted run in the same folder")
    run.add_argument("--overwrite", action="store_true", help="replace results already in the folder")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    add_log_flags(run)
    run.set_defaults(handler="sim.cli.runs:cmd_run")

    def experiment(name: str, help_text: str, out: str, files: str = "file") -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        if files == "file":
            sub.add_argument("file", help="scenario YAML file")
            sub.add_argument(
                "--set", action="append", default=[], metavar="KEY=VALUE", help="change one scenario value"
            )
        else:
            sub.add_argument("files", nargs="+", help="scenario YAML files; the first is the baseline")
        sub.add_argument("--seed", type=int, help="random seed (default: the file's)")
        sub.add_argument("--jobs", type=int, default=1, help="processes to use")
        sub.add_argument("--out", help=f"folder for tables and figures (default: {out})")
        sub.add_argument("--overwrite", action="store_true", help="replace what the folder holds")
        sub.add_argument("--quiet", action="store_true", help="no progress bar")
        return sub

    compare = experiment(
        "compare", "run several models on one scenario and seed, side by side", "results/<scenario>-compare"
    )
    compare.add_argument(
        "--models",
        default=",".join(model_names()),
        help=f"comma-separated, any of: {', '.join(model_names())} (default: all)",
    )
    compare.add_argument("--runs", type=int, help="runs per model (default: the file's)")
    compare.set_defaults(handler="sim.cli.experiments:cmd_compare")

    both = experiment(
        "compare-scenarios",
        "run scenarios with common random numbers and report their differences",
        "results/compare-scenarios",
        files="files",
    )
    both.add_argument("--runs", type=int, help="runs per scenario (default: the first file's)")
    both.set_defaults(handler="sim.cli.experiments:cmd_compare_scenarios")

    sens = experiment(
        "sensitivity",
        "Sobol indices and a tornado: which assumptions drive the outcome",
        "results/<scenario>-sensitivity",
    )
    sens.add_argument(
        "--base-runs",
        type=int,
        default=DEFAULT_BASE_RUNS,
        help="Saltelli base runs N: N x (parameters + 2) runs (default: %(default)s)",
    )
    sens.add_argument(
        "--tornado-runs",
        type=int,
        default=DEFAULT_TORNADO_RUNS,
        help="runs per point of the one-at-a-time design (default: %(default)s)",
    )
    sens.add_argument(
        "--outcomes", help="comma-separated outcomes (default: every one that varies), e.g. deal,outcome_territory"
    )
    sens.add_argument("--top", type=int, default=12, help="parameters to show per outcome")
    sens.set_defaults(handler="sim.cli.experiments:cmd_sensitivity")

    discover = commands.add_parser("discover", help="PRIM and CART: where in parameter space an outcome happens")
    discover.add_argument("dir", help="results folder written by 'sim run'")
    discover.add_argument(
        "outcome", nargs="?", help="an outcome class (e.g. front_frozen) or deal_within_N_months (or _weeks, _days)"
    )
    discover.add_argument(
        "--where",
        help="or a condition on the outcome columns, e.g. 'deal and months_to_deal <= 12' "
        "(weeks_to_deal, days_to_deal ... with weekly or daily rounds)",
    )
    discover.add_argument("--threshold", type=float, default=0.8, help="PRIM: the density the box should reach")
    discover.add_argument("--depth", type=int, default=3, help="CART: depth of the tree")
    discover.add_argument("--out", help="folder for tables and figures (default: DIR/discovery)")
    discover.add_argument("--quiet", action="store_true", help="no progress bar")
    discover.set_defaults(handler="sim.cli.experiments:cmd_discover")

    init = commands.add_parser("init", help="write a commented, valid scenario to start from")
    init.add_argument("name", help="the scenario's file name (NAME.yaml)")
    init.add_argument(
        "--actors",
        default="side_a,side_b,mediator",
        help="comma-separated actor names; the last of three or more mediates (default: side_a,side_b,mediator)",
    )
    init.add_argument("--issues", default="issue_one,issue_two", help="comma-separated issue names")
    init.add_argument(
        "--war", action="store_true", help="the first two actors fight over a front; the first issue follows it"
    )
    init.add_argument("--overwrite", action="store_true", help="replace the file if it exists")
    init.set_defaults(handler="sim.cli.inputs:cmd_init")

    validate = commands.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("files", nargs="+", help="scenario YAML files")
    validate.set_defaults(handler="sim.cli.inputs:cmd_validate")

    prov = commands.add_parser("provenance", help="list every number with its source and count the assumptions")
    prov.add_argument("file", help="scenario YAML file")
    prov.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    prov.set_defaults(handler="sim.cli.inputs:cmd_provenance")

    plot = commands.add_parser("plot", help="draw the outcome plots of a results folder")
    plot.add_argument("dir", help="results folder written by 'sim run'")
    plot.add_argument("--out", help="figure folder (default: DIR/figures)")
    plot.add_argument(
        "--history-runs", type=int, default=2000, help="runs re-simulated round by round for the fan charts (0: none)"
    )
    plot.add_argument("--quiet", action="store_true", help="no progress bar")
    plot.set_defaults(handler="sim.cli.runs:cmd_plot")

    report = commands.add_parser("report", help="write one self-contained HTML report of a results folder")
    report.add_argument("dir", help="results folder written by 'sim run'")
    report.add_argument("--out", help="the HTML file (default: DIR/report.html)")
    report.add_argument("--history-runs", type=int, default=2000, help="runs re-simulated for the fan charts (0: none)")
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    report.set_defaults(handler="sim.cli.runs:cmd_report")

    summary = commands.add_parser("summary", help="print the summary of a results folder again")
    summary.add_argument("dir", help="results folder written by 'sim run'")
    form = summary.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print the summary as JSON")
    form.add_argument(
        "--csv", action="store_true", help="print the summary as one long CSV table (table, row, column, value)"
    )
    summary.set_defaults(handler="sim.cli.runs:cmd_summary")

    verify = commands.add_parser("verify", help="check a results folder against its manifest (shards, hashes, run ids)")
    verify.add_argument("dir", help="results folder written by 'sim run'")
    verify.set_defaults(handler="sim.cli.runs:cmd_verify")

    replay = commands.add_parser("replay", help="rebuild one run of a results folder and print it round by round")
    replay.add_argument("dir", help="results folder written by 'sim run'")
    replay.add_argument("run_id", type=int, help="the run's run_id")
    replay.add_argument("--wide", action="store_true", help="one column per round instead of one row")
    replay.set_defaults(handler="sim.cli.runs:cmd_replay")

    backtest = commands.add_parser("backtest", help="score the models on real decisions with known outcomes")
    backtest.add_argument(
        "dataset",
        choices=BACKTESTS.names(),
        help="; ".join(f"{name}: {test.about}" for name, test in BACKTESTS.items()),
    )
    backtest.add_argument("--top", type=int, default=5, help="how many of the best items to list (csis: packages)")
    backtest.add_argument(
        "--data",
        help="the data file, or the data folder holding it (default: $NEGOTIATION_SIM_DATA, else ../shared/data)",
    )
    backtest.set_defaults(handler="sim.cli.inputs:cmd_backtest")

    add_history_commands(commands)
    add_news_commands(commands)

    schema = commands.add_parser("schema", help="print the JSON schema of scenario files")
    schema.add_argument("--out", help="write it to this file instead")
    schema.add_argument("--evidence", action="store_true", help="the schema of evidence files instead (sim update)")
    schema.set_defaults(handler="sim.cli.inputs:cmd_schema")
    add_explore(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sim`` command."""
    args = parser().parse_args(argv)
    problem = flag_problem(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return BAD_INPUT
    if getattr(args, "scheduler", None) and args.backend != "dask":
        print("error: --scheduler: goes with --backend dask", file=sys.stderr)
        return BAD_INPUT
    if getattr(args, "resume", False) and args.overwrite:
        print("error: --resume and --overwrite: choose one", file=sys.stderr)
        return BAD_INPUT
    try:
        with stopping_cleanly():
            return resolve(args.handler)(args)
    except ScenarioError as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT
    except BrokenPipeError:
        # The reader (e.g. `head`) closed the pipe: stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        print(f"error: {error.filename or 'output'}: {error.strerror or error}", file=sys.stderr)
        return BAD_INPUT
    except (KeyboardInterrupt, Stopped, SystemError) as stop:
        cause = _stop_behind(stop)
        if cause is None:
            raise
        from sim.cli.runs import stop_message

        signum = cause.signum if isinstance(cause, Stopped) else signal.SIGINT
        print(f"\n{stop_message(args, signal.Signals(signum).name)}", file=sys.stderr)
        return 128 + signum


def _stop_behind(error: BaseException) -> KeyboardInterrupt | Stopped | None:
    """The interrupt or stop behind ``error``: itself, or what a compiled function received while it ran (which it
    reports as a :class:`SystemError` caused by it); None for any other error."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, (KeyboardInterrupt, Stopped)):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


if __name__ == "__main__":
    sys.exit(main())
