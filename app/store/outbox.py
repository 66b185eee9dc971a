"""The outbox: one row per dataset write, committed with the write, until the deliverer has made its events."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from app.store.webhook_models import Outbox


def record_write(session: Session, revision: int, at: datetime) -> None:
    """Add the write of this revision to the outbox, in the caller's transaction."""
    session.add(Outbox(revision=revision, created_at=at))


def pending(session: Session, limit: int = 20) -> list[Outbox]:
    """Return the oldest writes whose events are not made yet, oldest first."""
    statement = select(Outbox).where(col(Outbox.processed_at).is_(None)).order_by(col(Outbox.revision)).limit(limit)
    return list(session.exec(statement).all())


def mark_processed(session: Session, row: Outbox, at: datetime) -> None:
    """Mark a write's events as made, in the caller's transaction (with the events themselves)."""
    row.processed_at = at
    session.add(row)
