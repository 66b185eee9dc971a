"""Writes and database reads at once: writes queue before they take a connection, a write holds one connection at a
time, the pool has room for every request the gate lets in, and load beyond that is shed as `busy`."""

from __future__ import annotations

import threading
from collections import Counter

from catalog_support import bearer, new_app, run_together
from fastapi.testclient import TestClient

from app.api.routes import crud
from app.main import BACKGROUND_CONNECTIONS
from app.store.db import make_engine


def _platform(i: int | str) -> dict[str, str]:
    return {"id": f"burst-{i}", "name": f"Burst {i}", "operator": "Burst Inc."}


class HeldWrites:
    """Makes each write wait inside the write path, before its first statement, until released."""

    def __init__(self, monkeypatch) -> None:
        self.inside, self.release = threading.Event(), threading.Event()
        real = crud.apply_changes

        def held(*args, **kwargs):
            self.inside.set()
            assert self.release.wait(10)
            return real(*args, **kwargs)

        monkeypatch.setattr(crud, "apply_changes", held)


def test_as_many_writes_and_reads_as_the_gate_lets_in_all_succeed(seeded_url):
    """12 creates and 4 reads of /v1/changes at once (the gate's 16 slots): each write used to hold a connection
    while it waited for the database's lock and then took a second one to reload, so the pool could run dry."""
    headers = bearer(seeded_url)
    with TestClient(new_app(seeded_url)) as client:

        def create(i: int) -> int:
            return client.post("/v1/platforms", json=_platform(i), headers=headers).status_code

        def changes() -> int:
            return client.get("/v1/changes", params={"limit": 1}).status_code

        statuses = run_together(*(lambda i=i: create(i) for i in range(12)), *(changes for _ in range(4)))
        assert Counter(statuses) == {201: 12, 200: 4}
        assert client.get("/readyz").status_code == 200


def test_a_write_holds_one_connection_at_a_time(seeded_url, monkeypatch):
    """A create of a platform reloads the whole catalog after its commit: on the write's own connection, not a
    second one taken while the first is held."""
    headers = bearer(seeded_url)
    with TestClient(new_app(seeded_url, webhooks_deliver=False)) as client:  # no background work on the pool
        client.get("/v1/platforms", headers=headers)
        engine = client.app.state.services.engine
        held_when_taking: list[int] = []
        real = engine.raw_connection

        def taking(*args, **kwargs):
            held_when_taking.append(engine.pool.checkedout())
            return real(*args, **kwargs)

        monkeypatch.setattr(engine, "raw_connection", taking)
        assert client.post("/v1/platforms", json=_platform("one"), headers=headers).status_code == 201
        assert held_when_taking and max(held_when_taking) == 0, held_when_taking


def test_a_write_waiting_for_another_holds_no_connection(seeded_url, monkeypatch):
    headers = bearer(seeded_url)
    with TestClient(new_app(seeded_url, webhooks_deliver=False)) as client:
        client.get("/v1/platforms", headers=headers)
        pool = client.app.state.services.engine.pool
        held = HeldWrites(monkeypatch)
        inside, release = held.inside, held.release
        results: list[int] = []
        first = threading.Thread(
            target=lambda: results.append(client.post("/v1/platforms", json=_platform(1), headers=headers).status_code)
        )
        first.start()
        assert inside.wait(10)
        inside.clear()
        second = threading.Thread(
            target=lambda: results.append(client.post("/v1/platforms", json=_platform(2), headers=headers).status_code)
        )
        second.start()
        second.join(0.5)  # it queues for the write lock meanwhile
        assert second.is_alive() and not inside.is_set()
        assert pool.checkedout() == 1  # the first write's connection only
        release.set()
        first.join(10)
        second.join(10)
    assert results == [201, 201]


def test_the_pool_has_room_for_every_request_the_gate_lets_wait_and_the_background_work(seeded_url):
    app = new_app(seeded_url, db_request_slots=7)
    with TestClient(app):
        pool = app.state.services.engine.pool
        assert pool.size() + pool._max_overflow == 7 + BACKGROUND_CONNECTIONS  # noqa: SLF001 (no public reading)
    engine = make_engine("postgresql+psycopg://u@127.0.0.1:1/none", pool_capacity=3)
    assert engine.pool.size() + engine.pool._max_overflow == 5  # noqa: SLF001 (at least the kept connections)


def test_requests_past_the_gates_slots_are_shed_as_busy(seeded_url, monkeypatch):
    """With one slot held by a write, a read of /v1/changes waits a second for it and is answered 503 `busy`: the
    database answers, it is the load that is shed."""
    headers = bearer(seeded_url)
    with TestClient(new_app(seeded_url, db_request_slots=1)) as client:
        client.get("/v1/platforms", headers=headers)
        held = HeldWrites(monkeypatch)
        inside, release = held.inside, held.release
        writer = threading.Thread(target=lambda: client.post("/v1/platforms", json=_platform(1), headers=headers))
        writer.start()
        try:
            assert inside.wait(10)
            shed = client.get("/v1/changes")
        finally:
            release.set()
            writer.join(10)
        assert shed.status_code == 503
        assert shed.headers["Retry-After"] == "5"
        problem = shed.json()
        assert problem["database"] == "busy"
        assert problem["type"] == "https://trainwatch.dev/problems/database-busy"
        assert problem["title"] == "Database busy"
        assert client.get("/readyz").status_code == 200  # shedding load is no outage


def test_a_write_that_cannot_get_the_write_lock_in_time_is_shed_as_busy():
    """A write stuck on a hung database holds the lock; the ones behind it give up after the request timeout instead
    of keeping their threads (and the gate's slots) for ever."""
    from types import SimpleNamespace

    import pytest

    from app.api.errors import Problem

    lock = threading.Lock()
    lock.acquire()
    services = SimpleNamespace(writing=lock, settings=SimpleNamespace(db_request_timeout=0.2))
    with pytest.raises(Problem) as refused:
        crud.commit_and_reload(services, lambda session: pytest.fail("wrote without the lock"))  # type: ignore[arg-type]
    assert refused.value.status == 503 and refused.value.extra["database"] == "busy"
