"""The immutable snapshot the read path serves from, its answer cache, and their invalidation."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import repository
from app.policy.model import Snapshot

log = logging.getLogger("trainwatch.cache")


class BoundedCache:
    """A least-recently-used map with a fixed number of entries, safe to share between threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """Return the cached value or None, marking it recently used."""
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        """Store a value, evicting the least recently used entry when full."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            if len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


class SnapshotStore:
    """Holds the current snapshot; rebuilds it beside the old one and swaps when the revision moves."""

    def __init__(self, engine: Engine, *, check_seconds: float, answer_cache_size: int) -> None:
        self.engine = engine
        self.check_seconds = check_seconds
        self.answer_cache_size = answer_cache_size
        self._snapshot: Snapshot | None = None
        # Answers are cached per snapshot, so a swap drops every stale answer at once.
        self.answers = BoundedCache(answer_cache_size)
        self._rebuild_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_swap: list[Callable[[Snapshot], None]] = []

    @property
    def snapshot(self) -> Snapshot:
        """Return the snapshot to answer from, loading the first one if none is loaded yet."""
        snapshot = self._snapshot
        if snapshot is None:
            snapshot = self.refresh()
        return snapshot

    @property
    def loaded(self) -> bool:
        """Return whether a snapshot is loaded."""
        return self._snapshot is not None

    def refresh(self, *, known_revision: int | None = None) -> Snapshot:
        """Load a new snapshot if the stored revision differs from the current one, then return the current one."""
        with self._rebuild_lock:
            current = self._snapshot
            with Session(self.engine) as session:
                revision = known_revision if known_revision is not None else repository.stored_revision(session)
                if current is not None and current.revision >= revision:
                    return current
                fresh = repository.load_snapshot(session)
            self._swap(fresh)
            return fresh

    def _swap(self, fresh: Snapshot) -> None:
        self.answers = BoundedCache(self.answer_cache_size)
        self._snapshot = fresh
        for listener in self.on_swap:
            listener(fresh)
        log.info("serving dataset revision %d", fresh.revision)

    def start_polling(self) -> None:
        """Check the stored revision every check_seconds in a background thread, so requests never wait."""
        if self._thread is not None or self.check_seconds <= 0:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._poll, name="snapshot-poller", daemon=True)
        self._thread.start()

    def stop_polling(self) -> None:
        """Stop the background check."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def _poll(self) -> None:
        while not self._stop.wait(self.check_seconds):
            try:
                self.refresh()
            except Exception:  # the database may be down for a while; keep serving the last snapshot
                log.warning("could not check the dataset revision", exc_info=True)
