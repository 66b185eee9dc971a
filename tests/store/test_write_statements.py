"""What a write asks the database while it holds the revision lock, which every other write waits for."""

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, select

from app.store.db import consistent_reads, make_engine
from app.store.models import Change, RuleSource
from app.store.records import read_rules
from app.store.writes import Op, apply_changes

RULE = "instagram-eea-public-posts-2025"  # cites several sources, a deadline, a platform, a category, a jurisdiction


@pytest.fixture
def engine(seeded_url):
    engine = make_engine(seeded_url)
    yield engine
    engine.dispose()


def _statements(engine, ops):
    """Apply ops and return the statements the write ran, in order."""
    seen: list[str] = []

    def record(conn, cursor, statement, *_):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as session:
            apply_changes(session, ops, actor="test")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _patch(changes):
    return Op("rule", "update", RULE, transform=lambda current: {**current, **changes})


def test_a_note_edit_looks_no_reference_up_and_leaves_the_citations_alone(engine):
    with Session(engine) as session:
        cited = len(session.exec(select(RuleSource).where(RuleSource.rule_id == RULE)).all())
    assert cited >= 3
    statements = _statements(engine, [_patch({"notes": ["an edited note"]})])
    # The revision bump, the rule and its citations as stored, the change log, the row and the webhook outbox: no
    # reference lookup (it refers to what it referred to), no overlap check (same scope and dates), nothing once per
    # citation.
    assert len(statements) <= 6, statements
    assert not any("FROM source" in s or "FROM platform" in s for s in statements), statements
    assert not any(s.startswith(("DELETE FROM rule_source", "INSERT INTO rule_source")) for s in statements)
    with Session(engine) as session:
        assert read_rules(session, [RULE])[RULE][0]["notes"] == ["an edited note"]


@pytest.mark.parametrize("changes", [{"summary": "Changed."}, {"treatment": "unknown"}], ids=["summary", "treatment"])
def test_references_are_looked_up_in_one_query_when_the_treatment_changes(engine, changes):
    statements = _statements(engine, [_patch(changes)])
    looked_up = sum("FROM source" in s for s in statements)
    # A summary's edit keeps what the rule refers to; a new treatment is checked against its sources' kinds
    # (a decided rule cannot rest on aggregators alone).
    assert looked_up == (0 if "summary" in changes else 1), statements


def test_a_changed_reference_is_looked_up(engine):
    from app.store.errors import InvalidRecord

    with pytest.raises(InvalidRecord) as caught:
        _statements(engine, [_patch({"category": "no-such-category"})])
    assert [e["field"] for e in caught.value.extra["errors"]] == ["category"]


def test_changed_citations_are_written_again(engine):
    with Session(engine) as session:
        record, _ = read_rules(session, [RULE])[RULE]
    fewer = record["sources"][:-1]
    statements = _statements(engine, [_patch({"sources": fewer})])
    assert any(s.startswith("DELETE FROM rule_source") for s in statements)
    with Session(engine) as session:
        assert read_rules(session, [RULE])[RULE][0]["sources"] == fewer
        logged = session.exec(select(Change).where(Change.resource_id == RULE).order_by(Change.id.desc())).first()
        assert logged.after["sources"] == fewer


def test_a_missing_reference_is_still_named(engine):
    from app.store.errors import InvalidRecord

    with pytest.raises(InvalidRecord) as caught:
        _statements(engine, [_patch({"sources": [{"id": "ZZ999"}], "platform": "no-such-platform"})])
    fields = {e["field"] for e in caught.value.extra["errors"]}
    assert "platform" in fields and any(f.startswith("sources") for f in fields)


def test_consistent_reads_read_one_snapshot_where_the_database_can(engine):
    with Session(engine) as session:
        consistent = consistent_reads(session)
        if engine.dialect.name == "postgresql":
            assert consistent
            assert session.execute(text("SHOW transaction_isolation")).scalar_one() == "repeatable read"
        else:
            assert not consistent


def test_a_write_as_a_revoked_key_is_refused_under_the_lock_and_changes_nothing(engine):
    from app.store.errors import KeyRevoked
    from app.store.keys import create_key, revoke_key
    from app.store.repository import stored_revision

    with Session(engine) as session:
        live, _ = create_key(session, scope="write")
        revoked, _ = create_key(session, scope="write")
        revoke_key(session, revoked.id)
        live_id, revoked_id, revision = live.id, revoked.id, stored_revision(session)
    with Session(engine) as session, pytest.raises(KeyRevoked):
        apply_changes(session, [_patch({"notes": ["refused"]})], actor="test", key_id=revoked_id)
    with Session(engine) as session:
        assert stored_revision(session) == revision
        assert read_rules(session, [RULE])[RULE][0]["notes"] != ["refused"]
        assert apply_changes(session, [_patch({"notes": ["kept"]})], actor="test", key_id=live_id).revision == (
            revision + 1
        )
