"""Reading YAML safely: a mapping at the top, no duplicate keys, clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.errors import ScenarioError

MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 64
MAX_NODES = 200_000


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that rejects a key given twice in one mapping and a key that is not a plain value;
    merge keys (``<<: *base``) merge as YAML defines them, the mapping's own keys winning."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                repeated = key in seen
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    "a key must be a plain value (text or a number), not a list or mapping",
                    key_node.start_mark,
                ) from None
            if repeated:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' appears twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _TooLarge(Exception):
    pass


def _measure(node: yaml.Node, depth: int, seen: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """Nodes and levels below ``node`` once aliases are expanded; raises :class:`_TooLarge` past the limits."""
    if id(node) in seen:
        size, height = seen[id(node)]
    else:
        if depth > MAX_DEPTH:
            raise _TooLarge(f"nested more than {MAX_DEPTH} levels deep")
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        measured = [_measure(child, depth + 1, seen) for child in children]
        size = 1 + sum(m[0] for m in measured)
        height = 1 + max((m[1] for m in measured), default=0)
        seen[id(node)] = (size, height)
    if depth + height > MAX_DEPTH:
        raise _TooLarge(f"nested more than {MAX_DEPTH} levels deep")
    if size > MAX_NODES:
        raise _TooLarge(f"expands to more than {MAX_NODES:,} values (aliases repeating aliases?)")
    return size, height


def _load_bounded(text: str) -> Any:
    """Parse YAML safely, refusing documents that nest or expand (through aliases) beyond the limits."""
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node, 0, {})
        return loader.construct_document(node)
    finally:
        loader.dispose()


def unreadable(path: Path) -> str | None:
    """Why ``path`` is not a file to read (not found, a directory), or None."""
    if path.is_file():
        return None
    return "is a directory, not a file" if path.is_dir() else "file not found"


def _check_size(size: int, source: str | Path, what: str) -> None:
    if size > MAX_FILE_BYTES:
        raise ScenarioError(source, [("", f"{what} is {size:,} bytes; a scenario may be at most {MAX_FILE_BYTES:,}")])


def read_yaml_text(text: str, source: str | Path) -> Any:
    """Parse YAML text (a file's, or a flag's value) within the limits of a scenario file, or raise
    :class:`ScenarioError` naming ``source``."""
    _check_size(len(text.encode("utf-8", "surrogatepass")), source, "the text")
    try:
        return _load_bounded(text)
    except RecursionError:
        raise ScenarioError(source, [("", f"nested more than {MAX_DEPTH} levels deep")]) from None
    except _TooLarge as error:
        raise ScenarioError(source, [("", str(error))]) from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise ScenarioError(source, [("", f"a value cannot be read: {str(error).split(';')[0]}")]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError(source, [("", f"invalid YAML: {where}{problem}")]) from None


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Load a YAML file whose top level is a mapping, or raise :class:`ScenarioError`."""
    problem = unreadable(path)
    if problem:
        raise ScenarioError(path, [("", problem)])
    _check_size(path.stat().st_size, path, "file")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(path, [("", f"not valid UTF-8 text (byte {error.start})")]) from None
    data = read_yaml_text(text, path)
    if not isinstance(data, dict):
        raise ScenarioError(path, [("", f"expected a mapping of keys at the top level, got {type(data).__name__}")])
    return data
