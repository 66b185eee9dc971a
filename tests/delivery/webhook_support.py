"""Helpers of the webhook tests: a local receiver that verifies every signature, a fake clock, keys and apps."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlmodel import Session
from standardwebhooks import Webhook, WebhookVerificationError

from app.delivery.deliverer import Deliverer
from app.main import create_app
from app.settings import Settings
from app.store.db import make_engine
from app.store.keys import create_key
from tests.ports import own_ports

PORTS = own_ports(20000)  # the ports this process's webhook tests may bind (20000-20319 in all)


@dataclass
class Delivery:
    """One request the receiver accepted, verified with its subscription's secret."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def type(self) -> str:
        return self.body["type"]


@dataclass
class Receiver:
    """An HTTP receiver on 127.0.0.1 that checks every request with the Standard Webhooks reference library."""

    secrets: dict[str, str] = field(default_factory=dict)  # path -> whsec_ secret
    fail_with: int | None = None  # answer this status instead of accepting
    fail_paths: set[str] = field(default_factory=set)  # paths that answer 503 instead of accepting
    accepted: list[Delivery] = field(default_factory=list)
    refused: list[tuple[str, int]] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    got_one: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  (the http.server name)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status = receiver.handle(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        for port in PORTS:
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError:
                continue
        else:
            raise RuntimeError(f"no free port in {PORTS} for the test receiver")
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        status = self.fail_with if self.fail_with is not None else 503 if path in self.fail_paths else None
        if status is not None:
            self.refused.append((path, status))
            return status
        try:
            payload = Webhook(self.secrets[path]).verify(body, headers)
        except (KeyError, WebhookVerificationError) as exc:
            self.unverified.append(f"{path}: {exc!r}")
            return 400
        self.accepted.append(Delivery(path, {k.lower(): v for k, v in headers.items()}, payload))
        self.got_one.set()
        return 204

    def of(self, path: str, kind: str | None = None) -> list[Delivery]:
        return [d for d in self.accepted if d.path == path and kind in (None, d.type)]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def key(url: str, scope: str) -> dict[str, str]:
    """Create a key of this scope and return the Authorization header presenting it."""
    engine = make_engine(url)
    with Session(engine) as session:
        _, token = create_key(session, scope=scope, name="test")
    engine.dispose()
    return {"Authorization": f"Bearer {token}"}


def settings(url: str, **overrides: Any) -> Settings:
    """Settings for a webhook test: receivers on 127.0.0.1 allowed, the deliverer driven by the test."""
    values = {
        "database_url": url,
        "revision_check_seconds": 0,
        "webhooks_deliver": False,
        "webhooks_allow_private": True,
        **overrides,
    }
    return Settings(**values)


def app(url: str, **overrides: Any) -> Any:
    return create_app(settings(url, **overrides))


def deliverer(url: str, clock: Clock, **overrides: Any) -> Deliverer:
    """A deliverer on its own engine, as another process would run it, with a fake clock and no jitter."""
    return Deliverer(make_engine(url), settings(url, **overrides), clock=clock, rand=lambda: 1.0)


def subscribe(client: Any, auth: dict[str, str], receiver: Receiver, path: str, **body: Any) -> dict[str, Any]:
    """Create a subscription delivering to the receiver at path, and teach the receiver its secret."""
    response = client.post("/v1/webhooks", json={"url": receiver.url(path), **body}, headers=auth)
    assert response.status_code == 201, response.text
    created = response.json()
    receiver.secrets[path] = created["secret"]
    return created


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
