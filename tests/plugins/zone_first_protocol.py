"""A bargaining protocol added in one module: wherever a zone of agreement exists, the package the zone search
found is put on the table (imported before the scenario module, so that scenarios may name it)."""

from __future__ import annotations

from sim.registry.models import PROTOCOLS


class ZoneFirstProtocol:
    """Offers the zone search's package in every talking run where it found a zone."""

    def __init__(self, inputs) -> None:
        self.inputs = inputs

    def propose(self, _talks, _rules, zone, _runs):
        from sim.model.offer import Offer

        return Offer(zone.package, zone.found)


PROTOCOLS.register("zone_first", ZoneFirstProtocol)
