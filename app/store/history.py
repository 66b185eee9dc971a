"""Reads of the change log: filtered lists for feeds, and the whole dataset as it was at an earlier revision."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, or_, select

from app.store import records
from app.store.models import Change, DatasetRevision
from app.store.repository import stored_revision

Key = tuple[str, str]


def changes(
    session: Session,
    *,
    upto: int,
    since_revision: int | None = None,
    resource: str | None = None,
    platform: str | None = None,
    limit: int = 100,
) -> list[Change]:
    """Return the newest changes up to a revision, filtered like GET /v1/changes, plus by platform."""
    where: list[ColumnElement[bool]] = [col(Change.revision) <= upto]
    if since_revision is not None:
        where.append(col(Change.revision) > since_revision)
    if resource is not None:
        where.append(col(Change.resource) == resource)
    if platform is not None:
        # A platform's own record, and the rules and deadlines that belonged to it before or after the change.
        where.append(
            or_(
                (col(Change.resource) == "platform") & (col(Change.resource_id) == platform),
                col(Change.before)["platform"].as_string() == platform,
                col(Change.after)["platform"].as_string() == platform,
            )
        )
    statement = select(Change).where(*where).order_by(col(Change.revision).desc(), col(Change.seq).desc()).limit(limit)
    return list(session.exec(statement).all())


def ever_stored(session: Session, resource: str, key: str) -> bool:
    """Return whether the change log holds any change to this record: one deleted since still has its history."""
    found = select(Change.revision).where(Change.resource == resource, Change.resource_id == key).limit(1)
    return session.exec(found).first() is not None


def revision_time(session: Session) -> datetime:
    """Return when the dataset last changed (the revision row's time), as UTC."""
    at = session.exec(select(DatasetRevision.updated_at).where(DatasetRevision.id == 1)).one()
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def changes_of(session: Session, revision: int) -> list[Change]:
    """Return the changes one revision made, in the order they were applied."""
    return list(session.exec(select(Change).where(Change.revision == revision).order_by(col(Change.seq))).all())


def current_records(session: Session) -> dict[Key, records.Record]:
    """Return every stored record, keyed by (resource, key)."""
    return {
        (resource, record[records.ADAPTERS[resource].key]): record
        for resource, found in records.read_all(session).items()
        for record, _version in found
    }


def can_rebuild(session: Session, revision: int, current: int | None = None) -> bool:
    """Return whether the change log holds every revision after this one, so the dataset can be rebuilt."""
    current = stored_revision(session) if current is None else current
    if revision < 0 or revision > current:
        return False
    if revision == current:
        return True
    logged = session.exec(
        select(func.count(func.distinct(Change.revision))).where(Change.revision > revision, Change.revision <= current)
    ).one()
    return logged == current - revision


def records_at(session: Session, revision: int, attempts: int = 5) -> dict[Key, records.Record] | None:
    """Return the dataset as it was at a revision, undoing newer changes; None if the log cannot rebuild it."""
    for _ in range(attempts):
        current = stored_revision(session)
        if not can_rebuild(session, revision, current):
            return None
        state = current_records(session)
        newer = session.exec(select(Change).where(Change.revision > revision)).all()
        if stored_revision(session) == current:  # no write landed between the reads
            break
        session.rollback()
    return undo(state, sorted(newer, key=lambda c: (c.revision, c.seq)))


def undo(state: dict[Key, records.Record], newer: Sequence[Change]) -> dict[Key, records.Record]:
    """Return the state before a sequence of changes (given oldest first) was applied to it."""
    state = dict(state)
    for change in reversed(newer):
        key = (change.resource, change.resource_id)
        if change.before is None:
            state.pop(key, None)
        else:
            state[key] = change.before
    return state
