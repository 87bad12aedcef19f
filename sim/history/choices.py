"""The names a scenario's ``reference_class`` and ``sim reference-class`` accept, and the UCDP codes behind them.

Kept apart from the data readers so that loading a scenario does not load them.
"""

from typing import Literal, get_args

ANY = "any"
CONFLICT_TYPES = {1: "extrasystemic", 2: "interstate", 3: "intrastate", 4: "internationalised"}
"""UCDP ``type_of_conflict``; ``internationalised`` is intrastate with foreign troops on a side."""
REGIONS = {1: "europe", 2: "middle_east", 3: "asia", 4: "africa", 5: "americas"}

ConflictType = Literal["any", "extrasystemic", "interstate", "intrastate", "internationalised"]
Intensity = Literal["war", "any"]
"""``war``: reached war intensity (1,000 or more battle deaths in a year) at some point of the episode."""
WorldRegion = Literal["any", "europe", "middle_east", "asia", "africa", "americas"]

CONFLICT_TYPE_CHOICES: tuple[str, ...] = get_args(ConflictType)
INTENSITY_CHOICES: tuple[str, ...] = get_args(Intensity)
REGION_CHOICES: tuple[str, ...] = get_args(WorldRegion)
