"""SQLModel tables of webhooks: the outbox of writes, subscriptions, events, deliveries and the day job's state."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.store import db  # noqa: F401  (applies the naming convention before tables are declared)


class Outbox(SQLModel, table=True):
    """One row per dataset write, added in the write's own transaction; the deliverer turns it into events."""

    __tablename__ = "outbox"
    revision: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    created_at: datetime
    processed_at: datetime | None = Field(default=None, index=True)


class WebhookSubscription(SQLModel, table=True):
    """A receiver URL, the events and answers it wants, and the secret its deliveries are signed with."""

    __tablename__ = "webhook_subscription"
    id: str = Field(primary_key=True)  # wh_<hex>
    key_id: str = Field(index=True)  # the API key that created it, the only one that sees it
    url: str
    secret: str  # whsec_<base64>: kept, because every delivery is signed with it
    # After a rotation the secret it replaced signs deliveries too, until then, so receivers can switch over.
    previous_secret: str | None = None
    previous_secret_until: datetime | None = None
    events: list[str] = Field(sa_column=Column(JSON, nullable=False))
    platforms: list[str] | None = Field(default=None, sa_column=Column(JSON))
    categories: list[str] | None = Field(default=None, sa_column=Column(JSON))
    countries: list[str] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime
    enabled: bool = True
    disabled_reason: str | None = None
    failures: int = 0  # deliveries that ended failed since the last success


class WebhookEvent(SQLModel, table=True):
    """One message, with the stable id receivers de-duplicate by; several subscriptions may receive it."""

    __tablename__ = "webhook_event"
    id: str = Field(primary_key=True)  # msg_<hex>, derived from what caused it
    type: str
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime


class WebhookDelivery(SQLModel, table=True):
    """One event on its way to one subscription: its status, attempts and last answer."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("event_id", "subscription_id"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(
        sa_column=Column(String, ForeignKey("webhook_event.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    subscription_id: str = Field(
        sa_column=Column(String, ForeignKey("webhook_subscription.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    status: str = Field(default="pending", index=True)  # pending | delivered | failed
    attempts: int = 0
    created_at: datetime
    next_attempt_at: datetime | None = Field(default=None, index=True)
    retry_until: datetime
    last_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None


class WebhookJob(SQLModel, table=True):
    """The last day the day job (day-driven answer changes, upcoming deadlines) has handled."""

    __tablename__ = "webhook_job"
    name: str = Field(primary_key=True)
    last_day: date
