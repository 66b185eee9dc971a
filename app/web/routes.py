"""Routes of the embeds and the explorer: pages, the card, badges, the web component and its assets."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.api.deps import get_services
from app.api.errors import Problem
from app.policy import QueryError, Snapshot, parse_country
from app.serving.answers import AnswerService
from app.serving.languages import region
from app.web import assets, badges, explorer, timeline
from app.web.decisions import PASSED, ask
from app.web.demo import examples
from app.web.pages import Page, respond
from app.web.wording import LANGS, Words, catalog

router = APIRouter()
api_router = APIRouter(tags=["embeds"])
THEMES = ("light", "dark", "auto")
# The contract's order of the data categories (public first), as the catalogs list them.
CATEGORY_ORDER = [key.removeprefix("category.") for key in catalog("en") if key.startswith("category.")]


def _snapshot(request: Request) -> Snapshot:
    return get_services(request).store.snapshot


def _service(request: Request) -> AnswerService:
    return get_services(request).answers


def _country(request: Request, snapshot: Snapshot, raw: str | None) -> str | None:
    """Return the country asked for; without one, the Accept-Language region where it is a known country."""
    if raw is None:
        guess = region(request.headers.get("accept-language"))
        return guess if guess in snapshot.chains else None
    if raw.strip().upper() in ("", "GLOBAL"):
        return None
    try:
        return parse_country(snapshot, raw)
    except QueryError as exc:
        raise Problem(422, exc.detail, title="Invalid parameter", param="country") from None


def _day(raw: str | None, today: date) -> date:
    if not raw:
        return today
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Problem(
            422, f"{raw!r} is not a date in the form YYYY-MM-DD.", title="Invalid parameter", param="as_of"
        ) from None


def _countries(snapshot: Snapshot, t: Words) -> list[tuple[str, str]]:
    return sorted(((code, t.place(code)) for code in snapshot.chains), key=lambda item: item[1].casefold())


@router.get("/", include_in_schema=False)
def explorer_page(
    request: Request,
    country: str | None = None,
    as_of: str | None = None,
    operator: str | None = None,
    q: str | None = None,
) -> Response:
    """The explorer: every platform against every category for a country and a day."""
    page, snapshot = Page(request), _snapshot(request)
    chosen = _country(request, snapshot, country)
    day = _day(as_of, _service(request).today())
    columns = explorer.categories(snapshot, CATEGORY_ORDER)
    rows = explorer.matrix(snapshot, columns, country=chosen, as_of=day, operator=operator or None, search=q)
    link = urlencode({"country": chosen or "GLOBAL", "as_of": day.isoformat(), "lang": page.lang})
    return page.render(
        "explorer.html",
        revision=snapshot.revision,
        rows=rows,
        categories=columns,
        countries=_countries(snapshot, page.t),
        country=chosen,
        as_of=day,
        operator=operator,
        operators=explorer.operators(snapshot),
        search=q,
        query=link,
    )


@router.get("/platforms/{platform_id}", include_in_schema=False)
def platform_page(request: Request, platform_id: str, country: str | None = None, as_of: str | None = None) -> Response:
    """A platform's page: each category's answer, the opt-out links and a timeline of its rules."""
    page, snapshot = Page(request), _snapshot(request)
    platform = snapshot.platforms.get(platform_id)
    if platform is None:
        return page.render(
            "missing.html", 404, revision=snapshot.revision, message=page.t("platform.unknown", platform=platform_id)
        )
    chosen = _country(request, snapshot, country)
    day = _day(as_of, _service(request).today())
    params = {"as_of": day.isoformat(), "lang": page.lang, **({"country": chosen} if chosen else {})}
    _, doc = ask(_service(request), platform_id, params)
    link = urlencode({"country": chosen or "GLOBAL", "as_of": day.isoformat(), "lang": page.lang})
    return page.render(
        "platform.html",
        revision=snapshot.revision,
        doc=doc,
        platform=platform,
        countries=_countries(snapshot, page.t),
        country=chosen,
        as_of=day,
        query=link,
        optouts=_optouts(snapshot, platform_id, snapshot.chain(chosen), day, page.t),
        tl=timeline.build(snapshot, platform_id, snapshot.chain(chosen), day),
    )


def _optouts(snapshot: Snapshot, platform_id: str, chain: tuple[str, ...], day: date, t: Words) -> list[dict[str, str]]:
    """Return each opt-out link of the platform's rules in force on the day or later, with the categories it covers."""
    found: dict[str, list[str]] = {}
    for rule in snapshot.rules.values():
        opt = rule.opt_out
        if rule.platform_id != platform_id or rule.jurisdiction not in chain or opt is None or opt.url is None:
            continue
        if rule.effective_until is not None and rule.effective_until < day:
            continue
        names = found.setdefault(opt.url, [])
        if t.category(rule.category_id) not in names:
            names.append(t.category(rule.category_id))
    return [
        {"url": url, "host": urlsplit(url).hostname or url, "categories": ", ".join(names)}
        for url, names in found.items()
    ]


@router.get("/embed/v1/platforms/{platform_id}", include_in_schema=False)
def card(request: Request, platform_id: str, theme: str = "auto") -> Response:
    """The iframe card: the answer server-rendered, framable by TRAINWATCH_EMBED_ORIGINS, no JavaScript needed."""
    page, snapshot = Page(request), _snapshot(request)
    params = {name: request.query_params[name] for name in PASSED if name in request.query_params}
    params["lang"] = page.lang
    status, doc = ask(_service(request), platform_id, params)
    error = None
    if status == 404:
        error = page.t("error.platform", platform=platform_id)
    elif status != 200:
        error = page.t("error.request", param=doc.get("param", "?"))
    explorer_url = None
    if status == 200:
        link = {"country": doc["country"] or "GLOBAL", "as_of": doc["as_of"], "lang": page.lang}
        explorer_url = f"{request.base_url}platforms/{platform_id}?{urlencode(link)}"
    ancestors = " ".join(get_services(request).settings.embed_origins) or "'none'"
    csp = (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        f"form-action 'none'; frame-ancestors {ancestors}"
    )
    return page.render(
        "card.html",
        status,
        revision=snapshot.revision,
        doc=None if error else doc,
        error=error,
        platform_id=platform_id,
        explorer_url=explorer_url,
        theme=theme if theme in THEMES else "auto",
        headers={"Content-Security-Policy": csp},
    )


@router.get("/embed/v1/demo", include_in_schema=False)
def demo(request: Request) -> Response:
    """The demo page: each embed live, with the snippet to copy."""
    page, snapshot = Page(request), _snapshot(request)
    base = str(request.base_url).rstrip("/")
    return page.render("demo.html", revision=snapshot.revision, **examples(base, page.t))


@router.get("/embed/v1/{name}", include_in_schema=False)
@router.get("/assets/{name}", include_in_schema=False)
def asset(request: Request, name: str) -> Response:
    """The web component, the card's script and the style sheets: committed files, served as they are."""
    found = assets.get(name)
    if found is None:
        raise Problem(404, f"No file {name!r} here; the web component is /embed/v1/trainwatch.js.")
    body, media_type = found
    return respond(request, body, media_type)


@router.get("/embed/v1/i18n/{lang}.json", include_in_schema=False)
def messages(request: Request, lang: str) -> Response:
    """The web component's words in one language."""
    if lang not in LANGS:
        raise Problem(404, f"No messages in {lang!r}; the languages are {', '.join(LANGS)}.")
    return respond(request, assets.catalog_bytes(lang), "application/json")


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
    page = Page(request)
    params = {k: v for k, v in (("category", category), ("country", country), ("as_of", as_of)) if v is not None}
    status, doc = ask(_service(request), platform_id, {**params, "lang": page.lang})
    if status != 200:
        raise Problem(status, doc["detail"], title=doc["title"], param=doc.get("param"))
    text, colour = badges.message(doc["decisions"], page.t)
    return page, page.t("badge.label"), text, colour


@api_router.get(
    "/platforms/{platform_id}/badge.svg",
    summary="A flat SVG badge of the platform's answer",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
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


@api_router.get("/platforms/{platform_id}/shields.json", summary="The platform's answer as a shields.io endpoint")
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
