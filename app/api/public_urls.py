"""The service's own absolute URLs (the Atom and iCalendar feeds, the card, the demo page).

They come from TRAINWATCH_PUBLIC_URL where it is set. Otherwise they come from the request's Host header, which any
client chooses: such a response then says `Vary: Host`, so a shared cache in front of the service never hands one
client's links (`Host: evil.example`) to everyone else.
"""

from __future__ import annotations

from starlette.requests import Request

from app.api.deps import get_services


def base_url(request: Request) -> str:
    """Return the URL the service is reached at, without a trailing slash."""
    configured = get_services(request).settings.public_url
    return configured if configured is not None else str(request.base_url).rstrip("/")


def own_url(request: Request, query: str | None = None) -> str:
    """Return the request's own URL (path and query, or the query given) on that base."""
    query = request.url.query if query is None else query
    configured = get_services(request).settings.public_url
    if configured is None:
        return str(request.url.replace(query=query or None))
    root = request.scope.get("root_path", "")
    path = request.url.path
    path = path.removeprefix(root) if root and path.startswith(root) else path
    return f"{configured}{path}" + (f"?{query}" if query else "")


def host_varies(request: Request) -> bool:
    """Return whether the URLs in a response depend on the request's Host header (no TRAINWATCH_PUBLIC_URL)."""
    return get_services(request).settings.public_url is None
