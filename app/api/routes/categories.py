"""The data categories: GET /v1/data-categories and the reads and writes of one category."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.deps import CatalogDep
from app.api.responses import PageDep
from app.api.routes import crud
from app.api.schemas.catalog import CategoryOut, CategoryPage

router = APIRouter(tags=["catalog"])
KIND = crud.Kind.of(
    "category",
    CategoryOut,
    {
        "id": "public-posts",
        "name": "Public posts",
        "description": "Posts, articles and status updates the user published publicly.",
    },
)


@router.get("/data-categories", summary="List data categories", response_model=CategoryPage)
def list_categories(request: Request, catalog: CatalogDep, page: PageDep) -> Response:
    """List every data category, ordered by id."""
    return crud.listing(request, catalog, catalog.all("category"), page)


crud.install(router, KIND)
