"""Migrations build the schema the models describe, and round-trip up and down."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app.store import migrate
from app.store.db import make_engine, metadata


def test_models_and_migrations_agree(empty_url):
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []


def test_upgrade_downgrade_upgrade_round_trips(databases):
    url = databases.new_url()
    engine = make_engine(url)
    migrate.upgrade(url)
    tables = set(inspect(engine).get_table_names())
    assert {"platform", "rule", "change", "dataset_revision", "api_key"} <= tables
    migrate.downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(url)
    assert set(inspect(engine).get_table_names()) == tables
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_migration_files_are_date_prefixed():
    names = [p.name for p in (migrate.MIGRATIONS / "versions").glob("*.py")]
    assert names and all(n[:4].isdigit() and n[4] == "-" and n[10] == "-" for n in names)
