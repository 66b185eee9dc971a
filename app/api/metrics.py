"""Prometheus metrics: requests by route template and status, answer cache, snapshot, rate-limit rejections.

Each app has its own registry (tests build many apps). Counts are per worker process: scrape each worker, or run
one worker per container.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from app.api.errors import Problem

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The service's metrics; `observe` is called once per request and keeps the label lookups cached."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Histogram(
            "trainwatch_request_duration_seconds",
            "Requests by method, route template and status, with their duration.",
            ["method", "route", "status"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "trainwatch_rate_limited",
            "Requests refused with 429, by route class.",
            ["route_class"],
            registry=self.registry,
        )
        self._children: dict[tuple[str, str, int], Any] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one finished request (route is a template, so the label set stays bounded)."""
        key = (method, route, status)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = self.requests.labels(method, route, str(status))
        child.observe(seconds)

    def watch(self, state: Callable[[], dict[str, float]]) -> None:
        """Report values read at scrape time (cache hits, snapshot revision and age)."""
        self.registry.register(_StateCollector(state))

    def render(self) -> bytes:
        """Return the text exposition of every metric."""
        return generate_latest(self.registry)


class _StateCollector(Collector):
    def __init__(self, state: Callable[[], dict[str, float]]) -> None:
        self.state = state

    def collect(self) -> Iterator[Any]:
        values = self.state()
        yield CounterMetricFamily(
            "trainwatch_answer_cache_hits", "Answers served from the answer cache.", value=values["cache_hits"]
        )
        yield CounterMetricFamily(
            "trainwatch_answer_cache_misses", "Answers computed (not in the cache).", value=values["cache_misses"]
        )
        yield GaugeMetricFamily(
            "trainwatch_answer_cache_bytes", "Bytes held by the answer cache.", value=values["cache_bytes"]
        )
        yield GaugeMetricFamily(
            "trainwatch_snapshot_revision", "Dataset revision being served (-1: none).", value=values["revision"]
        )
        yield GaugeMetricFamily(
            "trainwatch_snapshot_age_seconds", "Seconds since the served snapshot was loaded.", value=values["age"]
        )


def store_state(store: Any) -> Callable[[], dict[str, float]]:
    """Return a reader of a SnapshotStore's cache and snapshot figures."""

    def state() -> dict[str, float]:
        cache, snapshot = store.answers, store._snapshot
        hits, misses = cache.stats
        return {
            "cache_hits": hits,
            "cache_misses": misses,
            "cache_bytes": cache.cost,
            "revision": snapshot.revision if snapshot is not None else -1,
            "age": time.time() - store.loaded_at if store.loaded_at else 0.0,
        }

    return state


def allowed(host: str | None, networks: list[str]) -> bool:
    """Return whether a client address lies in one of the networks allowed to read /metrics."""
    if host is None:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in networks)


def metrics_endpoint(metrics: Metrics, networks: list[str]) -> Callable[[Request], Any]:
    """Return the /metrics handler: the exposition for allowed clients, 404 for everyone else."""

    async def endpoint(request: Request) -> Response:
        if not allowed(request.client.host if request.client else None, networks):
            raise Problem(404, f"No resource at {request.url.path}; see /docs for the API.")
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    return endpoint
