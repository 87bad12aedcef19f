"""The explorer's controls: what a scenario lets a person change, and the scenario a setting of them gives.

Every number gets a range (``low == high``: a constant). Moving a range maps the number's
distribution onto the new range (each location shifted and stretched alike, spreads stretched), so
its shape is kept; a constant pulled apart becomes uniform. Structural choices (the bargaining
protocol, the utility form, the kind of red lines, who holds a veto, and an option of each of the
scenario's own structural choices, or one drawn per run as the file has it) are picked from their
options. Groups follow the scenario: one per actor (and per issue within it), one for the issues,
then the other sections.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, get_args

from sim.scenario.loading import merge_changes, replaces_whole, scenario_from_mapping
from sim.scenario.schema import ModelSettings, Scenario

Setting = tuple[float, float] | str | bool
Settings = dict[str, Setting]
"""Control key (a dotted key path) -> a number's ``(low, high)``, or a choice's option."""

_LOCATIONS = ("value", "low", "high", "mode", "mean")
_SPREADS = ("sd",)
_MECHANISM = "model.mechanism.kind"
_MODEL_CHOICES = {"utility": "utility form", "red_lines": "red lines"}
DRAWN = "drawn per run"
"""A structural choice left as the scenario has it: one of its options drawn per run, by weight."""


@dataclass(frozen=True)
class Control:
    """A control: ``options`` for a structural choice, else a number's slider from ``minimum`` to ``maximum`` by ``step``."""

    key: str
    group: str
    label: str
    initial: Setting
    minimum: float = 0.0
    maximum: float = 1.0
    step: float = 0.01
    options: tuple[Any, ...] = ()
    source: str = ""

    @property
    def is_choice(self) -> bool:
        """True for a structural choice (a pick among options), false for a number."""
        return bool(self.options)


def group_and_label(path: str) -> tuple[str, str]:
    """The group a key path belongs to (``actor / issue``, ``actor``, ``issues / issue``, or its section) and its label."""
    parts = path.split(".")
    if parts[0] == "actors" and len(parts) > 4 and parts[2] == "issues":
        group, label = f"{parts[1]} / {parts[3]}", parts[4:]
    elif parts[0] == "actors" and len(parts) > 2:
        group, label = parts[1], parts[2:]
    elif parts[0] == "issues" and len(parts) > 2:
        group, label = f"issues / {parts[1]}", parts[2:]
    else:
        group, label = parts[0], parts[1:] or parts
    return group, " ".join(label).replace("_", " ")


def _scale_of(scenario: Scenario, path: str) -> tuple[float, float] | None:
    """The issue scale a number lies on (positions, red lines, no-deal values, the ceasefire's value)."""
    parts = path.split(".")
    issue = None
    if parts[0] == "actors" and len(parts) > 4 and parts[2] == "issues" and parts[4] in ("position", "red_line"):
        issue = parts[3]
        red_line = scenario.actors[parts[1]].issues[issue].red_line
        if parts[4] == "red_line" and red_line is not None and red_line.relative_to_front:
            span = scenario.issues[issue].high - scenario.issues[issue].low
            return (-span, span)
    elif parts[0] == "issues" and parts[-1] == "no_deal":
        issue = parts[1]
    elif path == "ceasefire.value" and scenario.ceasefire is not None:
        issue = scenario.ceasefire.issue
    if issue is None or issue not in scenario.issues:
        return None
    return (scenario.issues[issue].low, scenario.issues[issue].high)


def _bounds(scenario: Scenario, path: str, low: float, high: float) -> tuple[float, float]:
    """Slider bounds: the issue's scale, [0, 1] for a number inside it, else from zero to twice its top."""
    scale = _scale_of(scenario, path)
    if scale is not None:
        return scale
    if low >= 0.0 and high <= 1.0:
        return (0.0, 1.0)
    top = max(abs(low), abs(high)) * 2 or 1.0
    return (-top if low < 0 else 0.0, top)


def slider_step(minimum: float, maximum: float, ends: tuple[float, float]) -> float:
    """A power of ten giving at least 200 steps from ``minimum`` to ``maximum``, on whose grid the bounds and
    both ends of the number's range lie (a slider snaps its value to the grid: it must not move a number
    nobody touched)."""
    power = math.floor(math.log10((maximum - minimum) / 200))
    while power > -12:
        step = 10.0**power
        if all(abs(x / step - round(x / step)) < 1e-6 for x in (minimum, maximum, *ends)):
            return step
        power -= 1
    return step


def controls(scenario: Scenario) -> list[Control]:
    """Every control of a scenario: each number (actors first, in file order), then the structural choices."""
    numbers = []
    for path, quantity in scenario.quantities():
        if path.startswith("structure."):
            continue  # a structural choice's draw: picked among its options below
        low, high = quantity.support()
        group, label = group_and_label(path)
        minimum, maximum = _bounds(scenario, path, low, high)
        minimum, maximum = min(minimum, low), max(maximum, high)
        numbers.append(
            Control(
                path,
                group,
                label,
                (low, high),
                minimum,
                maximum,
                slider_step(minimum, maximum, (low, high)),
                source=quantity.source or "",
            )
        )
    numbers.sort(key=lambda c: not c.key.startswith("actors."))
    mechanisms = scenario.mechanisms()
    choices = [Control(_MECHANISM, "model", "bargaining protocol", scenario.model.mechanism.kind, options=mechanisms)]
    choices += [
        Control(
            f"model.{field}",
            "model",
            label,
            getattr(scenario.model, field),
            options=get_args(ModelSettings.model_fields[field].annotation),
        )
        for field, label in _MODEL_CHOICES.items()
    ]
    choices += [
        Control(f"actors.{name}.veto", name, "veto", actor.veto, options=(True, False))
        for name, actor in scenario.actors.items()
    ]
    choices += [
        Control(
            f"structure.{name}",
            "structure",
            name.replace("_", " "),
            DRAWN,
            options=(DRAWN, *choice.options),
            source=choice.source or "",
        )
        for name, choice in scenario.structure.items()
    ]
    return numbers + choices


def initial_settings(scenario: Scenario) -> Settings:
    """The settings of the scenario as loaded (the baseline)."""
    return {control.key: control.initial for control in controls(scenario)}


def changed_settings(scenario: Scenario, settings: Mapping[str, Setting]) -> Settings:
    """The settings that differ from the scenario as loaded."""
    initial = initial_settings(scenario)
    unknown = set(settings) - set(initial)
    if unknown:
        raise KeyError(f"not a control of this scenario: {', '.join(sorted(unknown))}")
    return {key: value for key, value in settings.items() if value != initial[key]}


def locate(raw: Mapping[str, Any], path: str) -> tuple[str, ...]:
    """The keys leading to a dotted key path in a scenario mapping (keys may themselves hold dots, as events' do)."""
    if path in raw:
        return (path,)
    for key in sorted(raw, key=len, reverse=True):
        if path.startswith(f"{key}.") and isinstance(raw[key], Mapping):
            return (key, *locate(raw[key], path[len(key) + 1 :]))
    raise KeyError(path)


def rescaled(quantity: Mapping[str, Any], low: float, high: float) -> dict[str, Any]:
    """A number's mapping moved onto ``[low, high]``: a constant if ``low == high``, uniform if it was one,
    else the same distribution shifted and stretched (its ``source`` is left to the caller)."""
    low, high = _round(low), _round(high)
    if low == high:
        return {"value": low}
    old = _support(quantity)
    if "dist" not in quantity or old[0] == old[1]:
        return {"dist": "uniform", "low": low, "high": high}
    stretch = (high - low) / (old[1] - old[0])
    moved = {"dist": quantity["dist"]} | {
        key: value for key, value in quantity.items() if key not in ("dist", "source")
    }
    for key in _LOCATIONS:
        if key in moved:
            moved[key] = _round(low + (moved[key] - old[0]) * stretch)
    for key in _SPREADS:
        if key in moved:
            moved[key] = _round(moved[key] * stretch)
    if "values" in moved:
        moved["values"] = [_round(low + (v - old[0]) * stretch) for v in moved["values"]]
    return moved


def _round(x: float) -> float:
    """Six significant digits: what a slider means, and what a variant file shows."""
    return float(f"{x:.6g}")


def _support(quantity: Mapping[str, Any]) -> tuple[float, float]:
    if "value" in quantity:
        return (quantity["value"], quantity["value"])
    if "values" in quantity:
        return (min(quantity["values"]), max(quantity["values"]))
    return (quantity["low"], quantity["high"])


def changes(scenario: Scenario, settings: Mapping[str, Setting]) -> dict[str, tuple[tuple[str, ...], Any]]:
    """What the changed settings write: control key -> (the keys leading to its place in the scenario's
    mapping, the new value). Numbers come without a ``source``; a new protocol replaces the old one whole,
    so changes to the old one's numbers are dropped; an option of a structural choice removes the choice
    and sets what the option changes."""
    raw = scenario.model_dump(mode="json", exclude_none=True)
    changed = changed_settings(scenario, settings)
    if _MECHANISM in changed:
        changed = {k: v for k, v in changed.items() if k == _MECHANISM or not k.startswith("model.mechanism.")}
    out: dict[str, tuple[tuple[str, ...], Any]] = {}
    for key, value in changed.items():
        if key == _MECHANISM:
            out[key] = (("model", "mechanism"), {"kind": value})
        elif key.startswith("structure."):
            name = key.removeprefix("structure.")
            out[key] = (("structure", name), None)
            for keys, leaf in _leaves(scenario.structure[name].options[str(value)].changes):
                out[f"{key}.{'.'.join(keys)}"] = (keys, leaf)
        elif isinstance(value, tuple):
            where = locate(raw, key)
            out[key] = (where, rescaled(_get(raw, where), *value))
        else:
            out[key] = (locate(raw, key), value)
    return out


def _leaves(mapping: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """The places a mapping sets when merged into a scenario (a mapping that replaces whole is one place)."""
    for key, value in mapping.items():
        if isinstance(value, dict) and not replaces_whole(value):
            yield from _leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def nested(found: Mapping[str, tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
    """Changes (as :func:`changes` gives them) as one nested mapping, as a variant file holds them."""
    out: dict[str, Any] = {}
    for keys, value in found.values():
        node = out
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return out


def _get(raw: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        raw = raw[key]
    return raw


def scenario_with(scenario: Scenario, settings: Mapping[str, Setting]) -> Scenario:
    """The scenario with the settings applied as a variant file applies them, validated (bad settings
    raise :class:`~sim.errors.ScenarioError`)."""
    raw = merge_changes(scenario.model_dump(mode="json", exclude_none=True), nested(changes(scenario, settings)))
    changed = scenario_from_mapping(raw, str(scenario.path or scenario.name))
    changed._files = scenario.files
    return changed
