"""Reviews of rules: POST /v1/rules/{rule_id}/reviews records one, GET lists a rule's reviews."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from sqlmodel import Session
from starlette.responses import JSONResponse, Response

from app.api.auth import WriteKey, actor, writing_as
from app.api.bodies import model_body, write_body
from app.api.deps import CatalogDep, ServicesDep, SessionDep
from app.api.responses import PageDep, UpToIdDep, list_etag, paginated
from app.api.routes import crud
from app.api.routes.rules import KIND
from app.api.schemas.decisions import problem_responses
from app.api.schemas.reviews import ReviewCreated, ReviewIn, ReviewPage
from app.store.db import consistent_reads
from app.store.models import RuleReview
from app.store.repository import stored_revision
from app.store.reviews import record_review, reviews_of
from app.store.writes import Applied

router = APIRouter(tags=["reviews"])
EXAMPLE = {"outcome": "confirmed", "note": "Only the cookie banner changed; the rule stands."}
RuleId = Annotated[str, Path(description="The rule's id", openapi_examples=crud.example(KIND.example["id"]))]
# Read through the app's body reader (size limit, media type, depth), after the key: never a pydantic body parameter.
ReviewBody = Annotated[ReviewIn, Depends(model_body(ReviewIn, "the review"))]


def _out(review: RuleReview) -> dict[str, Any]:
    at = review.reviewed_at if review.reviewed_at.tzinfo else review.reviewed_at.replace(tzinfo=UTC)
    return {
        "id": review.id,
        "rule": review.rule_id,
        "outcome": review.outcome,
        "note": review.note,
        "reviewed_at": at.isoformat().replace("+00:00", "Z"),
        "actor": review.actor,
    }


@router.post(
    "/rules/{rule_id}/reviews",
    summary="Record a review of a rule",
    status_code=201,
    response_model=ReviewCreated,
    responses=problem_responses(401, 403, 404, 413, 422),
    openapi_extra=write_body(ReviewIn, EXAMPLE),
)
def create_review(
    request: Request,
    api_key: WriteKey,
    services: ServicesDep,
    catalog: CatalogDep,
    rule_id: RuleId,
    body: ReviewBody,
) -> JSONResponse:
    """Record that a person checked the rule against its sources today. The rule leaves the review queue and its
    answers are no longer stale (until its sources change again or the review grows old). A correction itself goes
    through the rule's normal writes. The review appears in /v1/changes. Needs a key with write scope."""
    crud.entry_or_404(catalog, KIND, rule_id)
    payload: dict[str, Any] = {}
    with writing_as(request, api_key) as key_id:

        def write(session: Session) -> Applied:
            review, applied = record_review(
                session, rule_id, body.outcome, body.note, at=datetime.now(UTC), actor=actor(api_key), key_id=key_id
            )
            payload.update(_out(review), dataset_revision=applied.revision)  # read while its session is open
            return applied

        crud.commit_and_reload(services, write)
    return JSONResponse(payload, status_code=201, headers={"Location": f"/v1/rules/{rule_id}/reviews"})


@router.get(
    "/rules/{rule_id}/reviews",
    summary="List a rule's reviews, newest first",
    response_model=ReviewPage,
    responses={304: {"description": "Not modified"}, **problem_responses(404)},
)
def list_reviews(
    request: Request,
    session: SessionDep,
    catalog: CatalogDep,
    rule_id: RuleId,
    page: PageDep,
    up_to_id: UpToIdDep,
) -> Response:
    """List every recorded review of the rule, newest first, a page at a time."""
    crud.entry_or_404(catalog, KIND, rule_id)
    consistent_reads(session)  # on PostgreSQL the revision and the reviews are read from one state of the database
    revision = stored_revision(session)
    pin, total, rows = reviews_of(session, rule_id, up_to_id=up_to_id, offset=page.offset, limit=page.limit)
    items = [_out(row) for row in rows]
    etag = list_etag(revision, request)
    return paginated(request, items, total, page, revision, etag, pin=None if pin is None else {"up_to_id": pin})
