"""Routes of the explorer and the embeds: pages, the card, the demo, the web component and its assets."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api import public_urls
from app.api.deps import get_services
from app.api.errors import Problem
from app.policy import QueryError, Snapshot, parse_country
from app.policy.query import parse_day
from app.serving.answers import AnswerService
from app.serving.languages import region
from app.web import assets, explorer, timeline
from app.web.decisions import PASSED, ask
from app.web.demo import examples
from app.web.pages import Page, respond
from app.web.wording import LANGS, Words, catalog

router = APIRouter()
THEMES = ("light", "dark", "auto")
# The contract's order of the data categories (public first), as the catalogs list them.
CATEGORY_ORDER = [key.removeprefix("category.") for key in catalog("en") if key.startswith("category.")]


def snapshot_of(request: Request) -> Snapshot:
    """Return the snapshot the app answers from."""
    return get_services(request).store.snapshot


def service_of(request: Request) -> AnswerService:
    """Return the app's answer service."""
    return get_services(request).answers


class BadParam(Exception):
    """A page's query parameter that cannot be read: the page says so in HTML, with status 422."""

    def __init__(self, param: str, detail: str) -> None:
        super().__init__(detail)
        self.param = param
        self.detail = detail


def _bad_param(page: Page, snapshot: Snapshot, exc: BadParam) -> Response:
    """Return the HTML error page naming the parameter and what is wrong with it (a browser shows no JSON)."""
    message = page.t("error.request", param=exc.param)
    return page.render("missing.html", 422, revision=snapshot.revision, message=message, detail=exc.detail)


def _once(request: Request, names: tuple[str, ...]) -> None:
    """Raise BadParam for the first of these parameters given more than once, as the API refuses it."""
    for name in names:
        if len(request.query_params.getlist(name)) > 1:
            raise BadParam(name, f"{name} is given more than once; give it once.")


def _country(request: Request, snapshot: Snapshot, raw: str | None) -> str | None:
    """Return the country asked for; without one, the Accept-Language region where it is a known country."""
    if raw is None:
        guess = region(request.headers.get("accept-language"))
        return guess if guess in snapshot.chains else None
    if raw.isascii() and raw.strip().upper() in ("", "GLOBAL"):  # ASCII only, as parse_country reads codes
        return None
    try:
        return parse_country(snapshot, raw)
    except QueryError as exc:
        raise BadParam("country", exc.detail) from None


def _day(raw: str | None, today: date) -> date:
    """Return the day asked about, read and bounded as the decision API reads as_of; without one, today."""
    if not raw:
        return today
    try:
        return parse_day(raw, "as_of")
    except QueryError as exc:
        raise BadParam("as_of", exc.detail) from None


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
    page, snapshot = Page(request), snapshot_of(request)
    try:
        _once(request, ("country", "as_of", "operator", "q", "lang"))
        chosen = _country(request, snapshot, country)
        day = _day(as_of, service_of(request).today())
    except BadParam as exc:
        return _bad_param(page, snapshot, exc)
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
    page, snapshot = Page(request), snapshot_of(request)
    platform = snapshot.platforms.get(platform_id)
    if platform is None:
        return page.render(
            "missing.html", 404, revision=snapshot.revision, message=page.t("platform.unknown", platform=platform_id)
        )
    try:
        _once(request, ("country", "as_of", "lang"))
        chosen = _country(request, snapshot, country)
        day = _day(as_of, service_of(request).today())
    except BadParam as exc:
        return _bad_param(page, snapshot, exc)
    params = {"as_of": day.isoformat(), "lang": page.lang, **({"country": chosen} if chosen else {})}
    _, doc = ask(service_of(request), platform_id, params)
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


def _card_ancestors(origins: list[str]) -> str:
    """Return the card's CSP frame-ancestors: the configured origins, and this site's own (the demo page frames the
    card), unless any site, no site or this one is named already."""
    if not origins:
        return "'none'"
    if {"*", "'none'", "'self'"} & set(origins):
        return " ".join(origins)
    return " ".join([*origins, "'self'"])


@router.get("/embed/v1/platforms/{platform_id}", include_in_schema=False)
def card(request: Request, platform_id: str, theme: str = "auto") -> Response:
    """The iframe card: the answer server-rendered, framable by TRAINWATCH_EMBED_ORIGINS, no JavaScript needed."""
    page, snapshot = Page(request), snapshot_of(request)
    params = {name: request.query_params[name] for name in PASSED if name in request.query_params}
    params["lang"] = page.lang
    try:
        _once(request, (*PASSED, "theme"))
    except BadParam as exc:  # the card says which parameter, as for any other it cannot read
        status, doc = 422, {"param": exc.param}
    else:
        status, doc = ask(service_of(request), platform_id, params)
    error = None
    if status == 404:
        error = page.t("error.platform", platform=platform_id)
    elif status != 200:
        error = page.t("error.request", param=doc.get("param", "?"))
    explorer_url = None
    if status == 200:
        link = {"country": doc["country"] or "GLOBAL", "as_of": doc["as_of"], "lang": page.lang}
        explorer_url = f"{public_urls.base_url(request)}/platforms/{platform_id}?{urlencode(link)}"
    ancestors = _card_ancestors(get_services(request).settings.embed_origins)
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
        vary_host=explorer_url is not None and public_urls.host_varies(request),
    )


@router.get("/embed/v1/demo", include_in_schema=False)
def demo(request: Request) -> Response:
    """The demo page: each embed live, with the snippet to copy."""
    page, snapshot = Page(request), snapshot_of(request)
    base = public_urls.base_url(request)
    return page.render(
        "demo.html", revision=snapshot.revision, vary_host=public_urls.host_varies(request), **examples(base, page.t)
    )


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
