"""Exactly one deliverer: a PostgreSQL advisory lock, or on SQLite a file lock beside the database file."""

from __future__ import annotations

import fcntl
import logging
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger("trainwatch.webhooks")
ADVISORY_KEY = 0x7477_6865_6F6F_6B  # "twhook": the same in every worker and replica


class LeaderLock:
    """Held by one process at a time, released when it stops or dies (the session or file closes with it)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None
        self._file: IO[str] | None = None
        self._memory = False

    def acquire(self) -> bool:
        """Return whether this process holds the lock, taking it if it is free."""
        if self.engine.dialect.name == "postgresql":
            return self._postgres()
        return self._sqlite()

    def _postgres(self) -> bool:
        if self._conn is not None:
            try:  # still ours while the session that took it lives
                self._conn.execute(text("SELECT 1"))
                return True
            except Exception:
                log.warning("lost the deliverer lock's database session; trying again")
                self.release()
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar_one()
        except Exception:
            conn.close()
            raise
        if taken:
            self._conn = conn
            log.info("this process delivers webhooks (advisory lock taken)")
            return True
        conn.close()
        return False

    def _sqlite(self) -> bool:
        if self._file is not None or self._memory:
            return True
        database = self.engine.url.database
        if not database or database == ":memory:":
            self._memory = True  # an in-memory database lives in one process only
            return True
        handle = open(f"{database}.deliver.lock", "a+")  # noqa: SIM115  (held open as the lock)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        """Give the lock up, if held."""
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                self._conn.close()
            except Exception:  # closing the session releases it anyway
                pass
            self._conn = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
