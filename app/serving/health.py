"""The database's state as the service last saw it, logged once per change rather than once per failure."""

from __future__ import annotations

import logging
import threading

from app.store.failures import READ_ONLY

log = logging.getLogger("trainwatch.database")


class DatabaseState:
    """Remember whether the database last answered and whether the last write could be made; log changes only."""

    def __init__(self) -> None:
        self.problem: str | None = None  # None: it answers; else failures.UNREACHABLE or NOT_MIGRATED
        self.write_problem: str | None = None  # READ_ONLY after a write failed so, until a write works again
        self._lock = threading.Lock()

    def report(self, problem: str | None) -> None:
        """Record the outcome of a database call: None if it worked, else its failures.* kind."""
        with self._lock:
            if problem == READ_ONLY:
                changed, self.write_problem = self.write_problem != READ_ONLY, READ_ONLY
            else:
                changed, before, self.problem = self.problem != problem, self.problem, problem
        if not changed:
            return
        if problem == READ_ONLY:
            log.warning("database cannot be written; writes get 503 until one succeeds")
        elif problem is None:
            log.warning("database answers again (was %s)", before)
        else:
            log.warning("database %s; reads answer from memory, writes get 503 until it recovers", problem)

    def wrote(self) -> None:
        """Record that a write was committed: the database is writable again."""
        with self._lock:
            changed, self.write_problem = self.write_problem is not None, None
        if changed:
            log.warning("database can be written again")
