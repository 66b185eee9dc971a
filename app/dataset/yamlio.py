"""Read dataset YAML with YAML 1.2 scalars, refusing duplicate keys and remembering each value's line."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Loc = tuple[str | int, ...]

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_KEEP = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"}


# libyaml's parser where PyYAML was built with it: several times faster on the bundled dataset. Its error
# messages word some problems differently; the line and column are the same.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader with YAML 1.2 core scalars: dates stay text for the schema to parse."""

    # YAML 1.1 reads `NO` (Norway) and the deadline key `on` as booleans, `010` as octal, `1:30` as 90 and
    # `2025-13-01` as a crash; the 1.2 core schema reads all of them as the text they are.
    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag in _KEEP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing a key given twice, which YAML would silently let the last one win."""
        if isinstance(node, MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, str | int | float | bool) and key in seen:
                    raise ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
                if isinstance(key, str | int | float | bool):
                    seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)


def parse(text: str) -> tuple[Any, dict[Loc, int]]:
    """Parse one YAML document; return its data and the 1-based line of every key and list item."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Loc, int] = {}
        _walk(node, (), lines, set())
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _walk(node: Node, loc: Loc, lines: dict[Loc, int], seen: set[int]) -> None:
    # Each node is walked once: an alias points back at a node already seen (maybe its own parent), and walking
    # it again would loop or, for nested aliases, take exponential time. Paths through an alias get no line.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                lines.setdefault((*loc, key_node.value), key_node.start_mark.line + 1)
                _walk(value_node, (*loc, key_node.value), lines, seen)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault((*loc, index), item.start_mark.line + 1)
            _walk(item, (*loc, index), lines, seen)


def line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    """Return the line of the deepest part of a location that the file spells out."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def syntax_error(error: yaml.YAMLError) -> str:
    """Describe a YAML error in one line with its line and column."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        what = " ".join(part for part in (error.context, error.problem) if part)
        return f"YAML error at line {mark.line + 1}, column {mark.column + 1}: {what}"
    return f"YAML error: {error}"
