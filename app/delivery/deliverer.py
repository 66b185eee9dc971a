"""The deliverer: the one process that makes events and sends them, signed, retrying with backoff for a day."""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session
from standardwebhooks import Webhook

from app.delivery.events import EventMaker, aware
from app.delivery.leader import LeaderLock
from app.delivery.urls import refusal
from app.settings import Settings
from app.store import webhooks
from app.store.failures import classify

log = logging.getLogger("trainwatch.webhooks")
Clock = Callable[[], datetime]
FIRST_RETRY = timedelta(seconds=10)  # then doubled per failed attempt, up to MAX_RETRY, each with jitter
MAX_RETRY = timedelta(hours=2)
USER_AGENT = "Trainwatch-Webhooks/1"


def utc_now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


def backoff(attempts: int, rand: Callable[[], float] = random.random) -> timedelta:
    """Return the wait after the attempts-th failed attempt: doubling from 10 s up to 2 h, jittered to 50-100 %."""
    base = min(FIRST_RETRY * 2 ** max(0, attempts - 1), MAX_RETRY)
    return timedelta(seconds=base.total_seconds() * (0.5 + rand() / 2))


@dataclass
class Round:
    """What one round of the deliverer did."""

    leader: bool
    queued: int = 0
    attempted: int = 0
    delivered: int = 0


class Deliverer:
    """Makes events from writes and days, and sends due deliveries; only the holder of the leader lock acts."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        client: httpx.Client | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.rand = rand
        self.retry_window = timedelta(hours=settings.webhooks_retry_hours)
        self.maker = EventMaker(
            engine, retry_window=self.retry_window, keep=timedelta(days=settings.webhooks_keep_days)
        )
        self.lock = LeaderLock(engine)
        self.client = client or httpx.Client(
            timeout=settings.webhooks_timeout_seconds, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        )
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._problem: str | None = None  # why the last round failed; None if it worked

    def run_once(self) -> Round:
        """Make the events of new writes and of days passed, then send every due delivery."""
        if not self.lock.acquire():
            return Round(leader=False)
        now = self.clock()
        done = Round(leader=True)
        done.queued = self.maker.from_writes(now) + self.maker.from_days(now)
        with Session(self.engine) as session:
            due = webhooks.due(session, now)
        for delivery_id in due:
            outcome = self._attempt(delivery_id, now)
            if outcome is not None:
                done.attempted += 1
                done.delivered += outcome
        return done

    def _attempt(self, delivery_id: int, now: datetime) -> bool | None:
        """Send one delivery and record the outcome; None if another process had it."""
        with Session(self.engine) as session:
            claimed = webhooks.claim(session, delivery_id, now)
            if claimed is None:
                return None
            # As of sending, not of the round's start: a round of slow receivers must not stretch a replaced secret.
            signing = webhooks.signing_secrets(claimed.subscription, max(now, self.clock()))
            status, error = self._send(claimed.subscription.url, signing, claimed.event.id, claimed.event.payload)
            # The attempt ends now, not when the round began: a round of slow receivers must not eat into the backoff.
            ended = max(now, self.clock())
            next_at = None
            if error is not None:
                attempt_at = ended + backoff(claimed.delivery.attempts + 1, self.rand)
                next_at = attempt_at if attempt_at <= aware(claimed.delivery.retry_until) else None
            webhooks.finish(
                session,
                claimed,
                now=ended,
                status_code=status,
                error=error,
                next_attempt_at=next_at,
                disable_after=self.settings.webhooks_disable_after,
            )
            if error is not None:
                log.info(
                    "delivery %d to %s failed (%s); %s",
                    delivery_id,
                    claimed.subscription.id,
                    error,
                    f"next attempt {next_at.isoformat()}" if next_at else "gave up",
                )
            return error is None

    def _send(
        self, url: str, signing: list[str], message_id: str, body: dict[str, Any]
    ) -> tuple[int | None, str | None]:
        """POST one delivery signed with each secret; return its status code and an error, None if the receiver took
        it."""
        reason = refusal(url, allow_private=self.settings.webhooks_allow_private)
        if reason is not None:
            return None, f"refused: {reason}"
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        # The signature's time is the wall clock: receivers check it against theirs (5 minutes of tolerance).
        sent_at = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            # Standard Webhooks lists several signatures apart by spaces; a receiver accepts any one it can verify.
            "webhook-signature": " ".join(Webhook(secret).sign(message_id, sent_at, data) for secret in signing),
        }
        try:
            response = self.client.post(url, content=data.encode(), headers=headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500]
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, f"HTTP {response.status_code}"

    def start(self) -> None:
        """Run rounds in a background thread every webhooks_poll_seconds (and when woken)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run_forever, name="webhook-deliverer", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Start the next round now (after a write or a ping) instead of at the next poll."""
        self._wake.set()

    def run_forever(self) -> None:
        """Run rounds until stopped; a failing round is logged once per change of state and the next one retries."""
        while not self._stop.is_set():
            self.guarded_round()
            self._wake.wait(self.settings.webhooks_poll_seconds)
            self._wake.clear()

    def guarded_round(self) -> Round | None:
        """Run one round; None if it failed. The log says when rounds start failing and when they work again.

        A database outage is one warning (no traceback) however many rounds it lasts, and one info line when the
        database answers again; an unexpected error is logged with its traceback when it first occurs.
        """
        try:
            done = self.run_once()
        except Exception as exc:  # the database may be away for a while; keep trying
            kind = classify(exc)
            problem = f"database {kind}" if kind else f"{type(exc).__name__}: {exc}"
            if problem != self._problem:
                if kind:
                    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
                    log.warning("%s; webhook rounds wait until it answers (%s)", problem, reason)
                else:
                    log.error("webhook round failed; retrying every round", exc_info=True)
            self._problem = problem
            return None
        if self._problem is not None:
            log.info("webhook rounds work again (after %s)", self._problem)
            self._problem = None
        return done

    def request_stop(self) -> None:
        """Ask run_forever to return after the current round (safe in a signal handler)."""
        self._stop.set()
        self._wake.set()

    def stop(self) -> None:
        """Stop the background thread and give up the leader lock."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._thread = None
        self.lock.release()
