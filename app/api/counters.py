"""In-process counters for the rate limits: a `limits` storage that starts no task per hit.

limits' own async memory storage schedules its expiry task again after every hit; on the hot decision route that
task cost more than the rest of the rate limit. This storage (fixed windows only, which is what the service uses)
expires a key when it is counted or read, and sweeps expired keys at most once a second, so memory stays bounded
by the clients seen in one window. With TRAINWATCH_REDIS_URL, limits' Redis storage is used instead.
"""

from __future__ import annotations

import time

from limits.aio.storage import Storage

SCHEME = "async+trainwatch-memory"
SWEEP_SECONDS = 1.0


class WorkerCounters(Storage):
    """Fixed-window counters in this worker's memory, for `limits.aio.strategies.FixedWindowRateLimiter`."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.counts: dict[str, int] = {}
        self.expiries: dict[str, float] = {}
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the key's count, starting a new window of `expiry` seconds if the last one ended."""
        return self.incr_now(key, expiry, amount)

    async def get(self, key: str) -> int:
        """Return the key's count in its current window (0 when it has none)."""
        return self.get_now(key)

    async def get_expiry(self, key: str) -> float:
        """Return when the key's window ends (now, if it has none)."""
        return self.expiry_now(key)

    def incr_now(self, key: str, expiry: int, amount: int = 1) -> int:
        """Do what `incr` does, without a coroutine: the rate limiter counts most requests this way."""
        now = time.time()
        if self.expiries.get(key, 0.0) <= now:
            self.counts[key] = 0
            self.expiries[key] = now + expiry
            if now >= self._next_sweep:
                self._sweep(now)
        count = self.counts[key] + amount
        self.counts[key] = count
        return count

    def expiry_now(self, key: str) -> float:
        """Do what `get_expiry` does, without a coroutine."""
        return self.expiries.get(key, time.time())

    def get_now(self, key: str) -> int:
        """Do what `get` does, without a coroutine."""
        if self.expiries.get(key, 0.0) <= time.time():
            return 0
        return self.counts.get(key, 0)

    async def check(self) -> bool:
        """Memory is always reachable."""
        return True

    async def reset(self) -> int | None:
        """Forget every count; return how many keys there were."""
        cleared = len(self.counts)
        self.counts.clear()
        self.expiries.clear()
        return cleared

    async def clear(self, key: str) -> None:
        """Forget one key's count."""
        self.counts.pop(key, None)
        self.expiries.pop(key, None)

    def _sweep(self, now: float) -> None:
        for key in [k for k, ends in self.expiries.items() if ends <= now]:
            del self.expiries[key]
            self.counts.pop(key, None)
        self._next_sweep = now + SWEEP_SECONDS
