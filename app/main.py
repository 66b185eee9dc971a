"""Build the FastAPI application."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from app import __doc__ as summary
from app.api import cors
from app.api.auth import VerifiedKeys
from app.api.compression import Compression
from app.api.cors import SimpleCors
from app.api.deps import Services
from app.api.docs import install_docs
from app.api.errors import install_error_handlers
from app.api.fastpath import DecisionFastPath
from app.api.logs import AccessLog, RequestLogMiddleware, configure_logging
from app.api.metrics import Metrics, metrics_endpoint, store_state
from app.api.outage import DatabaseGate, install_outage_handler
from app.api.preconditions import ReadPreconditions
from app.api.ratelimit import Limits, RateLimiter, RateLimitMiddleware
from app.api.routes import ONE_VALUE_EACH, health, home, router
from app.api.security import SecurityHeaders, host_fault, join_list_lines
from app.api.spec import install_spec, operation_id
from app.dataset.translations import read_translations
from app.delivery.deliverer import Deliverer
from app.serving.answers import AnswerService
from app.serving.cache import SnapshotStore
from app.serving.catalog import CatalogCache
from app.settings import REPO_ROOT, Settings, get_settings
from app.store.db import make_engine
from app.web import badge_routes as web_badges
from app.web import routes as web

DATA_DIR = REPO_ROOT / "app" / "data"  # the translations of rule summaries live beside the dataset
BACKGROUND_CONNECTIONS = 4  # the revision poller, a catch-up after a failed reload, the deliverer and its lock

DESCRIPTION = """
Trainwatch answers that question precisely, for a platform, a data category, a country, a day and the user's
situation, with the reasons and the sources behind every answer.

Ask `GET /v1/platforms/{platform_id}/ai-training` with the category, your country, the day and what you know about
the account (age, whether and when you objected, when the content was posted). Every answer says `used`,
`not_used`, `conditional` (with the facts it `depends_on`) or `unknown`, with its reasons and its sources.

Reads need no key. Writes need `Authorization: Bearer <api key>` with write scope. Errors are RFC 9457
`application/problem+json`.
"""

TAGS = [
    {"name": "decisions", "description": "Is this content used for AI training? The answers, one or many."},
    {"name": "catalog", "description": "Platforms, data categories, jurisdictions, rules, deadlines and sources."},
    {"name": "history", "description": "Every change to the data, newest first."},
    {"name": "embeds", "description": "Badges for partners' pages; the web component and card are under /embed/v1."},
    {"name": "feeds", "description": "Follow the data: changes as Atom, deadlines as a calendar, the whole dataset."},
    {"name": "webhooks", "description": "Signed notifications when an answer, the dataset or a deadline needs you."},
    {"name": "health", "description": "Liveness and readiness probes."},
]


def tune_gc() -> None:
    """Keep every collection short, so no collection stalls answers for long."""
    # What the collector walks is what survives: cached answers are flat tuples of plain data, which it stops
    # tracking at their first young collection, and the snapshot is frozen out of it when it is swapped in. With a
    # full answer cache, evictions offset insertions in the young generation's count, so each young collection
    # comes late and finds more; a low threshold (150, Python: 700) keeps them at about 0.1 ms, the middle ones
    # (every 20) at about 0.5 ms, for the same total time (measured with a gc callback over 40,000 never-repeated
    # questions; at 700/10 young ones took up to 3 ms and middle ones up to 35 ms while answers were tracked
    # objects). Full collections wait for 1,000 middle ones (Python: 10): they walk every memo and cached object.
    # The answer cache also collects the young generation itself every 100 evictions (serving/cache.BoundedCache).
    gc.set_threshold(150, 20, 1000)


class TrainwatchAPI(FastAPI):
    """FastAPI, with the hot decision route answered before the middleware stack (app/api/fastpath.py)."""

    fast_path: DecisionFastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fast = self.fast_path
        if scope["type"] == "http":
            join_list_lines(scope)  # before the fast path and the routes, which read one line of a field each
            # A request with a faulty Host goes to the full stack, whose edge (api/security.py) answers it 400.
            if fast is not None and host_fault(scope) is None and await fast(scope, receive, send):
                return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Return a configured application; nothing touches the database until start-up or the first request."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    engine = make_engine(
        settings.database_url,
        statement_timeout=settings.db_statement_timeout,
        connect_timeout=settings.db_connect_timeout,
        # Every request the gate lets wait on the database, and the background work (revision poller, catch-up,
        # deliverer and its lock): none of them waits for the pool, where a timeout would read as an outage.
        pool_capacity=settings.db_request_slots + BACKGROUND_CONNECTIONS,
    )
    store = SnapshotStore(
        engine, check_seconds=settings.revision_check_seconds, answer_cache_bytes=settings.answer_cache_mb * 2**20
    )

    deliverer = Deliverer(engine, settings) if settings.webhooks_deliver else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        tune_gc()
        try:
            await anyio.to_thread.run_sync(store.refresh)
        except Exception:  # /readyz reports it; the poller keeps trying
            logging.getLogger("trainwatch").warning("dataset not loaded at start-up; /readyz says why")
        store.start_polling()
        if deliverer is not None:
            deliverer.start()
        yield
        if deliverer is not None:
            deliverer.stop()
        store.stop_polling()
        engine.dispose()

    app = TrainwatchAPI(
        title="Trainwatch",
        summary=summary,
        description=DESCRIPTION,
        version="1.0.0",
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # No trailing-slash redirects: Starlette builds their Location from the Host header.
        redirect_slashes=False,
        generate_unique_id_function=operation_id,
        # FastAPI's native OpenTelemetry costs ~16 µs a request even with nothing to export.
        telemetry=None if settings.telemetry else {"tracing": False, "metrics": False, "logs": False},
    )
    answers = AnswerService(store, review_max_days=settings.review_max_days, translations=read_translations(DATA_DIR))
    services = Services(
        settings=settings,
        engine=engine,
        store=store,
        answers=answers,
        catalog=CatalogCache(engine),
        deliverer=deliverer,
    )
    app.state.services = services
    store.before_swap.append(lambda swap: services.catalog.follow(swap.rules, swap.snapshot.revision, swap.session))
    app.state.batch_threads = anyio.CapacityLimiter(settings.batch_threads)
    app.state.auth_threads = anyio.CapacityLimiter(4)
    app.state.verified_keys = VerifiedKeys()
    metrics = app.state.metrics = Metrics()
    metrics.watch(store_state(store))
    app.state.rate_limiter = None
    if settings.rate_limits:
        app.state.rate_limiter = RateLimiter(
            Limits(
                settings.rate_limit_decisions,
                settings.rate_limit_catalog,
                settings.rate_limit_writes,
                settings.rate_limit_auth_failures,
                settings.rate_limit_ipv6_prefix,
            ),
            settings.redis_url,
            metrics,
        )
    install_error_handlers(app)
    install_outage_handler(app, store.database)
    install_docs(app)
    install_spec(app)
    app.include_router(home.router)
    app.include_router(health.router)
    app.include_router(router)
    app.include_router(web_badges.router, dependencies=ONE_VALUE_EACH)
    app.include_router(web.router)
    app.add_route("/metrics", metrics_endpoint(metrics, settings.metrics_allow), include_in_schema=False)
    access_log = AccessLog(metrics, enabled=logging.getLevelName(settings.log_level.upper()) <= logging.INFO)
    if settings.fast_path:
        app.fast_path = DecisionFastPath(
            services.answers, access_log, app.state.rate_limiter, SimpleCors(settings.cors_origins)
        )
    # Innermost first.
    app.add_middleware(DatabaseGate, slots=settings.db_request_slots, timeout=settings.db_request_timeout)
    app.add_middleware(ReadPreconditions)
    if app.state.rate_limiter is not None:
        app.add_middleware(RateLimitMiddleware, limiter=app.state.rate_limiter)
    app.add_middleware(cors.ProblemCORSMiddleware, **cors.middleware_options(settings.cors_origins))
    app.add_middleware(Compression)
    app.add_middleware(SecurityHeaders, routes=app.router.routes, embed_frame_ancestors=settings.embed_frame_ancestors)
    app.add_middleware(RequestLogMiddleware, access_log=access_log)
    return app
