"""Alembic environment: migrate the database named by the caller or TRAINWATCH_DATABASE_URL."""

from alembic import context

import app.store.models  # noqa: F401  (registers every table on the metadata)
from app.settings import get_settings
from app.store.db import make_engine, metadata

config = context.config


def run_migrations_online() -> None:
    """Run migrations on a connection handed in by the caller, or on a new engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.attributes.get("url") or get_settings().database_url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    if connection.dialect.name == "postgresql":
        # Fail fast instead of queueing behind a long transaction that holds a table lock.
        connection.exec_driver_sql("SET lock_timeout = '10s'")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run `trainwatch migrate`.")
run_migrations_online()
