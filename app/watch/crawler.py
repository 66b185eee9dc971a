"""A polite crawler: its own User-Agent, robots.txt honoured, a per-host pace, bounded concurrency, retries."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BODY_BYTES = 5_000_000  # a policy page is far smaller; anything bigger is cut rather than held in memory
MAX_REDIRECTS = 5


class Clock(Protocol):
    """Monotonic time and sleeping; tests pass a fake one so that nothing really waits."""

    def now(self) -> float:
        """Return monotonic seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait this many seconds."""
        ...


class RealClock:
    """The event loop's clock."""

    def now(self) -> float:
        """Return monotonic seconds."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Wait this many seconds."""
        await asyncio.sleep(seconds)


@dataclass(frozen=True)
class Politeness:
    """How hard the crawler may press on each host."""

    user_agent: str
    rate_per_host: float = 1.0  # requests a second to one host; 0 or less: no limit
    concurrency: int = 4
    timeout: float = 20.0
    retries: int = 2


class HostPacer:
    """Spaces the requests to each host at least 1/rate seconds apart, however many tasks ask at once."""

    def __init__(self, rate_per_host: float, clock: Clock) -> None:
        self.interval = 1.0 / rate_per_host if rate_per_host > 0 else 0.0
        self.clock = clock
        self.next_free: dict[str, float] = {}

    async def wait(self, host: str) -> None:
        """Return when a request to host may start; the slot is taken before sleeping, so callers queue in order."""
        now = self.clock.now()
        start = max(now, self.next_free.get(host, now))
        self.next_free[host] = start + self.interval
        if start > now:
            await self.clock.sleep(start - now)


@dataclass
class Fetched:
    """What fetching one URL gave: the last response's status and text, each redirect, or why nothing came."""

    url: str
    status: int | None = None
    final_url: str | None = None
    redirects: list[tuple[int, str]] = field(default_factory=list)  # (status, location) of each hop
    body: str | None = None
    content_type: str | None = None
    error: str | None = None  # a network failure or a robots.txt refusal: nothing to judge the page by


def host_of(url: str) -> str:
    """Return the host (and port) requests are paced by."""
    return urlsplit(url).netloc.lower()


class Crawler:
    """Fetches pages for `sources check`; use as `async with Crawler(...) as crawler`."""

    def __init__(
        self, politeness: Politeness, *, clock: Clock | None = None, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.politeness = politeness
        self.clock = clock or RealClock()
        self.pacer = HostPacer(politeness.rate_per_host, self.clock)
        self.limit = asyncio.Semaphore(max(1, politeness.concurrency))
        self.robots: dict[str, Protego | None] = {}  # per origin; None: robots.txt unreachable, so nothing allowed
        self.robots_locks: dict[str, asyncio.Lock] = {}
        self.client = httpx.AsyncClient(
            headers={"User-Agent": politeness.user_agent},
            timeout=politeness.timeout,
            follow_redirects=False,
            transport=transport,
        )

    async def __aenter__(self) -> Crawler:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def fetch(self, url: str) -> Fetched:
        """Fetch a URL, following redirects (each hop paced and allowed by its host's robots.txt)."""
        result = Fetched(url)
        async with self.limit:
            current = url
            for _ in range(MAX_REDIRECTS + 1):
                if not await self.allowed(current):
                    result.error = f"robots.txt of {host_of(current)} disallows {current}"
                    return result
                try:
                    response, body = await self._get(current)
                except httpx.HTTPError as exc:
                    result.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                    return result
                result.status, result.final_url = response.status_code, current
                location = response.headers.get("location")
                if response.is_redirect and location:
                    current = urljoin(current, location)
                    result.redirects.append((response.status_code, current))
                    continue
                result.content_type = response.headers.get("content-type", "").split(";")[0].strip().lower() or None
                result.body = body.decode(response.encoding or "utf-8", errors="replace")
                return result
            result.error = f"more than {MAX_REDIRECTS} redirects"
            return result

    async def allowed(self, url: str) -> bool:
        """Return whether the origin's robots.txt lets this crawler fetch the URL (fetched once per origin)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        lock = self.robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self.robots:
                self.robots[origin] = await self._robots(origin)
        rules = self.robots[origin]
        return rules is not None and rules.can_fetch(url, self.politeness.user_agent)

    async def _robots(self, origin: str) -> Protego | None:
        # RFC 9309: a missing robots.txt (4xx) allows everything; an unreachable one (5xx, no answer) allows nothing;
        # up to five redirects are followed.
        url = f"{origin}/robots.txt"
        try:
            for _ in range(MAX_REDIRECTS + 1):
                response, body = await self._get(url)
                location = response.headers.get("location")
                if not (response.is_redirect and location):
                    break
                url = urljoin(url, location)
        except httpx.HTTPError:
            return None
        if 400 <= response.status_code < 500 or response.is_redirect:
            return Protego.parse("")
        if response.status_code >= 500:
            return None
        return Protego.parse(body.decode(response.encoding or "utf-8", errors="replace"))

    async def _get(self, url: str) -> tuple[httpx.Response, bytes]:
        """GET with the host's pace, retrying network failures and 429/5xx answers with growing waits."""
        attempts = max(0, self.politeness.retries) + 1
        for attempt in range(attempts):
            await self.pacer.wait(host_of(url))
            response: httpx.Response | None = None
            try:
                response, body = await self._read(url)
            except httpx.TransportError:
                if attempt == attempts - 1:
                    raise
            else:
                if response.status_code not in RETRY_STATUSES or attempt == attempts - 1:
                    return response, body
            await self.clock.sleep(_backoff(attempt, response))
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _read(self, url: str) -> tuple[httpx.Response, bytes]:
        async with self.client.stream("GET", url) as response:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_BODY_BYTES:
                    break
            return response, b"".join(chunks)


def _backoff(attempt: int, response: httpx.Response | None) -> float:
    """Return the wait before the next try: the server's Retry-After (up to a minute), else 1, 2, 4... seconds."""
    retry_after = response.headers.get("retry-after") if response is not None else None
    if retry_after is not None and retry_after.strip().isdigit():
        return min(60.0, float(retry_after))
    return float(2**attempt)
