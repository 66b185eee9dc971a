"""Typed FastAPI dependencies: the one place handlers get the app's services, a session, the catalog or today."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.delivery.deliverer import Deliverer
from app.serving.answers import AnswerService
from app.serving.cache import SnapshotStore
from app.serving.catalog import Catalog, CatalogCache
from app.settings import Settings


@dataclass(frozen=True)
class Services:
    """What one app instance serves from, built once by create_app."""

    settings: Settings
    engine: Engine
    store: SnapshotStore
    answers: AnswerService
    catalog: CatalogCache
    deliverer: Deliverer | None = None  # None when webhooks are delivered by another process
    # Writes queue here, before taking a connection: the database takes them one at a time anyway (each locks the
    # revision row), and waiting writers held the pool's connections (SQLite's lock wait sleeps, too), so a burst of
    # writes left reads no connection and ended in 503s.
    writing: threading.Lock = field(default_factory=threading.Lock)

    @cached_property
    def autocommit(self) -> Engine:
        """Return the engine in autocommit, made once: a lone SELECT then needs no BEGIN and no ROLLBACK."""
        return self.engine.execution_options(isolation_level="AUTOCOMMIT")


def get_services(request: Request) -> Services:
    """Return the services of the app handling the request."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    """Yield a database session for the request, closed after it."""
    with Session(services.engine) as session:
        yield session


def get_catalog(services: ServicesDep) -> Catalog:
    """Return a catalog at least as new as the snapshot the app's decisions answer from."""
    return services.catalog.at_least(services.store.snapshot.revision)


def get_answers(services: ServicesDep) -> AnswerService:
    """Return the app's answer service."""
    return services.answers


def get_today(services: ServicesDep) -> date:
    """Return today (UTC), as the app's decision answers see it."""
    return services.answers.today()


SessionDep = Annotated[Session, Depends(get_session)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
TodayDep = Annotated[date, Depends(get_today)]
AnswersDep = Annotated[AnswerService, Depends(get_answers)]
