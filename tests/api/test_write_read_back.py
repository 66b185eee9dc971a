"""A write's answer is the record as stored: when reading it back fails on the write's own connection, the app reads
again on a fresh one; when that fails too, it says the change was saved (503) instead of answering from the data
before the write (a 404 for a record it had just created, or the old version and ETag)."""

from __future__ import annotations

import time

import pytest
from catalog_support import SAMPLES, bearer
from sqlalchemy.exc import OperationalError

JURISDICTION = SAMPLES["jurisdiction"]
RULE = "/v1/rules/facebook-eea-public-posts-2025"


class FailingReload:
    """Stands in for the snapshot store's refresh: fails the reload on the write's session, or every reload."""

    def __init__(self, refresh, *, every: bool) -> None:
        self.refresh, self.every, self.calls = refresh, every, []

    def __call__(self, **kwargs):
        self.calls.append("write's session" if "session" in kwargs else "fresh")
        if self.every or "session" in kwargs:
            raise OperationalError("SELECT revision", {}, Exception("connection timeout expired"))
        return self.refresh(**kwargs)


@pytest.fixture
def store(write_client):
    """The app's snapshot store, whose refresh the tests replace."""
    return write_client.app.state.services.store


def test_a_failed_read_back_is_read_again_on_a_fresh_connection(write_client, seeded_url, store, monkeypatch):
    failing = FailingReload(store.refresh, every=False)
    monkeypatch.setattr(store, "refresh", failing)
    created = write_client.post(f"/v1/{JURISDICTION.path}", json=JURISDICTION.record, headers=bearer(seeded_url))
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1 and created.headers["etag"].startswith('"v1')
    assert failing.calls == ["write's session", "fresh"]
    monkeypatch.undo()
    assert write_client.get(JURISDICTION.url()).json() == created.json()


def test_a_write_that_cannot_be_read_back_says_it_was_saved(write_client, seeded_url, store, monkeypatch):
    auth = bearer(seeded_url)
    before = write_client.get(RULE)
    failing = FailingReload(store.refresh, every=True)
    monkeypatch.setattr(store, "refresh", failing)
    created = write_client.post(f"/v1/{JURISDICTION.path}", json=JURISDICTION.record, headers=auth)
    patched = write_client.patch(RULE, json={"notes": ["read back later"]}, headers=auth)
    # Each write tried its own session, then a fresh one (later calls: the store catching up in the background).
    assert failing.calls[:2] == ["write's session", "fresh"] and failing.calls.count("write's session") == 2
    for response, path in ((created, JURISDICTION.url()), (patched, RULE)):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == "https://trainwatch.dev/problems/saved-not-read-back"
        assert f"GET {path} shows it" in problem["detail"] and "Retry-After" not in response.headers
    assert patched.json()["dataset_revision"] == created.json()["dataset_revision"] + 1
    # A write that changes nothing saved nothing, and says nothing of the kind: it answers from what this server has.
    unchanged = write_client.patch("/v1/platforms/facebook", json={}, headers=auth)
    assert unchanged.status_code == 200 and unchanged.json()["id"] == "facebook"
    # Once the database answers, the store loads the writes by itself (no revision poller runs in this app).
    monkeypatch.undo()
    deadline = time.monotonic() + 10
    while write_client.get(JURISDICTION.url()).status_code == 404 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert write_client.get(JURISDICTION.url()).json()["version"] == 1
    now = write_client.get(RULE)
    assert now.json()["notes"] == ["read back later"] and now.headers["etag"] != before.headers["etag"]
    # Sending the creation again finds the record saved.
    again = write_client.post(f"/v1/{JURISDICTION.path}", json=JURISDICTION.record, headers=auth)
    assert again.status_code == 409
