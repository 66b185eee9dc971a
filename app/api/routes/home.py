"""The pre-/v1 decision path: a redirect that never builds a URL from the Host header (the explorer serves /)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse

router = APIRouter(include_in_schema=False)


@router.get("/platforms/{platform_id}/ai-training")
async def unversioned(request: Request, platform_id: str) -> RedirectResponse:
    """Redirect the unversioned decision path to /v1 permanently, keeping the query (contract v1.1)."""
    query = request.scope["query_string"].decode("latin-1")
    # The id arrives decoded: quoted again, "a%3Fb" stays one segment instead of starting a query ("a?b").
    target = f"/v1/platforms/{quote(platform_id, safe='')}/ai-training"
    return RedirectResponse(f"{target}?{query}" if query else target, status_code=308)
