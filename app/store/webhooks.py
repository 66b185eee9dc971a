"""Webhook subscriptions, events and deliveries: every statement the webhooks need."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, exists, insert, update
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, delete, func, select

from app.store.paging import held
from app.store.webhook_models import WebhookDelivery, WebhookEvent, WebhookJob, WebhookSubscription

EVENT_TYPES = ("answer.changed", "dataset.changed", "deadline.upcoming")
PING = "webhook.ping"


def new_secret() -> str:
    """Return a Standard Webhooks secret: whsec_ and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def create_subscription(
    session: Session,
    *,
    key_id: str,
    url: str,
    events: list[str],
    platforms: list[str] | None,
    categories: list[str] | None,
    countries: list[str] | None,
    now: datetime,
) -> WebhookSubscription:
    """Store a new subscription with a fresh secret and return it."""
    sub = WebhookSubscription(
        id="wh_" + secrets.token_hex(8),
        key_id=key_id,
        url=url,
        secret=new_secret(),
        events=events,
        platforms=platforms,
        categories=categories,
        countries=countries,
        created_at=now,
    )
    session.add(sub)
    session.commit()
    session.refresh(sub)
    return sub


def get_subscription(session: Session, sub_id: str, key_id: str | None = None) -> WebhookSubscription | None:
    """Return a subscription (of this key, when given), or None."""
    sub = session.get(WebhookSubscription, sub_id)
    return sub if sub is not None and key_id in (None, sub.key_id) else None


def rotate_secret(
    session: Session, sub: WebhookSubscription, *, now: datetime, keep_previous: timedelta
) -> WebhookSubscription | None:
    """Give a subscription a fresh secret and return it as stored; the one it replaces signs deliveries too for
    `keep_previous` (none at 0), so its receiver can switch over without refusing a delivery. A secret replaced
    earlier stops signing now. None if another rotation changed the secret since `sub` was read (the secret shown to
    that caller must be the one that signs)."""
    keep = keep_previous > timedelta(0)
    statement = (
        update(WebhookSubscription)
        .where(col(WebhookSubscription.id) == sub.id, col(WebhookSubscription.secret) == sub.secret)
        .values(
            secret=new_secret(),
            previous_secret=sub.secret if keep else None,
            previous_secret_until=now + keep_previous if keep else None,
        )
    )
    rotated = session.exec(statement).rowcount == 1
    session.commit()
    if not rotated:
        return None
    session.refresh(sub)
    return sub


def previous_secret_until(sub: WebhookSubscription, now: datetime) -> datetime | None:
    """Return until when the secret a rotation replaced still signs deliveries, or None if none does now."""
    until = sub.previous_secret_until
    if sub.previous_secret is None or until is None:
        return None
    until = until if until.tzinfo else until.replace(tzinfo=UTC)
    return until if until > now else None


def signing_secrets(sub: WebhookSubscription, now: datetime) -> list[str]:
    """Return the secrets a delivery made now is signed with: the subscription's own, then, while it lasts, the one
    it replaced."""
    previous = sub.previous_secret if previous_secret_until(sub, now) is not None else None
    return [sub.secret] if previous is None else [sub.secret, previous]


def count_subscriptions(session: Session, key_id: str) -> int:
    """Return how many subscriptions a key holds."""
    statement = select(func.count()).select_from(WebhookSubscription).where(WebhookSubscription.key_id == key_id)
    return session.exec(statement).one()


def list_subscriptions(session: Session, key_id: str) -> list[WebhookSubscription]:
    """Return a key's subscriptions, oldest first."""
    statement = select(WebhookSubscription).where(WebhookSubscription.key_id == key_id)
    return list(session.exec(statement.order_by(col(WebhookSubscription.created_at), col(WebhookSubscription.id))))


def delete_subscription(session: Session, sub: WebhookSubscription) -> None:
    """Delete a subscription; its deliveries go with it."""
    session.exec(delete(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == sub.id))
    session.delete(sub)
    session.commit()


def enabled(session: Session) -> list[WebhookSubscription]:
    """Return the enabled subscriptions, in id order."""
    statement = select(WebhookSubscription).where(col(WebhookSubscription.enabled).is_(True))
    return list(session.exec(statement.order_by(col(WebhookSubscription.id))).all())


def subscribers(session: Session, event_type: str) -> list[WebhookSubscription]:
    """Return the enabled subscriptions that asked for this type of event."""
    return asking(enabled(session), event_type)


def asking(subs: list[WebhookSubscription], event_type: str) -> list[WebhookSubscription]:
    """Keep the subscriptions that asked for this type of event."""
    return [sub for sub in subs if event_type in sub.events]


Queued = tuple[str, str, dict[str, Any], list[str]]  # an event's id, type and payload, and its subscriptions' ids
QUEUE_CHUNK = 500  # ids in one IN list


def queue_events(session: Session, queued: list[Queued], *, now: datetime, retry_until: datetime) -> None:
    """Store events and queue each for its subscriptions, skipping what is stored already, in a few statements
    whatever their number.

    One write can change thousands of answers for each subscriber: looked up and added one by one, they held
    SQLite's write lock for seconds, and an API write waiting longer than its lock timeout answered 503.
    """
    ids = [eid for eid, _, _, subs in queued if subs]
    stored: set[str] = set()
    done: set[tuple[str, str]] = set()
    for start in range(0, len(ids), QUEUE_CHUNK):
        chunk = ids[start : start + QUEUE_CHUNK]
        stored.update(session.exec(select(WebhookEvent.id).where(col(WebhookEvent.id).in_(chunk))).all())
        pairs = select(WebhookDelivery.event_id, WebhookDelivery.subscription_id)
        done.update(session.exec(pairs.where(col(WebhookDelivery.event_id).in_(chunk))).all())
    events: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    for eid, event_type, payload, subs in queued:
        if not subs:
            continue
        if eid not in stored:
            stored.add(eid)
            events.append({"id": eid, "type": event_type, "payload": payload, "created_at": now})
        times = {"created_at": now, "next_attempt_at": now, "retry_until": retry_until}
        deliveries.extend(
            {**_NEW_DELIVERY, **times, "event_id": eid, "subscription_id": sub_id}
            for sub_id in dict.fromkeys(subs)
            if (eid, sub_id) not in done
        )
    # Through the connection, events first: the ORM would insert the deliveries one by one on SQLite to read back
    # their ids, which nothing here needs.
    for table, rows in ((_EVENTS, events), (_DELIVERIES, deliveries)):
        if rows:
            session.connection().execute(insert(table), rows)


_EVENTS: Table = WebhookEvent.__table__  # type: ignore[attr-defined]
_DELIVERIES: Table = WebhookDelivery.__table__  # type: ignore[attr-defined]
# A new delivery's columns beside its event, subscription and times: the model's defaults, taken from the model.
_NEW_DELIVERY: dict[str, Any] = WebhookDelivery(
    event_id="", subscription_id="", created_at=datetime.min, retry_until=datetime.min
).model_dump(exclude={"id", "event_id", "subscription_id", "created_at", "retry_until"})


def due(session: Session, now: datetime, limit: int = 50) -> list[int]:
    """Return the ids of pending deliveries of enabled subscriptions whose next attempt is due, oldest first."""
    statement = (
        select(WebhookDelivery.id)
        .join(WebhookSubscription, col(WebhookSubscription.id) == col(WebhookDelivery.subscription_id))
        .where(
            WebhookDelivery.status == "pending",
            col(WebhookDelivery.next_attempt_at) <= now,
            col(WebhookSubscription.enabled).is_(True),
        )
        .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        .limit(limit)
    )
    return [i for i in session.exec(statement).all() if i is not None]


@dataclass
class Claimed:
    """A delivery locked for one attempt, with its event and subscription."""

    delivery: WebhookDelivery
    event: WebhookEvent
    subscription: WebhookSubscription


def claim(session: Session, delivery_id: int, now: datetime) -> Claimed | None:
    """Lock a due delivery for an attempt (skipping one another process holds); None if it is not due any more."""
    statement = (
        select(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            col(WebhookDelivery.next_attempt_at) <= now,
        )
        .with_for_update(skip_locked=True)
    )
    delivery = session.exec(statement).first()
    if delivery is None:
        return None
    event = session.get(WebhookEvent, delivery.event_id)
    sub = session.get(WebhookSubscription, delivery.subscription_id)
    if event is None or sub is None or not sub.enabled:
        return None
    return Claimed(delivery, event, sub)


def finish(
    session: Session,
    claimed: Claimed,
    *,
    now: datetime,
    status_code: int | None,
    error: str | None,
    next_attempt_at: datetime | None,
    disable_after: int,
) -> None:
    """Record an attempt: delivered (no error), retried at next_attempt_at, or failed for good (neither)."""
    delivery, sub = claimed.delivery, claimed.subscription
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    delivery.last_error = error
    if error is None:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
        sub.failures = 0
    elif next_attempt_at is not None:
        delivery.next_attempt_at = next_attempt_at
    else:
        delivery.status, delivery.next_attempt_at = "failed", None
        sub.failures += 1
        if sub.failures >= disable_after and sub.enabled:
            sub.enabled = False
            sub.disabled_reason = (
                f"Disabled on {now.isoformat(timespec='seconds')}: {sub.failures} deliveries in a "
                f"row failed after retrying for the whole retry window (last: {error}). Retry a "
                "delivery to enable it again."
            )
    session.add(delivery)
    session.add(sub)
    try:
        session.commit()
    except StaleDataError:
        # The subscription was deleted while its delivery was being sent (SQLite locks no row for the attempt;
        # PostgreSQL's delete waits for it): there is nothing left to record the attempt on.
        session.rollback()


def deliveries(
    session: Session, sub_id: str, *, up_to_id: int | None = None, limit: int, offset: int
) -> tuple[int | None, list[tuple[WebhookDelivery, str]], int]:
    """Return the newest delivery id the page is held to (up_to_id, else the newest now; None if there is none), a
    page of the subscription's deliveries up to it, newest first, each with its event type, and their total."""
    found = held(session, col(WebhookDelivery.id), [col(WebhookDelivery.subscription_id) == sub_id], up_to_id)
    if found is None:
        return None, [], 0
    statement = (
        select(WebhookDelivery, WebhookEvent.type)
        .join(WebhookEvent, col(WebhookEvent.id) == col(WebhookDelivery.event_id))
        .where(*found.where)
        .order_by(col(WebhookDelivery.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return found.up_to, [(delivery, kind) for delivery, kind in session.exec(statement).all()], found.total


def get_delivery(session: Session, sub_id: str, delivery_id: int) -> WebhookDelivery | None:
    """Return one of a subscription's deliveries, or None."""
    delivery = session.get(WebhookDelivery, delivery_id)
    return delivery if delivery is not None and delivery.subscription_id == sub_id else None


def delivery_of(session: Session, event_id: str, sub_id: str) -> WebhookDelivery:
    """Return the delivery of an event to a subscription."""
    return session.exec(
        select(WebhookDelivery).where(WebhookDelivery.event_id == event_id, WebhookDelivery.subscription_id == sub_id)
    ).one()


def event_type(session: Session, event_id: str) -> str:
    """Return an event's type."""
    return session.exec(select(WebhookEvent.type).where(WebhookEvent.id == event_id)).one()


def retry(
    session: Session, sub: WebhookSubscription, delivery: WebhookDelivery, *, now: datetime, retry_until: datetime
) -> None:
    """Make a delivery due now with a fresh retry window, and enable its subscription again."""
    delivery.status, delivery.next_attempt_at, delivery.retry_until = "pending", now, retry_until
    sub.enabled, sub.disabled_reason, sub.failures = True, None, 0
    session.add(delivery)
    session.add(sub)
    session.commit()


PRUNE_CHUNK = 5_000  # rows deleted per transaction: the first prune of a long-grown table stays within the timeout


def forget_expired_secrets(session: Session, now: datetime) -> int:
    """Erase the replaced secrets that stopped signing before now; return how many."""
    statement = (
        update(WebhookSubscription)
        .where(col(WebhookSubscription.previous_secret_until) < now)
        .values(previous_secret=None, previous_secret_until=None)
    )
    forgotten = int(session.exec(statement).rowcount or 0)
    session.commit()
    return forgotten


def prune(session: Session, before: datetime, chunk: int = PRUNE_CHUNK) -> int:
    """Delete deliveries that ended before this instant and events left without any, committing each chunk; return
    the deliveries gone."""
    # Pending deliveries stay, and so do a disabled subscription's: they say why it was disabled and are what a
    # retry enables it with (it gets no new ones meanwhile). An event is remade only by its cause (a write, a day),
    # which the deliverer handles once, so a deleted event is never sent again.
    # A delivery ends with its last attempt: one retried by hand after it was delivered keeps its old delivered_at.
    ended = func.coalesce(WebhookDelivery.last_attempt_at, WebhookDelivery.created_at)
    live = select(WebhookSubscription.id).where(col(WebhookSubscription.enabled).is_(True))
    over = (col(WebhookDelivery.status) != "pending", ended < before, col(WebhookDelivery.subscription_id).in_(live))
    awaited = exists().where(col(WebhookDelivery.event_id) == col(WebhookEvent.id))
    orphaned = (col(WebhookEvent.created_at) < before, ~awaited)
    gone = _delete_in_chunks(session, WebhookDelivery, col(WebhookDelivery.id), over, chunk)
    _delete_in_chunks(session, WebhookEvent, col(WebhookEvent.id), orphaned, chunk)
    return gone


def _delete_in_chunks(session: Session, table: Any, key: Any, where: tuple[Any, ...], chunk: int) -> int:
    """Delete the rows that match, `chunk` keys per transaction; return how many went."""
    gone = 0
    while keys := list(session.exec(select(key).where(*where).limit(chunk)).all()):
        # The conditions again: a row may have changed since it was read (a delivery retried, so pending again);
        # PostgreSQL re-checks a row it waited for.
        result = session.execute(delete(table).where(key.in_(keys), *where))
        session.commit()
        gone += int(getattr(result, "rowcount", 0) or 0)
    return gone


def last_day(session: Session, name: str) -> date | None:
    """Return the last day a day job has handled, or None if it never ran."""
    job = session.get(WebhookJob, name)
    return job.last_day if job is not None else None


def set_last_day(session: Session, name: str, day: date) -> None:
    """Record the last day a day job has handled, in the caller's transaction."""
    session.merge(WebhookJob(name=name, last_day=day))
