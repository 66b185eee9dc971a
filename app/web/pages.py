"""Render the server-side pages (explorer, platform page, card, demo) with Jinja2, and answer with ETags."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import Response

from app.serving.caching import etag_matches
from app.web.wording import LANGS, Words, choose_lang

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_AGE = 300  # seconds a browser or proxy may reuse a page before revalidating with its ETag


def deadline_text(opt: dict[str, Any], as_of: str, t: Words) -> str:
    """Return "12 days left" while an opt-out deadline is open on the answer's day, else the day it passed."""
    deadline = date.fromisoformat(opt["deadline"])
    left = (deadline - date.fromisoformat(as_of)).days
    if left < 0:
        return t("optout.deadline_passed", date=t.day(deadline))
    if left == 0:
        return t("optout.last_day")
    return t("optout.one_day_left") if left == 1 else t("optout.days_left", days=left)


ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.globals["deadline_text"] = deadline_text


class Page:
    """What every page of a request shares: its language, whether the header chose it, and its query."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.lang, self.by_header = choose_lang(
            request.query_params.get("lang"), request.headers.get("accept-language")
        )
        self.t = Words(self.lang)

    def query(self, **changes: Any) -> str:
        """Return the request's query string with some parameters changed (None drops one)."""
        params = dict(self.request.query_params)
        params.update({k: v for k, v in changes.items() if v is not None})
        for key in [k for k, v in changes.items() if v is None]:
            params.pop(key, None)
        return urlencode(params)

    def render(
        self,
        template: str,
        status: int = 200,
        *,
        today_bound: bool = True,
        headers: dict[str, str] | None = None,
        vary_host: bool = False,
        **context: Any,
    ) -> Response:
        """Render a template to an HTML response with an ETag of its bytes."""
        other = next(lang for lang in LANGS if lang != self.lang)
        context = {
            "t": self.t,
            "other_lang": other,
            "other_lang_url": f"{self.request.url.path}?{self.query(lang=other)}",
            **context,
        }
        body = ENV.get_template(template).render(**context).encode()
        return respond(
            self.request,
            body,
            "text/html; charset=utf-8",
            status=status,
            today_bound=today_bound,
            vary_language=self.by_header,
            vary_host=vary_host,
            headers={"Content-Language": self.lang, **(headers or {})},
        )


def respond(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    status: int = 200,
    today_bound: bool = False,
    vary_language: bool = False,
    vary_host: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """Return a cacheable response (304 when If-None-Match names its ETag); the ETag is a digest of the body.

    `vary_host`: the body holds absolute URLs made from the request's Host header (app/api/public_urls.py).
    """
    out = dict(headers or {})
    vary = [name for name, on in (("Accept-Language", vary_language), ("Host", vary_host)) if on]
    if vary:
        out["Vary"] = ", ".join(vary)
    if status == 200:
        # A digest of the bytes sent: it changes exactly when the page does (data, day, language, query).
        tag = '"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"'
        out["ETag"] = tag
        out["Cache-Control"] = f"public, max-age={_max_age(today_bound)}"
        if etag_matches(request.headers.get("if-none-match"), tag):  # a compressed variant's tag too
            return Response(status_code=304, headers=out)
    return Response(body, status_code=status, media_type=media_type, headers=out)


def _max_age(today_bound: bool) -> int:
    # An answer about "today" changes at midnight UTC: never let a cache keep it past then.
    if not today_bound:
        return MAX_AGE
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return max(0, min(MAX_AGE, int((midnight - now).total_seconds())))
