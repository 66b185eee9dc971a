"""The jurisdictions: GET /v1/jurisdictions (with member countries) and the reads and writes of one."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api.deps import CatalogDep
from app.api.responses import PageDep
from app.api.routes import crud
from app.api.schemas.catalog import JurisdictionOut, JurisdictionPage

router = APIRouter(tags=["catalog"])
KIND = crud.Kind.of(
    "jurisdiction",
    JurisdictionOut,
    {"code": "EEA", "name": "European Economic Area", "kind": "group", "members": ["DE", "FR", "NO"]},
)


@router.get("/jurisdictions", summary="List jurisdictions", response_model=JurisdictionPage)
def list_jurisdictions(
    request: Request,
    catalog: CatalogDep,
    page: PageDep,
    kind: Annotated[Literal["country", "group", "global"] | None, Query(description="Only this kind.")] = None,
) -> Response:
    """List countries, groups of countries (with their member countries) and GLOBAL, ordered by code."""
    entries = [e for e in catalog.all("jurisdiction") if kind is None or e.record["kind"] == kind]
    return crud.listing(request, catalog, entries, page)


crud.install(router, KIND)
