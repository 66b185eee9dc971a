"""What a process remembers by bearer token: keyed by the token's SHA-256, never the token, least recently used
forgotten first."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TokenMemo(Generic[T]):
    """Values remembered by a token's SHA-256, at most `limit` of them; safe to use from several threads."""

    def __init__(self, limit: int = 1024) -> None:
        self.limit = limit
        self._values: OrderedDict[bytes, T] = OrderedDict()
        self._lock = threading.Lock()  # remembered on the event loop, forgotten from a write's thread

    def get(self, token: str | bytes) -> T | None:
        """Return the value remembered for this token, if any."""
        digest = _digest(token)
        with self._lock:
            value = self._values.get(digest)
            if value is not None:
                self._values.move_to_end(digest)
            return value

    def remember(self, token: str | bytes, value: T) -> None:
        """Remember a value for a token, forgetting the least recently used past the limit."""
        digest = _digest(token)
        with self._lock:
            self._values[digest] = value
            self._values.move_to_end(digest)
            while len(self._values) > self.limit:
                self._values.popitem(last=False)

    def forget(self, which: Callable[[T], bool]) -> None:
        """Forget every value `which` holds true for."""
        with self._lock:
            for digest in [d for d, value in self._values.items() if which(value)]:
                del self._values[digest]


def _digest(token: str | bytes) -> bytes:
    return hashlib.sha256(token.encode() if isinstance(token, str) else token).digest()
