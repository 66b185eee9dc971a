"""Durable delivery: retries with backoff, failure after the window, restarts, and one deliverer among many."""

from __future__ import annotations

import threading

from webhook_support import Clock, deliverer, subscribe

from app.delivery.deliverer import backoff

RULE = "/v1/rules/instagram-eea-public-posts-2025"


def test_backoff_doubles_with_jitter_up_to_two_hours():
    assert [backoff(n, lambda: 1.0).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert backoff(2, lambda: 0.0).total_seconds() == 10  # jitter: half to all of the step
    assert backoff(30, lambda: 1.0).total_seconds() == 7200


def test_a_receiver_failing_then_recovering_gets_the_event_once(setup, receiver):
    sub = subscribe(setup.client, setup.hooks, receiver, "/flaky", events=["dataset.changed"])
    clock = Clock()
    worker = deliverer(setup.url, clock)
    setup.edit(RULE, {"summary": "Edited once."})
    receiver.fail_with = 503
    assert worker.run_once().attempted == 1
    [delivery] = setup.deliveries(sub)
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("pending", 1, 503)
    assert worker.run_once().attempted == 0  # not due before its backoff
    receiver.fail_with = None
    clock.advance(seconds=10)
    assert worker.run_once().delivered == 1
    [got] = receiver.of("/flaky")
    assert got.headers["webhook-id"] == delivery["event_id"]
    [delivery] = setup.deliveries(sub)
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("delivered", 2, 204)
    clock.advance(hours=1)
    assert worker.run_once().attempted == 0 and len(receiver.accepted) == 1
    worker.stop()


def test_a_receiver_down_past_the_window_ends_failed_and_the_subscription_disabled(setup, receiver):
    sub = subscribe(setup.client, setup.hooks, receiver, "/down", events=["dataset.changed"])
    clock = Clock()
    worker = deliverer(setup.url, clock, webhooks_disable_after=1)
    setup.edit(RULE, {"summary": "Edited once."})
    receiver.fail_with = 500
    for _ in range(30):  # a day and a bit, every hour
        worker.run_once()
        clock.advance(hours=1)
    [delivery] = setup.deliveries(sub)
    assert delivery["status"] == "failed" and delivery["next_attempt_at"] is None
    assert 10 <= delivery["attempts"] <= 25 and delivery["last_error"] == "HTTP 500"
    record = setup.client.get(f"/v1/webhooks/{sub['id']}", headers=setup.hooks).json()
    assert record["enabled"] is False and "failed" in record["disabled_reason"]
    assert len(receiver.refused) == delivery["attempts"]

    # A retry by hand enables it again and delivers once the receiver is back.
    receiver.fail_with = None
    retried = setup.client.post(f"/v1/webhooks/{sub['id']}/deliveries/{delivery['id']}/retry", headers=setup.hooks)
    assert retried.status_code == 202 and retried.json()["status"] == "pending"
    assert setup.client.get(f"/v1/webhooks/{sub['id']}", headers=setup.hooks).json()["enabled"] is True
    assert worker.run_once().delivered == 1
    assert len(receiver.of("/down")) == 1
    worker.stop()


def test_a_deliverer_stopped_mid_retry_resumes_after_restart_with_nothing_lost(setup, receiver):
    sub = subscribe(setup.client, setup.hooks, receiver, "/r", events=["dataset.changed"])
    clock = Clock()
    first = deliverer(setup.url, clock)
    for n in range(3):
        setup.edit(RULE, {"summary": f"Edit {n}."})
    receiver.fail_with = 502
    assert first.run_once().attempted == 3
    first.stop()  # the process goes away between retries
    setup.edit(RULE, {"summary": "Edit while nobody delivers."})
    receiver.fail_with = None
    clock.advance(minutes=5)
    second = deliverer(setup.url, clock)
    assert second.run_once().delivered == 4
    revisions = sorted(d.body["data"]["dataset_revision"] for d in receiver.of("/r"))
    assert revisions == [2, 3, 4, 5]
    assert {d["status"] for d in setup.deliveries(sub)} == {"delivered"}
    second.stop()


def test_two_workers_deliver_each_event_exactly_once(setup, receiver):
    subscribe(setup.client, setup.hooks, receiver, "/two", events=["dataset.changed"])
    clock = Clock()
    workers = [deliverer(setup.url, clock), deliverer(setup.url, clock)]
    rounds: list = []

    def run(worker) -> None:
        for _ in range(5):
            rounds.append(worker.run_once())

    for batch in range(3):
        for n in range(3):
            setup.edit(RULE, {"summary": f"Batch {batch}, edit {n}."})
        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    ids = [d.headers["webhook-id"] for d in receiver.of("/two")]
    assert len(ids) == 9 and len(set(ids)) == 9
    assert sum(r.leader for r in rounds) == 15  # one worker led every round, the other none
    # When the leader stops, the other takes over.
    leader = next(w for w in workers if w.lock.acquire())
    other = workers[1 - workers.index(leader)]
    assert not other.run_once().leader
    leader.stop()
    setup.edit(RULE, {"summary": "After the hand-over."})
    assert other.run_once().delivered == 1
    assert len(receiver.of("/two")) == 10
    other.stop()


def test_a_retry_waits_its_backoff_from_the_end_of_a_slow_attempt(setup, receiver):
    """A round of slow receivers must not eat into the backoff: it counts from when the attempt ended."""
    from datetime import datetime, timedelta

    sub = subscribe(setup.client, setup.hooks, receiver, "/slow", events=["dataset.changed"])
    clock = Clock()
    started = clock.now
    worker = deliverer(setup.url, clock)
    setup.edit(RULE, {"summary": "Edited once."})

    def slow_failure(path, headers, body):
        clock.advance(seconds=60)  # the receiver took a minute to fail
        receiver.refused.append((path, 503))
        return 503

    receiver.handle = slow_failure
    assert worker.run_once().attempted == 1
    [delivery] = setup.deliveries(sub)
    last = datetime.fromisoformat(delivery["last_attempt_at"].replace("Z", "+00:00"))
    retry = datetime.fromisoformat(delivery["next_attempt_at"].replace("Z", "+00:00"))
    assert last - started >= timedelta(seconds=59)  # the API gives whole seconds
    assert retry - last >= timedelta(seconds=5)  # the first backoff: 10 s, jittered down to half at most
    worker.stop()


def test_an_attempt_whose_subscription_was_deleted_meanwhile_records_nothing(setup, receiver):
    """Deleting a subscription while its delivery is being sent leaves nothing to record the attempt on: the round
    goes on (SQLite does not lock the delivery for the attempt; PostgreSQL's delete waits for it)."""
    from sqlalchemy import delete
    from sqlmodel import Session, select

    from app.store import webhooks
    from app.store.db import make_engine
    from app.store.webhook_models import WebhookDelivery

    subscribe(setup.client, setup.hooks, receiver, "/gone", events=["dataset.changed"])
    setup.edit(RULE, {"summary": "Edited once."})
    clock = Clock()
    worker = deliverer(setup.url, clock)
    worker.maker.from_writes(clock())  # the event and its delivery, not yet sent
    engine = make_engine(setup.url)
    with Session(engine) as session:
        [delivery_id] = webhooks.due(session, clock())
        claimed = webhooks.claim(session, delivery_id, clock())
        assert claimed is not None
        # The delete, as it would reach the row while the receiver is being called (from this session: another one
        # would wait for the row's lock on PostgreSQL).
        session.connection().execute(delete(WebhookDelivery).where(WebhookDelivery.id == delivery_id))
        webhooks.finish(
            session, claimed, now=clock(), status_code=204, error=None, next_attempt_at=None, disable_after=3
        )  # no StaleDataError: the round goes on
        # Rolled back with the attempt (this test's delete too): nothing was recorded on the row.
        row = session.exec(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)).one()
        assert (row.status, row.attempts) == ("pending", 0)
    engine.dispose()
    worker.stop()
