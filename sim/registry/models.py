"""The bargaining protocols a simulated negotiation can follow, and the static solutions computed from the same
draws: the names the scenario's ``model.mechanism.kind``, ``sim run --model`` and ``sim compare --models`` take.

A protocol is a class built from the model's inputs that puts an offer on the table each round (see
:class:`BargainingProtocol`); a solution is a function from a scenario and its draws to ``deal`` and
``settlement_<issue>`` columns (see :class:`Solution`). A protocol with settings of its own also declares them in
the scenario (``sim/scenario/schema.py``, beside ``Mediated``); one without needs nothing more than its entry here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sim.registry import Registry

if TYPE_CHECKING:
    import numpy as np

    from sim.model.acceptance import Acceptance, Zone
    from sim.model.inputs import ModelInputs
    from sim.model.offer import Offer, Talks
    from sim.sampling.draws import Draws
    from sim.scenario.schema import Scenario


class BargainingProtocol(Protocol):
    """Who proposes what each round, for every run of the ensemble."""

    def __init__(self, inputs: ModelInputs) -> None: ...

    def propose(self, talks: Talks, rules: Acceptance, zone: Zone, runs: np.ndarray) -> Offer:
        """The offer in the talking ``runs`` this round, given what it knows of the ``talks`` (the round, the veto
        holders, the compromise), the veto holders' acceptance ``rules`` and the zone search's answer ``zone``."""
        ...


class Solution(Protocol):
    """A static solution per run at the scenario's start: columns ``deal`` and ``settlement_<issue>``."""

    def __call__(self, scenario: Scenario, draws: Draws, rng: np.random.Generator, /) -> dict[str, np.ndarray]: ...


PROTOCOLS: Registry[type[BargainingProtocol]] = Registry(
    "bargaining protocol",
    {
        "mediator": "sim.model.mediator:MediatorProtocol",
        "alternating": "sim.model.alternating:AlternatingProtocol",
    },
)
"""Protocols by the name a scenario's ``model.mechanism.kind`` gives."""

SOLUTIONS: Registry[Solution] = Registry(
    "solution",
    {
        "compromise": "sim.model.static_solutions:compromise",
        "expected_utility": "sim.model.static_solutions:expected_utility",
        "nash": "sim.model.static_solutions:nash",
        "kalai_smorodinsky": "sim.model.static_solutions:kalai_smorodinsky",
    },
)
"""Static solutions by name."""


def model_names() -> tuple[str, ...]:
    """Every model ``sim compare`` can run: the protocols, then the solutions."""
    return PROTOCOLS.names() + SOLUTIONS.names()
