"""Tell database failures apart: unreachable, not writable, not migrated; anything else is a bug."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

UNREACHABLE, READ_ONLY, NOT_MIGRATED = "unreachable", "read-only", "not-migrated"
# PostgreSQL SQLSTATEs: read-only transaction, disk full, out of memory, undefined table, cannot connect now,
# admin shutdown, crash shutdown, statement timeout (query_canceled), lock timeout.
_PG = {
    "25006": READ_ONLY,
    "53100": READ_ONLY,
    "53200": UNREACHABLE,
    "42P01": NOT_MIGRATED,
    "57P03": UNREACHABLE,
    "57P01": UNREACHABLE,
    "57P02": UNREACHABLE,
    "57014": UNREACHABLE,
    "55P03": UNREACHABLE,
}
_SQLITE = (
    ("readonly", READ_ONLY),
    ("read-only", READ_ONLY),
    ("disk is full", READ_ONLY),
    ("disk i/o error", READ_ONLY),
    ("no such table", NOT_MIGRATED),
    ("unable to open", UNREACHABLE),
    ("locked", UNREACHABLE),
)


def classify(exc: BaseException) -> str | None:
    """Return why the database failed (UNREACHABLE, READ_ONLY, NOT_MIGRATED), or None if it is not its failure."""
    if isinstance(exc, PoolTimeout):
        return UNREACHABLE
    if isinstance(exc, DBAPIError):
        orig: BaseException = exc.orig or exc
    elif type(exc).__module__.split(".")[0] in ("sqlite3", "psycopg"):  # a driver's own error, unwrapped
        orig = exc
    else:
        return None
    code = getattr(orig, "sqlstate", None)
    if code in _PG:
        return _PG[code]
    message = str(orig).lower()
    for fragment, kind in _SQLITE:
        if fragment in message:
            return kind
    # By class, not by name alone: psycopg raises subclasses such as ConnectionTimeout for a database that hangs.
    lineage = {cls.__name__ for cls in type(orig).__mro__}
    if getattr(exc, "connection_invalidated", False) or lineage & {"OperationalError", "InterfaceError"}:
        return UNREACHABLE
    return None


DESCRIPTIONS = {
    UNREACHABLE: "The database is unreachable; reads keep answering from memory. Retry later.",
    READ_ONLY: "The database cannot be written (it is read-only or its disk is full); nothing was changed.",
    NOT_MIGRATED: "The database is not migrated: run `trainwatch migrate` (and `trainwatch seed`).",
}
