"""Analysis of the runs: summaries, comparisons, drivers and scenario discovery.

Every public function of :mod:`~sim.analysis.summary`, :mod:`~sim.analysis.comparison` and
:mod:`~sim.analysis.drivers` is also reachable here (``from sim import analysis; analysis.headline(...)``),
imported on first use.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from types import ModuleType
from typing import Any

_PARTS = ("sim.analysis.summary", "sim.analysis.comparison", "sim.analysis.drivers")


def __getattr__(name: str) -> Any:
    """The module ``name`` of this wing, or the summary, comparison or driver function ``name``, imported on first
    use."""
    if name in {module.name for module in pkgutil.iter_modules(__path__)}:
        return import_module(f"{__name__}.{name}")
    if not name.startswith("_"):
        for part in _PARTS:
            value = vars(import_module(part)).get(name)
            if value is not None and not isinstance(value, ModuleType) and getattr(value, "__module__", part) == part:
                return value
    raise AttributeError(f"module 'sim.analysis' has no attribute {name!r}")
