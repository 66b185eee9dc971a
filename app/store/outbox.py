"""The outbox: one row per dataset write, committed with the write, until the deliverer has made its events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, func, select

from app.store.webhook_models import Outbox

_RECORD = insert(Outbox.__table__)  # type: ignore[attr-defined]  # built once: every write runs it


def record_write(session: Session, revision: int, at: datetime) -> None:
    """Add the write of this revision to the outbox, in the caller's transaction."""
    session.connection().execute(_RECORD, {"revision": revision, "created_at": at, "processed_at": None})


def pending(session: Session, limit: int = 20) -> list[Outbox]:
    """Return the oldest writes whose events are not made yet, oldest first."""
    statement = select(Outbox).where(col(Outbox.processed_at).is_(None)).order_by(col(Outbox.revision)).limit(limit)
    return list(session.exec(statement).all())


def pending_up_to(session: Session) -> int | None:
    """Return the newest revision whose events are not made yet, or None."""
    return session.exec(select(func.max(Outbox.revision)).where(col(Outbox.processed_at).is_(None))).one()


def mark_processed(session: Session, row: Outbox, at: datetime) -> None:
    """Mark a write's events as made, in the caller's transaction (with the events themselves)."""
    row.processed_at = at
    session.add(row)


def mark_all_processed(session: Session, up_to: int, at: datetime) -> None:
    """Mark every pending write up to this revision as handled, in one statement (nobody subscribed to them)."""
    session.execute(
        update(Outbox).where(col(Outbox.processed_at).is_(None), col(Outbox.revision) <= up_to).values(processed_at=at)
    )


def prune(session: Session, before: datetime) -> None:
    """Delete the rows handled before this instant, in the caller's transaction; pending rows always stay."""
    session.execute(delete(Outbox).where(col(Outbox.processed_at) < before))
