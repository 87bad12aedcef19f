"""What the commands share in reading their arguments: the progress flag and ``--set`` changes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ScenarioError
from sim.scenario.loading import load_scenario
from sim.scenario.yaml_io import read_yaml_text

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

NOT_VALUES = {"extends": "names the file a scenario builds on, which only a scenario file may give"}
"""Keys that ``--set`` may not change, as they are not values of the scenario, and why."""


def shown(args) -> bool | None:
    """Whether a command shows its progress bar: never with --quiet, else when writing to a terminal."""
    return False if getattr(args, "quiet", False) else None


def parse_changes(pairs: list[str]) -> dict[str, Any]:
    """``--set KEY=VALUE`` pairs as changes to a scenario (values read as YAML within the scenario files' limits,
    never run)."""
    changes = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ScenarioError("--set", [(pair, "expected KEY=VALUE, e.g. front.p_advance=0.5")])
        top = key.split(".")[0]
        if top in NOT_VALUES:
            raise ScenarioError(f"--set {key}", [("", f"not a value of the scenario: {NOT_VALUES[top]}")])
        changes[key] = read_yaml_text(value, f"--set {key}")
    return changes


def load_changed(file: str | Path, changes: Mapping[str, Any]) -> Scenario:
    """The scenario file with the ``--set`` changes; a problem the changes make is blamed on ``--set KEY``, one the
    file has without them on the file."""
    try:
        return load_scenario(file, changes)
    except ScenarioError as error:
        if not changes:
            raise
        load_scenario(file)
        raise _blamed_on_changes(error, list(changes)) from None


def _blamed_on_changes(error: ScenarioError, keys: list[str]) -> ScenarioError:
    """``error`` of a scenario that is valid without the changes ``keys``, told as a problem of ``--set``."""
    related = [
        key
        for key in keys
        if any(p == key or p.startswith(f"{key}.") or key.startswith(f"{p}.") for p, _ in error.problems)
    ]
    blamed = related or keys
    if len(blamed) == 1:
        key = blamed[0]
        return ScenarioError(f"--set {key}", [(_below(path, key), message) for path, message in error.problems])
    return ScenarioError(f"--set {', '.join(blamed)}", error.problems)


def _below(path: str, key: str) -> str:
    """The key ``path`` as seen from the changed ``key`` (nothing when it is the key itself)."""
    return path.removeprefix(key).removeprefix(".") if path == key or path.startswith(f"{key}.") else path
