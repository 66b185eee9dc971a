"""The badge endpoints: /v1/platforms/{id}/badge.svg and /v1/platforms/{id}/shields.json."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.api.errors import Problem
from app.api.schemas.decisions import problem_responses
from app.policy import QueryError
from app.serving.answers import query_params, query_problem
from app.serving.languages import negotiate
from app.web import assets, badges
from app.web.decisions import ask
from app.web.pages import Page, respond
from app.web.routes import service_of

router = APIRouter(prefix="/v1", tags=["embeds"])

Platform = Annotated[str, Path(description="The platform's id", examples=["instagram"])]
BadgeCategory = Annotated[
    str | None,
    Query(
        description="The data category; omitted: all the platform's "
        'categories ("varies by category" where they differ).'
    ),
]
BadgeCountry = Annotated[str | None, Query(description="ISO 3166-1 alpha-2 country; omitted: GLOBAL.")]
AsOf = Annotated[str | None, Query(description="The day the badge is about (YYYY-MM-DD); omitted: today (UTC).")]
Lang = Annotated[str | None, Query(description="en or de; omitted: from Accept-Language, else en.")]


def _badge(
    request: Request, platform_id: str, category: str | None, country: str | None, as_of: str | None
) -> tuple[Page, str, str, str]:
    try:
        # As the decision reads them: a parameter given twice, or a language there is no catalog for, is refused
        # (Page would quietly fall back to English).
        query_params(request.scope["query_string"])
        lang = request.query_params.get("lang")
        if lang is not None:
            negotiate(lang, None)
    except QueryError as exc:
        raise query_problem(exc) from None
    page = Page(request)
    params = {k: v for k, v in (("category", category), ("country", country), ("as_of", as_of)) if v is not None}
    status, doc = ask(service_of(request), platform_id, {**params, "lang": page.lang})
    if status != 200:
        raise Problem(status, doc["detail"], title=doc["title"], param=doc.get("param"))

    def unknown_off() -> bool:
        # "Not used unless you opt in" only where not opting in is answered "not used": the sources of some opt-in
        # rules speak only of users who opted in.
        _, off = ask(service_of(request), platform_id, {**params, "lang": page.lang, "opted_in": "false"})
        return any(d["verdict"] == "unknown" for d in off.get("decisions", ()))

    text, colour = badges.message(doc["decisions"], page.t, unknown_off)
    return page, page.t("badge.label"), text, colour


@router.get(
    "/platforms/{platform_id}/badge.svg",
    summary="A flat SVG badge of the platform's answer",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **problem_responses(404, 422)},
)
def badge_svg(
    request: Request,
    platform_id: Platform,
    category: BadgeCategory = None,
    country: BadgeCountry = None,
    as_of: AsOf = None,
    lang: Lang = None,
) -> Response:
    """A badge such as "AI training | used unless you object", with an ETag; cacheable until midnight UTC."""
    page, label, text, colour = _badge(request, platform_id, category, country, as_of)
    return respond(
        request,
        badges.svg(label, text, colour).encode(),
        "image/svg+xml",
        today_bound=as_of is None,
        vary_language=page.by_header,
        headers={"Content-Language": page.lang},
    )


@router.get(
    "/platforms/{platform_id}/shields.json",
    summary="The platform's answer as a shields.io endpoint",
    responses=problem_responses(404, 422),
)
def shields_json(
    request: Request,
    platform_id: Platform,
    category: BadgeCategory = None,
    country: BadgeCountry = None,
    as_of: AsOf = None,
    lang: Lang = None,
) -> Response:
    """The shields.io endpoint format (`schemaVersion`, `label`, `message`, `color`), with an ETag."""
    page, label, text, colour = _badge(request, platform_id, category, country, as_of)
    body = assets.dumps(badges.shields(label, text, colour))
    return respond(
        request,
        body,
        "application/json",
        today_bound=as_of is None,
        vary_language=page.by_header,
        headers={"Content-Language": page.lang},
    )
