"""The database's state as the service last saw it, logged once per change rather than once per failure."""

from __future__ import annotations

import logging
import threading
import time

from app.store.failures import READ_ONLY

log = logging.getLogger("trainwatch.database")
WRITE_PROBLEM_SECONDS = 60.0


class DatabaseState:
    """Remember whether the database last answered and whether the last write could be made; log changes only."""

    def __init__(self) -> None:
        self.problem: str | None = None  # None: it answers; else failures.UNREACHABLE or NOT_MIGRATED
        self._write_failed_at: float | None = None
        self._lock = threading.Lock()

    @property
    def write_problem(self) -> str | None:
        """READ_ONLY if a write failed so (read-only, disk full) in the last minute and none has worked since.

        It expires so that readiness returns once the database is writable again even if no one writes meanwhile
        (its own probe then decides).
        """
        failed = self._write_failed_at
        return READ_ONLY if failed is not None and time.monotonic() - failed < WRITE_PROBLEM_SECONDS else None

    def report(self, problem: str | None) -> None:
        """Record the outcome of a database call: None if it worked, else its failures.* kind."""
        with self._lock:
            if problem == READ_ONLY:
                changed, self._write_failed_at = self.write_problem is None, time.monotonic()
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
        """Record that a write was committed: the database answers and is writable again."""
        self.report(None)  # at once, not at the poller's next round: the log says so before the write's answer
        with self._lock:
            changed, self._write_failed_at = self._write_failed_at is not None, None
        if changed:
            log.warning("database can be written again")
