"""Each way a record or a reference can be wrong gives one message naming the file and the field path."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from app.dataset import RuleRecord, SourceRecord

Data = dict[str, list[dict[str, Any]]]


def _set(kind: str, index: int, field: str, value: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        data[kind][index][field] = value

    return change


def _drop(kind: str, index: int, field: str) -> Callable[[Data], None]:
    return lambda data: data[kind][index].pop(field)


def _add(section: str, **record: Any) -> Callable[[Data], None]:
    return lambda data: data[section].append(record)


def _overlap(data: Data) -> None:
    later = dict(data["rules"][0], id="facebook-eea-public-posts-2026", effective_from="2026-01-01")
    data["rules"].append(later)


_LATEST = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()  # today in UTC, plus a day

CASES = [
    (_set("rules", 3, "effective_from", "2025-13-01"), 'rules[3].effective_from: "2025-13-01" is not a date'),
    (
        _set("rules", 3, "effective_from", "27 May 2025"),
        'rules[3].effective_from: "27 May 2025" is not a date (expected YYYY-MM-DD)',
    ),
    (_set("rules", 0, "platform", "twiter"), 'rules[0].platform: unknown platform "twiter"'),
    (
        _set("rules", 0, "platform", "facebok"),
        'rules[0].platform: unknown platform "facebok" (did you mean "facebook"?)',
    ),
    (_set("rules", 2, "sources", []), "rules[2].sources: a rule needs at least one source"),
    (_set("rules", 0, "sources", ["M1", "M1"]), 'rules[0].sources: lists "M1" twice'),
    (
        _overlap,
        'rules[5]: overlaps rule "facebook-eea-public-posts-2025" '
        "(same platform, category and jurisdiction, overlapping dates)",
    ),
    (
        _set("rules", 1, "opt_out", {"method": "form", "url": "htp:/x", "late_objection": "no_effect"}),
        'rules[1].opt_out.url: "htp:/x" is not an http(s) URL',
    ),
    (
        lambda d: d["rules"][0]["opt_out"].update(objection_before_start="late"),
        "rules[0].opt_out.objection_before_start: late goes only with an opt-out without a deadline (the deadline "
        "says which objections keep everything out)",
    ),
    (
        lambda d: d["rules"][0]["opt_out"].update(objection_before_start="later"),
        "rules[0].opt_out.objection_before_start: \"later\" is not one of 'keeps_all_out' or 'late'",
    ),
    (_set("rules", 0, "colour", "red"), "rules[0].colour: unknown field"),
    (
        _set("sources", 0, "published_on", "0000"),
        'sources[0].published_on: "0000" is outside the days this service answers about, 1900-01-01 to 2999-12-31',
    ),
    (
        _set("sources", 0, "published_on", "1899-12"),
        'sources[0].published_on: "1899-12" is outside the days this service answers about, 1900-01-01 to 2999-12-31',
    ),
    (
        _set("rules", 1, "id", "facebook-eea-public-posts-2025"),
        'rules[1].id: duplicate rule id "facebook-eea-public-posts-2025" (first at data.yaml: rules[0])',
    ),
    (
        lambda d: d["sources"].append(dict(d["sources"][0])),
        'sources[3].id: duplicate source id "M1" (first at data.yaml: sources[0])',
    ),
    (
        _set("rules", 4, "effective_from", "2025-06-01"),
        "rules[4]: effective_from 2025-06-01 is after effective_until 2025-05-26",
    ),
    (
        _set("rules", 2, "posted_until", "2024-01-01"),
        "rules[2]: posted_from 2024-05-07 is after posted_until 2024-01-01",
    ),
    (
        lambda d: d["rules"][0]["opt_out"].update(deadline="meta-objection"),
        'rules[0].opt_out.deadline: unknown deadline "meta-objection" (did you mean "meta-eea-objection-2025"?)',
    ),
    (_set("rules", 1, "sources", ["M1", "M99"]), 'rules[1].sources[1]: unknown source "M99"'),
    (_set("rules", 1, "jurisdiction", "US"), 'rules[1].jurisdiction: unknown jurisdiction "US"'),
    (_set("rules", 1, "category", "chats"), 'rules[1].category: unknown category "chats"'),
    (_set("deadlines", 0, "jurisdiction", "CH"), 'deadlines[0].jurisdiction: unknown jurisdiction "CH"'),
    (
        _set("deadlines", 0, "replaces", "meta-eea-objection-2024"),
        'deadlines[0].replaces: unknown deadline "meta-eea-objection-2024" (did you mean "meta-eea-objection-2025"?)',
    ),
    (
        _set("deadlines", 0, "replaces", "meta-eea-objection-2025"),
        "deadlines[0].replaces: replaces goes round in a loop: meta-eea-objection-2025 -> meta-eea-objection-2025",
    ),
    (_set("deadlines", 0, "sources", []), "deadlines[0].sources: a deadline needs at least one source"),
    (_set("deadlines", 0, "on", None), "deadlines[0].on: null is not a date (expected YYYY-MM-DD)"),
    (_set("jurisdictions", 4, "members", ["DE", "XX"]), 'jurisdictions[4].members[1]: unknown country "XX"'),
    (_set("jurisdictions", 5, "members", ["EU", "NO"]), 'jurisdictions[5].members[0]: "EU" is a group, not a country'),
    (_set("jurisdictions", 4, "members", []), "jurisdictions[4]: a group needs at least one member country in members"),
    (_set("jurisdictions", 1, "members", ["FR"]), "jurisdictions[1]: only a group has members"),
    (
        _add("jurisdictions", code="UK", name="United Kingdom", kind="country"),
        'jurisdictions[6]: "UK" is not an ISO code; use "GB"',
    ),
    (
        _add("jurisdictions", code="de", name="Germany", kind="country"),
        'jurisdictions[6].code: "de" is not a jurisdiction code (upper-case, like "DE", "EU" or "GLOBAL")',
    ),
    (
        _add("jurisdictions", code="DEU", name="Germany", kind="country"),
        "jurisdictions[6]: a country code has two letters (ISO 3166-1 alpha-2)",
    ),
    (
        _add("jurisdictions", code="WORLD", name="World", kind="global"),
        "jurisdictions[6]: the global jurisdiction has the code GLOBAL",
    ),
    (
        _add("jurisdictions", code="GLOBAL", name="World", kind="group", members=["DE"]),
        "jurisdictions[6]: the code GLOBAL is for the jurisdiction of kind global",
    ),
    (
        _set("rules", 0, "treatment", "maybe"),
        "rules[0].treatment: \"maybe\" is not one of 'used', 'not_used', 'opt_out', 'opt_in' or 'unknown'",
    ),
    (
        _set("rules", 0, "used_by", "partners"),
        "rules[0].used_by: \"partners\" is not one of 'platform' or 'third-parties'",
    ),
    (
        _set("rules", 1, "under_age", "unknown"),
        "rules[1]: under_age says what happens below min_age, so it needs min_age",
    ),
    (_set("rules", 0, "under_age", "maybe"), "rules[0].under_age: \"maybe\" is not one of 'not_used' or 'unknown'"),
    (
        _set("rules", 0, "not_opted_in", "unknown"),
        "rules[0]: not_opted_in says what holds for users who did not opt in, so it needs treatment opt_in",
    ),
    (
        _set("rules", 0, "not_opted_in", "never"),
        "rules[0].not_opted_in: \"never\" is not one of 'not_used' or 'unknown'",
    ),
    (_set("rules", 3, "opt_out", None), "rules[3]: treatment opt_out needs an opt_out saying how to object"),
    (_set("rules", 0, "min_age", 200), "rules[0].min_age: 200 is above the maximum 150"),
    (_set("rules", 0, "min_age", "18"), 'rules[0].min_age: expected a whole number, got "18"'),
    (_set("rules", 0, "min_age", True), "rules[0].min_age: expected a whole number, got true"),
    (_set("rules", 0, "summary", 12), "rules[0].summary: expected text, got 12"),
    (_set("rules", 0, "summary", "   "), "rules[0].summary: must not be empty"),
    (_set("rules", 0, "notes", "one note"), 'rules[0].notes: expected a list, got "one note"'),
    (_drop("rules", 0, "summary"), "rules[0].summary: required field missing"),
    (
        _set("rules", 0, "confidence", "high"),
        "rules[0]: confidence is derived from the quoted citations (see FORMAT.md); remove the field",
    ),
    (_set("rules", 0, "sources", [{"id": "M1", "quote": ""}]), "rules[0].sources[0].quote: must not be empty"),
    (_set("rules", 0, "sources", [{"id": "M1", "page": 3}]), "rules[0].sources[0].page: unknown field"),
    (
        _set("rules", 0, "legal_basis", "Art. 6(1)(f)"),
        'rules[0].legal_basis: "Art. 6(1)(f)" is not a valid id (lower-case letters, digits and hyphens, like "a-b")',
    ),
    (
        _set("platforms", 1, "privacy_policy_url", "x.com/privacy"),
        'platforms[1].privacy_policy_url: "x.com/privacy" is not an http(s) URL',
    ),
    (_set("platforms", 1, "website", "https://"), 'platforms[1].website: "https://" is not an http(s) URL'),
    (
        lambda d: d["sources"].append(dict(d["sources"][0], id="m1")),
        'sources[3].id: "m1" is not a source id (capital letters then digits, like "M1" or "SL2")',
    ),
    (
        _set("sources", 0, "kind", "blog"),
        "sources[0].kind: \"blog\" is not one of 'primary', 'secondary' or 'aggregator'",
    ),
    (
        _set("sources", 1, "published_on", "2025-13"),
        'sources[1].published_on: "2025-13" is not a date, month or year (YYYY-MM-DD, YYYY-MM or YYYY)',
    ),
    (
        _set("sources", 0, "published_on", "2027-01-02"),
        "sources[0]: published_on 2027-01-02 is after retrieved_on 2026-11-26",
    ),
    (
        _set("sources", 0, "retrieved_on", "2999-01-01"),
        f"sources[0].retrieved_on: 2999-01-01 has not come yet: it must be no later than {_LATEST}",
    ),
    (
        _set("rules", 0, "reviewed_on", "2999-01-01"),
        f"rules[0].reviewed_on: 2999-01-01 has not come yet: it must be no later than {_LATEST}",
    ),
    (lambda d: d["rules"].append("not a rule"), 'rules[5]: expected a mapping of fields, got "not a rule"'),
    (
        lambda d: d.update(rule=[]),
        "rule: unknown section (expected one of categories, jurisdictions, platforms, "
        "sources, deadlines, rules, translations)",
    ),
    (lambda d: d.update(rules={"id": "x"}), "rules: expected a list of records, got a mapping"),
    (_set("rules", 0, "summary", ["a", "b"]), "rules[0].summary: expected text, got a list"),
]


@pytest.mark.parametrize(("change", "expected"), CASES, ids=[c[1][:60] for c in CASES])
def test_one_problem_one_message(base, write, load_errors, change, expected) -> None:
    change(base)
    errors = load_errors(write("data.yaml", base))
    assert len(errors) == 1, errors
    assert re.fullmatch(re.escape(f"data.yaml: {expected}") + r"( \(line \d+\))?", errors[0]), errors[0]


def test_bad_record_does_not_make_its_references_fail(base, write, load_errors) -> None:
    base["platforms"][0]["website"] = "www.facebook.com"  # the platform is dropped, its rules still resolve
    base["sources"][0]["colour"] = "red"
    assert [e.split(" (line")[0] for e in load_errors(write("data.yaml", base))] == [
        'data.yaml: platforms[0].website: "www.facebook.com" is not an http(s) URL',
        "data.yaml: sources[0].colour: unknown field",
    ]


def test_every_problem_is_reported_at_once(base, write, load_errors) -> None:
    base["rules"][0]["platform"] = "twiter"
    base["rules"][3]["effective_from"] = "2025-13-01"
    base["categories"][1]["name"] = ""
    assert len(load_errors(write("data.yaml", base))) == 3


def test_missing_global_jurisdiction(base, write, load_errors) -> None:
    base["jurisdictions"].pop(0)
    errors = load_errors(write("data.yaml", base))
    assert "data.yaml: jurisdictions: the dataset needs the global jurisdiction (code GLOBAL)" in errors


def test_in_memory_records_refuse_datetimes_and_accept_dates() -> None:
    fields = {"id": "M1", "url": "https://a.example/", "title": "t", "publisher": "p", "kind": "primary"}
    with pytest.raises(ValidationError, match="is a date and time"):
        SourceRecord(**fields, retrieved_on=datetime(2026, 11, 26, 10, 0))
    source = SourceRecord(**fields, retrieved_on=date(2026, 11, 26), published_on=date(2025, 4, 14))
    assert source.published_on == "2025-04-14"
    assert SourceRecord(**fields, retrieved_on="2026-11-26", published_on=2025).published_on == "2025"


def test_rule_record_coerces_enum_strings_but_not_numbers() -> None:
    rule = RuleRecord(
        id="r",
        platform="p",
        category="c",
        jurisdiction="GLOBAL",
        treatment="used",
        summary=" Trimmed. ",
        sources=["M1"],
    )
    assert rule.treatment == "used" and rule.summary == "Trimmed."
    assert rule.sources[0].model_dump() == {"id": "M1", "quote": None, "where": None}  # a bare id: no quote
    with pytest.raises(ValidationError):
        RuleRecord(**{**rule.model_dump(), "min_age": 18.0})


def test_a_publication_day_given_as_a_date_is_held_to_the_service_days() -> None:
    from datetime import date

    from pydantic import ValidationError

    from app.dataset.schema import SourceRecord

    source = {"id": "PZ1", "url": "https://a.example/", "title": "t", "publisher": "p", "retrieved_on": "2024-03-01"}
    with pytest.raises(ValidationError, match="outside the days"):
        SourceRecord.model_validate({**source, "kind": "primary", "published_on": date(1899, 12, 31)})
    assert (
        SourceRecord.model_validate({**source, "kind": "primary", "published_on": date(2024, 1, 2)}).published_on
        == "2024-01-02"
    )
