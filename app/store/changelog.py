"""Reads of the change log: every write to the data, newest first."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from app.store.models import Change


def page_of_changes(
    session: Session,
    *,
    up_to: int,
    since_revision: int | None = None,
    resource: str | None = None,
    resource_id: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[int, list[Change]]:
    """Return how many changes up to a revision match the filters, and one page of them, newest first."""
    where = [col(Change.revision) <= up_to]
    if since_revision is not None:
        where.append(col(Change.revision) > since_revision)
    if resource is not None:
        where.append(col(Change.resource) == resource)
    if resource_id is not None:
        where.append(col(Change.resource_id) == resource_id)
    total = session.exec(select(func.count()).select_from(Change).where(*where)).one()
    rows = session.exec(
        select(Change)
        .where(*where)
        .order_by(col(Change.revision).desc(), col(Change.seq).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return total, list(rows)
