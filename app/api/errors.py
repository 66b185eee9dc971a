"""RFC 9457 problem+json responses for every error the service returns."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.store.writes import WriteError

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://trainwatch.dev/problems/"
log = logging.getLogger("trainwatch.errors")


class Problem(Exception):
    """An error to answer with a problem document; `extra` adds members such as `param` or `valid`."""

    def __init__(self, status: int, detail: str, *, title: str | None = None, type_: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.type = type_ or _type_for(status)
        self.headers = headers or {}
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """Return the problem document as a dict."""
        doc: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail}
        if instance is not None:
            doc["instance"] = instance
        doc.update(self.extra)
        return doc


def _type_for(status: int) -> str:
    return TYPE_BASE + HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")


def problem_bytes(problem: Problem, instance: str | None = None) -> bytes:
    """Serialise a problem document compactly, as every path of the service does."""
    # "replace": a detail may quote an unpaired surrogate from a JSON body, which UTF-8 cannot encode.
    return json.dumps(problem.body(instance), separators=(",", ":"), ensure_ascii=False).encode("utf-8", "replace")


def problem_response(problem: Problem, instance: str | None = None) -> Response:
    """Return a problem+json response."""
    return Response(problem_bytes(problem, instance), status_code=problem.status, media_type=PROBLEM_JSON,
                    headers=problem.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error, including 404, 405, 422 and 500, with problem+json."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return problem_response(exc, request.url.path)

    @app.exception_handler(WriteError)
    async def _write_error(request: Request, exc: WriteError) -> Response:
        return problem_response(Problem(exc.status, exc.detail, title=exc.title, **exc.extra), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No resource at {request.url.path}; see /docs for the API."
        return problem_response(Problem(exc.status_code, detail, headers=dict(exc.headers or {})), request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [_error_entry(err) for err in exc.errors()]
        first = errors[0]
        detail = "; ".join(f"{e['param']}: {e['message']}" for e in errors)
        return problem_response(Problem(422, detail, title="Invalid request", param=first["param"], errors=errors),
                                request.url.path)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(Problem(500, "The server failed to answer; the error was logged."), request.url.path)


def _error_entry(err: dict[str, Any]) -> dict[str, Any]:
    """Describe one pydantic error by the parameter it concerns (query.x -> x, body.a.b -> a.b)."""
    loc = [str(part) for part in err.get("loc", ())]
    where = loc[0] if loc else "request"
    param = ".".join(loc[1:]) or where
    return {"param": param, "in": where, "message": err.get("msg", "invalid")}
