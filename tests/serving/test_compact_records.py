"""The catalog copy's compact records read exactly like the dicts they were made from."""

import orjson
import pytest

from app.serving.caching import dumps
from app.serving.catalog import Compact

RULE = {
    "id": "r1",
    "platform": "instagram",
    "notes": ["a", "b"],
    "opt_out": {"method": "form", "url": None},
    "sources": [{"id": "M1", "quote": "words", "where": None}],
    "min_age": 18,
}


def test_a_compact_record_reads_like_its_dict():
    record = Compact.of(RULE, {})
    assert list(record) == list(RULE) and len(record) == len(RULE)
    assert record["platform"] == "instagram" and record.get("missing") is None
    assert {**record} == RULE and dict(record) == RULE and record == RULE
    assert record["sources"] == RULE["sources"] and isinstance(record["sources"][0], dict)
    with pytest.raises(KeyError):
        record["missing"]
    with pytest.raises(TypeError):
        hash(record)


def test_nested_values_come_out_as_new_lists_and_dicts():
    record = Compact.of(RULE, {})
    notes = record["notes"]
    notes.append("c")  # a caller changing what it got changes nothing stored
    assert record["notes"] == ["a", "b"]


def test_records_of_one_shape_share_their_field_names_and_serialise_as_dicts():
    shapes = {}
    a, b = Compact.of(RULE, shapes), Compact.of({**RULE, "id": "r2"}, shapes)
    assert a._names is b._names
    assert dumps(a) == orjson.dumps(RULE)
    assert dumps({"items": [a, b]}) == orjson.dumps({"items": [RULE, {**RULE, "id": "r2"}]})
