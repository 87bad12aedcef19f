"""The distributions a scenario's numbers may follow: the names given after ``dist:``.

A distribution is a :class:`sim.quantities.QuantityBase` (a pydantic model with ``dist: Literal["<name>"]``, its
parameters and checks, and ``support``, ``ppf`` and ``central``); every number is drawn through ``ppf``. The
scenario's schema, its error messages and ``sim schema`` take the distributions registered when a scenario model
is first built (when :mod:`sim.scenario` is imported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.registry import Registry

if TYPE_CHECKING:
    from sim.quantities import QuantityBase

DISTRIBUTIONS: Registry[type[QuantityBase]] = Registry(
    "distribution",
    {
        "uniform": "sim.quantities:Uniform",
        "triangular": "sim.quantities:Triangular",
        "truncated_normal": "sim.quantities:TruncatedNormal",
        "normal": "sim.quantities:Normal",
        "lognormal": "sim.quantities:LogNormal",
        "pert": "sim.quantities:Pert",
        "beta": "sim.quantities:Beta",
        "integer_uniform": "sim.quantities:IntegerUniform",
        "choice": "sim.quantities:Choice",
    },
)
"""Distributions by the name a scenario gives after ``dist:``."""
