"""The answer cache stays within its byte bound and drops stale answers when the snapshot changes."""

import contextlib
import gc

import pytest

from app.policy import QueryError
from app.serving import answers
from app.serving.answers import query_params
from app.serving.cache import BoundedCache


def test_cache_evicts_least_recently_used_entries_to_stay_within_its_bound():
    cache = BoundedCache(max_cost=100)
    for n in range(10):
        cache.put(n, f"value{n}", 30)
        assert cache.cost <= 100
    assert len(cache) == 3 and cache.get(0) is None and cache.get(9) == "value9"
    cache.get(7)
    cache.put("new", "x", 30)
    assert cache.get(7) == "value7" and cache.get(8) is None


def test_replacing_a_key_does_not_leak_cost():
    cache = BoundedCache(max_cost=100)
    for _ in range(50):
        cache.put("same", "v", 40)
    assert cache.cost == 40 and len(cache) == 1


def test_repeated_batches_answer_identically_from_the_cache(client, monkeypatch):
    computed = []  # one entry a batch worked out: its checks' lane is made once a batch
    lane = answers.plain_checks
    monkeypatch.setattr(answers, "plain_checks", lambda *a: computed.append(1) or lane(*a))
    checks = [
        {"platform": "facebook", "category": "public-posts", "country": "FR", "as_of": "2025-06-01", "age": 1},
        {"platform": "facebook", "category": "public-posts", "country": "FR", "as_of": "2025-06-01", "age": True},
    ]
    first, second, third = (client.post("/v1/ai-training/checks", json={"checks": checks}) for _ in range(3))
    assert first.content == second.content == third.content
    # A batch is kept only when it comes a second time (AnswerService.batch): the third is the cache's.
    assert len(computed) == 2
    one, two = first.json()["results"]
    assert one["status"] == 200 and two["status"] == 422  # age true is not the number 1


def test_fast_query_parsing_matches_the_standard_parser():
    from urllib.parse import parse_qsl

    from app.serving.answers import query_params

    for qs in [
        "",
        "a=1",
        "a=1&a=2",
        "a=&b",
        "&&a=1&",
        "x=1=2",
        "country=de&as_of=2025-09-01",
        "a=%41",
        "a=b+c",
        "=v",
        "a==",
        "k",
    ]:
        assert query_params(qs.encode()) == dict(parse_qsl(qs, keep_blank_values=True)), qs


@pytest.mark.parametrize(
    ("qs", "param"),
    [
        ("country=DE&country=FR", "country"),
        ("country=DE&as_of=2025-09-01&country=DE", "country"),  # even the same value: a client's mistake
        ("category=public-posts&category=private-messages", "category"),
        ("as_of=2025-09-01&as_of=2025-09-02", "as_of"),
        ("lang=de&lang=en", "lang"),
        ("as_of=2025-09-01&country=%44E&country=FR", "country"),  # the unescaping path too
    ],
)
def test_a_parameter_the_answer_reads_given_twice_is_refused(qs, param):
    with pytest.raises(QueryError) as refused:
        query_params(qs.encode())
    assert (refused.value.status, refused.value.param) == (422, param)


def test_other_parameters_may_repeat():
    assert query_params(b"utm=1&utm=2&country=DE") == {"utm": "2", "country": "DE"}


def test_a_dropped_snapshot_leaves_no_cyclic_garbage(shared_seeded_url):
    """The store swaps snapshots without a full collection: that is only right while snapshots hold no cycles."""
    import gc
    from datetime import date

    from sqlmodel import Session

    from app.policy import QueryError, answer, parse_query, prepare
    from app.store import repository
    from app.store.db import make_engine

    engine = make_engine(shared_seeded_url)
    with Session(engine) as session:
        snapshot = repository.load_snapshot(session)
    engine.dispose()
    prepare(snapshot)
    for platform in snapshot.platforms:  # fill the engine's memos the way requests do
        for country in ("DE", "US", "GB", "BR", None):
            for day in ("2024-06-20", "2025-06-01", "2026-11-29"):
                params = {"as_of": day, **({"country": country} if country else {})}
                with contextlib.suppress(QueryError):
                    answer(snapshot, parse_query(snapshot, platform, params, date(2026, 11, 29)))
    gc.collect()
    del snapshot
    assert gc.collect() == 0


def test_serialised_answers_hold_only_their_own_bytes():
    """The answer cache counts bodies by length; a body must not keep a serialiser's larger buffer alive."""
    import tracemalloc

    from app.serving.caching import dumps

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    bodies = [dumps({"detail": "x" * 100, "n": n}) for n in range(1000)]
    held = (tracemalloc.get_traced_memory()[0] - before) / len(bodies)
    tracemalloc.stop()
    assert held < 2 * len(bodies[0]) + 100


def test_free_memory_goes_back_to_the_system_after_enough_evictions(monkeypatch):
    from app.serving import cache as cache_module
    from app.serving.cache import SnapshotStore

    trims = []
    monkeypatch.setattr(cache_module, "release_free_memory", lambda: trims.append(1))
    monkeypatch.setattr(cache_module, "TRIM_AFTER_EVICTED", 1000)
    store = SnapshotStore(None, check_seconds=0, answer_cache_bytes=500)  # type: ignore[arg-type]
    for n in range(5):
        store.answers.put(n, b"x", 400)  # each put evicts the one before
    assert store.answers.evicted == 1600
    store._trim_after_evictions()
    store._trim_after_evictions()  # nothing evicted since: no second trim
    assert trims == [1]


def test_cached_answers_leave_the_collectors_view(client):
    """A cached answer is a flat tuple of plain data: after one young collection the collector no longer tracks it
    (an Answer object it walked in every middle collection: 13-35 ms pauses with a full cache)."""
    import gc

    from app.serving.answers import Answer

    services = client.app.state.services
    url = "/v1/platforms/zoom/ai-training?category=public-posts&country=NO&as_of=2024-02-03"
    first = client.get(url)
    cache = services.store.answers
    values = [value for key, value in cache._data.items() if isinstance(key, tuple) and b"country=NO" in key[2]]
    assert values and all(type(value) is tuple for value in values)
    gc.collect(0)
    assert not any(gc.is_tracked(value) for value in values)
    again = client.get(url)  # answered from the packed tuple
    same = {name: value for name, value in first.headers.items() if name != "x-request-id"}
    assert again.content == first.content
    assert {name: value for name, value in again.headers.items() if name != "x-request-id"} == same
    answer = Answer.unpacked(values[0])
    assert Answer.unpacked(answer.packed()) == answer


def test_a_full_cache_keeps_the_young_generation_small():
    # With the cache full, each put frees an old evicted key and value: Python's young count (allocations minus
    # deallocations) then stalls, and new keys and values pile up young until one long collection walks them all.
    before = gc.get_threshold()
    gc.set_threshold(150, 20, 1000)  # as the service runs (app.main.tune_gc)
    try:
        cache = BoundedCache(max_cost=20_000)
        for n in range(20_000):  # keys of many tuples each, as a batch check's key
            cache.put(("old", n, tuple((str(i), str(i)) for i in range(6)), (int, str)), b"part", 1)
        gc.collect()  # they are old now
        largest = 0
        for n in range(20_000):
            cache.put(("new", n), (n, b"an answer"), 1)  # each put evicts one old entry
            if n % 1000 == 999:
                largest = max(largest, len(gc.get_objects(0)))
        assert largest < 2_000, largest
    finally:
        gc.set_threshold(*before)


def test_a_patch_is_built_without_automatic_collections(seeded_url, monkeypatch):
    """Each collection that finds a patched snapshot's new rules dict young walks every entry (6.5 ms per 100,000
    rules): from the patch on, no automatic collection runs; the swap's one young collection comes before the
    freeze."""
    from sqlmodel import Session

    from app.main import create_app
    from app.policy.model import Snapshot
    from app.store.writes import Op, apply_changes
    from tests.conftest import make_settings
    from tests.serving.test_snapshot_reload import RULE, _rule_record_of

    app = create_app(make_settings(seeded_url))
    store = app.state.services.store
    store.refresh()
    with Session(app.state.services.engine) as session:
        changed = {**_rule_record_of(seeded_url, RULE), "notes": ["A change, so that the write patches the snapshot."]}
        applied = apply_changes(session, [Op("rule", "update", RULE, changed)], actor="t")
    events: list[object] = []
    real_patched = Snapshot.patched
    monkeypatch.setattr(Snapshot, "patched", lambda self, *a: events.append("build") or real_patched(self, *a))

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            events.append(info["generation"])

    before = gc.get_threshold()
    gc.set_threshold(1)  # without the pause, nearly every allocation of the build would start a collection
    gc.callbacks.append(seen)
    try:
        store.refresh(known_revision=applied.revision)
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*before)
    assert store.snapshot.revision == applied.revision
    assert gc.isenabled()
    after = events[events.index("build") + 1 :]
    assert after[0] == 1  # the first after the patch began is the swap's own young collection, before the freeze
    assert after.count(1) == 1 and 2 not in after  # (young ones after the freeze find only new objects)
