"""Structured logging: JSON lines (structlog), one object per request with its id, route template, status, duration.

Every value is JSON-escaped, so no user-supplied string (a path with %0a, a header) can break or forge a line. The
access line is written by `AccessLog` with orjson rather than through structlog's processor chain: it is written for
every answer, and the chain cost 20 µs of a 60 µs answer.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

import orjson
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.metrics import Metrics

UNMATCHED = "<unmatched>"  # the route of a request no route served (keeps log and metric labels bounded)
_configured = False


def configure_logging(level: str) -> None:
    """Render structlog events and the standard library's records as JSON lines on stderr, once per process."""
    global _configured
    if _configured:
        logging.getLogger("trainwatch").setLevel(level.upper())
        return
    _configured = True
    # Caller, thread and process lookups are never printed but cost time on every record.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    shared: list[Any] = [structlog.processors.add_log_level, structlog.processors.TimeStamper(fmt="iso", utc=True)]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            *shared,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.WriteLoggerFactory(_Stderr()),  # type: ignore[arg-type]
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "_trainwatch", False)]
    handler._trainwatch = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    logging.getLogger("trainwatch").setLevel(level.upper())


class _Stderr:
    """Whatever sys.stderr is at the time of writing (tests and servers replace it after configuration)."""

    def write(self, text: str) -> None:
        sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler writing to whatever sys.stderr is when a record is emitted."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def route_template(scope: Scope) -> str:
    """Return the template of the route that served a request (`/v1/rules/{rule_id}`), never the raw path."""
    template = scope.get("trainwatch.route")
    if template is not None:
        return str(template)
    # A route of an included router knows only its own part of the path; FastAPI records the full template here.
    context = scope.get("fastapi", {}).get("effective_route_context")
    full = getattr(context, "path_format", None)
    if full:
        return str(full)
    route = scope.get("route")
    return str(getattr(route, "path", None) or UNMATCHED)


class AccessLog:
    """Write one JSON object per request on a line of its own to stderr, in the same shape as structlog's lines."""

    def __init__(self, metrics: Metrics | None = None, enabled: bool = True) -> None:
        self.metrics = metrics
        self.enabled = enabled

    def request(self, request_id: str, method: str, route: str, path: str, status: int, seconds: float) -> None:
        """Count a finished request in the metrics and log it (unless the level is above INFO)."""
        if self.metrics is not None:
            self.metrics.observe(method, route, status, seconds)
        if not self.enabled:
            return
        line = orjson.dumps(
            {
                "request_id": request_id,
                "method": method,
                "route": route,
                "path": path,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "event": "request",
                "level": "info",
                "timestamp": datetime.now(UTC),  # as structlog writes it: 2026-11-29T18:26:41.545140Z
            },
            option=orjson.OPT_APPEND_NEWLINE | orjson.OPT_UTC_Z,
        )
        stream = sys.stderr  # whatever it is now: tests and servers replace it after configuration
        raw = getattr(stream, "buffer", None)
        if raw is not None:
            raw.write(line)  # one write of a whole line: concurrent writers never interleave within it
        else:
            stream.write(line.decode())
        stream.flush()


def new_request_id(scope: Scope) -> str:
    """Return the caller's X-Request-ID when it is short and plain, else a new random one."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            return request_id_from(value)
    return os.urandom(8).hex()


def request_id_from(value: bytes | None) -> str:
    """Return a caller's X-Request-ID value when it is short and plain (letters, digits, - and _), else a new one."""
    if value is not None and 0 < len(value) <= 64 and value.replace(b"-", b"").replace(b"_", b"").isalnum():
        return value.decode("ascii")
    return os.urandom(8).hex()


class RequestLogMiddleware:
    """Pure ASGI middleware: give each request an id (X-Request-ID), log one JSON object and count it in metrics."""

    def __init__(self, app: ASGIApp, access_log: AccessLog) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id(scope)
        method = scope["method"]
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            self.access_log.request(request_id, method, route_template(scope), scope["path"], status, seconds)
