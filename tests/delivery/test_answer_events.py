"""answer.changed and dataset.changed from API edits, and day-driven events after midnight (fake clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select
from webhook_support import Clock, deliverer, subscribe

from app.delivery import events
from app.store import outbox, webhooks
from app.store.db import make_engine
from app.store.webhook_models import Outbox

RULE = "/v1/rules/instagram-eea-public-posts-2025"
NOT_USED = {"treatment": "not_used", "opt_out": None, "min_age": None, "summary": "Not used after all."}


def test_an_edit_gives_one_answer_changed_per_affected_subscription_and_none_to_others(setup, receiver):
    follows = subscribe(
        setup.client,
        setup.hooks,
        receiver,
        "/de",
        events=["answer.changed"],
        platforms=["instagram"],
        categories=["public-posts"],
        countries=["de"],
    )
    assert follows["countries"] == ["DE"]
    subscribe(
        setup.client, setup.hooks, receiver, "/other", events=["answer.changed"], platforms=["x"], countries=["DE"]
    )
    subscribe(
        setup.client,
        setup.hooks,
        receiver,
        "/us",
        events=["answer.changed"],
        platforms=["instagram"],
        categories=["public-posts"],
        countries=["US"],
    )
    subscribe(setup.client, setup.hooks, receiver, "/all", events=["dataset.changed"])
    worker = deliverer(setup.url, Clock())
    worker.run_once()
    assert receiver.accepted == []

    setup.edit(RULE, NOT_USED)
    done = worker.run_once()
    assert done.leader and done.delivered == 2
    [changed] = receiver.of("/de")
    assert changed.type == "answer.changed"
    data = changed.body["data"]
    assert (data["platform"], data["category"], data["country"]) == ("instagram", "public-posts", "DE")
    assert data["before"]["verdict"] == "conditional" and data["after"]["verdict"] == "not_used"
    assert data["cause"] == {"type": "edit", "dataset_revision": 2}
    assert changed.headers["webhook-id"].startswith("msg_")
    assert receiver.of("/other") == [] and receiver.of("/us") == []
    [dataset] = receiver.of("/all")
    assert dataset.body["data"]["dataset_revision"] == 2
    assert dataset.body["data"]["changes"] == [
        {"resource": "rule", "resource_id": RULE.rsplit("/", 1)[1], "operation": "update"}
    ]
    assert worker.run_once().attempted == 0  # nothing is made or sent twice
    worker.stop()


def test_a_rule_starting_tomorrow_gives_its_event_after_midnight(setup, receiver):
    clock = Clock()
    worker = deliverer(setup.url, clock)
    worker.run_once()  # the day job starts today
    subscribe(
        setup.client,
        setup.hooks,
        receiver,
        "/aq",
        events=["answer.changed"],
        platforms=["facebook"],
        categories=["usage-data"],
        countries=["AQ"],
    )
    tomorrow = clock.now.date() + timedelta(days=1)
    rule = {
        "id": "facebook-aq-usage-data-test",
        "platform": "facebook",
        "category": "usage-data",
        "jurisdiction": "AQ",
        "treatment": "used",
        "effective_from": tomorrow.isoformat(),
        "summary": "Used from tomorrow (a test).",
        "sources": [{"id": "M1", "quote": "a test quote", "where": None}],
    }
    assert setup.client.post("/v1/rules", json=rule, headers=setup.write).status_code == 201
    worker.run_once()
    assert receiver.of("/aq") == []  # today's answer did not change

    clock.now = clock.now.replace(hour=23, minute=59)
    worker.run_once()
    assert receiver.of("/aq") == []
    clock.advance(minutes=2)  # past midnight UTC
    worker.run_once()
    [event] = receiver.of("/aq")
    data = event.body["data"]
    assert data["cause"] == {"type": "date", "day": tomorrow.isoformat()}
    assert data["before"]["verdict"] == "unknown" and data["after"]["verdict"] == "used"
    assert data["after"]["rule_id"] == "facebook-aq-usage-data-test"
    assert event.body["timestamp"] == f"{tomorrow.isoformat()}T00:00:00Z"
    clock.advance(hours=1)
    worker.run_once()
    assert len(receiver.of("/aq")) == 1
    worker.stop()


def test_days_missed_while_down_are_caught_up(setup, receiver):
    clock = Clock()
    worker = deliverer(setup.url, clock)
    worker.run_once()
    subscribe(
        setup.client,
        setup.hooks,
        receiver,
        "/aq",
        events=["answer.changed", "deadline.upcoming"],
        platforms=["facebook"],
        countries=["AQ"],
    )
    start = clock.now.date()
    rule = {
        "id": "facebook-aq-usage-data-test",
        "platform": "facebook",
        "category": "usage-data",
        "jurisdiction": "AQ",
        "treatment": "used",
        "effective_from": (start + timedelta(days=2)).isoformat(),
        "summary": "Used from the day after tomorrow (a test).",
        "sources": [{"id": "M1", "quote": "a test quote", "where": None}],
    }
    deadline = {
        "id": "facebook-aq-test-deadline",
        "platform": "facebook",
        "jurisdiction": "AQ",
        "kind": "objection-deadline",
        "on": (start + timedelta(days=9)).isoformat(),
        "summary": "A made-up deadline.",
        "sources": ["M1"],
    }
    assert setup.client.post("/v1/rules", json=rule, headers=setup.write).status_code == 201
    assert setup.client.post("/v1/deadlines", json=deadline, headers=setup.write).status_code == 201
    worker.run_once()
    worker.stop()  # down for five days
    clock.advance(days=5)
    restarted = deliverer(setup.url, clock)
    restarted.run_once()
    [answer] = receiver.of("/aq", "answer.changed")
    assert answer.body["data"]["cause"]["day"] == (start + timedelta(days=2)).isoformat()
    [upcoming] = receiver.of("/aq", "deadline.upcoming")
    assert upcoming.body["data"]["days_before"] == 7
    assert upcoming.body["data"]["deadline"]["id"] == "facebook-aq-test-deadline"
    restarted.stop()


def test_without_subscribers_a_round_reads_neither_the_change_log_nor_a_second_dataset(setup, monkeypatch):
    # An import's revision can hold 100,000 changes, and a second dataset is a second copy in memory: a leader
    # with nobody to tell must not read them (a worker grew by 190 MiB at start-up with 100,000 extra rules).
    clock = Clock()
    worker = deliverer(setup.url, clock)
    worker.run_once()  # the day job starts today
    setup.edit("/v1/rules/facebook-eea-public-posts-2025", {"notes": ["an edit nobody subscribed to"]})
    clock.advance(hours=30)  # past midnight UTC: a day to handle

    def forbidden(*args, **kwargs):
        raise AssertionError("read although nobody subscribed")

    monkeypatch.setattr(events.history, "changes_of", forbidden)
    monkeypatch.setattr(events.repository, "load_snapshot", forbidden)
    done = worker.run_once()
    assert done.leader and done.queued == 0
    with Session(make_engine(setup.url)) as session:
        assert outbox.pending(session, 10) == []  # the edit's outbox row is handled all the same
        assert webhooks.last_day(session, events.DAY_JOB) == clock.now.date()
    worker.stop()


def test_without_subscribers_every_pending_write_is_handled_in_one_statement(setup, monkeypatch):
    # A transaction per write took 6 % of the workers' busy time with 1 % writes mixed into reads, and the 20 a
    # round handled fell behind 30 writes a second.
    clock = Clock()
    worker = deliverer(setup.url, clock)
    worker.run_once()
    for n in range(25):  # more than a round handles one at a time
        setup.edit("/v1/rules/facebook-eea-public-posts-2025", {"notes": [f"edit {n} nobody subscribed to"]})

    def forbidden(*args, **kwargs):
        raise AssertionError("a write handled on its own although nobody subscribed")

    monkeypatch.setattr(events.EventMaker, "_write_events", forbidden)
    monkeypatch.setattr(events.outbox, "mark_processed", forbidden)
    assert worker.run_once().queued == 0
    with Session(make_engine(setup.url)) as session:
        assert outbox.pending(session, 100) == []
    worker.stop()


def test_a_subscriber_still_gets_each_write_made_after_it(setup, receiver):
    # With one subscription enabled, writes are handled one by one again: the shortcut is for nobody at all.
    clock = Clock()
    worker = deliverer(setup.url, clock)
    worker.run_once()
    setup.edit("/v1/rules/facebook-eea-public-posts-2025", {"notes": ["before anyone subscribed"]})
    worker.run_once()  # nobody to tell: handled without events
    subscribe(setup.client, setup.hooks, receiver, "/all", events=["dataset.changed"])
    for n in range(3):
        setup.edit("/v1/rules/facebook-eea-public-posts-2025", {"notes": [f"edit {n} after subscribing"]})
    worker.run_once()
    told = receiver.of("/all", "dataset.changed")
    assert len(told) == 3
    assert len({event.body["data"]["dataset_revision"] for event in told}) == 3
    worker.stop()


def test_marking_pending_writes_stops_at_the_revision_read(seeded_url):
    # A write committed after the leader read the pending ones is left for the next round, which reads the
    # subscriptions again.
    engine = make_engine(seeded_url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        start = (outbox.pending_up_to(session) or 0) + 1000
        for revision in (start, start + 1, start + 2):
            outbox.record_write(session, revision, now)
        session.commit()
        assert outbox.pending_up_to(session) == start + 2
        outbox.mark_all_processed(session, start + 1, now)
        session.commit()
        assert [row.revision for row in outbox.pending(session, 100)] == [start + 2]
    engine.dispose()


def test_the_day_job_deletes_outbox_rows_handled_over_a_week_ago(setup):
    # One row per write, kept forever, was a table that only grew (1 % writes in the bench: 100 rows a second).
    clock = Clock()
    worker = deliverer(setup.url, clock)
    worker.run_once()  # the day job starts today; the seed's rows are handled
    engine = make_engine(setup.url)
    with Session(engine) as session:
        seeded = len(session.exec(select(Outbox)).all())
        assert seeded and outbox.pending(session, 10) == []
    clock.advance(days=3)
    setup.edit("/v1/rules/facebook-eea-public-posts-2025", {"notes": ["handled three days after the seed"]})
    worker.run_once()  # a day passed: nothing handled is a week old yet
    with Session(engine) as session:
        assert len(session.exec(select(Outbox)).all()) == seeded + 1
    clock.advance(days=5)  # the seed's rows were handled 8 days ago, the edit's 5
    setup.edit("/v1/rules/facebook-eea-public-posts-2025", {"notes": ["pending when the day job runs"]})
    worker.maker.from_days(clock.now)  # the day job alone: the new write is still pending
    with Session(engine) as session:
        left = session.exec(select(Outbox)).all()
        assert len(left) == 2 and sum(row.processed_at is None for row in left) == 1
    worker.stop()
    engine.dispose()
