"""What the commands share in reading their arguments: the progress flag and ``--set`` changes."""

from __future__ import annotations

from typing import Any

import yaml

from sim.errors import ScenarioError


def shown(args) -> bool | None:
    """Whether a command shows its progress bar: never with --quiet, else when writing to a terminal."""
    return False if getattr(args, "quiet", False) else None


def parse_changes(pairs: list[str]) -> dict[str, Any]:
    """``--set KEY=VALUE`` pairs as changes to a scenario (values read as YAML scalars, never run)."""
    changes = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ScenarioError("--set", [(pair, "expected KEY=VALUE, e.g. front.p_advance=0.5")])
        try:
            changes[key] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ScenarioError("--set", [(key, f"cannot read the value {value!r}")]) from None
    return changes
