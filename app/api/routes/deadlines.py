"""The deadlines: GET /v1/deadlines with filters, and the reads and writes of one deadline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api.deps import CatalogDep, get_services
from app.api.errors import Problem
from app.api.responses import PageDep
from app.api.routes import crud
from app.api.schemas.catalog import DeadlineOut, DeadlinePage
from app.policy import QueryError, parse_country

router = APIRouter(tags=["catalog"])
KIND = crud.Kind.of(
    "deadline",
    DeadlineOut,
    {
        "id": "facebook-eea-objection-2025",
        "platform": "facebook",
        "jurisdiction": "EEA",
        "kind": "objection-deadline",
        "on": "2025-05-26",
        "summary": "Last day to object before Meta started training on public Facebook content.",
        "after": "A later objection covers only content posted from the day of the objection.",
        "sources": ["M8", "M16"],
    },
)


def _chain(request: Request, country: str | None) -> tuple[str, ...] | None:
    """Return the jurisdictions a country belongs to, most specific first; None without a country."""
    if country is None:
        return None
    snapshot = get_services(request).store.snapshot
    try:
        return snapshot.chain(parse_country(snapshot, country))
    except QueryError as exc:
        raise Problem(
            422, exc.detail, title="Invalid parameter", param=exc.param, valid=list(exc.valid or ())
        ) from None


@router.get("/deadlines", summary="List deadlines", response_model=DeadlinePage)
def list_deadlines(
    request: Request,
    catalog: CatalogDep,
    page: PageDep,
    upcoming: Annotated[
        bool | None, Query(description="true: only deadlines on or after today (UTC); false: only those before today.")
    ] = None,
    platform: Annotated[
        str | None, Query(description="Only this platform's deadlines.", openapi_examples=crud.example("facebook"))
    ] = None,
    country: Annotated[
        str | None,
        Query(
            description="Only deadlines that apply in this country: its own, its "
            "groups' (EU, EEA) and GLOBAL ones. ISO 3166-1 alpha-2.",
            openapi_examples=crud.example("DE"),
        ),
    ] = None,
) -> Response:
    """List the deadlines by day, earliest first (then by id)."""
    crud.known(catalog, "platform", platform, "platform", "platform")
    chain = _chain(request, country)
    day = crud.today(request).isoformat()
    entries = [
        e
        for e in catalog.all("deadline")
        if platform in (None, e.record["platform"])
        and (chain is None or e.record["jurisdiction"] in chain)
        and (upcoming is None or (e.record["on"] >= day) == upcoming)
    ]
    bound = upcoming is not None
    return crud.listing(request, catalog, entries, page, day if bound else None, today_bound=bound)


crud.install(router, KIND)
