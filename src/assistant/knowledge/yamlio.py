"""YAML parsing that remembers the line of every key and item, so errors can name it."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path_ = tuple[str | int, ...]
LineMap = dict[Path_, int]


class YamlProblem(Exception):
    """A YAML syntax or structure problem at a line."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(message)


def parse_yaml(text: str) -> tuple[Any, LineMap, list[tuple[int, str]]]:
    """Parse text into plain Python data, a path->line map and duplicate-key warnings."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlProblem(line, f"YAML syntax error: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(None, f"YAML syntax error: {exc}") from exc
    lines: LineMap = {}
    dups: list[tuple[int, str]] = []
    if node is None:
        return None, lines, dups
    data = _build(node, (), lines, dups, SafeConstructor())
    return data, lines, dups


def _build(
    node: Node, path: Path_, lines: LineMap, dups: list[tuple[int, str]], ctor: SafeConstructor
) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = ctor.construct_object(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str | int):
                raise YamlProblem(key_node.start_mark.line + 1, "keys must be plain words")
            key = str(key)
            line = key_node.start_mark.line + 1
            if key in out:
                dups.append((line, key))
            lines[(*path, key)] = line
            out[key] = _build(value_node, (*path, key), lines, dups, ctor)
        return out
    if isinstance(node, SequenceNode):
        return [_build(item, (*path, i), lines, dups, ctor) for i, item in enumerate(node.value)]
    return ctor.construct_object(node, deep=True)


def line_for(lines: LineMap, loc: Path_) -> int | None:
    """Best line for a location: the deepest known prefix of the path."""
    for end in range(len(loc), -1, -1):
        found = lines.get(tuple(loc[:end]))
        if found is not None:
            return found
    return None
