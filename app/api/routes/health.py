"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.deps import ServicesDep
from app.api.errors import Problem
from app.store import migrate

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The service's state as a probe sees it."""

    status: str
    dataset_revision: int | None = None
    platforms: int | None = None


@router.get("/healthz", summary="Is the process up?")
def healthz() -> Health:
    """Answer 200 while the process runs; it touches nothing else."""
    return Health(status="ok")


@router.get("/readyz", summary="Can the service answer?", responses={503: {"description": "Not ready"}})
def readyz(services: ServicesDep) -> Health:
    """Answer 200 when the database is reachable, migrated to head and the dataset is loaded."""
    store = services.store
    try:
        current = migrate.current_revision(store.engine)
    except Exception as exc:
        raise Problem(503, f"The database is unreachable: {type(exc).__name__}.") from None
    if current != migrate.head_revision():
        raise Problem(503, f"The database is at migration {current}, not {migrate.head_revision()}: "
                           "run `trainwatch migrate`.")
    try:
        snapshot = store.refresh()
    except Exception as exc:
        raise Problem(503, f"The dataset could not be loaded: {type(exc).__name__}.") from None
    if not snapshot.platforms:
        raise Problem(503, "The database holds no platforms yet: run `trainwatch seed`.")
    return Health(status="ready", dataset_revision=snapshot.revision, platforms=len(snapshot.platforms))
