"""Liveness and readiness probes: liveness touches nothing; readiness answers within a second either way."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.api.deps import ServicesDep
from app.api.errors import Problem
from app.api.outage import unavailable
from app.store import migrate
from app.store.failures import NOT_MIGRATED, READ_ONLY, classify

router = APIRouter(tags=["health"])
READY_WITHIN = 0.9  # seconds: the probe's own answer comes before any load balancer gives up on it
# Readiness checks run on two threads of their own: a hung database parks at most these, never the shared pool.
_CHECKS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")


class Health(BaseModel):
    """The service's state as a probe sees it."""

    status: str
    dataset_revision: int | None = None
    platforms: int | None = None
    database: str | None = None


@router.get("/healthz", summary="Is the process up?")
async def healthz() -> Health:
    """Answer 200 while the process runs; it touches neither the database nor the thread pool."""
    return Health(status="ok")


@router.get("/readyz", summary="Can the service answer?", responses={503: {"description": "Not ready"}})
async def readyz(services: ServicesDep) -> Health:
    """Answer 200 when the database answers, is migrated to head and writable, and the dataset is loaded."""
    store = services.store
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(loop.run_in_executor(_CHECKS, _check_database, store.engine), READY_WITHIN)
    except TimeoutError:
        raise Problem(
            503,
            f"The database did not answer within {READY_WITHIN} s.",
            title="Not ready",
            headers={"Retry-After": "5"},
            database="unreachable",
        ) from None
    except Problem:
        raise
    except Exception as exc:
        kind = classify(exc) or "unreachable"
        store.database.report(kind)
        raise _not_ready(kind) from None
    store.database.report(None)  # it answered: a recovery is logged now, not at the poller's next round
    if store.database.write_problem == READ_ONLY:
        raise _not_ready(READ_ONLY)
    snapshot = store._snapshot
    if snapshot is None or not snapshot.platforms:
        try:
            snapshot = await asyncio.wait_for(loop.run_in_executor(_CHECKS, store.refresh), READY_WITHIN)
        except Exception:
            raise Problem(
                503, "The dataset is not loaded yet.", title="Not ready", headers={"Retry-After": "5"}, database="ok"
            ) from None
    if not snapshot.platforms:
        raise Problem(
            503,
            "The database holds no platforms yet: run `trainwatch seed`.",
            title="Not ready",
            headers={"Retry-After": "30"},
            database="empty",
        )
    return Health(status="ready", dataset_revision=snapshot.revision, platforms=len(snapshot.platforms), database="ok")


def _not_ready(kind: str) -> Problem:
    problem = unavailable(kind)
    problem.title = "Not ready"
    return problem


def _check_database(engine: Engine) -> None:
    """Raise unless the database answers, is at the newest migration and can be written."""
    current = migrate.current_revision(engine)
    if current != migrate.head_revision():
        problem = _not_ready(NOT_MIGRATED)
        problem.detail = (
            f"The database is at migration {current}, not {migrate.head_revision()}: run `trainwatch migrate`."
        )
        raise problem
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            if conn.execute(text("SHOW transaction_read_only")).scalar() == "on":
                raise _not_ready(READ_ONLY)
        return
    # SQLite: take the write lock and give it back at once; a read-only file or connection refuses it.
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute("ROLLBACK")
    finally:
        raw.close()
