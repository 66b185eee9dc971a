"""What a process remembers by bearer token: keyed by the token's SHA-256, never the token, least recently used
forgotten first."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TokenMemo(Generic[T]):
    """Values remembered by a token's SHA-256, at most `limit` of them, each for at most `ttl` seconds (None: until
    forgotten); safe to use from several threads."""

    def __init__(self, limit: int = 1024, ttl: float | None = None) -> None:
        self.limit = limit
        self.ttl = ttl
        self.clock: Callable[[], float] = time.monotonic  # a test may turn it forward
        self._values: OrderedDict[bytes, tuple[T, float]] = OrderedDict()  # value, when it is forgotten
        self._lock = threading.Lock()  # remembered on the event loop, forgotten from a write's thread

    def get(self, token: str | bytes) -> T | None:
        """Return the value remembered for this token, if any and not yet expired."""
        digest = _digest(token)
        with self._lock:
            found = self._values.get(digest)
            if found is None:
                return None
            if found[1] <= self.clock():
                del self._values[digest]
                return None
            self._values.move_to_end(digest)
            return found[0]

    def remember(self, token: str | bytes, value: T) -> None:
        """Remember a value for a token, forgetting the least recently used past the limit."""
        digest = _digest(token)
        until = float("inf") if self.ttl is None else self.clock() + self.ttl
        with self._lock:
            self._values[digest] = (value, until)
            self._values.move_to_end(digest)
            while len(self._values) > self.limit:
                self._values.popitem(last=False)

    def forget(self, which: Callable[[T], bool]) -> None:
        """Forget every value `which` holds true for."""
        with self._lock:
            for digest in [d for d, (value, _) in self._values.items() if which(value)]:
                del self._values[digest]


def _digest(token: str | bytes) -> bytes:
    return hashlib.sha256(token.encode() if isinstance(token, str) else token).digest()
