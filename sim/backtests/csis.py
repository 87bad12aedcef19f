"""CSIS Futures Lab's Ukraine-Russia peace-agreement items as a scenario, and the packages every actor accepts.

Each of the 20 items is an issue on a 0/1 scale (left out / in the agreement). CSIS scores a draft for an
actor as the mean of its satisfaction (0-10) over the draft's items and calls the draft acceptable when
that mean reaches the actor's threshold. Because ``mean(sat) >= threshold`` holds exactly when
``sum(sat - threshold) >= 0`` over the draft's items, the scenario encodes each actor exactly: position 1
on items it rates above its threshold (0 below), salience ``|sat - threshold|``, linear utility, and a
reservation utility of one minus the (normalised) salience of the items it wants. Mutually exclusive
items become the scenario's exclusive constraints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.backtests.data_files import json_entry, not_a_data_file, read_json_object
from sim.backtests.data_folder import data_file
from sim.model import build_inputs
from sim.model.utility import package_utility
from sim.sampling.draws import central
from sim.scenario.loading import scenario_from_mapping
from sim.scenario.schema import Scenario

FOLDER = "csis-ukraine-peace-items"
FILE = "csis_ukraine_peace_items.json"
KIND = "csis"
MAX_ITEMS = 20
"""Every package of the items is scored: 2 ** 20 packages at most."""
ACTORS = {"Ukraine": "ukraine", "Russia": "russia", "USA": "united_states", "EU": "european_union"}


@dataclass(frozen=True)
class CsisItems:
    """Satisfaction ``[actors, items]`` (0-10), thresholds per actor, exclusive pairs and preset drafts (1-based items)."""

    titles: tuple[str, ...]
    satisfaction: np.ndarray
    thresholds: np.ndarray
    exclusive: tuple[tuple[int, ...], ...]
    presets: dict[str, tuple[int, ...]]


def load_csis(data: str | Path | None = None) -> CsisItems:
    """Read the CSIS items file: ``data`` itself, or found in the data folder (:func:`sim.backtests.data_folder.data_file`)."""
    path = data_file(data, FOLDER, FILE)
    raw = read_json_object(path, KIND)

    def entry(keys: tuple[str, ...], expected: type) -> Any:
        return json_entry(path, KIND, raw, keys, expected)

    items = _item_numbers(path, entry(("articles",), dict))
    return CsisItems(
        titles=tuple(entry(("articles", k, "title"), str).split("-", 1)[-1].strip() for k in items),
        satisfaction=np.array([[entry(("articles", k, f"{a}_sat"), float) for k in items] for a in ACTORS], float),
        thresholds=np.array([entry(("minimum_acceptable_threshold", a), float) for a in ACTORS], float),
        exclusive=tuple(
            _chosen_items(path, f"mutually_exclusive_pairs.{n}", pair, len(items), size=2)
            for n, pair in enumerate(entry(("mutually_exclusive_pairs",), list))
        ),
        presets={
            name: _chosen_items(path, f"presets.{name}", chosen, len(items))
            for name, chosen in entry(("presets",), dict).items()
        },
    )


def _item_numbers(path: Path, articles: dict[str, Any]) -> list[str]:
    """The keys of ``articles`` in order, refusing any but the item numbers 1 to N (N at most :data:`MAX_ITEMS`)."""
    expected = [str(k) for k in range(1, len(articles) + 1)]
    if not articles:
        raise not_a_data_file(path, KIND, "articles: no items")
    wrong = [k for k in articles if k not in expected]
    if wrong:
        raise not_a_data_file(path, KIND, f"articles: {wrong[0]!r} is not an item number 1 to {len(articles)}")
    if len(articles) > MAX_ITEMS:
        raise not_a_data_file(
            path, KIND, f"articles: {len(articles)} items; every package is scored, so at most {MAX_ITEMS}"
        )
    return expected


def _chosen_items(path: Path, key: str, chosen: Any, count: int, size: int | None = None) -> tuple[int, ...]:
    """``chosen`` as item numbers, refusing anything but a non-empty list (of ``size``) of numbers 1 to ``count``."""
    if (
        not isinstance(chosen, list)
        or not chosen
        or (size is not None and len(chosen) != size)
        or not all(isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= count for k in chosen)
    ):
        shape = f"{size} item numbers" if size else "a list of item numbers"
        raise not_a_data_file(path, KIND, f"{key}: expected {shape} from 1 to {count} (got {chosen!r})")
    return tuple(chosen)


def draft_scores(items: CsisItems, draft: tuple[int, ...]) -> pd.Series:
    """CSIS's score of a draft (1-based items) for each actor: mean satisfaction over its items."""
    return pd.Series(items.satisfaction[:, [k - 1 for k in draft]].mean(axis=1), index=list(ACTORS))


def as_scenario(items: CsisItems) -> Scenario:
    """The items as a scenario: 20 issues, four veto holders, thresholds as reservation utilities."""
    names = [f"item_{k:02d}" for k in range(1, len(items.titles) + 1)]
    issues = {
        name: {
            "description": title,
            "low_means": "left out of the agreement",
            "high_means": "in the agreement",
            "no_deal": 0.0,
        }
        for name, title in zip(names, items.titles, strict=True)
    }
    actors = {}
    for a, label in enumerate(ACTORS.values()):
        margin = items.satisfaction[a] - items.thresholds[a]
        wanted = np.abs(margin)[margin > 0].sum() / np.abs(margin).sum()
        source = f"fact: CSIS Futures Lab item scores; threshold {items.thresholds[a]:g}"
        actors[label] = {
            "veto": True,
            "capability": 1.0,
            "issues": {
                name: {"position": float(m > 0), "salience": {"value": float(abs(m)) / 10, "source": source}}
                for name, m in zip(names, margin, strict=True)
            },
            "reservation_utility": {"value": float(1 - wanted), "source": source},
        }
    raw = {
        "name": "CSIS Futures Lab: Ukraine-Russia peace-agreement items",
        "issues": issues,
        "actors": actors,
        "constraints": {"exclusive": [[names[a - 1], names[b - 1]] for a, b in items.exclusive]},
        "model": {"start_date": "2025-01-01", "utility": "linear", "mechanism": {"kind": "none"}},
    }
    return scenario_from_mapping(raw, "csis_ukraine_peace_items")


def acceptable_packages(scenario: Scenario) -> pd.DataFrame:
    """Every non-empty package of a scenario whose issues are all 0/1 choices that respects its exclusive
    constraints and clears every veto holder's reservation utility; one row per package, with utilities."""
    inputs = build_inputs(scenario, central(scenario))
    count = len(inputs.issues)
    codes = np.arange(1, 2**count, dtype=np.int64)
    package = ((codes[None, :] >> np.arange(count)[:, None]) & 1).astype(float)
    allowed = np.ones(codes.size, bool)
    for a, b in scenario.constraints.exclusive:
        allowed &= ~((package[inputs.issues.index(a)] == 1) & (package[inputs.issues.index(b)] == 1))
    package = package[:, allowed]
    utilities = {}
    accepted = np.ones(package.shape[1], bool)
    for k, name in enumerate(inputs.actors):
        utility = package_utility(
            inputs.position[k, :, :1], inputs.salience[k, :, :1], package, inputs.utility.take(slice(0, 1))
        )
        utilities[f"utility_{name}"] = utility
        if inputs.veto[k]:
            accepted &= utility >= inputs.reservation[k, 0] - 1e-12
    chosen = package[:, accepted].astype(bool)
    table = pd.DataFrame({"items": [tuple(int(i) + 1 for i in np.flatnonzero(column)) for column in chosen.T]})
    for name, values in utilities.items():
        table[name] = values[accepted]
    return table


def rank_by_margin(items: CsisItems, packages: pd.DataFrame) -> pd.DataFrame:
    """The packages with CSIS's scores per actor and ``margin``, the smallest lead of any actor over its
    threshold, best first."""
    indicator = np.zeros((len(packages), len(items.titles)))
    for row, chosen in enumerate(packages["items"]):
        indicator[row, [k - 1 for k in chosen]] = 1.0
    scores = indicator @ items.satisfaction.T / indicator.sum(axis=1, keepdims=True)
    table = pd.DataFrame(scores, columns=[f"score_{a}" for a in ACTORS]).assign(items=packages["items"].to_numpy())
    table["margin"] = (scores - items.thresholds).min(axis=1)
    return table.sort_values(["margin", "items"], ascending=[False, True], ignore_index=True)
