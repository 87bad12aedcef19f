"""Reading a scenario file: ``load_scenario`` merges its ``extends`` chain, applies dotted changes and validates
it once, at the edge, naming the file, the key and the problem of anything wrong."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    pass

from sim.errors import ScenarioError
from sim.scenario.groups import group_problems
from sim.scenario.quantities import (
    DISTRIBUTIONS,
    Fixed,
    QuantityBase,
    quantity_tag,
    value_range,
)
from sim.scenario.schema import (
    CALENDAR_FIRST,
    CALENDAR_LAST,
    MAX_STRUCTURES,
    RENAMED_KEYS,
    AlternatingOffers,
    Mediated,
    NoBargaining,
    Scenario,
)
from sim.scenario.yaml_io import read_yaml_mapping, unreadable


def scenario_from_mapping(raw: dict[str, Any], label: str) -> Scenario:
    """Validate a scenario given as a mapping (built by code rather than read from a file)."""
    return validated(_with_new_keys(copy.deepcopy(raw), Path(label)), Path(label))


def load_scenario(path: str | Path, changes: Mapping[str, Any] | None = None) -> Scenario:
    """Read, merge (``extends``), change (dotted keys) and validate a scenario file."""
    path = Path(path)
    raw, files = _resolve_extends(path)
    for key, value in (changes or {}).items():
        _set_path(raw, _new_path(key), value, path)
    scenario = validated(raw, path)
    scenario._files = files
    return scenario


def _new_path(dotted: str) -> str:
    """A dotted key path with old key names replaced (``actors.a.war_cost.per_round`` -> ``...delay_cost...``)."""
    parts = dotted.split(".")
    if len(parts) > 2 and parts[0] == "actors":
        parts[2] = RENAMED_KEYS.get(parts[2], parts[2])
    if parts == ["model", "round_months"]:
        parts[1] = "round_length"
    return ".".join(parts)


def _with_new_keys(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    """``raw`` with the old key names of :data:`RENAMED_KEYS` replaced, in actors and in event targets."""
    actors = raw.get("actors")
    for name, actor in actors.items() if isinstance(actors, dict) else ():
        if not isinstance(actor, dict):
            continue
        for old, new in RENAMED_KEYS.items():
            if old in actor and new in actor:
                raise ScenarioError(path, [(f"actors.{name}.{old}", f"give {new} only ({old} is its old name)")])
            if old in actor:
                actor[new] = actor.pop(old)
    model = raw.get("model")
    if isinstance(model, dict) and "round_months" in model:
        if "round_length" in model or model.get("round_unit", "month") != "month":
            raise ScenarioError(
                path,
                [
                    (
                        "model.round_months",
                        "give round_length and round_unit only (round_months "
                        "is the old name of round_length for monthly rounds)",
                    )
                ],
            )
        model["round_length"] = model.pop("round_months")
    events = raw.get("events")
    for event in events.values() if isinstance(events, dict) else ():
        if isinstance(event, dict) and isinstance(event.get("set"), dict):
            event["set"] = {_new_path(str(k)): v for k, v in event["set"].items()}
    return raw


MAX_EXTENDS = 32
"""The most files a chain of ``extends`` may hold, the first file included."""


def _resolve_extends(path: Path) -> tuple[dict[str, Any], tuple[Path, ...]]:
    """The file's mapping merged onto those of the files it extends, in turn; and the files, the first first."""
    raws = [_with_new_keys(read_yaml_mapping(path), path)]
    files: list[Path] = [path]
    resolved: list[Path] = []
    while (parent_name := raws[-1].get("extends")) is not None:
        parent = _parent_file(files[-1], parent_name, resolved)
        if len(files) == MAX_EXTENDS:
            raise ScenarioError(
                files[-1],
                [("extends", f"more than {MAX_EXTENDS} files in a chain of extends (counting from {path.name})")],
            )
        raws.append(_with_new_keys(read_yaml_mapping(parent), parent))
        files.append(parent)
    merged = raws.pop()
    for raw in reversed(raws):
        merged = merge_changes(merged, raw)
    return merged, tuple(files)


def _parent_file(path: Path, parent_name: Any, resolved: list[Path]) -> Path:
    """The file ``path`` extends, resolved and checked; ``resolved`` holds the files of the chain so far and gains
    ``path``'s resolved path."""
    if not isinstance(parent_name, str):
        raise ScenarioError(path, [("extends", "expected the path of another scenario file")])
    try:
        parent = (path.parent / parent_name).resolve()
        resolved.append(path.resolve())
    except (OSError, RuntimeError, ValueError) as error:  # a symlink loop, a NUL byte
        raise ScenarioError(path, [("extends", f"cannot follow {parent_name!r}: {error}")]) from None
    if parent in resolved:
        cycle = " -> ".join(p.name for p in (*resolved, parent))
        raise ScenarioError(path, [("extends", f"scenario files extend each other in a cycle: {cycle}")])
    problem = unreadable(parent)
    if problem:
        raise ScenarioError(path, [("extends", f"{problem}: {parent_name}")])
    return parent


def replaces_whole(value: Any) -> bool:
    """A number's mapping, or a mapping that names its ``kind`` (a mechanism), replaces what it changes whole."""
    return isinstance(value, dict) and ("value" in value or "dist" in value or "kind" in value)


def merge_changes(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; a number's mapping, a mechanism or any other value replaces; null removes."""
    out = dict(base)
    for key, value in change.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict) and not replaces_whole(value):
            out[key] = merge_changes(out[key], value)
        else:
            out[key] = value
    return out


def _set_path(raw: dict[str, Any], dotted: str, value: Any, path: Path) -> None:
    keys = dotted.split(".")
    node = raw
    for depth, key in enumerate(keys[:-1]):
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            where = ".".join(keys[: depth + 1])
            raise ScenarioError(path, [(dotted, f"cannot set: {where} is not a mapping")])
    node[keys[-1]] = value


MAX_MAGNITUDE = 1e15
"""The largest number a scenario may hold, so that sums, products and normalisations stay finite and exact enough."""


def _value_problems(node: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Keys that are not text (YAML 1.1 reads unquoted no/yes/on/off as booleans) and numbers too large."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                yield (
                    (prefix or "(top level)"),
                    (
                        f"the key {key!r} is not text; quote it (YAML reads unquoted "
                        "no/yes/on/off as true/false and bare digits as numbers)"
                    ),
                )
            else:
                yield from _value_problems(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _value_problems(value, f"{prefix}.{index}")
    elif (
        isinstance(node, (int, float))
        and not isinstance(node, bool)
        and prefix != "monte_carlo.seed"
        and abs(node) > MAX_MAGNITUDE
        and not (isinstance(node, float) and math.isinf(node))
    ):  # inf: "must be finite"
        shown = (
            f"{node:.3g}" if isinstance(node, float) or abs(node) < 1e300 else f"a {len(str(abs(node)))}-digit integer"
        )
        yield prefix, f"{shown} is too large: numbers in a scenario lie within +-{MAX_MAGNITUDE:.0e}"


def _calendar_problems(s: Scenario) -> Iterator[tuple[str, str]]:
    """The whole horizon must fall within the dates results can hold (nanosecond timestamps); the fighting of the
    reference class must begin by the start."""
    if s.reference_class is not None and s.reference_class.fighting_since > s.model.start_date:
        yield (
            "reference_class.fighting_since",
            f"must not come after model.start_date ({s.model.start_date}) (got {s.reference_class.fighting_since})",
        )
    months = math.ceil(s.model.horizon_rounds * s.model.round_months)
    shifted = CALENDAR_LAST.year * 12 + CALENDAR_LAST.month - 1 - months
    last = dt.date(shifted // 12, shifted % 12 + 1, 1) + dt.timedelta(days=CALENDAR_LAST.day - 1)
    if not CALENDAR_FIRST <= s.model.start_date <= last:
        yield (
            "model.start_date",
            (
                f"must lie between {CALENDAR_FIRST} and {last}, so that the {months}-month horizon "
                f"ends by {CALENDAR_LAST} (got {s.model.start_date})"
            ),
        )


def _normals_on_scales(raw: dict[str, Any]) -> None:
    """Cut each ``normal`` on an issue's scale (positions, absolute red lines, no-deal and ceasefire values)
    to that scale where the file gives no bound."""
    issues: dict[str, Any] = raw["issues"] if isinstance(raw.get("issues"), dict) else {}

    def cut(node: Any, key: str, issue: Any) -> None:
        spec, scale = node.get(key) if isinstance(node, dict) else None, issues.get(issue)
        if isinstance(spec, dict) and spec.get("dist") == "normal" and isinstance(scale, dict):
            spec.setdefault("low", scale.get("low", 0.0))
            spec.setdefault("high", scale.get("high", 1.0))

    for name, issue in issues.items():
        cut(issue, "no_deal", name)
    for actor in (raw.get("actors") or {}).values() if isinstance(raw.get("actors"), dict) else ():
        stances = actor.get("issues") if isinstance(actor, dict) else None
        for name, stance in stances.items() if isinstance(stances, dict) else ():
            cut(stance, "position", name)
            line = stance.get("red_line") if isinstance(stance, dict) else None
            if isinstance(line, dict) and not line.get("relative_to_front"):
                cut(line, "min", name)
                cut(line, "max", name)
    if isinstance(raw.get("ceasefire"), dict):
        cut(raw["ceasefire"], "value", raw["ceasefire"].get("issue"))


def validated(raw: dict[str, Any], path: Path) -> Scenario:
    """A scenario from its merged mapping, checked in stages (values, schema, references and calendar, events,
    structures): the first stage with problems raises a ScenarioError naming ``path`` and each of them."""
    problems = list(_value_problems(raw))
    if problems:
        raise ScenarioError(path, problems)
    _normals_on_scales(raw)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(path, [_describe(e, raw) for e in error.errors()]) from None
    problems = list(_reference_problems(scenario)) + list(_calendar_problems(scenario))
    if problems:
        raise ScenarioError(path, problems)
    problems = list(_event_problems(scenario, raw, path))
    if problems:
        raise ScenarioError(path, problems)
    problems = list(_structure_problems(scenario))
    if problems:
        raise ScenarioError(path, problems)
    return scenario


def _structure_problems(scenario: Scenario) -> Iterator[tuple[str, str]]:
    """Every combination of structural options must make a valid scenario that draws the same uncertain numbers,
    over the same regions and events (so that the runs of all structures share their draws and their war)."""
    if not scenario.structure:
        return
    combinations = scenario.structures()
    if len(combinations) > MAX_STRUCTURES:
        yield "structure", f"{len(combinations)} combinations of options; at most {MAX_STRUCTURES}"
        return
    drawn = {p: q for p, q in scenario.quantities() if q.uncertain and not p.startswith("structure.")}
    regions = tuple(scenario.front.regions) if scenario.front else ()
    for picks in combinations:
        where = "structure." + ", structure.".join(f"{name}.options.{option}" for name, option in picks.items())
        if any("structure" in scenario.structure[name].options[option].changes for name, option in picks.items()):
            yield where, "an option cannot change the structural choices themselves"
            continue
        try:
            variant = scenario.with_structure(picks)
        except ScenarioError as error:
            yield from ((f"{where}: {key}", message) for key, message in error.problems)
            continue
        varied = {p: q for p, q in variant.quantities() if q.uncertain}
        if varied != drawn:
            changed = sorted(set(varied) ^ set(drawn) | {p for p in set(varied) & set(drawn) if varied[p] != drawn[p]})
            yield where, f"an option may not add, remove or change numbers drawn at random ({', '.join(changed)})"
        if (tuple(variant.front.regions) if variant.front else ()) != regions or tuple(variant.events) != tuple(
            scenario.events
        ):
            yield where, "an option may not change the front's regions or the events"


def _event_problems(scenario: Scenario, raw: dict[str, Any], path: Path) -> Iterator[tuple[str, str]]:
    """Each event must change existing numbers, to values the scenario would accept there."""
    known = {key for key, _ in scenario.quantities() if not key.startswith("events.")}
    for name, event in scenario.events.items():
        key = f"events.{name}"
        if (event.round is None) == (event.chance_per_round is None):
            yield key, "give either round (scheduled) or chance_per_round (a random shock)"
        if event.until_round is not None and event.until_round < event.from_round:
            yield f"{key}.until_round", "must not come before from_round"
        for target, value in raw["events"][name]["set"].items():
            if target not in known:
                yield f"{key}.set.{target}", "not a number of this scenario (see `sim provenance` for their key paths)"
                continue
            changed = copy.deepcopy({k: v for k, v in raw.items() if k not in ("events", "structure")})
            _set_path(changed, target, value, path)
            try:
                validated(changed, path)
            except ScenarioError as error:
                for _, message in error.problems:
                    yield f"{key}.set.{target}", message


def _describe(error: Mapping[str, Any], raw: dict[str, Any]) -> tuple[str, str]:
    parts, holder_tag = _key_path(error["loc"], raw)
    kind = error["type"]
    given = error.get("input")
    if kind == "extra_forbidden":
        message = _unknown_key(parts[-1], holder_tag)
    elif kind == "quantity" and isinstance(given, dict) and isinstance(given.get("dist"), str):
        message = (
            f"unknown distribution {given['dist']!r}{_did_you_mean(given['dist'], DISTRIBUTIONS.names())}; "
            f"choose from {', '.join(DISTRIBUTIONS)}"
        )
    elif kind == "missing":
        message = "missing required key"
    else:
        message = error["msg"].removeprefix("Value error, ")
        if kind not in ("quantity",) and "input" in error and not isinstance(error["input"], (dict, list)):
            message += f" (got {error['input']!r})"
        if isinstance(error.get("input"), str) and _reads_as_number(error["input"]):
            message += (
                f"; {error['input']!r} is text to YAML 1.1, which needs a dot and a signed exponent "
                "(write 2.6e+4 or 26000)"
            )
    return ".".join(parts), message


def _key_path(loc: Iterable[int | str], raw: Any) -> tuple[list[str], str | None]:
    """The keys of an error's location as written in the file, without what pydantic adds (the tag of a union's
    member: a number's form, a distribution's name, a mechanism's kind); and the tag of the last key's holder."""
    parts: list[str] = []
    node, tag, holder_tag = raw, None, None
    for part in loc:
        if isinstance(part, str) and part.startswith("function-"):
            continue
        if tag is None and _is_tag(part, node):
            tag = str(part)
            continue
        parts.append(str(part))
        holder_tag, tag = tag, None
        node = node.get(part) if isinstance(node, dict) else None
    return parts, holder_tag


def _is_tag(part: int | str, node: Any) -> bool:
    """Whether ``part`` of an error's location is the tag of the union member ``node`` was read as, not its key."""
    if isinstance(node, dict) and isinstance(node.get("kind"), str):
        return part == node["kind"]
    return part == quantity_tag(node) and not (isinstance(node, dict) and "dist" not in node and part in node)


def _unknown_key(key: str, holder_tag: str | None) -> str:
    """Why ``key`` is unknown: not a parameter of the number's distribution (named by ``holder_tag``), or not
    a key at all, with the nearest key a scenario may use elsewhere."""
    if holder_tag == "fixed" or holder_tag in DISTRIBUTIONS.names():
        form = Fixed if holder_tag == "fixed" else DISTRIBUTIONS[holder_tag]
        takes = ", ".join(name for name in form.model_fields if name not in ("dist", "source"))
        what = "a constant {value: ...}" if holder_tag == "fixed" else holder_tag
        message = f"unknown key: {key!r} is not a parameter of {what} (it takes {takes}, and a source)"
        if key in ("value", "dist"):
            message += "; a number is either a constant {value: ...} or a distribution {dist: ...}, not both"
        return message
    return "unknown key" + _did_you_mean(key, _known_keys() - {key})


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or nothing when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _known_keys() -> set[str]:
    """Every key a scenario file may use somewhere, for suggestions."""
    definitions = Scenario.model_json_schema()["$defs"].values()
    return set(Scenario.model_fields) | {key for d in definitions for key in d.get("properties", {})}


def _reads_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _reference_problems(s: Scenario) -> Iterator[tuple[str, str]]:
    """Cross-references and ranges that a field alone cannot check."""
    issue_names = set(s.issues)
    actor_names = set(s.actors)

    def known(kind: str, names: set[str], name: str, key: str) -> Iterator[tuple[str, str]]:
        if name not in names:
            yield key, f"unknown {kind} '{name}' (defined: {', '.join(sorted(names))})"

    def on_scale(issue: str, q: QuantityBase | float | None, key: str, span: float = 0.0) -> Iterator[tuple[str, str]]:
        if q is None or issue not in s.issues:
            return
        i = s.issues[issue]
        lo, hi = (-(i.high - i.low), i.high - i.low) if span else (i.low, i.high)
        q_lo, q_hi = value_range(q)
        if q_lo < lo or q_hi > hi:
            yield key, f"values must lie on the issue's scale [{lo:g}, {hi:g}], but this can take [{q_lo:g}, {q_hi:g}]"

    for name, scale in s.issues.items():
        key = f"issues.{name}"
        if not scale.low < scale.high:
            yield f"{key}.high", f"must be greater than low ({scale.low:g})"
        if scale.follows_front and s.front is None:
            yield f"{key}.follows_front", "the scenario has no front to follow"
        if scale.follows_front == (scale.no_deal is not None):
            yield f"{key}.no_deal", "give either no_deal or follows_front: true (exactly one)"
        yield from on_scale(name, scale.no_deal, f"{key}.no_deal")

    for name, actor in s.actors.items():
        key = f"actors.{name}.issues"
        for issue in actor.issues:
            yield from known("issue", issue_names, issue, f"{key}.{issue}")
        for issue in s.issues:
            if issue not in actor.issues:
                yield key, f"missing issue '{issue}'"
        for issue, stance in actor.issues.items():
            yield from on_scale(issue, stance.position, f"{key}.{issue}.position")
            if stance.red_line is not None:
                line = stance.red_line
                relative = line.relative_to_front
                if relative and issue in s.issues and not s.issues[issue].follows_front:
                    yield f"{key}.{issue}.red_line.relative_to_front", "the issue does not follow the front"
                for bound in ("min", "max"):
                    yield from on_scale(issue, getattr(line, bound), f"{key}.{issue}.red_line.{bound}", span=relative)
        if all(q.support()[1] == 0 for q in (a.salience for a in actor.issues.values())):
            yield f"{key}", "at least one issue must have a salience above zero"

    if s.front is not None:
        yield from known("actor", actor_names, s.front.side, "front.side")
        yield from known("actor", actor_names, s.front.opponent, "front.opponent")
        if s.front.side == s.front.opponent:
            yield "front.opponent", "must differ from front.side"
    for issue in s.breakdown.protection:
        yield from known("issue", issue_names, issue, f"breakdown.protection.{issue}")
    if s.reneging is not None:
        yield from _reneging_problems(s)
    if s.power_shift is not None and s.front is None:
        yield "power_shift", "the scenario has no front whose chances could shift"
    if s.ceasefire is not None:
        yield from known("issue", issue_names, s.ceasefire.issue, "ceasefire.issue")
        yield from on_scale(s.ceasefire.issue, s.ceasefire.value, "ceasefire.value")
    for k, pair in enumerate(s.constraints.exclusive):
        for m, issue in enumerate(pair):
            yield from known("issue", issue_names, issue, f"constraints.exclusive.{k}.{m}")
    for name, flag in s.flags.items():
        yield from known("issue", issue_names, flag.issue, f"flags.{name}.issue")
        for bound in ("at_least", "at_most"):
            yield from on_scale(flag.issue, getattr(flag, bound), f"flags.{name}.{bound}")
    longest = {"month": 12, "week": 52, "day": 366}[s.model.round_unit]
    if s.model.round_length > longest:
        yield "model.round_length", f"a round of more than a year: at most {longest} {s.model.round_unit}s"
    mechanism = s.model.mechanism
    if isinstance(mechanism, Mediated):
        yield from known("actor", actor_names, mechanism.mediator, "model.mechanism.mediator")
    if isinstance(mechanism, AlternatingOffers):
        for k, name in enumerate(mechanism.proposers or []):
            yield from known("actor", actor_names, name, f"model.mechanism.proposers.{k}")
            if name in s.actors and not s.actors[name].veto:
                yield f"model.mechanism.proposers.{k}", f"'{name}' must hold a veto to propose"
    yield from group_problems(s)
    if not isinstance(mechanism, NoBargaining) and not any(a.veto for a in s.actors.values()):
        yield "actors", "a negotiation needs at least one actor with veto: true"


def _reneging_problems(s: Scenario) -> Iterator[tuple[str, str]]:
    """Who may renege must be actors, once each; guarantees must be issues."""
    if s.reneging is None:
        return
    for k, name in enumerate(s.reneging.actors):
        if name not in s.actors:
            yield f"reneging.actors.{k}", f"unknown actor '{name}' (defined: {', '.join(sorted(s.actors))})"
        elif s.reneging.actors.index(name) < k:
            yield f"reneging.actors.{k}", f"'{name}' is named twice"
    for issue in s.reneging.guarantees:
        if issue not in s.issues:
            yield f"reneging.guarantees.{issue}", f"unknown issue '{issue}' (defined: {', '.join(sorted(s.issues))})"
