"""The checks a write must pass against stored data: record shape, references, overlaps and referrers."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.store import integrity
from app.store.db import make_engine
from app.store.errors import InvalidRecord
from app.store.writes import Op, apply_changes

RULE = {
    "id": "acme-posts",
    "platform": "acme",
    "category": "public-posts",
    "jurisdiction": "EEA",
    "treatment": "unknown",
    "effective_from": "2025-01-01",
    "summary": "Unknown whether posts are used.",
    "sources": [{"id": "M1", "quote": "a quote", "where": None}],
}


@pytest.fixture
def session(seeded_url):
    engine = make_engine(seeded_url)
    with Session(engine) as s:
        apply_changes(
            s, [Op("platform", "create", "acme", {"id": "acme", "name": "Acme", "operator": "Acme"})], actor="test"
        )
        yield s
    engine.dispose()


def test_a_valid_record_comes_back_canonical_in_field_order():
    record = integrity.validate_record("rule", {k: v for k, v in RULE.items() if k != "id"}, key="acme-posts")
    assert record["id"] == "acme-posts" and record["used_by"] == "platform" and record["notes"] == []
    assert list(record)[:4] == ["id", "platform", "category", "jurisdiction"]


def test_a_key_that_does_not_match_the_path_is_refused():
    with pytest.raises(InvalidRecord) as caught:
        integrity.validate_record("rule", RULE, key="other")
    assert caught.value.extra["errors"] == [{"field": "id", "message": "does not match the id in the path"}]


def test_each_bad_field_is_named():
    with pytest.raises(InvalidRecord) as caught:
        integrity.validate_record(
            "rule", {**RULE, "treatment": "maybe", "effective_from": "2025-13-01"}, key="acme-posts"
        )
    fields = {e["field"] for e in caught.value.extra["errors"]}
    assert {"treatment", "effective_from"} <= fields


def test_references_to_missing_records_are_refused_before_anything_is_stored(session):
    bad = {**RULE, "platform": "nope", "sources": [*RULE["sources"], {"id": "ZZ9", "quote": "q", "where": None}]}
    with pytest.raises(InvalidRecord) as caught:
        integrity.check_references(session, "rule", integrity.validate_record("rule", bad, key="acme-posts"))
    assert {(e["field"], e["message"]) for e in caught.value.extra["errors"]} == {
        ("platform", "unknown platform 'nope'"),
        ("sources[1]", "unknown source 'ZZ9'"),
    }


class _CountedKeys(dict):
    """A write's `seen` memo that counts the entries of every walk over its keys (as `set - seen.keys()` walks)."""

    walked = 0

    def keys(self):
        self.walked += len(self)
        return super().keys()

    def __iter__(self):
        self.walked += len(self)
        return super().__iter__()


def test_a_large_import_looks_up_a_records_references_without_walking_every_key_seen(session):
    """The memo of one write holds every record it has placed so far: walking it for each record made an import of
    100,000 rules quadratic (35 of the 42 minutes of `make bench` on a slow machine)."""
    seen = _CountedKeys({("rule", f"earlier-{n}"): "" for n in range(10_000)})
    integrity.check_references(session, "rule", integrity.validate_record("rule", RULE, key="acme-posts"), seen)
    assert seen.walked == 0
    assert seen[("platform", "acme")] == "" and seen[("source", "M1")] is not None  # looked up and remembered
    seen.walked = 0
    integrity.check_references(session, "rule", integrity.validate_record("rule", RULE, key="acme-posts"), seen)
    assert seen.walked == 0


def test_a_group_may_list_only_countries(session):
    group = integrity.validate_record(
        "jurisdiction", {"name": "Odd", "kind": "group", "members": ["DE", "EU"]}, key="ODD"
    )
    with pytest.raises(InvalidRecord, match="'EU' is not a country"):
        integrity.check_references(session, "jurisdiction", group)


def test_overlapping_rules_of_one_platform_category_and_jurisdiction_are_refused(session):
    apply_changes(session, [Op("rule", "create", "acme-posts", RULE)], actor="test")
    later = {**RULE, "id": "acme-posts-2", "effective_from": "2025-06-01"}
    with pytest.raises(InvalidRecord, match="overlaps rule 'acme-posts'"):
        apply_changes(session, [Op("rule", "create", "acme-posts-2", later)], actor="test")
    ended = {**RULE, "effective_until": "2025-05-31"}
    apply_changes(
        session, [Op("rule", "update", "acme-posts", ended), Op("rule", "create", "acme-posts-2", later)], actor="test"
    )


def test_an_update_moving_a_rule_onto_another_is_refused(session):
    ended = {**RULE, "effective_until": "2025-05-31"}
    later = {**RULE, "id": "acme-posts-2", "effective_from": "2025-06-01"}
    apply_changes(
        session, [Op("rule", "create", "acme-posts", ended), Op("rule", "create", "acme-posts-2", later)], actor="test"
    )
    apply_changes(session, [Op("rule", "update", "acme-posts", {**ended, "notes": ["edited"]})], actor="test")
    with pytest.raises(InvalidRecord, match="overlaps rule 'acme-posts-2'"):
        apply_changes(session, [Op("rule", "update", "acme-posts", {**ended, "effective_until": None})], actor="test")


def test_only_a_new_scope_or_new_dates_need_the_overlap_check():
    stored = {**RULE, "id": "acme-posts", "notes": ["old"]}
    assert not integrity.may_overlap_anew("rule", stored, {**stored, "notes": ["new"], "summary": "Other."})
    assert integrity.may_overlap_anew("rule", None, stored)
    for field, value in [("effective_until", "2026-01-01"), ("jurisdiction", "FR"), ("used_by", "third-parties")]:
        assert integrity.may_overlap_anew("rule", stored, {**stored, field: value}), field
    assert not integrity.may_overlap_anew("source", None, {"id": "M1"})


def test_a_large_import_is_checked_for_overlaps_too(session):
    """Past GROUPS_PER_QUERY groups the check reads by platform (an IN list of every group would exceed the
    database's parameter limit); both ways find an overlap."""
    from app.policy.model import JurisdictionKind
    from app.store import repository

    countries = sorted(
        j.code for j in repository.load_snapshot(session).jurisdictions.values() if j.kind is JurisdictionKind.COUNTRY
    )
    categories = ["public-posts", "public-comments"]
    groups = [(c, k) for c in countries for k in categories][: integrity.GROUPS_PER_QUERY + 20]
    ops = [
        Op(
            "rule",
            "create",
            f"acme-{k}-{c.lower()}",
            {**RULE, "id": f"acme-{k}-{c.lower()}", "category": k, "jurisdiction": c},
        )
        for c, k in groups
    ]
    clash = {**RULE, "id": "acme-clash", "category": groups[-1][1], "jurisdiction": groups[-1][0]}
    with pytest.raises(InvalidRecord, match="overlaps"):
        apply_changes(session, [*ops, Op("rule", "create", "acme-clash", clash)], actor="test")
    session.rollback()
    apply_changes(session, ops, actor="test")  # the same import without the clash is accepted


def test_referrers_name_every_record_that_points_at_one(session):
    apply_changes(session, [Op("rule", "create", "acme-posts", RULE)], actor="test")
    assert integrity.referrers(session, "platform", "acme") == ["rule acme-posts"]
    assert "rule acme-posts" in integrity.referrers(session, "source", "M1")
    assert integrity.referrers(session, "category", "no-such-category") == []


def test_the_files_and_the_store_find_the_same_references():
    from app.dataset.invariants import references

    rule = {**RULE, "opt_out": {"deadline": "d1"}, "sources": ["M1", {"id": "M2", "quote": "..."}]}
    assert references("rules", rule) == [
        (("platform",), "platforms", "acme"),
        (("jurisdiction",), "jurisdictions", "EEA"),
        (("sources", 0), "sources", "M1"),
        (("sources", 1), "sources", "M2"),
        (("category",), "categories", "public-posts"),
        (("opt_out", "deadline"), "deadlines", "d1"),
    ]
    assert references("jurisdictions", {"code": "EU", "members": ["DE"]}) == [(("members", 0), "jurisdictions", "DE")]


def test_references_are_looked_up_in_chunks_by_one_statement_per_shape(session, monkeypatch):
    """Keys of several kinds, more of one kind than a chunk holds, some missing: each gets its kind or None, and
    a second lookup of the same shape reuses the statement built for the first (built once: a write's CPU)."""
    monkeypatch.setattr(integrity, "LOOKUP_CHUNK", 2)
    integrity._lookup_query.cache_clear()
    wanted = {
        ("platform", "acme"),
        ("platform", "nowhere"),
        ("jurisdiction", "EEA"),
        ("jurisdiction", "DE"),
        *{("source", f"M{n}") for n in (1, 2, 3, 4, 5)},
        ("source", "no-such-source"),
    }
    seen: dict[tuple[str, str], str | None] = {}
    integrity._look_up(session, wanted, seen)
    assert seen.keys() == wanted
    assert seen[("platform", "acme")] == "" and seen[("platform", "nowhere")] is None
    assert seen[("jurisdiction", "EEA")] == "group" and seen[("jurisdiction", "DE")] == "country"
    assert seen[("source", "no-such-source")] is None
    assert {seen[("source", f"M{n}")] for n in (1, 2, 3, 4, 5)} <= {"primary", "secondary", "aggregator"}
    renamed = {(target, key.replace("M", "M1") if target == "source" else key) for target, key in wanted}
    integrity._look_up(session, renamed, {})
    assert (
        integrity._lookup_query.cache_info().misses == 1
    )  # one chunk of platforms, one of jurisdictions, three of sources


def test_a_source_made_an_aggregator_in_the_write_that_makes_its_rule_unknown_is_allowed(session):
    source = {
        "id": "ZZ902",
        "url": "https://example.com/zz902",
        "title": "A test source",
        "publisher": "Example Press",
        "retrieved_on": "2026-11-26",
        "kind": "secondary",
    }
    decided = {**RULE, "treatment": "used", "summary": "Used.", "sources": [{"id": "ZZ902", "quote": "used"}]}
    apply_changes(
        session, [Op("source", "create", "ZZ902", source), Op("rule", "create", "acme-posts", decided)], actor="t"
    )
    demoted = Op("source", "update", "ZZ902", {**source, "kind": "aggregator"})
    with pytest.raises(InvalidRecord) as caught:
        apply_changes(session, [demoted], actor="test")
    assert caught.value.extra["errors"][0]["field"] == "kind"
    # Checked once the whole write is applied: the rule it strands is made unknown in the same write.
    unknown = Op("rule", "update", "acme-posts", {**decided, "treatment": "unknown", "summary": "Unknown."})
    assert apply_changes(session, [demoted, unknown], actor="test").stored


def test_a_country_taken_out_of_its_groups_in_the_same_write_may_become_a_group(session):
    from app.store import records

    groups = {}
    for code in ("EU", "EEA"):
        row = records.get_row(session, "jurisdiction", code)
        groups[code] = records.row_to_record(session, "jurisdiction", row)
    at = records.row_to_record(session, "jurisdiction", records.get_row(session, "jurisdiction", "AT"))
    regrouped = Op("jurisdiction", "update", "AT", {**at, "kind": "group", "members": ["FR"]})
    with pytest.raises(InvalidRecord):
        apply_changes(session, [regrouped], actor="test")
    out = [
        Op("jurisdiction", "update", code, {**g, "members": [m for m in g["members"] if m != "AT"]})
        for code, g in groups.items()
    ]
    assert apply_changes(session, [regrouped, *out], actor="test").stored
