"""Helpers for the browser tests: two local origins (the API and a partner's page) and a watched Chromium page."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.api.one_write import ONE_WRITE_PROTOCOL

CHROMIUM = Path(os.environ.get("TRAINWATCH_TEST_CHROMIUM", "/usr/bin/chromium"))
# Debian's Chromium, headless, with a fresh profile and nothing that phones home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The two origins: this project's test ports, two per pytest-xdist worker (gw0: 8121 and 8122, gw1: 8123 and 8124,
# ...); workers beyond the range take free ports from the system.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
BASE_PORT = int(os.environ.get("TRAINWATCH_TEST_PORT", "8121"))
API_PORT, HOST_PORT = (BASE_PORT + 2 * WORKER, BASE_PORT + 2 * WORKER + 1) if WORKER < 4 else (0, 0)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# The partner page's own script: collects the component's events (a strict CSP allows no inline script).
HOST_JS = """
window.trainwatchEvents = [];
document.addEventListener("trainwatch-answer", (event) => {
  window.trainwatchEvents.push({platform: event.detail.platform.id, verdict: event.detail.decisions[0].verdict,
                                from: event.target.id});
});
"""


# The partner's styles: the component is restyled through its custom properties and parts.
HOST_CSS = """
#ig-en { --tw-radius: 0px; --tw-font: Georgia, serif; }
#ig-en::part(verdict) { text-transform: uppercase; }
"""


def serve(app: Any, port: int) -> tuple[uvicorn.Server, int]:
    """Start an ASGI app on 127.0.0.1:port (0: any free port) in a background thread; return it and its port."""
    # The protocol `trainwatch serve` uses, so the browser reads every page through its joined writes.
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", server_header=False, http=ONE_WRITE_PROTOCOL
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server on 127.0.0.1:{port} did not start (is the port taken?)")
        time.sleep(0.05)
    return server, server.servers[0].sockets[0].getsockname()[1]


@dataclass
class HostSite:
    """The partner's site: pages registered by tests, each served with its own Content-Security-Policy."""

    origin: str
    pages: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    def add(self, path: str, html: str, csp: str | None = None) -> str:
        """Serve html (or a script, at a path ending .js) at path, with a CSP header when given; return its URL."""
        self.pages[path] = (html, csp)
        return self.origin + path

    def app(self) -> Starlette:
        """Return the ASGI app serving the registered pages and the page script."""

        async def page(request: Request) -> Response:
            path = request.url.path
            if path == "/host.js":
                return Response(HOST_JS, media_type="text/javascript")
            if path == "/host.css":
                return Response(HOST_CSS, media_type="text/css")
            if path not in self.pages:
                return Response("not found", status_code=404)
            html, csp = self.pages[path]
            media_type = "text/javascript" if path.endswith(".js") else "text/html"  # a page's own script
            return Response(html, media_type=media_type, headers={"Content-Security-Policy": csp} if csp else {})

        return Starlette(routes=[Route("/{path:path}", page)])


@dataclass
class Watch:
    """What a page did: its requests, console errors, page errors and failed requests."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    responses: list[tuple[int, str]] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        """Record the page's traffic and errors."""
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("response", lambda r: self.responses.append((r.status, r.url)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def origins(self) -> set[str]:
        """Return the origins (scheme://host:port) the page requested, ignoring data: and about: URLs."""
        found = set()
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https"):
                found.add(f"{parts.scheme}://{parts.netloc}")
        return found


def screenshot(page: Any, name: str, **options: Any) -> Path:
    """Save a screenshot under var/screenshots/ (a test artifact) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), **options)
    return path
