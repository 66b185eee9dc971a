"""Table tests for parse_query: normalisation, defaults and one typed error per bad parameter."""

from __future__ import annotations

from datetime import date

import pytest

from app.policy import GLOBAL, QueryError, parse_query

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({}, "as_of", TODAY),
        ({"as_of": "2025-09-01"}, "as_of", date(2025, 9, 1)),
        ({"country": "de"}, "country", "DE"),
        ({"country": "UK"}, "country", "GB"),
        ({"country": "el"}, "country", "GR"),
        ({"country": None}, "country", None),
        ({"age": "0"}, "age", 0),
        ({"age": "150"}, "age", 150),
        ({"objected": "true"}, "objected", True),
        ({"objected": "Yes"}, "objected", True),
        ({"objected": "1"}, "objected", True),
        ({"objected": "FALSE"}, "objected", False),
        ({"objected": "no"}, "objected", False),
        ({"objected": "0"}, "objected", False),
        ({"objected_on": "2025-05-01"}, "objected", True),  # the day implies the objection
        ({"objected": "true", "objected_on": "2025-05-01"}, "objected_on", date(2025, 5, 1)),
        ({"posted_on": "2024-06-01"}, "posted_on", date(2024, 6, 1)),
        ({"unknown": "ignored"}, "age", None),
    ],
)
def test_parses_and_normalises(world, params, field, value):
    parsed = parse_query(world, "instagram", params, TODAY)
    assert getattr(parsed.query, field) == value


def test_category_and_jurisdictions(world):
    one = parse_query(world, "instagram", {"category": "public-posts", "country": "de"}, TODAY)
    assert (one.category_id, one.category_ids, one.query.category_id) == (
        "public-posts",
        ("public-posts",),
        "public-posts",
    )
    assert one.jurisdictions == ("DE", "EU", "EEA", GLOBAL)
    every = parse_query(world, "instagram", {}, TODAY)
    assert (every.category_id, every.category_ids, every.query.category_id) == (None, None, "")
    assert every.jurisdictions == (GLOBAL,)


@pytest.mark.parametrize(
    ("platform", "params", "status", "param"),
    [
        ("nope", {}, 404, "platform_id"),
        ("nope", {"category": "nope"}, 404, "platform_id"),  # the path is checked first
        ("instagram", {"category": "nope"}, 422, "category"),
        ("instagram", {"category": ""}, 422, "category"),
        ("instagram", {"country": "EU"}, 422, "country"),  # a group, not a country
        ("instagram", {"country": "GLOBAL"}, 422, "country"),
        ("instagram", {"country": "XX"}, 422, "country"),
        ("instagram", {"country": "DEU"}, 422, "country"),
        ("instagram", {"country": ""}, 422, "country"),
        ("instagram", {"as_of": "2025-9-1"}, 422, "as_of"),
        ("instagram", {"as_of": "2025-02-30"}, 422, "as_of"),
        ("instagram", {"as_of": "20250901"}, 422, "as_of"),
        ("instagram", {"as_of": "2025-09-01T00:00"}, 422, "as_of"),
        ("instagram", {"as_of": ""}, 422, "as_of"),
        ("instagram", {"age": "-1"}, 422, "age"),
        ("instagram", {"age": "151"}, 422, "age"),
        ("instagram", {"age": "18.5"}, 422, "age"),
        ("instagram", {"age": "abc"}, 422, "age"),
        ("instagram", {"age": ""}, 422, "age"),
        ("instagram", {"objected": "maybe"}, 422, "objected"),
        ("instagram", {"objected": ""}, 422, "objected"),
        ("instagram", {"objected_on": "yesterday"}, 422, "objected_on"),
        ("instagram", {"objected": "false", "objected_on": "2025-05-01"}, 422, "objected_on"),
        ("instagram", {"posted_on": "2024-13-01"}, 422, "posted_on"),
    ],
)
def test_errors_name_status_and_parameter(world, platform, params, status, param):
    with pytest.raises(QueryError) as caught:
        parse_query(world, platform, params, TODAY)
    assert (caught.value.status, caught.value.param) == (status, param)
    assert caught.value.detail


@pytest.mark.parametrize(
    ("params", "member"),
    [
        ({"category": "nope"}, "public-posts"),
        ({"country": "EU"}, "DE"),
    ],
)
def test_errors_list_valid_ids(world, params, member):
    with pytest.raises(QueryError) as caught:
        parse_query(world, "instagram", params, TODAY)
    assert member in caught.value.valid
    assert "EU" not in caught.value.valid


def test_group_code_is_explained(world):
    with pytest.raises(QueryError, match="group of countries"):
        parse_query(world, "instagram", {"country": "eu"}, TODAY)


def test_the_day_memo_keeps_only_strings_of_a_dates_length(world):
    from app.policy.query import _date

    before = _date.cache_info().currsize
    for n in range(50):  # long strings that are no date: refused, and not kept
        with pytest.raises(QueryError):
            parse_query(world, "instagram", {"as_of": f"2025-09-01{'x' * 1000}{n}"}, TODAY)
    assert _date.cache_info().currsize == before
    with pytest.raises(QueryError):
        parse_query(world, "instagram", {"as_of": "2025-02-30"}, TODAY)  # a date's length: refused, kept as such
    assert parse_query(world, "instagram", {"as_of": "2025-02-28"}, TODAY).query.as_of == date(2025, 2, 28)
    assert _date.cache_info().currsize <= before + 2
