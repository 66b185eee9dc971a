"""RFC 9457 problem+json responses for every error the service returns."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from app.serving.problems import PROBLEM_JSON, Problem, problem_bytes
from app.store.errors import WriteError

__all__ = ["PROBLEM_JSON", "Problem", "install_error_handlers", "problem_bytes", "problem_response"]

log = logging.getLogger("trainwatch.errors")


def problem_response(problem: Problem, instance: str | None = None) -> Response:
    """Return a problem+json response."""
    return Response(
        problem_bytes(problem, instance), status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


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
        return problem_response(
            Problem(422, detail, title="Invalid request", param=first["param"], errors=errors), request.url.path
        )

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect) -> Response:
        # The client hung up before its body arrived (a closed tab, a load generator stopping): not the server's
        # failure, so no 500 and no error in the log; the answer goes nowhere but the access log.
        log.info("client closed the connection before sending its body: %s %s", request.method, request.url.path)
        return problem_response(
            Problem(400, "The request's body did not arrive: the client closed the connection."), request.url.path
        )

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
