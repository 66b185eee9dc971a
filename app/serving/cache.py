"""The immutable snapshot the read path serves from, its answer cache, and their invalidation."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.policy import prepare
from app.policy.model import Snapshot
from app.serving.health import DatabaseState
from app.store import repository
from app.store.db import consistent_reads, reading_on
from app.store.failures import classify

log = logging.getLogger("trainwatch.cache")


EVICTIONS_PER_YOUNG_COLLECTION = 100


class BoundedCache:
    """A least-recently-used map bounded by the total cost (bytes) of its values, safe to share between threads."""

    def __init__(self, max_cost: int, stats: list[int] | None = None) -> None:
        self.max_cost = max_cost
        self.cost = 0
        self.stats = stats if stats is not None else [0, 0]  # hits, misses: shared by successive caches for metrics
        self.evicted = 0  # bytes evicted so far: the poller hands freed memory back to the system now and then
        # Values and their costs apart, with no tuple around each: a value of plain data (an answer's packed tuple)
        # then leaves the garbage collector's view at its first young collection.
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._costs: dict[Hashable, int] = {}
        self._lock = threading.Lock()
        self._evictions = 0  # since the last young collection

    def get(self, key: Hashable) -> Any:
        """Return the cached value, marking it recently used, or None where nothing is cached under the key.

        An empty value is a mark (a batch seen once, answers._keep), not an answer: returned, but counted a miss.
        """
        with self._lock:
            value = self._data.get(key)
            if not value:
                self.stats[1] += 1
                return value
            self.stats[0] += 1
            self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any, cost: int) -> None:
        """Store a value (not None) costing `cost`, evicting least recently used entries until the total fits."""
        with self._lock:
            if self._data.pop(key, None) is not None:
                self.cost -= self._costs.pop(key)
            self._data[key] = value
            self._costs[key] = cost
            self.cost += cost
            while self.cost > self.max_cost and self._data:
                gone, _ = self._data.popitem(last=False)
                evicted = self._costs.pop(gone)
                self.cost -= evicted
                self.evicted += evicted
                self._evictions += 1
            if self._evictions >= EVICTIONS_PER_YOUNG_COLLECTION:
                # Python counts young objects as allocations minus deallocations, and each evicted key and value
                # frees tuples (a batch check's key, eight): with the cache full the count stalls while new keys
                # and answers pile up young, and the collection that finally comes walks them all (73,840 objects,
                # 20-45 ms, after never-seen batches; measured with a gc callback). Collecting the young
                # generation every 100 evictions kept every collection under 0.4 ms in the same run.
                self._evictions = 0
                gc.collect(0)

    def __len__(self) -> int:
        return len(self._data)


def release_free_memory() -> None:
    """Hand the heap's free pages back to the system (glibc's malloc_trim), so resident memory shows what is kept.

    Loading a dataset allocates and frees several times what it keeps (rows, records); without this a worker's
    resident memory stays at that peak. Elsewhere than glibc it does nothing.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


TRIM_AFTER_EVICTED = 8 * 2**20  # bytes of answers evicted between two hand-backs of free memory
# What a snapshot is patched for; a change to anything else reads everything again. The memos a patch keeps
# (policy.model.MemoKind) may rest on anything but rules: add nothing here without revisiting them.
PATCHED = frozenset({"rule"})


def changed_rules(
    session: Session,
    current: Snapshot,
    revision: int,
    changed: dict[str, set[str]] | None,
    written: repository.WrittenRules | None = None,
) -> repository.ChangedRules | None:
    """Read the rules changed since the current snapshot, or return None where patching it cannot be done.

    The rules a write at this very revision stored (`written`) are each at their latest state: they are taken as
    it stored them, and only what other writes since the snapshot changed besides them is read.
    """
    if not changed or set(changed) - PATCHED:
        return None
    told = repository.written_rules(written, current) if written and written.revision == revision else None
    if told is None:
        return repository.load_rules(session, changed["rule"], current, revision)
    # With several workers taking writes, a worker's snapshot is often behind by the others' writes when its own
    # write reloads; they mostly edit rules this write has just stored, which then need no reading.
    rest = changed["rule"] - told.rules.keys()
    return told.merged(repository.load_rules(session, rest, current, revision)) if rest else told


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Run a block with automatic garbage collection off (and back on after, if it was on)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Swap:
    """A new snapshot, and the changed rules it was patched with (None: it was read whole)."""

    snapshot: Snapshot
    rules: repository.ChangedRules | None = None
    # A write's own session, committed and still open, for listeners that must read: the write holds its connection.
    session: Session | None = None


CATCH_UP_SECONDS = 1.0  # between attempts to load a revision a write could not read back, with no poller running


class SnapshotStore:
    """Holds the current snapshot; rebuilds it beside the old one and swaps when the revision moves."""

    def __init__(self, engine: Engine, *, check_seconds: float, answer_cache_bytes: int) -> None:
        self.engine = engine
        self.check_seconds = check_seconds
        self.answer_cache_bytes = answer_cache_bytes
        self._snapshot: Snapshot | None = None
        self.loaded_at: float | None = None  # when the current snapshot was loaded (time.time())
        # Answers are cached per snapshot, so a swap drops every stale answer at once.
        self.answers = BoundedCache(answer_cache_bytes)
        self._rebuild_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.before_swap: list[Callable[[Swap], object]] = []
        self.database = DatabaseState()
        self._trimmed_at = 0
        self._catching_up: threading.Thread | None = None  # loads what a write could not read back (catch_up)
        self._behind = 0  # the newest revision a write of this process stored but could not read back
        self._catch_up_lock = threading.Lock()

    @property
    def snapshot(self) -> Snapshot:
        """Return the snapshot to answer from, loading the first one if none is loaded yet."""
        snapshot = self._snapshot
        if snapshot is None:
            snapshot = self.refresh()
        return snapshot

    def refresh(
        self,
        *,
        known_revision: int | None = None,
        session: Session | None = None,
        written: repository.WrittenRules | None = None,
    ) -> Snapshot:
        """Load a new snapshot if the stored revision differs from the current one, then return the current one.

        `known_revision` (a write's) skips the database when the snapshot has it already; `session` (a write's,
        committed) saves taking and checking another connection; `written` (the rules that write stored) patches a
        snapshot of the revision before it without reading anything, and one further behind reading the change log
        and only the rules other writes changed besides.
        """
        with self._rebuild_lock:
            current = self._snapshot
            if current is not None and known_revision is not None and current.revision >= known_revision:
                return current  # a concurrent write's refresh has read it already
            rules = None
            if current is not None and written is not None and current.revision + 1 == written.revision:
                # That write is all that changed since the snapshot, and it says what it stored: a write's reload
                # then costs no query (five, with their share of the CPU a write takes, measured).
                revision, rules = written.revision, repository.written_rules(written, current)
                written = written if rules is not None else None  # its freshness must be read: read it all below
            loaded = None
            if rules is None:
                with reading_on(session, self.engine) as reading:
                    consistent_reads(reading)  # the revision, the change log and the rules read agree
                    revision = repository.stored_revision(reading)
                    if current is not None and current.revision >= revision:
                        return current
                    changed = repository.changed_since(reading, current.revision, revision) if current else None
                    rules = changed_rules(reading, current, revision, changed, written) if current and changed else None
                    loaded = repository.load_snapshot(reading) if rules is None else None
            with collection_paused():
                # The rules dicts of a patched snapshot and of the catalog copy are new, and each collection that
                # finds them young walks every entry (6.5 ms per 100,000 rules, measured): none runs before the
                # one at the end of the swap, after which they are frozen.
                if loaded is None:
                    assert current is not None and rules is not None
                    swap = Swap(current.patched(revision, rules.rules), rules, session)
                else:
                    swap = Swap(loaded, session=session)
                prepare(swap.snapshot)  # index every platform and category now (a patched one: the changed ones)
                self._swap(swap)
            if loaded is not None:
                release_free_memory()  # reading everything left a heap of freed rows and records behind
            return swap.snapshot

    def _swap(self, swap: Swap) -> None:
        # Listeners (the catalog copy) build what they derive from the new data before anyone sees it, so no
        # request waits on a rebuild; a patched snapshot hands them the rules it read, so they read nothing.
        fresh = swap.snapshot
        for listener in self.before_swap:
            listener(swap)
        self.answers = BoundedCache(self.answer_cache_bytes, self.answers.stats)
        self._trimmed_at = 0
        self._snapshot = fresh
        self.loaded_at = time.time()
        # The snapshot lives until the next swap: keep its objects out of the collector's generations, so full
        # collections during requests do not walk it (they caused 100 ms tail latencies under load). Snapshots hold
        # no reference cycles (tests/serving/test_cache.py checks it), so the previous one is freed by reference
        # counting as soon as no request uses it: no full collection is needed, which cost a write 50-200 ms.
        gc.collect(1)  # the young generations only, each object once, and nothing cyclic is frozen with the snapshot
        gc.freeze()
        log.info("serving dataset revision %d", fresh.revision)

    def catch_up(self, revision: int) -> None:
        """Load a revision this process wrote but could not read back, retrying every second in the background until
        the database answers; the revision poller, where it runs, does that already."""
        if self._thread is not None:
            return
        with self._catch_up_lock:
            self._behind = max(self._behind, revision)
            if self._catching_up is None:
                self._catching_up = threading.Thread(target=self._catch_up, name="snapshot-catch-up", daemon=True)
                self._catching_up.start()

    def _catch_up(self) -> None:
        while not self._stop.wait(CATCH_UP_SECONDS):
            try:
                loaded = self.refresh(known_revision=self._behind).revision
            except Exception:  # the database is still failing: try again
                log.debug("could not load revision %d yet", self._behind, exc_info=True)
                continue
            with self._catch_up_lock:
                if loaded >= self._behind:  # a later write's revision may have come in meanwhile
                    self._catching_up = None
                    return

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
            except Exception as exc:  # the database may be down for a while; keep serving the last snapshot
                kind = classify(exc)
                self.database.report(kind)  # logged once per change of state, not once a second
                if kind is None:
                    log.warning("could not check the dataset revision", exc_info=True)
            else:
                self.database.report(None)
            self._trim_after_evictions()

    def _trim_after_evictions(self) -> None:
        # Answers of many sizes, evicted in LRU order, leave the heap full of free holes that resident memory keeps
        # counting (fuzzing measured 1.6x the cache's bound); hand them back once enough has been evicted. The
        # call runs in this thread without the GIL, so requests go on meanwhile.
        cache = self.answers
        if cache.evicted - self._trimmed_at >= TRIM_AFTER_EVICTED:
            self._trimmed_at = cache.evicted
            release_free_memory()
