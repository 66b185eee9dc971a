"""The depth of a parsed body, worked out level by level, agrees with the recursive definition up to its cap."""

from __future__ import annotations

import random

from app.api.bodies import MAX_DEPTH, _depth


def _reference(node: object) -> int:
    """The nesting depth by its definition: a container is one deeper than its deepest member."""
    if isinstance(node, dict):
        return 1 + max((_reference(v) for v in node.values()), default=0)
    if isinstance(node, list):
        return 1 + max((_reference(v) for v in node), default=0)
    return 0


def _document(rng: random.Random, budget: int) -> object:
    """Return a random JSON value at most `budget` levels deep."""
    roll = rng.random()
    if budget == 0 or roll < 0.1:
        return rng.choice([None, True, 1, 2.5, "text", ""])
    size = rng.choice([0, 1, 1, 2, 3])  # mostly one or a few members: deep documents are common
    if roll < 0.55:
        return [_document(rng, budget - 1) for _ in range(size)]
    return {f"k{i}": _document(rng, budget - 1) for i in range(size)}


def test_depth_agrees_with_the_definition():
    rng = random.Random(7)
    for _ in range(2000):
        document = _document(rng, rng.randrange(MAX_DEPTH + 3))
        assert _depth(document) == min(_reference(document), MAX_DEPTH + 1), document


def test_depth_stops_one_past_the_limit():
    deep: list[object] = []
    node = deep
    for _ in range(10 * MAX_DEPTH):
        node.append([])
        node = node[0]  # type: ignore[assignment]
    assert _depth(deep) == MAX_DEPTH + 1
    assert _depth({"checks": [{"a": 1}] * 1000}) == 3
