"""The one write path: atomic changes, a change log entry each, one revision bump per write."""

import pytest
from sqlmodel import Session, select

from app.store.db import make_engine
from app.store.errors import AlreadyExists, InUse, InvalidRecord, NotFound, StaleVersion
from app.store.models import Change, Platform
from app.store.repository import stored_revision
from app.store.writes import Op, apply_changes

PLATFORM = {"name": "Example", "operator": "Example Inc.", "website": "https://example.com", "privacy_policy_url": None}


@pytest.fixture
def session(empty_url):
    with Session(make_engine(empty_url)) as s:
        yield s


def test_create_logs_the_change_and_bumps_the_revision(session):
    assert stored_revision(session) == 0
    applied = apply_changes(session, [Op("platform", "create", "example", PLATFORM)], actor="test")
    assert applied.revision == 1 == stored_revision(session)
    change = session.exec(select(Change)).one()
    assert (change.revision, change.resource, change.resource_id, change.operation, change.actor) == (
        1,
        "platform",
        "example",
        "create",
        "test",
    )
    assert change.before is None and change.after["name"] == "Example"


def test_no_ops_change_nothing(session):
    assert apply_changes(session, [], actor="test").revision == 0
    assert session.exec(select(Change)).all() == []


def test_a_failing_op_rolls_back_the_whole_write(session):
    ops = [Op("platform", "create", "example", PLATFORM), Op("platform", "create", "bad", {"name": "x"})]
    with pytest.raises(InvalidRecord) as err:
        apply_changes(session, ops, actor="test")
    assert "operator" in err.value.detail
    assert session.exec(select(Platform)).all() == [] and stored_revision(session) == 0
    assert session.exec(select(Change)).all() == []


def test_update_checks_the_version_and_logs_before_and_after(session):
    apply_changes(session, [Op("platform", "create", "example", PLATFORM)], actor="test")
    with pytest.raises(StaleVersion):
        apply_changes(
            session, [Op("platform", "update", "example", {**PLATFORM, "name": "B"}, if_version=7)], actor="test"
        )
    apply_changes(session, [Op("platform", "update", "example", {**PLATFORM, "name": "B"}, if_version=1)], actor="test")
    assert session.get(Platform, "example").version == 2
    last = session.exec(select(Change).order_by(Change.id.desc())).first()
    assert (last.before["name"], last.after["name"], last.revision) == ("Example", "B", 2)


def test_create_twice_update_missing_delete_missing(session):
    apply_changes(session, [Op("platform", "create", "example", PLATFORM)], actor="test")
    with pytest.raises(AlreadyExists):
        apply_changes(session, [Op("platform", "create", "example", PLATFORM)], actor="test")
    with pytest.raises(NotFound):
        apply_changes(session, [Op("platform", "update", "nope", PLATFORM)], actor="test")
    with pytest.raises(NotFound):
        apply_changes(session, [Op("platform", "delete", "nope")], actor="test")


def test_references_are_checked_and_referred_records_cannot_be_deleted(seeded_url):
    with Session(make_engine(seeded_url)) as session:
        rule = session.exec(select(Change).where(Change.resource == "rule")).first().after
        revision = stored_revision(session)
        with pytest.raises(InvalidRecord) as err:
            apply_changes(session, [Op("rule", "update", rule["id"], {**rule, "platform": "nowhere"})], actor="t")
        assert "platform" in err.value.detail and "nowhere" in err.value.detail
        with pytest.raises(InUse) as err:
            apply_changes(session, [Op("platform", "delete", rule["platform"])], actor="t")
        assert f"rule {rule['id']}" in err.value.extra["referred_by"]
        assert stored_revision(session) == revision


def test_a_record_created_again_after_a_delete_continues_its_versions(session):
    apply_changes(session, [Op("platform", "create", "example", PLATFORM)], actor="test")
    apply_changes(session, [Op("platform", "delete", "example", if_version=1)], actor="test")
    apply_changes(session, [Op("platform", "create", "example", PLATFORM)], actor="test")
    assert session.get(Platform, "example").version == 3
    with pytest.raises(StaleVersion):  # an ETag from the record's first life does not match
        apply_changes(session, [Op("platform", "update", "example", PLATFORM, if_version=1)], actor="test")


def test_a_write_hands_back_its_rules_only_where_it_wrote_nothing_else(seeded_url, monkeypatch):
    """The rules a write stored come back, as stored, for the writer's reload; a write of anything else as well, one
    with notes (a review), or one of more rules than a snapshot is patched with hands back none."""
    from app.store import writes
    from app.store.records import read_rules
    from app.store.writes import Note

    rule, other = "instagram-eea-public-posts-2025", "linkedin-eea-profile-info-2025"
    with Session(make_engine(seeded_url)) as session:

        def edit(rule_id, summary):
            record, _ = read_rules(session, [rule_id])[rule_id]
            return Op("rule", "update", rule_id, {**record, "summary": summary})

        facebook = session.exec(select(Change).where(Change.resource_id == "facebook")).first().after
        alone = apply_changes(session, [edit(rule, "Alone.")], actor="test")
        assert alone.rules is not None and alone.rules.revision == alone.revision
        stored, _ = read_rules(session, [rule])[rule]
        assert alone.rules.rows[rule].summary == "Alone." == stored["summary"]
        assert alone.rules.links[rule] == stored["sources"]
        with_platform = [edit(rule, "Mixed."), Op("platform", "update", "facebook", {**facebook, "name": "Facebook!"})]
        assert apply_changes(session, with_platform, actor="test").rules is None
        review = Note("review", rule, {"rule_id": rule, "outcome": "confirmed"})
        assert apply_changes(session, [edit(rule, "Noted.")], actor="test", notes=[review]).rules is None
        monkeypatch.setattr(writes, "PATCH_LIMIT", 1)
        assert apply_changes(session, [edit(rule, "Two."), edit(other, "Two.")], actor="test").rules is None
