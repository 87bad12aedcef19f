"""The model's layers: its rules, agents, protocols and outcomes do not import the model class; only the package's
entry point (sim/model/__init__.py) builds it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

MODEL = Path(__file__).resolve().parents[1] / "sim" / "model"
CLASS_MODULE = "sim.model.negotiation"
MAY_IMPORT_IT = {"__init__.py", "negotiation.py"}


def imported_modules(source: str, package: str = "sim.model") -> set[str]:
    """Every module an ``import`` or ``from ... import`` in ``source`` names (its own, and each imported name as a
    submodule), wherever it stands (under ``if TYPE_CHECKING:`` or in a function too); relative imports resolved
    against ``package``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize(
    "source",
    [
        "from sim.model.negotiation import NegotiationModel",
        "import sim.model.negotiation as negotiation",
        "from sim.model import negotiation",
        "from .negotiation import NO_ROUND",
        "from . import negotiation",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sim.model.negotiation import NegotiationModel",
        "def f():\n    from sim.model.negotiation import NegotiationModel\n    return NegotiationModel",
    ],
)
def test_every_way_of_importing_the_model_class_is_seen(source):
    assert CLASS_MODULE in imported_modules(source)


@pytest.mark.parametrize(
    "source", ["from sim.model.state import NegotiationState", "from . import state", "import sim.model.agents"]
)
def test_other_imports_are_not_taken_for_it(source):
    assert CLASS_MODULE not in imported_modules(source)


def test_no_module_of_the_model_but_its_entry_point_imports_the_model_class():
    modules = sorted(MODEL.glob("*.py"))
    assert len(modules) > 10, f"the model's modules are not where this test looks: {MODEL}"
    importers = [
        path.name
        for path in modules
        if path.name not in MAY_IMPORT_IT and CLASS_MODULE in imported_modules(path.read_text())
    ]
    assert not importers, f"{importers} import {CLASS_MODULE}: pass them the inputs and the state instead"


LAYERS = ("scenario", "sampling", "model", "experiments", "analysis", "reporting")
"""The wings in the order data flows through them: each may import only the ones before it."""
READS_LATER_LAYERS = {
    "sim/experiments/until_ci.py": {"analysis"},
    "sim/experiments/sensitivity.py": {"analysis"},
}
"""The deliberate exceptions docs/extending.md names: runs that read the analysis of the runs they have made."""


def test_each_wing_imports_only_the_wings_before_it():
    package = MODEL.parent
    later = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package.parent).as_posix()
        wing = path.relative_to(package).parts[0]
        if wing not in LAYERS:
            continue
        dotted = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        wings = {name.split(".")[1] for name in imported_modules(path.read_text(), dotted) if name.startswith("sim.")}
        beyond = {w for w in wings if w in LAYERS and LAYERS.index(w) > LAYERS.index(wing)}
        if beyond - READS_LATER_LAYERS.get(relative, set()):
            later.append(f"{relative} imports {sorted(beyond)}")
    assert not later, later
