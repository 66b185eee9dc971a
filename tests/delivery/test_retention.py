"""Retention: deliveries that ended go after TRAINWATCH_WEBHOOKS_KEEP_DAYS, with the events nobody awaits any more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete as sa_delete
from sqlalchemy import update as sa_update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select
from webhook_support import Clock, deliverer, subscribe

from app.delivery import events
from app.store import webhooks
from app.store.db import make_engine
from app.store.webhook_models import WebhookDelivery, WebhookEvent

RULE = "/v1/rules/instagram-eea-public-posts-2025"


def _event_ids(url: str) -> set[str]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = set(session.exec(select(WebhookEvent.id)).all())
    engine.dispose()
    return found


def _one_delivered(setup, receiver):
    """Subscribe, write once and deliver it: return the subscription, the clock, the deliverer and the delivery."""
    sub = subscribe(setup.client, setup.hooks, receiver, "/r", events=["dataset.changed"])
    clock = Clock()
    worker = deliverer(setup.url, clock)
    setup.edit(RULE, {"summary": "Edited once."})
    worker.run_once()
    [delivery] = setup.deliveries(sub)
    return sub, clock, worker, delivery


def _past_the_retry_window(worker, clock) -> None:
    """Run rounds every 10 minutes for two hours: a delivery still refused after its hour's window ends failed."""
    for _ in range(12):
        worker.run_once()
        clock.advance(minutes=10)


def test_deliveries_that_ended_over_the_kept_days_ago_go_with_their_events(setup, receiver):
    # Each write to each subscriber added a delivery and an event that stayed forever: two tables that only grew.
    ok = subscribe(setup.client, setup.hooks, receiver, "/ok", events=["dataset.changed"])
    down = subscribe(setup.client, setup.hooks, receiver, "/down", events=["dataset.changed"])
    clock = Clock()
    worker = deliverer(setup.url, clock, webhooks_retry_hours=1, webhooks_keep_days=2, webhooks_disable_after=5)
    worker.run_once()  # the day job starts today
    setup.edit(RULE, {"summary": "Edited once."})
    receiver.fail_paths = {"/down"}
    _past_the_retry_window(worker, clock)  # /ok gets it at once; /down's delivery ends failed
    [delivered] = setup.deliveries(ok)
    [failed] = setup.deliveries(down)
    assert (delivered["status"], failed["status"]) == ("delivered", "failed")
    assert delivered["event_id"] == failed["event_id"] and _event_ids(setup.url) >= {delivered["event_id"]}

    clock.advance(days=1)
    worker.run_once()  # a day passed: both ended about a day ago, within the two kept
    assert len(setup.deliveries(ok)) == len(setup.deliveries(down)) == 1

    clock.advance(days=1, hours=12)
    worker.run_once()  # both ended two and a half days ago
    assert setup.deliveries(ok) == [] and setup.deliveries(down) == []
    assert delivered["event_id"] not in _event_ids(setup.url)
    retried = setup.client.post(f"/v1/webhooks/{down['id']}/deliveries/{failed['id']}/retry", headers=setup.hooks)
    assert retried.status_code == 404

    # The subscriptions work as before: the next write reaches /ok once.
    setup.edit(RULE, {"summary": "Edited twice."})
    assert worker.run_once().delivered == 1
    assert [d["status"] for d in setup.deliveries(ok)] == ["delivered"]
    worker.stop()


def test_a_pending_delivery_stays_however_old_and_keeps_its_event(setup, receiver):
    slow = subscribe(setup.client, setup.hooks, receiver, "/slow", events=["dataset.changed"])
    quick = subscribe(setup.client, setup.hooks, receiver, "/quick", events=["dataset.changed"])
    clock = Clock()
    worker = deliverer(setup.url, clock, webhooks_retry_hours=24 * 10, webhooks_keep_days=2)
    worker.run_once()
    setup.edit(RULE, {"summary": "Edited once."})
    receiver.fail_paths = {"/slow"}  # refuses, within its ten-day retry window
    worker.run_once()
    [event_id] = {d["event_id"] for d in setup.deliveries(quick)}
    worker.stop()

    # Every deliverer is down for four days; the first round after it prunes before it sends.
    clock.advance(days=4)
    receiver.fail_paths = set()
    worker = deliverer(setup.url, clock, webhooks_retry_hours=24 * 10, webhooks_keep_days=2)
    assert worker.run_once().delivered == 1
    assert setup.deliveries(quick) == []  # delivered four days ago
    [got] = receiver.of("/slow")
    assert got.headers["webhook-id"] == event_id  # the event /slow still awaited was kept
    assert [d["status"] for d in setup.deliveries(slow)] == ["delivered"]
    clock.advance(days=3)
    worker.run_once()
    assert setup.deliveries(slow) == [] and event_id not in _event_ids(setup.url)
    worker.stop()


def test_a_disabled_subscription_keeps_its_deliveries_to_be_retried(setup, receiver):
    down = subscribe(setup.client, setup.hooks, receiver, "/down", events=["dataset.changed"])
    clock = Clock()
    worker = deliverer(setup.url, clock, webhooks_retry_hours=1, webhooks_keep_days=2, webhooks_disable_after=1)
    worker.run_once()
    setup.edit(RULE, {"summary": "Edited once."})
    receiver.fail_paths = {"/down"}
    _past_the_retry_window(worker, clock)
    clock.advance(days=5)
    worker.run_once()
    [failed] = setup.deliveries(down)  # ended five days ago, but it says why the subscription is off
    record = setup.client.get(f"/v1/webhooks/{down['id']}", headers=setup.hooks).json()
    assert failed["status"] == "failed" and record["enabled"] is False

    receiver.fail_paths = set()
    retried = setup.client.post(f"/v1/webhooks/{down['id']}/deliveries/{failed['id']}/retry", headers=setup.hooks)
    assert retried.status_code == 202
    assert worker.run_once().delivered == 1 and len(receiver.of("/down")) == 1
    worker.stop()


def test_prune_goes_by_the_last_attempt_and_deletes_in_chunks(setup, receiver):
    sub = subscribe(setup.client, setup.hooks, receiver, "/r", events=["dataset.changed"])
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=40), now - timedelta(days=1)
    engine = make_engine(setup.url)
    with Session(engine) as session:
        olds = [(f"msg_old{n}", "dataset.changed", {"n": n}, [sub["id"]]) for n in range(5)]
        webhooks.queue_events(session, olds, now=old, retry_until=old)
        session.commit()
        deliveries = session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id))).all()
        for delivery in deliveries:  # delivered 40 days ago
            delivery.status, delivery.attempts = "delivered", 1
            delivery.delivered_at = delivery.last_attempt_at = old
        # Retried by hand yesterday after it was delivered, and failed for good: it ended yesterday.
        deliveries[0].status, deliveries[0].last_attempt_at = "failed", recent
        session.add_all(deliveries)
        session.commit()
        kept_event = deliveries[0].event_id
        assert webhooks.prune(session, now - timedelta(days=30), chunk=2) == 4  # chunks of 2, 2 and none
        left = session.exec(select(WebhookDelivery)).all()
        assert [d.event_id for d in left] == [kept_event]
        assert {e for e in session.exec(select(WebhookEvent.id)).all() if e.startswith("msg_old")} == {kept_event}
    engine.dispose()


def test_a_prune_that_fails_holds_up_neither_the_day_job_nor_sending(setup, receiver, monkeypatch, caplog):
    subscribe(setup.client, setup.hooks, receiver, "/r", events=["dataset.changed"])
    clock = Clock()
    worker = deliverer(setup.url, clock)
    worker.run_once()

    def broken(*args, **kwargs):
        raise OperationalError("DELETE", {}, Exception("canceling statement due to statement timeout"))

    monkeypatch.setattr(webhooks, "prune", broken)
    clock.advance(days=1)
    setup.edit(RULE, {"summary": "Edited on the next day."})
    assert worker.run_once().delivered == 1
    assert "could not delete the webhook deliveries" in caplog.text
    engine = make_engine(setup.url)
    with Session(engine) as session:
        assert webhooks.last_day(session, events.DAY_JOB) == clock.now.date()
    engine.dispose()
    worker.stop()


def test_a_retry_of_a_delivery_deleted_meanwhile_is_404_not_500(setup, receiver, monkeypatch):
    sub, _, worker, delivery = _one_delivered(setup, receiver)
    retry = webhooks.retry

    def pruned_meanwhile(session, *args, **kwargs):
        # The daily prune, in its own transaction, between the route's read of the delivery and its update.
        other = make_engine(setup.url)
        with Session(other) as prune:
            prune.execute(sa_delete(WebhookDelivery).where(col(WebhookDelivery.id) == delivery["id"]))
            prune.commit()
        other.dispose()
        return retry(session, *args, **kwargs)

    monkeypatch.setattr(webhooks, "retry", pruned_meanwhile)  # the module the route calls
    response = setup.client.post(f"/v1/webhooks/{sub['id']}/deliveries/{delivery['id']}/retry", headers=setup.hooks)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    worker.stop()


def test_a_delivery_retried_between_the_prunes_read_and_its_delete_stays(setup, receiver, monkeypatch):
    sub, clock, worker, delivery = _one_delivered(setup, receiver)
    assert delivery["status"] == "delivered"
    engine = make_engine(setup.url)
    real_delete = webhooks.delete

    with Session(engine) as session:

        def read_then_retried(table):
            # The prune has read the keys to delete; a retry makes the delivery pending before the DELETE runs
            # (as PostgreSQL shows a row another transaction changed while the DELETE waited for it).
            if table is WebhookDelivery:
                session.execute(
                    sa_update(WebhookDelivery).where(col(WebhookDelivery.id) == delivery["id"]).values(status="pending")
                )
            return real_delete(table)

        monkeypatch.setattr(webhooks, "delete", read_then_retried)
        assert webhooks.prune(session, clock.now + timedelta(days=1)) == 0
    engine.dispose()
    assert [d["status"] for d in setup.deliveries(sub)] == ["pending"]
    worker.stop()
