"""What a user of another negotiation sees: times in the rounds' unit, numbers readable, long commands not silent."""

from __future__ import annotations

import fcntl
import importlib.util
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import numpy as np
import pandas as pd
import pytest
from helpers import SCENARIOS

from sim.analysis import discovery, summary
from sim.cli import main
from sim.experiments.results import read_results
from sim.scenario.labels import readable
from sim.scenario.loading import load_scenario

PORT = SCENARIOS / "port_strike_2024.yaml"


def test_event_medians_are_counted_in_the_rounds_unit():
    week = summary.MONTHS_PER_UNIT["week"]
    runs = pd.DataFrame(
        {"event_talks_resume": [True, True, False], "months_to_event_talks_resume": [3 * week, 5 * week, np.nan]}
    )
    weekly = summary.event_shares(runs, "week")
    assert list(weekly.columns)[-1] == "median_week" and weekly.loc["talks_resume", "median_week"] == pytest.approx(4)
    assert summary.event_shares(runs).loc["talks_resume", "median_month"] == pytest.approx(4 * week)


@pytest.mark.parametrize("value, text", [(6527.3, "6,527"), (0.7172, "0.717"), (13.44, "13.4"), (float("nan"), "n/a")])
def test_numbers_read_as_a_person_writes_them(value, text):
    assert readable(value) == text
    assert readable(19000.0, 4) == "19,000" and readable(0.01234, 4) == "0.01234"


@pytest.fixture(scope="module")
def strike_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("strike") / "runs"
    assert main(["run", str(PORT), "--runs", "300", "--out", str(out), "--quiet"]) == 0
    return out


def test_plot_and_report_show_progress_unless_quiet(strike_runs, monkeypatch, capsys):
    import sim.cli.runs

    capsys.readouterr()
    monkeypatch.setattr(sim.cli.runs, "shown", lambda args: not args.quiet)  # as in a terminal
    assert main(["plot", str(strike_runs), "--history-runs", "50"]) == 0
    captured = capsys.readouterr()
    assert "8/8" in captured.err and "figure" in captured.err
    assert captured.out.strip() == f"8 figures (PNG and SVG): {strike_runs / 'figures'}"
    assert main(["report", str(strike_runs), "--history-runs", "50"]) == 0
    assert "10/10" in capsys.readouterr().err  # 8 figures, the drivers, the PRIM search
    quiet = ["report", str(strike_runs), "--history-runs", "50", "--quiet", "--out", str(strike_runs.parent / "r.html")]
    assert main(quiet) == 0
    assert capsys.readouterr().err == ""


def test_compare_says_what_a_static_solution_lacks(tmp_path, capsys):
    assert (
        main(
            [
                "compare",
                str(PORT),
                "--runs",
                "200",
                "--models",
                "mediator,compromise",
                "--out",
                str(tmp_path / "c"),
                "--quiet",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "NaN" not in out and "n/a" in out
    assert re.search(r"wage_increase mediator +\d+\.\d% +\d+\.\d% +\d+\.\d% ", out)  # shares as percentages
    assert re.search(r"wage_increase compromise +\d+\.\d% +n/a +n/a ", out)
    assert {p.name for p in (tmp_path / "c").glob("compare_wage_increase.*")} == {
        "compare_wage_increase.png",
        "compare_wage_increase.svg",
    }


def test_times_in_a_row_or_table_read_in_the_rounds_unit(strike_runs, capsys):
    week = summary.MONTHS_PER_UNIT["week"]
    row = pd.Series({"deal": True, "months_to_deal": 3 * week, "months_to_zone": np.nan}, dtype=object)
    weekly = summary.in_time_unit(row, "week")
    assert list(weekly.index) == ["deal", "weeks_to_deal", "weeks_to_zone"]
    assert weekly["weeks_to_deal"] == pytest.approx(3)
    table = pd.DataFrame({"months_to_deal": [week, 2 * week]})
    assert summary.in_time_unit(table, "week")["weeks_to_deal"].tolist() == pytest.approx([1, 2])
    assert summary.in_time_unit(table, "month") is table
    capsys.readouterr()
    assert main(["replay", str(strike_runs), "3"]) == 0
    outcome = capsys.readouterr().out.split("Outcome:")[1]
    assert "weeks_to_deal" in outcome and "months_to" not in outcome
    assert re.search(r"\ndeal_date +2024-1\d-\d\d\n", outcome)  # a date, not a timestamp to the nanosecond


def test_conditions_read_times_in_the_rounds_unit():
    week, day = summary.MONTHS_PER_UNIT["week"], summary.MONTHS_PER_UNIT["day"]
    rounds = pd.Series([1.0, 29.0, 30.0, np.nan])  # 29 weeks in months divided back is 29.000000000000004
    weekly = pd.DataFrame({"deal": rounds.notna(), "months_to_deal": rounds * week})
    assert discovery.condition(weekly, where="weeks_to_deal <= 29", unit="week").tolist() == [True, True, False, False]
    assert discovery.condition(weekly, where="deal and months_to_deal > 1", unit="week").tolist() == [
        False,
        True,
        True,
        False,
    ]
    daily = pd.DataFrame({"months_to_deal": pd.Series([61.0, 62.0]) * day})
    assert discovery.condition(daily, where="days_to_deal <= 61", unit="day").tolist() == [True, False]
    with pytest.raises(ValueError, match="did you mean 'months_to_deal'"):
        discovery.condition(weekly, where="weeks_to_deal <= 4")  # a monthly scenario's runs have no weeks


def test_discover_takes_conditions_in_weeks(strike_runs, tmp_path, capsys):
    months = read_results(strike_runs).runs["months_to_deal"]
    share = float((months <= summary.MONTHS_PER_UNIT["week"] + 1e-9).mean())
    assert 0.2 < share < 0.8
    capsys.readouterr()
    out = ["--out", str(tmp_path / "discovery")]
    assert main(["discover", str(strike_runs), "--where", "deal and weeks_to_deal <= 1", *out]) == 0
    assert capsys.readouterr().out.startswith(f"deal and weeks_to_deal <= 1: {share:.1%} of 300 runs")
    assert main(["discover", str(strike_runs), "deal_within_1_weeks", *out]) == 0
    assert capsys.readouterr().out.startswith(f"deal_within_1_weeks: {share:.1%} of 300 runs")
    assert main(["discover", str(strike_runs), "--where", "week_to_deal <= 1", *out]) == 2
    assert "did you mean 'weeks_to_deal'?" in capsys.readouterr().err
    assert main(["discover", str(strike_runs), *out]) == 2
    assert "e.g. deal_within_13_weeks" in capsys.readouterr().err


def test_discover_shows_progress_unless_quiet(strike_runs, tmp_path, monkeypatch, capsys):
    import sim.cli.experiments

    capsys.readouterr()
    monkeypatch.setattr(sim.cli.experiments, "shown", lambda args: not args.quiet)  # as in a terminal
    command = ["discover", str(strike_runs), "deal_within_1_weeks", "--out", str(tmp_path / "d")]
    assert main(command) == 0
    captured = capsys.readouterr()
    assert "PRIM, CART and figures" in captured.err and "4/4" in captured.err
    assert captured.out.startswith("deal_within_1_weeks: ") and "PRIM box" in captured.out
    assert main([*command, "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def _explorer_on_a_terminal(*flags: str) -> tuple[str, bool, str]:
    """``sim explore`` on the port strike with its standard error on a terminal: the first line it prints, whether
    the server listened when it came, and what the terminal showed by then."""
    from sim.explorer.headless import free_port, listening

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    port = free_port()
    command = [sys.executable, "-m", "sim.cli", "explore", str(PORT), "--port", str(port), "--runs", "200", *flags]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    out, terminal = b"", b""
    try:
        deadline = time.monotonic() + 120
        while b"\n" not in out and time.monotonic() < deadline and server.poll() is None:
            ready, _, _ = select.select([server.stdout, leader], [], [], 1)
            if server.stdout in ready:
                out += os.read(server.stdout.fileno(), 4096)
            if leader in ready:
                terminal += os.read(leader, 4096)
        return out.decode().splitlines()[0] if out else "", listening(port), terminal.decode(errors="replace")
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.close(leader)


@pytest.mark.skipif(importlib.util.find_spec("solara") is None, reason="the explorer needs Solara")
def test_explore_shows_the_first_ensemble_then_the_address_once_it_serves():
    line, served, terminal = _explorer_on_a_terminal()
    assert re.fullmatch(rf"The explorer of {re.escape(str(PORT))}: http://127\.0\.0\.1:\d+/ \(Ctrl\+C stops it\)", line)
    assert served
    assert "200/200" in terminal and "run" in terminal
    line, served, terminal = _explorer_on_a_terminal("--quiet")
    assert line.startswith("The explorer of ") and served
    assert "200/200" not in terminal and "%|" not in terminal


def test_the_report_looks_for_drivers_where_deals_are_nearest_even():
    from sim.reporting.html_report import drivers_horizon

    port, week = load_scenario(PORT), summary.MONTHS_PER_UNIT["week"]  # headline horizons 1, 4 and 13 weeks; 26 in all
    weeks = lambda *counts: pd.DataFrame({"months_to_deal": np.array(counts, float) * week})  # noqa: E731
    assert drivers_horizon(weeks(1, 1, 2, np.nan), port) == 1
    assert drivers_horizon(weeks(2, 2, 20, 20), port) == 13  # half by 4 and by 13 weeks: the later
    assert drivers_horizon(weeks(3, 3, 3, 3), port) == 26  # every run deals by 4 weeks: nowhere is better
    assert drivers_horizon(weeks(np.nan, np.nan, 20, 30), port) == 26
