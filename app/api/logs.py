"""Logging set up once, and one log line per request with a request id."""

from __future__ import annotations

import logging
import os
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("trainwatch.access")


def configure_logging(level: str) -> None:
    """Configure the standard library's logging once for the process."""
    # Caller, thread and process lookups are never printed by our format but cost time on every request line.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    if not any(getattr(h, "_trainwatch", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        handler._trainwatch = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    logging.getLogger("trainwatch").setLevel(level.upper())


class RequestLogMiddleware:
    """Pure ASGI middleware: give each request an id (X-Request-ID) and log one line when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or os.urandom(8).hex()
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if log.isEnabledFor(logging.INFO):
                log.info("%s %s %s %d %.1fms", request_id, scope["method"], scope["path"], status,
                         (time.perf_counter() - started) * 1000)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id" and 0 < len(value) <= 64:
            return str(value.decode("latin-1"))
    return None
