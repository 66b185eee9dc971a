"""Database engine, metadata naming convention and the session dependency."""

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import SQLModel, create_engine

# Stable constraint names, so migrations can name what they alter and drop.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class DatabaseConfigError(RuntimeError):
    """TRAINWATCH_DATABASE_URL cannot be used; the message names the setting."""


def make_engine(url: str) -> Engine:
    """Create an engine for a SQLAlchemy URL, creating the SQLite file's folder if needed."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseConfigError(f"TRAINWATCH_DATABASE_URL={url!r} is not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseConfigError(
            f"TRAINWATCH_DATABASE_URL={url!r}: only sqlite:/// and postgresql+psycopg:// URLs are supported"
        )
    try:
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    except ModuleNotFoundError as exc:
        raise DatabaseConfigError(f"TRAINWATCH_DATABASE_URL={url!r} needs a driver that is missing: {exc}") from None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


metadata = SQLModel.metadata
