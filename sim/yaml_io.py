"""Reading YAML safely: a mapping at the top, no duplicate keys, clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.errors import ScenarioError

MAX_FILE_BYTES = 2_000_000


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that rejects a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' appears twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Load a YAML file whose top level is a mapping, or raise :class:`ScenarioError`."""
    if not path.is_file():
        raise ScenarioError(path, [("", "file not found")])
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError(path, [("", f"file is {size:,} bytes; a scenario may be at most {MAX_FILE_BYTES:,}")])
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(path, [("", f"not valid UTF-8 text (byte {error.start})")]) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError(path, [("", f"invalid YAML: {where}{problem}")]) from None
    if not isinstance(data, dict):
        raise ScenarioError(path, [("", f"expected a mapping of keys at the top level, got {type(data).__name__}")])
    return data
