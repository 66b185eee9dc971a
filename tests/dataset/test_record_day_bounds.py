"""Record dates lie within the days questions may ask about, in dataset files and through the schema alike."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pydantic import ValidationError

from app.dataset import RuleRecord, SourceRecord

RANGE = "is outside the days this service answers about, 1900-01-01 to 2999-12-31"
RULE = {
    "id": "a-rule",
    "platform": "instagram",
    "category": "public-posts",
    "jurisdiction": "EEA",
    "treatment": "used",
    "summary": "Used.",
    "sources": ["M1"],
}


@pytest.mark.parametrize("field", ["effective_from", "effective_until", "posted_from", "posted_until", "reviewed_on"])
@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31", date.max, date.min])
def test_a_rule_day_outside_the_range_names_its_field(field, value):
    with pytest.raises(ValidationError) as caught:
        RuleRecord.model_validate({**RULE, field: value})
    (error,) = caught.value.errors()
    assert error["loc"] == (field,) and RANGE in error["msg"]


@pytest.mark.parametrize("value", ["1900-01-01", "2999-12-31", date(1900, 1, 1), date(2999, 12, 31)])
def test_the_first_and_last_supported_days_are_valid(value):
    record = RuleRecord.model_validate({**RULE, "posted_from": value, "posted_until": value})
    assert record.posted_from == record.posted_until == date.fromisoformat(str(value))


def test_a_source_read_on_a_day_outside_the_range_is_refused():
    source = {"id": "M1", "url": "https://example.test/", "title": "T", "publisher": "P", "kind": "primary"}
    with pytest.raises(ValidationError, match=re.escape(RANGE)):
        SourceRecord.model_validate({**source, "retrieved_on": "9999-12-31"})
    with pytest.raises(ValidationError, match=re.escape(RANGE)):
        SourceRecord.model_validate({**source, "retrieved_on": "2025-01-01", "published_on": "0001-01-01"})


def test_a_dataset_file_with_a_day_outside_the_range_gets_one_message(base, write, load_errors):
    base["rules"][0]["posted_until"] = date(9999, 12, 31)  # unquoted in YAML: read as a date
    errors = load_errors(write("data.yaml", base))
    assert len(errors) == 1, errors
    assert errors[0].startswith(f'data.yaml: rules[0].posted_until: "9999-12-31" {RANGE}'), errors[0]
