"""Webhook subscriptions: create (secret shown once), read, delete; their deliveries, retries and pings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm.exc import StaleDataError
from starlette.responses import Response

from app.api.auth import WebhooksKey
from app.api.bodies import model_body, write_body
from app.api.deps import ServicesDep, SessionDep
from app.api.errors import Problem
from app.api.responses import PageDep, UpToIdDep, next_link, next_page
from app.api.schemas.decisions import problem_responses
from app.delivery.events import aware, event_id, payload
from app.delivery.urls import refusal
from app.policy import QueryError, parse_country
from app.serving.caching import dumps
from app.store import webhooks
from app.store.webhook_models import WebhookDelivery, WebhookSubscription

router = APIRouter(tags=["webhooks"])
EventType = Literal["answer.changed", "dataset.changed", "deadline.upcoming"]
SubId = Annotated[str, Path(description="The subscription's id (wh_...)", examples=["wh_3f2a9c0d1e4b5a69"])]
MAX_DELIVERY_ID = 2**31 - 1  # delivery ids are 32-bit in the schema; a larger one must not reach SQL


EXAMPLE: dict[str, Any] = {
    "url": "https://dashboard.example.com/hooks/trainwatch",
    "events": ["answer.changed", "deadline.upcoming"],
    "platforms": ["instagram"],
    "categories": ["public-posts"],
    "countries": ["DE"],
}


class WebhookIn(BaseModel):
    """A new subscription: where to deliver, which events, and (optional filters) which answers."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    url: str = Field(max_length=2000, description="The receiver: an http(s) URL on a public address.")
    events: list[EventType] = Field(min_length=1, description="The event types to deliver.")
    # An empty filter would match nothing: the subscription would never hear of an answer, so it is refused.
    platforms: list[str] | None = Field(
        default=None, min_length=1, description="Only these platforms (at least one); omitted: all."
    )
    categories: list[str] | None = Field(
        default=None, min_length=1, description="Only these data categories (at least one); omitted: all."
    )
    countries: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Only answers for these countries (ISO 3166-1 alpha-2, at least one); omitted: every country.",
    )


class WebhookOut(BaseModel):
    """A subscription; `secret` appears only in the answers that make it: the creation and each rotation."""

    id: str
    url: str
    events: list[str]
    platforms: list[str] | None
    categories: list[str] | None
    countries: list[str] | None
    created_at: str
    enabled: bool
    disabled_reason: str | None = Field(description="Why deliveries stopped, when the subscription was disabled")
    secret: str | None = Field(
        default=None, description="whsec_...: verify deliveries with it; shown once, when made (created or rotated)"
    )
    previous_secret_until: str | None = Field(
        default=None,
        description="After a rotation: until when deliveries are also signed with the secret it replaced",
    )


class DeliveryOut(BaseModel):
    """One event on its way to a subscription."""

    id: int
    event_id: str = Field(description="The webhook-id header: the same on every attempt, to de-duplicate by")
    type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: str | None
    next_attempt_at: str | None
    retry_until: str
    created_at: str
    delivered_at: str | None


class DeliveryPage(BaseModel):
    """One page of a subscription's deliveries, newest first."""

    items: list[DeliveryOut]
    total: int
    limit: int
    offset: int
    next: str | None = Field(
        description="The URL of the next page (also in a `Link` header); null on the last. It holds the list to "
        "the newest delivery of the first page (`up_to_id`), so deliveries queued while you page do not shift it.",
        examples=["/v1/webhooks/wh_3f9a1c2b/deliveries?up_to_id=812&limit=100&offset=100"],
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else aware(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub_out(sub: WebhookSubscription, *, secret: bool = False) -> dict[str, Any]:
    out = {
        "id": sub.id,
        "url": sub.url,
        "events": sub.events,
        "platforms": sub.platforms,
        "categories": sub.categories,
        "countries": sub.countries,
        "created_at": _iso(sub.created_at),
        "enabled": sub.enabled,
        "disabled_reason": sub.disabled_reason,
        "previous_secret_until": _iso(webhooks.previous_secret_until(sub, datetime.now(UTC))),
    }
    if secret:
        out["secret"] = sub.secret
    return out


def _delivery_out(delivery: WebhookDelivery, kind: str) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "type": kind,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "last_attempt_at": _iso(delivery.last_attempt_at),
        "next_attempt_at": _iso(delivery.next_attempt_at),
        "retry_until": _iso(delivery.retry_until),
        "created_at": _iso(delivery.created_at),
        "delivered_at": _iso(delivery.delivered_at),
    }


def _json(
    payload: Any, status: int = 200, location: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    fixed = {"Cache-Control": "no-store", **({"Location": location} if location else {}), **(headers or {})}
    return Response(dumps(payload), status_code=status, media_type="application/json", headers=fixed)


def _owned(session: SessionDep, webhook_id: SubId, key: WebhooksKey) -> WebhookSubscription:
    """Return the key's subscription, or 404 (another key's subscriptions are not shown either)."""
    sub = webhooks.get_subscription(session, webhook_id, key.id)
    if sub is None:
        raise Problem(404, f"There is no webhook subscription {webhook_id!r} for this key.", title="Unknown webhook")
    return sub


Owned = Annotated[WebhookSubscription, Depends(_owned)]
# Read through the app's body reader (size limit, media type, depth), after the key: never a pydantic body parameter.
WebhookBody = Annotated[WebhookIn, Depends(model_body(WebhookIn, "the subscription"))]


def _known(values: list[str] | None, valid: list[str], param: str) -> list[str] | None:
    if values is None:
        return None
    unknown = [v for v in values if v not in valid]
    if unknown:
        raise Problem(
            422, f"Unknown {param}: {', '.join(unknown)}.", title="Invalid parameter", param=param, valid=valid
        )
    return list(dict.fromkeys(values))


def _countries(services: ServicesDep, values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    snapshot = services.store.snapshot
    try:
        return list(dict.fromkeys(str(parse_country(snapshot, v)) for v in values))
    except QueryError as exc:
        raise Problem(422, exc.detail, title="Invalid parameter", param="countries") from None


def _wake(services: ServicesDep) -> None:
    if services.deliverer is not None:
        services.deliverer.wake()


@router.post(
    "/webhooks",
    summary="Subscribe to webhooks",
    status_code=201,
    response_model=WebhookOut,
    responses=problem_responses(401, 403, 409, 413, 422),
    openapi_extra=write_body(WebhookIn, EXAMPLE),
)
def create_webhook(services: ServicesDep, session: SessionDep, key: WebhooksKey, body: WebhookBody) -> Response:
    """Deliver the chosen events to the URL, signed per Standard Webhooks with the `secret` this answer shows
    once. Filters (`platforms`, `categories`, `countries`) pick the answers `answer.changed` follows and the
    deadlines `deadline.upcoming` announces. URLs resolving to loopback, private or link-local addresses are
    refused (422). A key holds at most `TRAINWATCH_WEBHOOKS_MAX_PER_KEY` subscriptions (100 by default): one more is
    409 until one is deleted. Needs a key with webhooks scope."""
    limit = services.settings.webhooks_max_per_key
    held = webhooks.count_subscriptions(session, key.id)
    if held >= limit:
        raise _too_many(key.id, held, limit)
    reason = refusal(body.url, allow_private=services.settings.webhooks_allow_private)
    if reason is not None:
        raise Problem(422, reason, title="Receiver URL refused", param="url")
    snapshot = services.store.snapshot
    platforms = _known(body.platforms, sorted(snapshot.platforms), "platforms")
    categories = _known(body.categories, sorted(snapshot.categories), "categories")
    countries = _countries(services, body.countries)
    sub = webhooks.create_subscription(
        session,
        key_id=key.id,
        url=body.url,
        events=list(dict.fromkeys(body.events)),
        platforms=platforms,
        categories=categories,
        countries=countries,
        now=datetime.now(UTC),
    )
    held = webhooks.count_subscriptions(session, key.id)
    if held > limit:  # concurrent subscriptions of one key all passed the check above: each that overshot goes again
        webhooks.delete_subscription(session, sub)
        raise _too_many(key.id, held - 1, limit)
    return _json(_sub_out(sub, secret=True), 201, location=f"/v1/webhooks/{sub.id}")


def _too_many(key_id: str, held: int, limit: int) -> Problem:
    """Return the 409 for a key that holds as many subscriptions as it may."""
    # Every write queues a delivery for each matching subscription: unbounded, one key could make each write queue as
    # many as it liked.
    return Problem(
        409,
        f"The API key {key_id} holds {held} webhook subscriptions, the most one key may hold ({limit}); "
        "delete one (DELETE /v1/webhooks/{id}) before subscribing again.",
        title="Too many webhook subscriptions",
        limit=limit,
    )


@router.get(
    "/webhooks",
    summary="List your webhook subscriptions",
    response_model=list[WebhookOut],
    responses=problem_responses(401, 403),
)
def list_webhooks(session: SessionDep, key: WebhooksKey) -> Response:
    """The subscriptions of the key that asks, oldest first (never their secrets)."""
    return _json([_sub_out(sub) for sub in webhooks.list_subscriptions(session, key.id)])


@router.get(
    "/webhooks/{webhook_id}",
    summary="Get a webhook subscription",
    response_model=WebhookOut,
    responses=problem_responses(401, 403, 404),
)
def get_webhook(sub: Owned) -> Response:
    """One subscription: its filters, and whether it is enabled (or why it was disabled)."""
    return _json(_sub_out(sub))


@router.delete(
    "/webhooks/{webhook_id}",
    summary="Delete a webhook subscription",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
)
def delete_webhook(request: Request, session: SessionDep, sub: Owned) -> Response:
    """Stop delivering: the subscription and its pending deliveries are removed. A subscription has no ETag, so
    `If-Match` holds only as `*` (412 otherwise), and `If-None-Match: *` never does."""
    _preconditions(request, "nothing was deleted")
    webhooks.delete_subscription(session, sub)
    return Response(status_code=204)


def _preconditions(request: Request, undone: str) -> None:
    """Refuse what RFC 9110 section 13.1 says a server must not do: a method whose precondition fails. A subscription
    carries no entity tag: a listed tag never matches it, and `*` always does (it exists). `undone` says what
    did not happen."""
    if_match = request.headers.get("if-match")
    if if_match is not None and if_match.strip() != "*":
        raise Problem(
            412,
            f"A webhook subscription has no ETag, so no tag in If-Match matches it; {undone}.",
            title="Precondition failed",
            param="If-Match",
        )
    if (request.headers.get("if-none-match") or "").strip() == "*":
        raise Problem(
            412,
            f"If-None-Match: * fails: the subscription exists; {undone}.",
            title="Precondition failed",
            param="If-None-Match",
        )


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    summary="List a subscription's deliveries",
    response_model=DeliveryPage,
    responses=problem_responses(401, 403, 404),
)
def list_deliveries(
    request: Request,
    session: SessionDep,
    sub: Owned,
    page: PageDep,
    up_to_id: UpToIdDep,
) -> Response:
    """Newest first: status (`pending`, `delivered`, `failed`), attempts, and the last response code or error.

    A delivery that ended (delivered or failed) is deleted 30 days after its last attempt
    (`TRAINWATCH_WEBHOOKS_KEEP_DAYS`), unless the subscription is disabled; pending ones always stay.
    """
    pin, rows, total = webhooks.deliveries(session, sub.id, up_to_id=up_to_id, limit=page.limit, offset=page.offset)
    next_url = next_page(request, total, page, None if pin is None else {"up_to_id": pin})
    payload = {
        "items": [_delivery_out(d, kind) for d, kind in rows],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
        "next": next_url,
    }
    return _json(payload, headers=next_link(next_url))


MAX_KEEP_HOURS = 168  # a week: long enough for any receiver's deploy, short enough that a leaked secret dies


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    summary="Rotate a subscription's secret",
    response_model=WebhookOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def rotate_webhook_secret(
    request: Request,
    session: SessionDep,
    sub: Owned,
    keep_previous_hours: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_KEEP_HOURS,
            description="Hours the secret being replaced also signs deliveries, so the receiver can switch without "
            "refusing one (each delivery then carries two signatures); 0 stops it at once, as for a leaked secret.",
        ),
    ] = 24,
) -> Response:
    """Give the subscription a new secret, shown in this answer only. Deliveries are signed with it from now on, and
    with the secret it replaces too until `previous_secret_until` (`keep_previous_hours`, 24 by default): verify with
    either meanwhile (Standard Webhooks receivers accept any signature they can verify). A secret replaced by an
    earlier rotation stops signing now. Needs the webhooks key that made the subscription. `If-Match` holds only as
    `*` (a subscription has no ETag)."""
    _preconditions(request, "the secret was not rotated")
    now = datetime.now(UTC)
    rotated = webhooks.rotate_secret(session, sub, now=now, keep_previous=timedelta(hours=keep_previous_hours))
    if rotated is None:
        raise Problem(
            409,
            f"Subscription {sub.id}'s secret was rotated by another request meanwhile; that request's answer holds the "
            "secret that signs now. Rotate again for one of your own.",
            title="Rotated meanwhile",
        )
    return _json(_sub_out(rotated, secret=True))


def _unknown_delivery(sub_id: str, delivery_id: int) -> Problem:
    """Return the 404 for a delivery the subscription does not have (any more)."""
    return Problem(404, f"Subscription {sub_id} has no delivery {delivery_id}.", title="Unknown delivery")


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    summary="Retry a delivery",
    status_code=202,
    response_model=DeliveryOut,
    responses=problem_responses(401, 403, 404, 422),
)
def retry_delivery(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    sub: Owned,
    delivery_id: Annotated[int, Path(ge=1, le=MAX_DELIVERY_ID, description="The delivery's id")],
) -> Response:
    """Send the delivery again now, with a fresh retry window, whatever its status; this also enables a
    subscription that was disabled after repeated failures. `If-Match` holds only as `*`."""
    now = datetime.now(UTC)
    delivery = webhooks.get_delivery(session, sub.id, delivery_id)
    if delivery is None:  # before the preconditions: an error stays the error (RFC 9110 section 13.2.1)
        raise _unknown_delivery(sub.id, delivery_id)
    _preconditions(request, "nothing was retried")
    try:
        webhooks.retry(
            session, sub, delivery, now=now, retry_until=now + timedelta(hours=services.settings.webhooks_retry_hours)
        )
    except StaleDataError:  # the daily prune deleted it after it was read
        session.rollback()
        raise _unknown_delivery(sub.id, delivery_id) from None
    out = _delivery_out(delivery, webhooks.event_type(session, delivery.event_id))
    _wake(services)
    return _json(out, 202)


@router.post(
    "/webhooks/{webhook_id}/ping",
    summary="Send a test delivery",
    status_code=202,
    response_model=DeliveryOut,
    responses=problem_responses(401, 403, 404),
)
def ping(request: Request, services: ServicesDep, session: SessionDep, sub: Owned) -> Response:
    """Queue a `webhook.ping` event for this subscription, signed like every delivery; follow it in its deliveries.
    `If-Match` holds only as `*`."""
    _preconditions(request, "no ping was sent")
    now = datetime.now(UTC)
    eid = event_id("webhook.ping", sub.id, now.isoformat())
    ping_event = (eid, webhooks.PING, payload(webhooks.PING, now, {"webhook_id": sub.id}), [sub.id])
    retry_until = now + timedelta(hours=services.settings.webhooks_retry_hours)
    webhooks.queue_events(session, [ping_event], now=now, retry_until=retry_until)
    session.commit()
    out = _delivery_out(webhooks.delivery_of(session, eid, sub.id), webhooks.PING)
    _wake(services)
    return _json(out, 202)
