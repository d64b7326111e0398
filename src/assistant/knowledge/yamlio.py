"""YAML parsing that remembers the line of every key and item, so errors can name it."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path_ = tuple[str | int, ...]
LineMap = dict[Path_, int]

# Bounds on one knowledge file. The largest kept by hand (tbt/measures.yaml) is ~115 KB and
# ~10,000 values; an upload may be 512 KB. A file past these is refused before it is built.
MAX_CHARS = 2_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64  # nesting; the files use five or six levels


class YamlProblem(Exception):
    """A YAML syntax or structure problem at a line."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(message)


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses anchors and aliases and counts the values it composes.

    An alias shares a subtree; nine levels of aliases to lists of ten ("billion laughs") are a
    1 KB file that expands to a billion values when built as a tree. Knowledge files have no use
    for them, so they are refused where they appear, before anything is built.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.values = 0
        self.depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
            raise YamlProblem(
                line,
                "YAML anchors and aliases (&name, *name) are not allowed in knowledge files; "
                "write each value out in full",
            )
        self.values += 1
        if self.values > MAX_NODES:
            raise YamlProblem(
                line, f"too many values: a knowledge file holds at most {MAX_NODES:,}"
            )
        if self.depth >= MAX_DEPTH:
            raise YamlProblem(line, f"nested too deep: a knowledge file nests at most {MAX_DEPTH}")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def parse_yaml(text: str) -> tuple[Any, LineMap, list[tuple[int, str]]]:
    """Parse text into plain Python data, a path->line map and duplicate-key warnings."""
    if len(text) > MAX_CHARS:
        raise YamlProblem(
            None,
            f"file too large: {len(text):,} characters (a knowledge file holds at most "
            f"{MAX_CHARS:,})",
        )
    try:
        node = yaml.compose(text, Loader=_BoundedLoader)
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
