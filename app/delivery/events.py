"""Make webhook events: from each write in the outbox, and from each day (answers that change, deadlines ahead)."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.policy import model as pm
from app.serving import diffs
from app.store import history, outbox, repository, webhooks
from app.store.models import Change
from app.store.webhook_models import WebhookSubscription

log = logging.getLogger("trainwatch.webhooks")
UPCOMING_DAYS = (7, 1)
DAY_JOB = "day"
OUTBOX_KEPT = timedelta(days=7)  # how long a handled outbox row stays, for a look at what the deliverer did


def event_id(*cause: Any) -> str:
    """Return a stable message id for what caused an event, so a remade event keeps its id."""
    return "msg_" + hashlib.blake2b("|".join(map(str, cause)).encode(), digest_size=12).hexdigest()


def aware(moment: datetime) -> datetime:
    """Return a stored time as UTC-aware (SQLite hands back naive times)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return aware(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


def payload(event_type: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """Return a delivery body: the event type, when it happened, and its data."""
    return {"type": event_type, "timestamp": _iso(at), "data": data}


def interest(sub: WebhookSubscription) -> diffs.Interest:
    """Return the answers a subscription follows."""

    def wanted(values: list[str] | None) -> frozenset[str] | None:
        return None if values is None else frozenset(values)

    return diffs.Interest(wanted(sub.platforms), wanted(sub.categories), wanted(sub.countries))


def touched_platforms(changes: Iterable[Change]) -> set[str] | None:
    """Return the platforms whose answers a write could change; None when it could change any."""
    found: set[str] = set()
    for change in changes:
        if change.resource == "platform":
            found.add(change.resource_id)
        elif change.resource in ("rule", "deadline"):
            found.update(r["platform"] for r in (change.before, change.after) if r)
        elif change.resource in ("review", "source-check"):
            continue  # they change only how fresh answers are, which is not part of an answer.changed event
        else:  # categories, jurisdictions and sources reach every platform's answers
            return None
    return found


class EventMaker:
    """Turns outbox rows and days into events and queued deliveries; run by the one active deliverer."""

    def __init__(self, engine: Engine, *, retry_window: timedelta, keep: timedelta) -> None:
        self.engine = engine
        self.retry_window = retry_window
        self.keep = keep  # how long a delivery that ended stays listed (TRAINWATCH_WEBHOOKS_KEEP_DAYS)

    def _queue(
        self,
        session: Session,
        eid: str,
        event_type: str,
        body: dict[str, Any],
        subs: Iterable[WebhookSubscription],
        now: datetime,
    ) -> int:
        return self._queue_all(session, [(eid, event_type, body, [sub.id for sub in subs])], now)

    def _queue_all(self, session: Session, queued: list[webhooks.Queued], now: datetime) -> int:
        """Store the events and queue their deliveries at once; return the deliveries asked for."""
        webhooks.queue_events(session, queued, now=now, retry_until=now + self.retry_window)
        return sum(len(subs) for _, _, _, subs in queued)

    def from_writes(self, now: datetime, limit: int = 20) -> int:
        """Make the events of writes not handled yet, each write in one transaction (all at once while nobody is
        subscribed); return deliveries queued."""
        queued = 0
        with Session(self.engine) as session:
            # Nobody to tell: the writes pending are handled in one statement, not a transaction each (with 1 %
            # writes mixed into reads, those took 6 % of the workers' busy time). They are read first: they all
            # happened before a subscription made after that, which would not be told of them anyway.
            last = outbox.pending_up_to(session)
            if last is None:
                return 0
            if not webhooks.enabled(session):
                outbox.mark_all_processed(session, last, now)
                session.commit()
                return 0
            for row in outbox.pending(session, limit):
                queued += self._write_events(session, row.revision, aware(row.created_at), now)
                outbox.mark_processed(session, row, now)
                session.commit()
        return queued

    def _write_events(self, session: Session, revision: int, at: datetime, now: datetime) -> int:
        subs = webhooks.enabled(session)
        answer_subs = _since(webhooks.asking(subs, "answer.changed"), at)
        # Rebuilt before anything is queued: the rebuild may roll the session back to read again, and then the
        # subscriptions are read again too. Without it, one read serves both types of event.
        state = history.records_at(session, revision) if answer_subs else None
        if answer_subs:
            subs = webhooks.enabled(session)
        dataset_subs = _since(webhooks.asking(subs, "dataset.changed"), at)
        if not answer_subs and not dataset_subs:
            return 0  # nobody to tell: the change log is not read (an import's revision can hold 100,000 changes)
        changes = history.changes_of(session, revision)
        queued = 0
        if dataset_subs:
            data = {
                "dataset_revision": revision,
                "changes": [
                    {"resource": c.resource, "resource_id": c.resource_id, "operation": c.operation} for c in changes
                ],
            }
            queued += self._queue(
                session,
                event_id("dataset.changed", revision),
                "dataset.changed",
                payload("dataset.changed", at, data),
                dataset_subs,
                now,
            )
        if not answer_subs:
            return queued
        if state is None:
            log.warning("revision %d can no longer be rebuilt; its answer.changed events are skipped", revision)
            return queued
        after = diffs.snapshot_from_records(revision, state)
        before = diffs.snapshot_from_records(revision - 1, history.undo(state, changes))
        day = at.date()
        interests = {sub.id: interest(sub) for sub in answer_subs}
        found = diffs.changed_answers(before, after, day, day, interests.values(), touched_platforms(changes))
        cause = {"type": "edit", "dataset_revision": revision}
        events: list[webhooks.Queued] = []
        for changed in found:
            told = [
                s.id for s in answer_subs if interests[s.id].covers(changed.platform, changed.category, changed.country)
            ]
            eid = event_id("answer.changed", "edit", revision, changed.platform, changed.category, changed.country)
            data = _answer_data(changed, day, revision, cause)
            events.append((eid, "answer.changed", payload("answer.changed", at, data), told))
        return queued + self._queue_all(session, events, now)

    def from_days(self, now: datetime) -> int:
        """Handle every day from the last one handled up to today (UTC), one transaction each."""
        today = now.date()
        queued = 0
        with Session(self.engine) as session:
            last = webhooks.last_day(session, DAY_JOB)
            if last is None:  # the first run starts today; there is nobody to tell about earlier days
                webhooks.set_last_day(session, DAY_JOB, today)
                session.commit()
                return 0
            day = last + timedelta(days=1)
            # Read once, and only for a day with subscribers to tell: it is a whole second copy of the dataset.
            snapshot = functools.cache(lambda: repository.load_snapshot(session))
            new_day = day <= today
            if new_day:
                # Once a day: the outbox's handled rows serve nothing more (the change log keeps every write).
                outbox.prune(session, now - OUTBOX_KEPT)
            while day <= today:
                queued += self._day_events(session, snapshot, day, now)
                webhooks.set_last_day(session, DAY_JOB, day)
                session.commit()
                day += timedelta(days=1)
        if new_day:
            self.prune_deliveries(now)
        return queued

    def prune_deliveries(self, now: datetime) -> None:
        """Delete deliveries that ended more than the kept days ago (each write to a subscriber adds one)."""
        # In transactions of its own, after the day's events: a failure must not hold up the day job or sending.
        before = now - self.keep
        try:
            with Session(self.engine) as session:
                webhooks.forget_expired_secrets(session, now)  # a secret that signs nothing need not be kept
                pruned = webhooks.prune(session, before)
        except SQLAlchemyError:
            log.warning("could not delete the webhook deliveries that ended before %s", before, exc_info=True)
            return
        if pruned:
            log.info("deleted %d webhook deliveries that ended before %s", pruned, before.isoformat(timespec="seconds"))

    def _day_events(self, session: Session, snapshot: Callable[[], pm.Snapshot], day: date, now: datetime) -> int:
        queued = 0
        at = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        answer_subs = _since(webhooks.subscribers(session, "answer.changed"), at)
        if answer_subs:
            dataset = snapshot()
            interests = {sub.id: interest(sub) for sub in answer_subs}
            found = diffs.changed_answers(
                dataset,
                dataset,
                day - timedelta(days=1),
                day,
                interests.values(),
                diffs.platforms_with_boundaries(dataset, day),
            )
            cause = {"type": "date", "day": day.isoformat()}
            events: list[webhooks.Queued] = []
            for changed in found:
                told = [
                    s.id
                    for s in answer_subs
                    if interests[s.id].covers(changed.platform, changed.category, changed.country)
                ]
                eid = event_id("answer.changed", "date", day, changed.platform, changed.category, changed.country)
                data = _answer_data(changed, day, dataset.revision, cause)
                events.append((eid, "answer.changed", payload("answer.changed", at, data), told))
            queued += self._queue_all(session, events, now)
        deadline_subs = _since(webhooks.subscribers(session, "deadline.upcoming"), at)
        if deadline_subs:
            queued += self._upcoming(session, snapshot(), deadline_subs, day, at, now)
        return queued

    def _upcoming(
        self,
        session: Session,
        snapshot: pm.Snapshot,
        subs: list[WebhookSubscription],
        day: date,
        at: datetime,
        now: datetime,
    ) -> int:
        records = {
            key: record
            for (resource, key), record in history.current_records(session).items()
            if resource == "deadline"
        }
        replaced = {r["replaces"] for r in records.values() if r.get("replaces")}
        queued = 0
        for days in UPCOMING_DAYS:
            target = (day + timedelta(days=days)).isoformat()
            for key, record in sorted(records.items()):
                if record["on"] != target or key in replaced:
                    continue
                wanted = [s for s in subs if _deadline_applies(snapshot, s, record)]
                data = {
                    "deadline": record,
                    "days_before": days,
                    "calendar": f"/v1/deadlines.ics?platform={record['platform']}",
                }
                queued += self._queue(
                    session,
                    event_id("deadline.upcoming", key, record["on"], days),
                    "deadline.upcoming",
                    payload("deadline.upcoming", at, data),
                    wanted,
                    now,
                )
        return queued


def _since(subs: list[WebhookSubscription], at: datetime) -> list[WebhookSubscription]:
    """Keep the subscriptions that existed when the event happened: nobody is told of what came before."""
    return [sub for sub in subs if aware(sub.created_at) <= at]


def _deadline_applies(snapshot: pm.Snapshot, sub: WebhookSubscription, record: dict[str, Any]) -> bool:
    if sub.platforms is not None and record["platform"] not in sub.platforms:
        return False
    return sub.countries is None or any(record["jurisdiction"] in snapshot.chain(c) for c in sub.countries)


def _answer_data(changed: diffs.Changed, day: date, revision: int, cause: dict[str, Any]) -> dict[str, Any]:
    return {
        "platform": changed.platform,
        "category": changed.category,
        "country": changed.country,
        "as_of": day.isoformat(),
        "dataset_revision": revision,
        "before": changed.before,
        "after": changed.after,
        "cause": cause,
    }
