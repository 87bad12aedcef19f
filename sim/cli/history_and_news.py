"""The parsers of the commands on history (``reference-class``, ``score``) and on the news (``update``,
``forecasts``, and the ``--log`` of ``run``); their handlers live in :mod:`sim.cli.history` and
:mod:`sim.cli.updating`, imported only when one of them runs."""

from __future__ import annotations

import argparse
import datetime as dt

from sim.backtests.data_folder import ENVIRONMENT_VARIABLE
from sim.history import choices


def add_history_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``reference-class`` and ``score`` on the ``sim`` command's subparsers."""
    ref = commands.add_parser("reference-class", help="base rates of how wars like this one ended, and how deals held")
    ref.add_argument("file", nargs="?", help="a scenario whose reference_class block states the profile")
    ref.add_argument("--type", choices=choices.CONFLICT_TYPE_CHOICES, help="type of conflict (UCDP)")
    ref.add_argument(
        "--intensity", choices=choices.INTENSITY_CHOICES, help="war: reached 1,000 battle deaths in a year"
    )
    ref.add_argument("--months-fought", type=float, help="months the war has lasted so far")
    ref.add_argument("--region", choices=choices.REGION_CHOICES, help="UCDP region")
    ref.add_argument("--horizons", default="12,36", help="months ahead, comma-separated (default 12,36)")
    ref.add_argument(
        "--data",
        help=f"the data folder holding war-termination/ (default: ${ENVIRONMENT_VARIABLE}, "
        "else shared/data beside the project)",
    )
    ref.set_defaults(handler="sim.cli.history:cmd_reference_class")

    score = commands.add_parser("score", help="forecast historical negotiations and score them against what happened")
    score.add_argument("--cases", default="scenarios/history", help="folder of case scenarios and outcomes.yaml")
    score.add_argument("--runs", type=int, default=2000, help="runs per case")
    score.add_argument("--seed", type=int, help="random seed (default: each case's)")
    score.add_argument("--horizons", default="6,12,24", help="k of 'a deal within k months', comma-separated")
    score.add_argument("--data", help="the data folder holding war-termination/ (for the reference class)")
    score.add_argument("--quiet", action="store_true", help="no progress bar")
    score.set_defaults(handler="sim.cli.history:cmd_score")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def add_news_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``sim update`` and ``sim forecasts``."""
    update = commands.add_parser(
        "update", help="condition a results folder on dated evidence: weights, posterior, what the news taught"
    )
    update.add_argument("dir", help="results folder written by 'sim run' (or by an earlier 'sim update --resample')")
    update.add_argument("evidence", help="evidence file (YAML; 'sim schema --evidence' prints its schema)")
    update.add_argument("--as-of", type=_date, metavar="DATE", help="use only observations dated on or before DATE")
    update.add_argument("--out", help="folder for the update's tables (default: DIR/updates/<evidence file name>)")
    update.add_argument("--top", type=int, default=8, help="parameters to list in what the news taught (default: 8)")
    update.add_argument(
        "--resample",
        metavar="NEWDIR",
        help="run a fresh ensemble from the posterior into NEWDIR (resampled and jittered), to update again",
    )
    update.add_argument(
        "--runs", type=int, help="with --resample: runs of the fresh ensemble (default: as many as DIR)"
    )
    update.add_argument("--seed", type=int, help="with --resample: its seed (default: DIR's seed + 1)")
    update.add_argument("--jobs", type=int, default=1, help="with --resample: processes (results do not depend on it)")
    update.add_argument("--overwrite", action="store_true", help="replace what --out or NEWDIR holds")
    update.add_argument("--quiet", action="store_true", help="no progress bars")
    add_log_flags(update)
    update.set_defaults(handler="sim.cli.updating:cmd_update")

    forecasts = commands.add_parser(
        "forecasts", help="the forecast log: each question by as-of date, beside the platforms, scored"
    )
    forecasts.add_argument("log", help="folder holding forecasts.csv (the --log of 'sim run' and 'sim update')")
    forecasts.add_argument(
        "--questions", help="questions file with platforms and resolutions (scenarios/questions/...)"
    )
    forecasts.add_argument(
        "--data",
        help=f"shared data folder holding ceasefire-forecasts/ (default: ${ENVIRONMENT_VARIABLE}, then ../shared/data)",
    )
    forecasts.add_argument("--out", help="figure file stem (default: LOG/forecasts, written as .png and .svg)")
    forecasts.set_defaults(handler="sim.cli.updating:cmd_forecasts")


def add_log_flags(parser: argparse.ArgumentParser) -> None:
    """``--log LOGDIR`` and ``--questions FILE``, for the commands that append to a forecast log."""
    parser.add_argument("--log", metavar="LOGDIR", help="append the dated forecast to LOGDIR/forecasts.csv")
    parser.add_argument("--questions", help="questions to forecast (default: a deal by each headline horizon's date)")
