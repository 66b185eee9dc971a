"""Fixtures of the webhook tests: a verifying receiver and a seeded app with a webhooks key and a write key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient
from webhook_support import Receiver, app, key


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver that verifies every signature; each test checks nothing arrived unverified."""
    started = Receiver().start()
    yield started
    started.stop()
    assert started.unverified == []


@dataclass
class Setup:
    """A seeded database, an app on it, and keys."""

    url: str
    client: TestClient
    hooks: dict[str, str]  # Authorization with webhooks scope
    write: dict[str, str]  # Authorization with write scope

    def edit(self, path: str, body: dict[str, Any]) -> Any:
        response = self.client.patch(path, json=body, headers=self.write)
        assert response.status_code == 200, response.text
        return response

    def deliveries(self, sub: dict[str, Any]) -> list[dict[str, Any]]:
        """Return a subscription's deliveries as its owner lists them, newest first."""
        response = self.client.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=self.hooks)
        assert response.status_code == 200, response.text
        return response.json()["items"]  # type: ignore[no-any-return]


@pytest.fixture
def setup(seeded_url: str) -> Iterator[Setup]:
    with TestClient(app(seeded_url)) as client:
        yield Setup(seeded_url, client, key(seeded_url, "webhooks"), key(seeded_url, "write"))
