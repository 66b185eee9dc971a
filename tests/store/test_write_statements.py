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


def test_a_note_edit_looks_references_up_in_one_query_and_leaves_the_citations_alone(engine):
    with Session(engine) as session:
        cited = len(session.exec(select(RuleSource).where(RuleSource.rule_id == RULE)).all())
    assert cited >= 3
    statements = _statements(engine, [_patch({"notes": ["an edited note"]})])
    # The revision bump, the rule and its citations as stored, every reference in one query, the change log,
    # the row and the webhook outbox: none of them once per citation, and no overlap check (same scope and dates).
    assert len(statements) <= 7, statements
    assert sum("FROM source" in s for s in statements) == 1
    assert not any(s.startswith(("DELETE FROM rule_source", "INSERT INTO rule_source")) for s in statements)
    with Session(engine) as session:
        assert read_rules(session, [RULE])[RULE][0]["notes"] == ["an edited note"]


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
