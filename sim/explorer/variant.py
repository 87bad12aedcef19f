"""Saving the explorer's setting as a scenario variant: ``extends:`` the file, then only what changed,
each changed number with a ``source:`` saying what it was and where it came from."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sim.errors import ScenarioError
from sim.explorer.controls import Setting, changes, nested
from sim.scenario.provenance import _QUOTE, describe
from sim.scenario.quantities import QuantityBase
from sim.scenario.schema import Scenario


def variant_source(was: QuantityBase) -> str:
    """The source of a number the explorer changed: what it was and the file's source for it, quotes cited as
    ``line N ("...")`` as variants cite them (so provenance counts the number as a variant's, not the article's)."""
    cited = _QUOTE.sub(r'line \1 ("\2")', was.source or "no source")
    return f"variant: set in the explorer (was {describe(was)}; {cited})"


def variant_mapping(scenario: Scenario, settings: Mapping[str, Setting], folder: Path) -> dict[str, Any]:
    """The variant's content for a file in ``folder``: ``extends`` (relative to it), a name, and the changes."""
    if scenario.path is None:
        raise ScenarioError(
            None, [("extends", "the scenario was not loaded from a file, so a variant has nothing to extend")]
        )
    numbers = dict(scenario.quantities())
    found = changes(scenario, settings)
    for key, (keys, value) in found.items():
        if key in numbers and isinstance(value, dict):  # a number (not a structural choice, which is removed)
            found[key] = (keys, value | {"source": variant_source(numbers[key])})
    return {
        "extends": os.path.relpath(scenario.path.resolve(), folder.resolve()),
        "name": f"{scenario.name} (explored variant)",
    } | nested(found)


def variant_text(scenario: Scenario, settings: Mapping[str, Setting], folder: Path) -> str:
    """The variant file's text for ``folder``: a comment, then :func:`variant_mapping` (each number on one line)."""
    content = variant_mapping(scenario, settings, folder)
    header = f"# A variant of {scenario.name}, saved from the explorer: only what changed.\n"
    return header + yaml.safe_dump(content, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000)


def free_variant_path(scenario: Scenario) -> Path:
    """``<file>_explored_<n>.yaml`` beside the scenario's file, with the first ``n`` not taken."""
    base = scenario.path or Path(f"{scenario.name}.yaml")
    n = 1
    while (candidate := base.with_name(f"{base.stem}_explored_{n}.yaml")).exists():
        n += 1
    return candidate


def write_variant(scenario: Scenario, settings: Mapping[str, Setting], path: str | Path) -> Path:
    """Write the setting as a variant file (whole or not at all; an existing file is never replaced)."""
    path = Path(path)
    if path.exists():
        raise ScenarioError(path, [("", "already exists; choose another name")])
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(variant_text(scenario, settings, path.parent), encoding="utf-8")
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise ScenarioError(path, [("", "already exists; choose another name")]) from None
    finally:
        temporary.unlink()
    return path
