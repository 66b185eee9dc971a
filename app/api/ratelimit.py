"""Rate limits per client and route class (decisions, catalog reads, writes) with the `limits` package.

Counts live in memory per worker, or in Redis when TRAINWATCH_REDIS_URL is set so that workers and replicas share
them. A client is its API key once the service has verified that key, else its IP address (an IPv6 address's /64),
so made-up keys and fresh addresses cannot open fresh buckets. Refusals are 429 problem+json with Retry-After and
RateLimit-* headers, answered at once.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api import counters
from app.api.errors import Problem, problem_bytes
from app.api.metrics import Metrics
from app.api.tokens import TokenMemo

log = logging.getLogger("trainwatch.ratelimit")
DECISION = re.compile(r"/v1/platforms/[^/]+/ai-training")
CHECKS = "/v1/ai-training/checks"
COUNTED = "trainwatch.rate_limited"  # scope key: the fast path's verdict (a 429 problem, or False: within limits)
KNOWN_KEYS = 1024  # verified keys remembered (token hash -> key id), oldest forgotten first
COUNTER_KEYS = 10_000  # storage keys remembered per (route class, client); forgotten all at once when full
# One IPv6 subscriber is given a /64 at least (RFC 6177), and picks any address in it: counted per address, it could
# take a fresh count for every request.
IPV6_PREFIX = 64
# (prefix, an IPv6 address as the server saw it) -> whom it counts as; forgotten all at once when full
_NETWORKS: dict[tuple[int, str], str] = {}
NETWORKS_REMEMBERED = 4096


def address_client(host: str | None, ipv6_prefix: int = IPV6_PREFIX) -> str:
    """Return whom a request from this address counts against: an IPv4 address itself, an IPv6 address its network
    of `ipv6_prefix` bits (an IPv4-mapped one its IPv4 address)."""
    if host is None:
        return "ip:unknown"
    if ":" not in host:  # IPv4 (nearly every request): no parsing
        return "ip:" + host
    found = _NETWORKS.get((ipv6_prefix, host))
    if found is None:
        try:
            address = ipaddress.IPv6Address(host)
        except ValueError:  # not an address (a test client's name, a proxy's): counted as it is
            return "ip:" + host
        mapped = address.ipv4_mapped
        if mapped is not None:
            found = "ip:" + str(mapped)
        elif ipv6_prefix == 128:
            found = "ip:" + str(address)
        else:
            found = "ip:" + str(ipaddress.IPv6Network((address, ipv6_prefix), strict=False))
        if len(_NETWORKS) >= NETWORKS_REMEMBERED:
            _NETWORKS.clear()
        _NETWORKS[(ipv6_prefix, host)] = found
    return found


@dataclass(frozen=True)
class Limits:
    """The configured limits, as `limits` strings such as "600/minute"."""

    decisions: str
    catalog: str
    writes: str
    auth_failures: str
    ipv6_prefix: int = IPV6_PREFIX  # an IPv6 client counts as its network of this many bits


class RateLimiter:
    """Hits the counters of one app; shared by the middleware, the batch route and the key check."""

    def __init__(self, config: Limits, storage_url: str | None, metrics: Metrics | None = None) -> None:
        url = f"async+{storage_url}" if storage_url else f"{counters.SCHEME}://"
        options = {"implementation": "redispy"} if storage_url else {}
        storage = storage_from_string(url, **options)
        self.limiter = FixedWindowRateLimiter(storage)
        # This worker's own counters need no I/O: they are counted at once (`hit_now`), not through a coroutine.
        self.counters = storage if isinstance(storage, counters.WorkerCounters) else None
        self._keys: dict[tuple[str, str], str] = {}
        self.items: dict[str, RateLimitItem] = {
            "decisions": parse(config.decisions),
            "catalog": parse(config.catalog),
            "writes": parse(config.writes),
            "auth_failures": parse(config.auth_failures),
        }
        self.metrics = metrics
        self.ipv6_prefix = config.ipv6_prefix
        self.known: TokenMemo[str] = TokenMemo(KNOWN_KEYS)
        self._failing = False

    def remember(self, token: str, key_id: str) -> None:
        """Note a key the service has verified, so its requests count against the key rather than the address."""
        self.known.remember(token, key_id)

    def client(self, scope: Scope) -> str:
        """Return who a request counts against: a verified key, else the client's address."""
        for name, value in scope["headers"]:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                key_id = self.known.get(value[7:].strip())
                if key_id is not None:
                    return "key:" + key_id
        return self.address(scope)

    def address(self, scope: Scope) -> str:
        """Return whom a request counts against by its address alone (as failed authentications are counted)."""
        client = scope.get("client")
        return address_client(client[0] if client else None, self.ipv6_prefix)

    async def hit(self, route_class: str, client: str, cost: int = 1) -> Problem | None:
        """Count a request (or `cost` checks); return the 429 problem if the client is over its limit."""
        if self.counters is not None:
            return self.hit_now(route_class, client, cost)
        item = self.items[route_class]
        try:
            # A batch is tested first: `hit` counts a refused hit too, and a refused batch must not use up the rest.
            # A single request is hit at once: counting a refused one changes nothing, and it halves the cost.
            if (cost == 1 or await self.limiter.test(item, route_class, client, cost=cost)) and await self.limiter.hit(
                item, route_class, client, cost=cost
            ):
                self._recovered()
                return None
            stats = await self.limiter.get_window_stats(item, route_class, client)
        except Exception:  # an unreachable Redis must not take the API down: count nothing until it is back
            if not self._failing:
                log.warning("rate-limit storage unreachable; requests are not limited until it is back", exc_info=True)
                self._failing = True
            return None
        if self.metrics is not None:
            self.metrics.rate_limited.labels(route_class).inc()
        return too_many(route_class, item, stats.reset_time)

    def hit_now(self, route_class: str, client: str, cost: int = 1) -> Problem | None:
        """Count as `hit` does, at once, in this worker's own counters (only when there is no Redis).

        The same counts as limits' FixedWindowRateLimiter makes (tests/api/test_counters.py runs both side by side),
        without its three coroutines and the storage key it builds anew for every request: on the hot decision
        route they cost more than the rest of the rate limit.
        """
        counters_ = self.counters
        assert counters_ is not None
        item = self.items[route_class]
        key = self._keys.get((route_class, client))
        if key is None:
            if len(self._keys) >= COUNTER_KEYS:  # clients are unbounded: the memo is not
                self._keys.clear()
            key = self._keys[(route_class, client)] = item.key_for(route_class, client)
        # As `hit`: a batch is tested first, so that a refused batch does not use up the rest of the window.
        if (cost == 1 or counters_.get_now(key) < item.amount - cost + 1) and counters_.incr_now(
            key, item.get_expiry(), cost
        ) <= item.amount:
            return None
        if self.metrics is not None:
            self.metrics.rate_limited.labels(route_class).inc()
        return too_many(route_class, item, counters_.expiry_now(key))

    async def test(self, route_class: str, client: str) -> Problem | None:
        """Return the 429 problem if the client has no request left in this class, without counting one."""
        item = self.items[route_class]
        try:
            if await self.limiter.test(item, route_class, client):
                return None
            stats = await self.limiter.get_window_stats(item, route_class, client)
        except Exception:
            return None
        if self.metrics is not None:
            self.metrics.rate_limited.labels(route_class).inc()
        return too_many(route_class, item, stats.reset_time)

    def _recovered(self) -> None:
        if self._failing:
            log.warning("rate-limit storage reachable again")
            self._failing = False


def too_many(route_class: str, item: RateLimitItem, reset_time: float) -> Problem:
    """Return the 429 problem with Retry-After and the RateLimit-* headers (IETF draft) for one limit."""
    retry = max(1, math.ceil(reset_time - time.time()))
    window = item.get_expiry()
    what = "failed authentications" if route_class == "auth_failures" else f"{route_class} requests"
    return Problem(
        429,
        f"Too many {what}: the limit is {item.amount} per {window} s; retry in {retry} s.",
        title="Too many requests",
        headers={
            "Retry-After": str(retry),
            "RateLimit-Limit": str(item.amount),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(retry),
            "RateLimit-Policy": f"{item.amount};w={window}",
        },
        limit=item.amount,
        window_seconds=window,
    )


def route_class(method: str, path: str) -> str | None:
    """Return the class a /v1 request is limited under, or None for what is not limited (docs, probes)."""
    if not path.startswith("/v1/"):
        return None
    if method in ("GET", "HEAD"):
        return "decisions" if DECISION.fullmatch(path) else "catalog"
    if path == CHECKS:
        return "decisions"
    return "writes"


class RateLimitMiddleware:
    """Pure ASGI: refuse a request at once with 429 when its client is over the limit of its route class."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            kind = route_class(scope["method"], scope["path"])
            if kind is not None:
                # The fast path may have counted this request already and left its verdict: never count twice.
                verdict = scope.pop(COUNTED, None)
                if verdict is None:
                    problem = await self.limiter.hit(kind, self.limiter.client(scope))
                else:
                    problem = verdict or None
                if problem is not None:
                    scope["trainwatch.route"] = f"<{kind} limit>"  # the log and metrics label: no route ran
                    await _send(send, problem, scope["path"])
                    return
        await self.app(scope, receive, send)


async def charge(request: Request, route_class: str, cost: int) -> None:
    """Count `cost` more units against the request's client (a batch's checks), raising 429 when over the limit."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None or cost <= 0:
        return
    problem = await limiter.hit(route_class, limiter.client(request.scope), cost=cost)
    if problem is not None:
        raise problem


async def _send(send: Send, problem: Problem, path: str) -> None:
    body = problem_bytes(problem, path)
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in problem.headers.items()),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
