"""While the database is down the deliverer logs one warning, no traceback per round, and one line on recovery."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from webhook_support import Clock, deliverer, subscribe

from tests.conftest import BACKEND, POSTGRES_URL

RULE = "/v1/rules/instagram-eea-public-posts-2025"


@contextmanager
def _database_down(url: str) -> Iterator[None]:
    """Make the database refuse every new connection (and end the open ones) until the block ends."""
    if BACKEND == "sqlite":
        path = Path(make_url(url).database or "")
        away = path.with_suffix(".away")
        path.rename(away)
        path.mkdir()  # a folder where the file was: "unable to open database file"
        try:
            yield
        finally:
            path.rmdir()
            away.rename(path)
        return
    name = make_url(url).database
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
        admin.dispose()


def _lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, bool]]:
    return [
        (r.levelname, r.getMessage(), r.exc_info is not None)
        for r in caplog.records
        if r.name == "trainwatch.webhooks" and "advisory lock" not in r.getMessage()  # PostgreSQL's leader lock
    ]


def test_a_database_outage_is_logged_once_without_tracebacks_and_its_end_once(setup, receiver, caplog):
    subscribe(setup.client, setup.hooks, receiver, "/outage", events=["dataset.changed"])
    worker = deliverer(setup.url, Clock())
    assert worker.guarded_round() is not None
    setup.edit(RULE, {"summary": "Edited before the outage."})
    caplog.set_level(logging.INFO, logger="trainwatch.webhooks")
    caplog.clear()
    with _database_down(setup.url):
        worker.engine.dispose()  # SQLite: drop the connections that still hold the moved file open
        for _ in range(5):
            assert worker.guarded_round() is None
        during = _lines(caplog)
    assert worker.guarded_round() is not None  # recovers without a restart
    assert worker.guarded_round() is not None
    lines = _lines(caplog)
    worker.stop()

    assert not any(traceback for _, _, traceback in lines), lines
    assert [m for level, m, _ in during if level == "WARNING" and "webhook rounds wait" in m] == [
        m for level, m, _ in during if "webhook rounds wait" in m
    ]
    assert len([m for _, m, _ in during if "webhook rounds wait" in m]) == 1, during
    assert "database unreachable" in next(m for _, m, _ in during if "webhook rounds wait" in m)
    recovered = [(level, m) for level, m, _ in lines if "work again" in m]
    assert recovered == [("INFO", "webhook rounds work again (after database unreachable)")]
    assert len(lines) <= 4, lines  # the outage, at most the lock's lost session and re-taking it, the recovery
    assert [d.body["type"] for d in receiver.of("/outage")] == ["dataset.changed"]


def test_an_unexpected_error_is_logged_with_its_traceback_once_per_change(setup, caplog, monkeypatch):
    worker = deliverer(setup.url, Clock())
    caplog.set_level(logging.INFO, logger="trainwatch.webhooks")

    def broken(now):
        raise RuntimeError("a bug")

    monkeypatch.setattr(worker.maker, "from_writes", broken)
    for _ in range(4):
        assert worker.guarded_round() is None
    monkeypatch.undo()
    assert worker.guarded_round() is not None
    lines = _lines(caplog)
    worker.stop()
    assert lines == [
        ("ERROR", "webhook round failed; retrying every round", True),
        ("INFO", "webhook rounds work again (after RuntimeError: a bug)", False),
    ]


def test_the_background_loop_logs_a_failure_once_however_many_rounds_fail(setup, monkeypatch, caplog):
    worker = deliverer(setup.url, Clock(), webhooks_poll_seconds=0.01)
    caplog.set_level(logging.INFO, logger="trainwatch.webhooks")
    rounds = []

    def counted():
        rounds.append(1)
        if len(rounds) >= 5:
            worker.request_stop()
        raise RuntimeError("every round fails")

    monkeypatch.setattr(worker, "run_once", counted)
    worker.run_forever()  # returns once stopped, whatever the rounds raised
    assert len(rounds) == 5
    assert [(level, traceback) for level, _, traceback in _lines(caplog)] == [("ERROR", True)]
