"""The ``explore`` command: serve the explorer for one scenario file on 127.0.0.1."""

from __future__ import annotations

import argparse
import importlib.util
import socket
import sys

from sim.errors import ScenarioError


def add_explore(commands: argparse._SubParsersAction) -> None:
    """Register ``sim explore``."""
    explore = commands.add_parser(
        "explore", help="move a scenario's assumptions in the browser and see the outcomes redrawn"
    )
    explore.add_argument("file", help="scenario YAML file (the baseline; variants are saved beside it)")
    explore.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765)")
    explore.add_argument("--runs", type=int, default=10_000, help="runs per setting (default: 10,000)")
    explore.add_argument("--seed", type=int, help="random seed (default: the file's monte_carlo.seed)")
    explore.add_argument("--quiet", action="store_true", help="no progress bar")
    explore.set_defaults(handler=cmd_explore)


def cmd_explore(args: argparse.Namespace) -> int:
    """``sim explore``: serve the explorer on this machine's loopback address until stopped."""
    from sim.cli.shared import shown
    from sim.explorer import INSTALL_HINT, serve
    from sim.scenario.loading import load_scenario

    scenario = load_scenario(args.file)
    if importlib.util.find_spec("solara") is None:
        print(f"error: {INSTALL_HINT}", file=sys.stderr)
        return 1
    if not 0 < args.port < 65536:
        raise ScenarioError("--port", [("", "must lie between 1 and 65535")])
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            raise ScenarioError("--port", [("", f"{args.port} is in use on 127.0.0.1; choose another with --port")])
    serve(
        scenario,
        args.port,
        runs=args.runs,
        seed=args.seed,
        progress=shown(args),
        on_ready=lambda url: print(f"The explorer of {args.file}: {url} (Ctrl+C stops it)", flush=True),
    )
    return 0
