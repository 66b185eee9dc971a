"""Queueing the events of a write: a few statements whatever their number, so SQLite's write lock is held briefly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func
from sqlmodel import Session, select

from app.store import webhooks
from app.store.db import make_engine
from app.store.webhook_models import WebhookDelivery, WebhookEvent

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def engine(seeded_url):
    engine = make_engine(seeded_url)
    yield engine
    engine.dispose()


def _subscriptions(engine, n: int) -> list[str]:
    with Session(engine) as session:
        return [
            webhooks.create_subscription(
                session,
                key_id="k",
                url=f"https://example.com/{i}",
                events=["answer.changed"],
                platforms=None,
                categories=None,
                countries=None,
                now=NOW,
            ).id
            for i in range(n)
        ]


def test_thousands_of_deliveries_are_queued_in_a_few_statements_and_once(engine):
    subs = _subscriptions(engine, 4)
    # One answer per country and category, as a GLOBAL rule's edit can change: 1,200 events, 4,800 deliveries.
    queued = [(f"msg_{n}", "answer.changed", {"n": n}, subs) for n in range(1200)]
    statements: list[str] = []

    def count(conn, cursor, statement, *_):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with Session(engine) as session:
            webhooks.queue_events(session, queued, now=NOW, retry_until=NOW + timedelta(days=1))
            session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Looked up in chunks of 500 ids (events and deliveries: 3 chunks each), inserted in batches: not one each.
    assert len(statements) < 40, len(statements)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(WebhookEvent)).one() == 1200
        assert session.exec(select(func.count()).select_from(WebhookDelivery)).one() == 4800
        # Queued again (the deliverer remade the write's events after a crash): nothing doubles.
        webhooks.queue_events(session, queued, now=NOW, retry_until=NOW + timedelta(days=1))
        session.commit()
        assert session.exec(select(func.count()).select_from(WebhookDelivery)).one() == 4800


def test_an_event_for_nobody_is_not_stored(engine):
    with Session(engine) as session:
        webhooks.queue_events(session, [("msg_x", "answer.changed", {}, [])], now=NOW, retry_until=NOW)
        session.commit()
        assert session.get(WebhookEvent, "msg_x") is None
