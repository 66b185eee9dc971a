"""The platforms: GET /v1/platforms and the reads (with opt-out links and next deadline) and writes of one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api.deps import CatalogDep
from app.api.errors import Problem
from app.api.responses import PageDep
from app.api.routes import crud
from app.api.schemas.catalog import PlatformDetail, PlatformPage
from app.serving.catalog import Catalog, Entry

router = APIRouter(tags=["catalog"])


def embed(request: Request, catalog: Catalog, entry: Entry) -> dict[str, Any]:
    """Return the platform's opt-out links (from its rules in force today or later) and its next deadline."""
    platform_id, day = entry.record["id"], crud.today(request).isoformat()
    links: dict[tuple[str, str | None], dict[str, Any]] = {}
    for rule in (e.record for e in catalog.all("rule")):
        opt_out = rule["opt_out"]
        if rule["platform"] != platform_id or opt_out is None or (rule["effective_until"] or day) < day:
            continue
        link = links.setdefault(
            (opt_out["method"], opt_out["url"]),
            {"method": opt_out["method"], "url": opt_out["url"], "jurisdictions": [], "categories": [], "rules": []},
        )
        for field, value in (
            ("jurisdictions", rule["jurisdiction"]),
            ("categories", rule["category"]),
            ("rules", rule["id"]),
        ):
            if value not in link[field]:
                link[field].append(value)
    upcoming = (e for e in catalog.all("deadline") if e.record["platform"] == platform_id and e.record["on"] >= day)
    following = next(upcoming, None)
    feeds = {
        "calendar": f"/v1/deadlines.ics?platform={platform_id}",
        "changes": f"/v1/changes.atom?platform={platform_id}",
    }
    return {
        "opt_out_links": list(links.values()),
        "next_deadline": following.body if following else None,
        "feeds": feeds,
    }


KIND = crud.Kind.of(
    "platform",
    PlatformDetail,
    {
        "id": "facebook",
        "name": "Facebook",
        "operator": "Meta Platforms",
        "website": "https://www.facebook.com/",
        "privacy_policy_url": None,
    },
    embed=embed,
    today_bound=True,
)


@router.get("/platforms", summary="List platforms", response_model=PlatformPage)
def list_platforms(
    request: Request,
    catalog: CatalogDep,
    page: PageDep,
    operator: Annotated[
        str | None,
        Query(
            description="Only platforms run by this operator (case-insensitive).",
            openapi_examples=crud.example("Meta Platforms"),
        ),
    ] = None,
) -> Response:
    """List the platforms, ordered by id."""
    if operator is not None and not operator.strip():  # as an empty country or category is
        raise Problem(
            422, "operator must name an operator, e.g. 'Meta Platforms'.", title="Invalid parameter", param="operator"
        )
    wanted = operator.strip().casefold() if operator is not None else None
    entries = [e for e in catalog.all("platform") if wanted is None or e.record["operator"].casefold() == wanted]
    return crud.listing(request, catalog, entries, page)


crud.install(router, KIND)
