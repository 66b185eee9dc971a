"""Database outages answered as 503 problem+json with Retry-After, and a gate that keeps a hung database's
requests from taking every thread: at most `slots` requests wait on the database, each for a bounded time.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import Problem, problem_bytes, problem_response
from app.serving.health import DatabaseState
from app.store.failures import DESCRIPTIONS, NOT_MIGRATED, UNREACHABLE, classify

log = logging.getLogger("trainwatch.errors")
RETRY_AFTER = {NOT_MIGRATED: "30"}  # seconds; other outages: 5


def unavailable(kind: str, detail: str | None = None) -> Problem:
    """Return the 503 problem for a kind of database failure (its usual description unless `detail` is given)."""
    return Problem(
        503,
        detail or DESCRIPTIONS[kind],
        title="Database unavailable",
        type_=f"https://trainwatch.dev/problems/database-{kind}",
        headers={"Retry-After": RETRY_AFTER.get(kind, "5")},
        database=kind,
    )


def busy(detail: str) -> Problem:
    """Return the 503 problem for load shed while the database answers: more requests wait on it than it serves."""
    return Problem(
        503,
        detail,
        title="Database busy",
        type_="https://trainwatch.dev/problems/database-busy",
        headers={"Retry-After": "5"},
        database="busy",
    )


def install_outage_handler(app: FastAPI, state: DatabaseState) -> None:
    """Answer database failures with 503 (logged once per change of state), and other errors as before (500)."""

    async def handler(request: Request, exc: Exception) -> Response:
        kind = classify(exc)
        if kind is None:
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            return problem_response(
                Problem(500, "The server failed to answer; the error was logged."), request.url.path
            )
        state.report(kind)
        log.debug("database failure on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(unavailable(kind), request.url.path)

    app.add_exception_handler(DBAPIError, handler)
    app.add_exception_handler(PoolTimeout, handler)


# Reads that query the database itself rather than the in-memory snapshot.
_DATABASE_READS = ("/v1/changes", "/v1/dataset", "/v1/webhooks")


def uses_database(method: str, path: str) -> bool:
    """Return whether a request's route reads or writes the database itself (not the in-memory snapshot)."""
    if not path.startswith("/v1/"):
        return False
    if method in ("GET", "HEAD"):
        return path.startswith(_DATABASE_READS)
    return path != "/v1/ai-training/checks"


class DatabaseGate:
    """Pure ASGI: bound how many requests wait on the database at once, and for how long; 503 past either."""

    def __init__(self, app: ASGIApp, slots: int, timeout: float) -> None:
        self.app = app
        self.timeout = timeout
        self.slots = asyncio.Semaphore(slots)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not uses_database(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        try:
            await asyncio.wait_for(self.slots.acquire(), timeout=1.0)
        except TimeoutError:
            # Load shed, not an outage: the database answers, but more requests wait on it than it serves in time.
            await _send(send, scope, busy("Too many requests are waiting on the database; retry shortly."))
            return
        started = answered = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if answered:
                return  # the client already has its 503; the late answer goes nowhere
            started = True
            await send(message)

        # The slot is released when the request really ends, even after its client got a 503: a thread stuck on
        # a hung database keeps its slot, so stuck requests can never exceed the slots.
        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        task.add_done_callback(self._finished)
        done, _ = await asyncio.wait({task}, timeout=self.timeout)
        if task in done:
            task.result()
            return
        if started:  # the answer is already on its way: let it finish
            await task
            return
        answered = True
        await _send(
            send,
            scope,
            unavailable(UNREACHABLE, f"The database did not answer within {self.timeout:g} s; retry later."),
        )

    def _finished(self, task: asyncio.Future[None]) -> None:
        self.slots.release()
        if not task.cancelled() and task.exception() is not None:
            log.debug("a request abandoned after its 503 failed", exc_info=task.exception())


async def _send(send: Send, scope: Scope, problem: Problem) -> None:
    body = problem_bytes(problem, scope["path"])
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *((name.lower().encode(), value.encode()) for name, value in problem.headers.items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
