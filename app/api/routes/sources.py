"""The sources: GET /v1/sources and the reads and writes of one source."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api.deps import CatalogDep
from app.api.responses import PageDep
from app.api.routes import crud
from app.api.schemas.catalog import SourceOut, SourcePage

router = APIRouter(tags=["catalog"])
KIND = crud.Kind.of(
    "source",
    SourceOut,
    {
        "id": "M2",
        "url": "https://www.dataprotection.ie/en/news-media/latest-news/dpc-statement-meta-ai",
        "title": "DPC statement on Meta AI",
        "publisher": "Irish Data Protection Commission",
        "published_on": "2025-05-21",
        "retrieved_on": "2026-11-26",
        "kind": "primary",
        "quote": "plans to begin training of its generative AI model(s) on 27 May 2025.",
    },
)


@router.get("/sources", summary="List sources", response_model=SourcePage)
def list_sources(
    request: Request,
    catalog: CatalogDep,
    page: PageDep,
    kind: Annotated[
        Literal["primary", "secondary", "aggregator"] | None, Query(description="Only sources of this kind.")
    ] = None,
) -> Response:
    """List the sources rules and deadlines cite, ordered by id as people number them (M2 before M10)."""
    entries = [e for e in catalog.all("source") if kind is None or e.record["kind"] == kind]
    return crud.listing(request, catalog, entries, page)


crud.install(router, KIND)
