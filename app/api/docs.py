"""Swagger UI and ReDoc served from the package itself, so /docs works offline and under a strict CSP."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.responses import HTMLResponse, Response

from app.api.security import page_csp

ASSETS = Path(fastapi_offline.__file__).parent / "static"
STATIC = "/static/docs"
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
# ReDoc's bundle loads its logo from a CDN; point it at our own favicon instead.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
# The cache below holds at most one entry per file shipped; unknown names never reach it.
ASSET_NAMES = frozenset(p.name for p in ASSETS.iterdir())
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def asset(name: str) -> bytes | None:
    """Return a docs asset's bytes (ReDoc patched to make no outside request), or None if unknown."""
    return _read_asset(name) if name in ASSET_NAMES else None


def secured(page: HTMLResponse) -> HTMLResponse:
    """Give a docs page a strict CSP that allows exactly its own inline scripts, by hash."""
    hashes = [
        base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        for script in _INLINE_SCRIPT.findall(bytes(page.body).decode())
    ]
    page.headers["Content-Security-Policy"] = page_csp(hashes)
    return page


@cache
def _read_asset(name: str) -> bytes:
    data = (ASSETS / name).read_bytes()
    if name == "redoc.standalone.js":
        data = data.replace(REDOC_LOGO.encode(), f"{STATIC}/favicon.png".encode())
    return data


def install_docs(app: FastAPI) -> None:
    """Add /docs, /redoc and their assets to the app."""

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return secured(
            get_swagger_ui_html(
                openapi_url=app.openapi_url or "/openapi.json",
                title=f"{app.title} - Swagger UI",
                oauth2_redirect_url="/docs/oauth2-redirect",
                swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
                swagger_css_url=f"{STATIC}/swagger-ui.css",
                swagger_favicon_url=f"{STATIC}/favicon.png",
                # No validator badge: it would send the spec to an outside host.
                swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": True},
            )
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_redirect() -> HTMLResponse:
        return secured(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return secured(
            get_redoc_html(
                openapi_url=app.openapi_url or "/openapi.json",
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{STATIC}/redoc.standalone.js",
                redoc_favicon_url=f"{STATIC}/favicon.png",
                with_google_fonts=False,
            )
        )

    @app.get(STATIC + "/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> Response:
        data = asset(name)
        if data is None:
            from app.api.errors import Problem

            raise Problem(404, f"No docs asset named {name!r}.")
        return Response(
            data,
            media_type=MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream"),
            headers={"Cache-Control": "public, max-age=86400"},
        )
