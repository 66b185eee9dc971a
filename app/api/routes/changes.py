"""The change log: GET /v1/changes, every write to the data, newest first."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api.deps import SessionDep
from app.api.responses import MAX_REVISION, PageDep, list_etag, paginated
from app.api.schemas.catalog import RESOURCE_NAMES, ChangePage
from app.store.changelog import page_of_changes
from app.store.models import Change
from app.store.repository import stored_revision

router = APIRouter(tags=["history"])


def _out(change: Change) -> dict[str, Any]:
    at = change.at if change.at.tzinfo else change.at.replace(tzinfo=UTC)
    return {
        "id": change.id,
        "dataset_revision": change.revision,
        "resource": change.resource,
        "resource_id": change.resource_id,
        "operation": change.operation,
        "before": change.before,
        "after": change.after,
        "actor": change.actor,
        "at": at.isoformat().replace("+00:00", "Z"),
    }


@router.get("/changes", summary="List changes to the data, newest first", response_model=ChangePage)
def list_changes(
    request: Request,
    session: SessionDep,
    page: PageDep,
    since_revision: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_REVISION,
            description="Only changes made after this dataset revision (poll with the last revision you saw).",
        ),
    ] = None,
    up_to_revision: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_REVISION,
            description="Only changes up to this dataset revision. The `next` link sets it to the revision of the "
            "first page, so writes made while you page through the list do not shift its pages.",
        ),
    ] = None,
    resource: Annotated[RESOURCE_NAMES | None, Query(description="Only changes to this kind of record.")] = None,
    resource_id: Annotated[
        str | None, Query(max_length=100, description="Only changes to the record with this id or code.")
    ] = None,
) -> Response:
    """List every change: what (resource and id), the operation, before and after, which key, when, and revision."""
    revision = stored_revision(session)
    if up_to_revision is not None:
        revision = min(revision, up_to_revision)
    # Pinned to one revision, so the page and its ETag describe the same state, and so do the pages that follow.
    total, rows = page_of_changes(
        session,
        up_to=revision,
        since_revision=since_revision,
        resource=resource,
        resource_id=resource_id,
        offset=page.offset,
        limit=page.limit,
    )
    items = [_out(row) for row in rows]
    etag = list_etag(revision, request)
    return paginated(request, items, total, page, revision, etag, pin={"up_to_revision": revision})
