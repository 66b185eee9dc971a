"""The outbox: every write leaves exactly one row in its own transaction; a failed write leaves none."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import Session, select

from app.serving import diffs
from app.store import history, migrate, repository
from app.store.db import make_engine, metadata
from app.store.errors import InvalidRecord
from app.store.webhook_models import Outbox
from app.store.writes import Op, apply_changes

PLATFORM = {"name": "Example", "operator": "Example Inc.", "website": None, "privacy_policy_url": None}
WEBHOOK_TABLES = {"outbox", "webhook_subscription", "webhook_event", "webhook_delivery", "webhook_job"}


@pytest.fixture
def session(empty_url):
    with Session(make_engine(empty_url)) as s:
        yield s


def test_each_write_adds_one_outbox_row_with_its_revision(session):
    apply_changes(
        session, [Op("platform", "create", "one", PLATFORM), Op("platform", "create", "two", PLATFORM)], actor="test"
    )
    apply_changes(session, [Op("platform", "delete", "one")], actor="test")
    rows = session.exec(select(Outbox).order_by(Outbox.revision)).all()
    assert [(r.revision, r.processed_at) for r in rows] == [(1, None), (2, None)]


def test_a_failed_write_leaves_no_outbox_row(session):
    with pytest.raises(InvalidRecord):
        apply_changes(
            session, [Op("platform", "create", "ok", PLATFORM), Op("platform", "create", "bad", {})], actor="test"
        )
    assert session.exec(select(Outbox)).all() == []


def test_the_change_log_rebuilds_each_earlier_revision(session):
    apply_changes(session, [Op("platform", "create", "one", PLATFORM)], actor="test")
    apply_changes(session, [Op("platform", "update", "one", {**PLATFORM, "name": "Renamed"})], actor="test")
    apply_changes(session, [Op("platform", "delete", "one")], actor="test")
    assert history.records_at(session, 3) == {}
    assert history.records_at(session, 2)[("platform", "one")]["name"] == "Renamed"
    assert history.records_at(session, 1)[("platform", "one")]["name"] == "Example"
    assert history.records_at(session, 0) == {}
    assert history.records_at(session, 4) is None


def test_the_webhook_migration_goes_down_to_the_initial_schema_and_up_again(databases):
    url = databases.new_url()
    engine = make_engine(url)
    migrate.upgrade(url)
    assert set(inspect(engine).get_table_names()) >= WEBHOOK_TABLES
    migrate.downgrade(url, "0001")
    assert not WEBHOOK_TABLES & set(inspect(engine).get_table_names())
    migrate.upgrade(url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata) == []


def test_a_snapshot_rebuilt_from_records_equals_the_one_loaded_from_rows(shared_seeded_url):
    # Guards the two bridges to the engine against drifting apart when a field is added.
    engine = make_engine(shared_seeded_url)
    with Session(engine) as session:
        real = repository.load_snapshot(session)
        rebuilt = diffs.snapshot_from_records(real.revision, history.records_at(session, real.revision))
    engine.dispose()
    for part in ("platforms", "categories", "jurisdictions", "sources", "deadlines", "rules"):
        assert getattr(rebuilt, part) == getattr(real, part), part
