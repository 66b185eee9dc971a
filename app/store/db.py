"""Database engine, metadata naming convention and the session dependency."""

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session, SQLModel, create_engine

from app.settings import DEFAULT_DATABASE_URL

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


POOL_SIZE = 5  # connections kept open; more are opened up to the pool's capacity and closed when returned


def make_engine(
    url: str, *, statement_timeout: float = 30.0, connect_timeout: float = 5.0, pool_capacity: int = 15
) -> Engine:
    """Create an engine for a SQLAlchemy URL; for the default SQLite database, create its folder if needed.

    No statement runs longer than statement_timeout seconds (PostgreSQL cancels it; SQLite stops waiting for a
    lock), no connection takes longer than connect_timeout to open, and no request waits longer than that for one.
    At most pool_capacity connections are open at once (at least POOL_SIZE).
    """
    overflow = max(pool_capacity - POOL_SIZE, 0)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseConfigError(f"TRAINWATCH_DATABASE_URL={url!r} is not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            _sqlite_folder(url, Path(parsed.database).parent)
        # A file database gets a queue pool, whose checkout waits at most connect_timeout; :memory: gets none.
        pool = (
            {"pool_timeout": connect_timeout, "pool_size": POOL_SIZE, "max_overflow": overflow}
            if parsed.database not in (None, "", ":memory:")
            else {}
        )
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": statement_timeout}, **pool)
        busy_ms = int(statement_timeout * 1000)
        event.listen(engine, "connect", lambda conn, record: _sqlite_pragmas(conn, record, busy_ms))
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseConfigError(
            f"TRAINWATCH_DATABASE_URL={url!r}: only sqlite:/// and postgresql+psycopg:// URLs are supported"
        )
    try:
        timeout_ms = int(statement_timeout * 1000)
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_timeout=connect_timeout,
            pool_size=POOL_SIZE,
            max_overflow=overflow,
            connect_args={
                "connect_timeout": max(1, round(connect_timeout)),
                "options": f"-c statement_timeout={timeout_ms} -c lock_timeout={timeout_ms}",
            },
        )
    except ModuleNotFoundError as exc:
        raise DatabaseConfigError(f"TRAINWATCH_DATABASE_URL={url!r} needs a driver that is missing: {exc}") from None


def _sqlite_folder(url: str, folder: Path) -> None:
    """Make sure a SQLite database's folder exists, or raise DatabaseConfigError saying why it cannot be used.

    Only the default database's folder (var/ in the repository, which git leaves out) is created. A folder named in
    TRAINWATCH_DATABASE_URL must exist, as a PostgreSQL database must: a typo must not create folders anywhere.
    """
    try:
        if stat.S_ISDIR(os.stat(folder).st_mode):
            return
        reason = "is not a folder"
    except FileNotFoundError:
        reason = "does not exist"
    except OSError as exc:  # not a folder on the way (ENOTDIR), no permission to look, ...
        reason = f"cannot be used: {exc.strerror or exc}"
    default = make_url(DEFAULT_DATABASE_URL).database
    if reason == "does not exist" and default and folder == Path(default).parent:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return
        except OSError as exc:
            reason = f"cannot be created: {exc.strerror or exc}"
    raise DatabaseConfigError(f"TRAINWATCH_DATABASE_URL={url!r}: the database's folder {folder} {reason}")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_ms: int = 30000) -> None:
    # SQLite ignores foreign keys unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.close()


metadata = SQLModel.metadata


@contextmanager
def reading_on(session: Session | None, engine: Engine) -> Iterator[Session]:
    """Yield a session to read with: a write's own (committed, so its next read begins a new transaction), or a new
    one on the engine, closed after."""
    if session is None:
        with Session(engine) as fresh:
            yield fresh
        return
    if session.in_transaction():  # read from since its commit: begin afresh, to see what others committed since
        session.rollback()
    yield session


def consistent_reads(session: Session) -> bool:
    """Make the session's transaction read one snapshot of the database where it can (PostgreSQL's REPEATABLE
    READ) and return whether it does; call it before the transaction's first statement.

    Without it each statement sees the writes committed before it, so a reader that asks for the revision and
    then for what changed could mix two revisions; under concurrent writes it had to give up and read everything.
    """
    if session.get_bind().dialect.name != "postgresql":
        return False
    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return True
