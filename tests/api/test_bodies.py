"""Bodies read as the json module reads them, and their depth, worked out level by level, agrees with the recursive
definition up to its cap."""

from __future__ import annotations

import json
import random

import pytest

from app.api.bodies import MAX_DEPTH, _depth, parse_json


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


# What orjson refuses or reads otherwise than the json module: each must come out as the json module reads it.
ODD_BODIES = [
    b'{"age": 18446744073709551616}',  # beyond 64 bits: orjson reads a float
    b'{"age": -9223372036854775809}',
    b'{"age": 1234567890123456789}',
    b'{"a": [{"b": 99999999999999999999999}]}',
    b'{"id": "12345678901234567890"}',  # a long run of digits in a string: read either way alike
    b'{"a": NaN, "b": Infinity}',
    b'{"a": 1e400}',
    b'{"a": "\\ud800"}',  # an unpaired surrogate
    b'\xef\xbb\xbf{"a": 1}',  # a byte-order mark
    '{"a": "ü"}'.encode("utf-16"),
    b'{"a": 1.5, "b": -0.0, "c": 1e19, "d": 12}',
    b'{"a": 1, "a": 2}',
    b'"text"',
    b"null",
]


@pytest.mark.parametrize("raw", ODD_BODIES, ids=range(len(ODD_BODIES)))
def test_a_body_reads_as_the_json_module_reads_it(raw):
    assert repr(parse_json(raw)) == repr(json.loads(raw))


@pytest.mark.parametrize("raw", [b"{oops", b'{"a": 1,}', b"[1] 2", b"\xff", b""])
def test_a_bad_body_fails_as_the_json_module_fails(raw):
    with pytest.raises(ValueError) as ours:
        parse_json(raw)
    with pytest.raises(ValueError) as theirs:
        json.loads(raw)
    assert str(ours.value) == str(theirs.value)


def test_a_random_document_reads_as_the_json_module_reads_it():
    rng = random.Random(11)
    for _ in range(500):
        raw = json.dumps(_document(rng, 6)).encode()
        assert repr(parse_json(raw)) == repr(json.loads(raw))
