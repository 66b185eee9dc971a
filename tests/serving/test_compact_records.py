"""The catalog copy's compact records read exactly like the dicts they were made from."""

import orjson
import pytest

from app.serving.caching import dumps
from app.serving.catalog import Compact, Shared

RULE = {
    "id": "r1",
    "platform": "instagram",
    "notes": ["a", "b"],
    "opt_out": {"method": "form", "url": None},
    "sources": [{"id": "M1", "quote": "words", "where": None}],
    "min_age": 18,
}


def test_a_compact_record_reads_like_its_dict():
    record = Compact.of(RULE, Shared())
    assert list(record) == list(RULE) and len(record) == len(RULE)
    assert record["platform"] == "instagram" and record.get("missing") is None
    assert {**record} == RULE and dict(record) == RULE and record == RULE
    assert record["sources"] == RULE["sources"] and isinstance(record["sources"][0], dict)
    with pytest.raises(KeyError):
        record["missing"]
    with pytest.raises(TypeError):
        hash(record)


def test_nested_values_come_out_as_new_lists_and_dicts():
    record = Compact.of(RULE, Shared())
    notes = record["notes"]
    notes.append("c")  # a caller changing what it got changes nothing stored
    assert record["notes"] == ["a", "b"]


def test_records_of_one_shape_share_their_field_names_and_serialise_as_dicts():
    shared = Shared()
    a, b = Compact.of(RULE, shared), Compact.of({**RULE, "id": "r2"}, shared)
    assert a._names is b._names
    assert dumps(a) == orjson.dumps(RULE)
    assert dumps({"items": [a, b]}) == orjson.dumps({"items": [RULE, {**RULE, "id": "r2"}]})


def test_equal_nested_values_of_records_are_kept_once_and_numbers_are_never_confused():
    shared = Shared()
    a, b = Compact.of(RULE, shared), Compact.of({**RULE, "id": "r2", "sources": [dict(RULE["sources"][0])]}, shared)
    for name in ("notes", "opt_out", "sources"):
        assert a._values[a._names[name]] is b._values[b._names[name]], name
    assert b["sources"] == RULE["sources"] and b["sources"] is not a["sources"]  # still handed out as new lists
    # 1, 1.0 and True are equal in Python but not in JSON: nested values holding numbers are never shared.
    ones = [Compact.of({"x": [value]}, shared)["x"][0] for value in (1, 1.0, True)]
    assert [type(v) for v in ones] == [int, float, bool]
    other = Compact.of({**RULE, "opt_out": {"method": "form", "url": "https://x.example"}}, shared)
    assert other["opt_out"] == {"method": "form", "url": "https://x.example"}


def test_the_values_remembered_while_records_are_made_stay_bounded():
    shared = Shared()
    for n in range(Shared.LIMIT + 10):
        Compact.of({"id": str(n), "notes": [f"note {n}"]}, shared)
    assert len(shared.values) <= Shared.LIMIT


def test_the_none_fields_of_a_record_share_one_slot_and_still_read_as_none_in_place():
    shared = Shared()
    record = {"id": "r1", "posted_from": None, "summary": "s", "min_age": None, "opt_out": None, "notes": []}
    compact = Compact.of(record, shared)
    assert compact._values.count(None) == 1 and len(compact._values) == 4  # id, summary, notes and one None
    assert list(compact) == list(record) and dict(compact) == record and compact["min_age"] is None
    set_later = Compact.of({**record, "min_age": 16}, shared)  # another pattern of None fields: names of its own
    assert set_later["min_age"] == 16 and set_later["posted_from"] is None and set_later._names is not compact._names
    assert Compact.of({**record, "id": "r2"}, shared)._names is compact._names
    assert len(Compact.of({"a": 1, "b": 2}, shared)._values) == 2  # no None slot where no field is None
