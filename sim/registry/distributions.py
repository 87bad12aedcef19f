"""The distributions a scenario's numbers may follow: the names given after ``dist:``.

A distribution is a :class:`sim.scenario.quantities.QuantityBase` (a pydantic model with ``dist: Literal["<name>"]``, its
parameters and checks, and ``support``, ``ppf`` and ``central``); every number is drawn through ``ppf``. The
scenario's schema, its error messages and ``sim schema`` take the distributions registered when a scenario model
is first built (when :mod:`sim.scenario.schema` is imported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.registry import Registry

if TYPE_CHECKING:
    from sim.scenario.quantities import QuantityBase

DISTRIBUTIONS: Registry[type[QuantityBase]] = Registry(
    "distribution",
    {
        "uniform": "sim.scenario.quantities:Uniform",
        "triangular": "sim.scenario.quantities:Triangular",
        "truncated_normal": "sim.scenario.quantities:TruncatedNormal",
        "normal": "sim.scenario.quantities:Normal",
        "lognormal": "sim.scenario.quantities:LogNormal",
        "pert": "sim.scenario.quantities:Pert",
        "beta": "sim.scenario.quantities:Beta",
        "integer_uniform": "sim.scenario.quantities:IntegerUniform",
        "choice": "sim.scenario.quantities:Choice",
    },
)
"""Distributions by the name a scenario gives after ``dist:``."""
