"""The rules: GET /v1/rules with filters, and the reads (with their sources) and writes of one rule."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from app.api.deps import CatalogDep, Services, ServicesDep
from app.api.responses import PageDep
from app.api.routes import crud
from app.api.schemas.catalog import RuleDetail, RulePage
from app.policy import QueryError
from app.policy.query import parse_day
from app.serving.answers import query_problem
from app.serving.catalog import Catalog, Entry
from app.store.freshness import freshness
from app.store.reviews import queue

router = APIRouter(tags=["catalog"])


def embed(request: Request, catalog: Catalog, entry: Entry) -> dict[str, Any]:
    """Return the sources the rule cites, in citation order."""
    cited = (catalog.get("source", citation["id"]) for citation in entry.record["sources"])
    return {"source_details": [source.body for source in cited if source is not None]}


KIND = crud.Kind.of(
    "rule",
    RuleDetail,
    {
        "id": "facebook-eea-public-posts-2025",
        "platform": "facebook",
        "category": "public-posts",
        "jurisdiction": "EEA",
        "treatment": "opt_out",
        "effective_from": "2025-05-27",
        "min_age": 18,
        "legal_basis": "legitimate-interest",
        "opt_out": {
            "method": "Objection form",
            "url": "https://www.facebook.com/help/contact/712876720715583",
            "deadline": "facebook-eea-objection-2025",
            "late_objection": "covers_later_posts",
            "after_deadline": "A later objection covers only content posted from the day of the objection.",
        },
        "summary": "Used for training Meta AI since 2025-05-27 unless you objected.",
        "notes": ["Covers public posts of adult users."],
        "sources": [
            {
                "id": "M2",
                "quote": "plans to begin training of its generative AI model(s) on 27 May 2025.",
                "where": None,
            }
        ],
    },
    embed=embed,
)


def _in_force(rule: Mapping[str, Any], day: str) -> bool:
    return (rule["effective_from"] or day) <= day <= (rule["effective_until"] or day)


@router.get("/rules", summary="List rules", response_model=RulePage)
def list_rules(
    request: Request,
    catalog: CatalogDep,
    page: PageDep,
    services: ServicesDep,
    platform: Annotated[
        str | None, Query(description="Only this platform's rules.", openapi_examples=crud.example("facebook"))
    ] = None,
    category: Annotated[
        str | None,
        Query(description="Only rules for this data category.", openapi_examples=crud.example("public-posts")),
    ] = None,
    jurisdiction: Annotated[
        str | None,
        Query(
            description="Only rules attached to this jurisdiction code (exactly; not the groups a country belongs to).",
            openapi_examples=crud.example("EEA"),
        ),
    ] = None,
    active_on: Annotated[
        str | None,
        Query(
            description="Only rules in force on this day (YYYY-MM-DD, 1900-01-01 to 2999-12-31).",
            openapi_examples=crud.example("2025-09-01"),
            json_schema_extra={"format": "date"},
        ),
    ] = None,
    needs_review: Annotated[
        bool | None,
        Query(
            description="true: only the review queue, the rules citing a source that changed, moved, went or lost "
            "its quote since the rule's last review; each item then also has `review`: `reviewed_on` and "
            "`sources`, each with `source`, `url`, `outcome`, `checked_at`, `status`, `final_url`, `error` "
            "and `diff` (a unified diff of the page's main text since the review). false: only the others.",
            openapi_examples=crud.example(True),
        ),
    ] = None,
) -> Response:
    """List the rules, ordered by id."""
    crud.known(catalog, "platform", platform, "platform", "platform")
    crud.known(catalog, "category", category, "category", "data category")
    code = crud.known(
        catalog,
        "jurisdiction",
        crud.stored_key(catalog, "jurisdiction", jurisdiction) if jurisdiction else None,  # any case, UK, EL
        "jurisdiction",
        "jurisdiction",
    )
    day = _day(active_on).isoformat() if active_on is not None else None
    entries = [
        e
        for e in catalog.all("rule")
        if platform in (None, e.record["platform"])
        and category in (None, e.record["category"])
        and code in (None, e.record["jurisdiction"])
        and (day is None or _in_force(e.record, day))
    ]
    if needs_review is not None:
        entries = review_filter(services, entries, needs_review)
    return crud.listing(request, catalog, entries, page)


def _day(raw: str) -> date:
    """Return the day `active_on` names, read as the decision reads its days (no timestamps, no 0001-01-01)."""
    try:
        return parse_day(raw, "active_on")
    except QueryError as exc:
        raise query_problem(exc) from None


def review_filter(services: Services, entries: list[Entry], needs_review: bool) -> list[Entry]:
    """Keep the rules in (or out of) the review queue; those in it carry why, under `review`."""
    # A session only for this filter, so that plain listings stay served from the catalog copy alone.
    with Session(services.engine) as session:
        if not needs_review:  # which rules are queued is enough; no diffs
            queued = {rule_id for rule_id, f in freshness(session).items() if f.flags}
            return [e for e in entries if e.record["id"] not in queued]
        found = {item.rule_id: item for item in queue(session)}
    return [
        Entry(
            {
                **e.record,
                "review": {
                    "reviewed_on": _iso(found[e.record["id"]].reviewed_on),
                    "sources": found[e.record["id"]].sources,
                },
            },
            e.version,
        )
        for e in entries
        if e.record["id"] in found
    ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


crud.install(router, KIND)
