"""The webhook API: scopes, subscriptions (secret once), validation, refused private URLs, deliveries and pings."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient
from webhook_support import Clock, app, deliverer, key, subscribe

from app.delivery.urls import refusal
from app.store.db import make_engine
from app.store.webhook_models import WebhookSubscription

RECEIVER = "https://hooks.example.com/trainwatch"


def test_webhooks_need_a_key_with_webhooks_scope(setup):
    body = {"url": RECEIVER, "events": ["dataset.changed"]}
    assert setup.client.post("/v1/webhooks", json=body).status_code == 401
    for scope in ("write", "read"):
        refused = setup.client.post("/v1/webhooks", json=body, headers=key(setup.url, scope))
        assert refused.status_code == 403 and "webhooks scope" in refused.json()["detail"]
    assert setup.client.get("/v1/webhooks", headers=setup.write).status_code == 403


def test_a_subscription_shows_its_secret_once_and_belongs_to_its_key(setup, receiver):
    created = subscribe(
        setup.client,
        setup.hooks,
        receiver,
        "/a",
        events=["answer.changed", "dataset.changed"],
        platforms=["instagram"],
        categories=["public-posts"],
        countries=["UK", "de"],
    )
    assert created["id"].startswith("wh_") and created["secret"].startswith("whsec_")
    assert created["countries"] == ["GB", "DE"] and created["enabled"] is True
    one = setup.client.get(f"/v1/webhooks/{created['id']}", headers=setup.hooks)
    assert one.status_code == 200 and "secret" not in one.json()
    assert one.json() == {k: v for k, v in created.items() if k != "secret"}
    assert [s["id"] for s in setup.client.get("/v1/webhooks", headers=setup.hooks).json()] == [created["id"]]
    other = key(setup.url, "webhooks")
    assert setup.client.get(f"/v1/webhooks/{created['id']}", headers=other).status_code == 404
    assert setup.client.get("/v1/webhooks", headers=other).json() == []
    assert setup.client.delete(f"/v1/webhooks/{created['id']}", headers=other).status_code == 404
    assert setup.client.delete(f"/v1/webhooks/{created['id']}", headers=setup.hooks).status_code == 204
    assert setup.client.get(f"/v1/webhooks/{created['id']}", headers=setup.hooks).status_code == 404


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"url": RECEIVER, "events": []}, "events"),
        ({"url": RECEIVER, "events": ["answer.maybe"]}, "events.0"),
        ({"url": RECEIVER, "events": ["dataset.changed"], "platforms": ["nope"]}, "platforms"),
        ({"url": RECEIVER, "events": ["dataset.changed"], "categories": ["nope"]}, "categories"),
        ({"url": RECEIVER, "events": ["dataset.changed"], "countries": ["XX"]}, "countries"),
        # An empty filter would match no answer at all: left out, it matches every one.
        ({"url": RECEIVER, "events": ["answer.changed"], "platforms": []}, "platforms"),
        ({"url": RECEIVER, "events": ["answer.changed"], "categories": []}, "categories"),
        ({"url": RECEIVER, "events": ["answer.changed"], "countries": []}, "countries"),
        ({"url": "ftp://example.com/", "events": ["dataset.changed"]}, "url"),
        ({"url": RECEIVER, "events": ["dataset.changed"], "colour": "red"}, "colour"),
    ],
)
def test_bad_subscriptions_are_422_naming_the_field(setup, body, param):
    response = setup.client.post("/v1/webhooks", json=body, headers=setup.hooks)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json" and response.json()["param"] == param


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8130/hook",
        "http://localhost:8131/",
        "http://10.1.2.3/x",
        "http://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "https://[::ffff:127.0.0.1]/",
    ],
)
def test_receivers_on_private_addresses_are_refused_unless_allowed(seeded_url, url):
    with TestClient(app(seeded_url, webhooks_allow_private=False)) as client:
        response = client.post(
            "/v1/webhooks", json={"url": url, "events": ["dataset.changed"]}, headers=key(seeded_url, "webhooks")
        )
    assert response.status_code == 422 and response.json()["param"] == "url", response.text
    assert "address" in response.json()["detail"]
    assert refusal(url, allow_private=True) is None


def test_a_public_receiver_is_accepted_and_unresolvable_hosts_are_not():
    def public(host, port, **_):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    def rebinding(host, port, **_):  # one public and one private answer: refused
        return [*public(host, port), (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    def missing(host, port, **_):
        raise socket.gaierror("no such host")

    assert refusal(RECEIVER, allow_private=False, resolve=public) is None
    assert "10.0.0.7" in refusal(RECEIVER, allow_private=False, resolve=rebinding)
    assert "does not resolve" in refusal(RECEIVER, allow_private=False, resolve=missing)
    assert "user name" in refusal("https://me:pw@example.com/", allow_private=True)


def test_a_delivery_to_an_address_that_became_private_fails_without_a_request(setup, receiver):
    sub = subscribe(setup.client, setup.hooks, receiver, "/p", events=["dataset.changed"])
    setup.client.patch("/v1/rules/instagram-eea-public-posts-2025", json={"summary": "Edited."}, headers=setup.write)
    worker = deliverer(setup.url, Clock(), webhooks_allow_private=False)
    worker.run_once()
    [delivery] = setup.client.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=setup.hooks).json()["items"]
    assert delivery["status"] == "pending" and delivery["last_error"].startswith("refused: ")
    assert receiver.accepted == [] and receiver.refused == []
    worker.stop()


def test_ping_is_delivered_signed_and_listed_with_its_outcome(setup, receiver):
    sub = subscribe(setup.client, setup.hooks, receiver, "/ping", events=["deadline.upcoming"])
    pinged = setup.client.post(f"/v1/webhooks/{sub['id']}/ping", headers=setup.hooks)
    assert pinged.status_code == 202
    assert (pinged.json()["status"], pinged.json()["type"]) == ("pending", "webhook.ping")
    worker = deliverer(setup.url, Clock())
    assert worker.run_once().delivered == 1
    [got] = receiver.of("/ping")
    assert got.body == {"type": "webhook.ping", "timestamp": got.body["timestamp"], "data": {"webhook_id": sub["id"]}}
    assert got.headers["webhook-id"] == pinged.json()["event_id"]
    page = setup.client.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=setup.hooks).json()
    assert page["total"] == 1
    [item] = page["items"]
    assert (item["status"], item["attempts"], item["last_status_code"]) == ("delivered", 1, 204)
    missing = setup.client.post(f"/v1/webhooks/{sub['id']}/deliveries/999999/retry", headers=setup.hooks)
    assert missing.status_code == 404
    worker.stop()


def test_deliveries_come_a_page_at_a_time_and_new_ones_do_not_shift_the_pages(setup, receiver):
    sub = subscribe(setup.client, setup.hooks, receiver, "/pages", events=["deadline.upcoming"])
    path = f"/v1/webhooks/{sub['id']}/deliveries"
    empty = setup.client.get(path, headers=setup.hooks).json()
    assert (empty["items"], empty["total"], empty["next"]) == ([], 0, None)
    events = [setup.client.post(f"/v1/webhooks/{sub['id']}/ping", headers=setup.hooks).json() for _ in range(5)]
    first = setup.client.get(path, params={"limit": 2, "utm_source": "x"}, headers=setup.hooks)
    body = first.json()
    assert [d["event_id"] for d in body["items"]] == [events[4]["event_id"], events[3]["event_id"]]
    newest = body["items"][0]["id"]
    assert body["next"] == f"{path}?up_to_id={newest}&limit=2&offset=2" and body["total"] == 5
    assert first.headers["link"] == f'<{body["next"]}>; rel="next"' and first.headers["cache-control"] == "no-store"
    # A delivery queued between the pages: offsets over the growing list would repeat the second one.
    setup.client.post(f"/v1/webhooks/{sub['id']}/ping", headers=setup.hooks)
    second = setup.client.get(body["next"], headers=setup.hooks).json()
    assert [d["event_id"] for d in second["items"]] == [events[2]["event_id"], events[1]["event_id"]]
    last = setup.client.get(second["next"], headers=setup.hooks).json()
    assert [d["event_id"] for d in last["items"]] == [events[0]["event_id"]] and last["next"] is None
    assert setup.client.get(path, headers=setup.hooks).json()["total"] == 6
    bad = setup.client.get(path, params={"up_to_id": -1}, headers=setup.hooks)
    assert bad.status_code == 422 and bad.json()["param"] == "up_to_id"


def test_a_key_holds_at_most_the_configured_number_of_subscriptions(seeded_url, receiver):
    auth, other = key(seeded_url, "webhooks"), key(seeded_url, "webhooks")
    with TestClient(app(seeded_url, webhooks_max_per_key=2)) as client:
        first, _ = (subscribe(client, auth, receiver, f"/cap{n}", events=["dataset.changed"]) for n in range(2))
        refused = client.post(
            "/v1/webhooks", json={"url": receiver.url("/cap2"), "events": ["dataset.changed"]}, headers=auth
        )
        assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert problem["limit"] == 2 and "delete one" in problem["detail"]
        assert len(client.get("/v1/webhooks", headers=auth).json()) == 2  # nothing half-made
        subscribe(client, other, receiver, "/other", events=["dataset.changed"])  # the limit is per key
        assert client.delete(f"/v1/webhooks/{first['id']}", headers=auth).status_code == 204
        subscribe(client, auth, receiver, "/cap2", events=["dataset.changed"])


def test_a_rotated_secret_signs_beside_the_one_it_replaced_until_that_expires(setup, receiver):
    sub = subscribe(setup.client, setup.hooks, receiver, "/rot", events=["deadline.upcoming"])
    first, rotate = sub["secret"], f"/v1/webhooks/{sub['id']}/rotate-secret"
    assert sub["previous_secret_until"] is None

    def rotated(**params: int) -> dict:
        response = setup.client.post(rotate, params=params, headers=setup.hooks)
        assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
        assert response.json()["secret"].startswith("whsec_")
        return response.json()

    second = rotated()
    assert second["secret"] != first
    left = datetime.fromisoformat(second["previous_secret_until"]) - datetime.now(UTC)
    assert timedelta(hours=23, minutes=59) < left <= timedelta(hours=24)
    shown = setup.client.get(f"/v1/webhooks/{sub['id']}", headers=setup.hooks).json()
    assert "secret" not in shown and shown["previous_secret_until"] == second["previous_secret_until"]

    clock = Clock(datetime.now(UTC) + timedelta(minutes=1))  # the pings below are due by then
    # One attempt each (a refused ping is not retried later, signed anew), and refusals do not disable the subscription.
    worker = deliverer(setup.url, clock, webhooks_retry_hours=0, webhooks_disable_after=100)

    def accepted(secret: str) -> bool:
        """Send a ping; return whether a receiver verifying with this secret took it."""
        receiver.secrets["/rot"], before = secret, len(receiver.of("/rot"))
        assert setup.client.post(f"/v1/webhooks/{sub['id']}/ping", headers=setup.hooks).status_code == 202
        worker.run_once()
        return len(receiver.of("/rot")) > before

    # A receiver not switched over yet still accepts, and one switched over accepts already: two signatures.
    assert accepted(first) and accepted(second["secret"])
    assert [len(d.headers["webhook-signature"].split(" ")) for d in receiver.of("/rot")] == [2, 2]
    # Rotated again within the window: the secret it replaces signs beside it, the one before stops at once.
    third = rotated()
    assert (accepted(first), accepted(second["secret"]), accepted(third["secret"])) == (False, True, True)
    # Rotated at once (a leaked secret): the replaced one stops signing now, though its window had a day to run.
    fourth = rotated(keep_previous_hours=0)
    assert fourth["previous_secret_until"] is None
    assert (accepted(third["secret"]), accepted(fourth["secret"])) == (False, True)
    assert len(receiver.of("/rot")[-1].headers["webhook-signature"].split(" ")) == 1
    # Once its window is over, a replaced secret signs nothing, and the day's prune forgets it.
    fifth = rotated()
    clock.advance(hours=24, minutes=1)
    assert (accepted(fourth["secret"]), accepted(fifth["secret"])) == (False, True)
    worker.maker.prune_deliveries(clock())
    with Session(make_engine(setup.url)) as session:
        stored = session.get(WebhookSubscription, sub["id"])
        assert stored is not None and (stored.previous_secret, stored.previous_secret_until) == (None, None)
    assert setup.client.get(f"/v1/webhooks/{sub['id']}", headers=setup.hooks).json()["previous_secret_until"] is None
    receiver.unverified.clear()  # the refusals above were the point
    worker.stop()

    other = key(setup.url, "webhooks")
    assert setup.client.post(rotate, headers=other).status_code == 404  # another key's subscription
    for hours in (-1, 169, "x"):
        bad = setup.client.post(rotate, params={"keep_previous_hours": hours}, headers=setup.hooks)
        assert bad.status_code == 422 and bad.json()["param"] == "keep_previous_hours"


def test_a_replaced_secret_signs_until_its_time_and_not_after():
    from app.store import webhooks

    until = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    sub = WebhookSubscription(
        id="wh_1", key_id="k", url="https://example.com/h", secret="whsec_new", events=["webhook.ping"],
        created_at=until, previous_secret="whsec_old", previous_secret_until=until.replace(tzinfo=None),
    )  # fmt: skip
    before, after = until - timedelta(seconds=1), until
    assert (webhooks.previous_secret_until(sub, before), webhooks.signing_secrets(sub, before)) == (
        until,
        ["whsec_new", "whsec_old"],
    )
    assert (webhooks.previous_secret_until(sub, after), webhooks.signing_secrets(sub, after)) == (None, ["whsec_new"])


def test_a_rotation_that_lost_a_race_says_so(setup, receiver):
    from app.store import webhooks

    sub = subscribe(setup.client, setup.hooks, receiver, "/race", events=["deadline.upcoming"])
    engine = make_engine(setup.url)
    with Session(engine) as one, Session(engine) as two:
        mine, theirs = one.get(WebhookSubscription, sub["id"]), two.get(WebhookSubscription, sub["id"])
        assert mine is not None and theirs is not None
        now = datetime.now(UTC)
        assert webhooks.rotate_secret(two, theirs, now=now, keep_previous=timedelta(hours=1)) is not None
        # Read before the other rotation: its secret is gone, so this one changes nothing and says so.
        assert webhooks.rotate_secret(one, mine, now=now, keep_previous=timedelta(hours=1)) is None
    with Session(engine) as session:
        stored = session.get(WebhookSubscription, sub["id"])
        assert stored is not None and stored.secret == theirs.secret and stored.previous_secret == sub["secret"]


def test_a_subscription_that_raced_past_the_limit_is_taken_back(setup, receiver, monkeypatch):
    import app.api.routes.webhooks as routes

    with TestClient(app(setup.url, webhooks_max_per_key=1)) as client:
        made = subscribe(client, setup.hooks, receiver, "/first", events=["dataset.changed"])
        # As when another request of the key subscribed between this one's check and its insert: the check saw none.
        stale, real = [0], routes.webhooks.count_subscriptions
        monkeypatch.setattr(routes.webhooks, "count_subscriptions", lambda s, k: stale.pop() if stale else real(s, k))
        body = {"url": receiver.url("/second"), "events": ["dataset.changed"]}
        raced = client.post("/v1/webhooks", json=body, headers=setup.hooks)
        assert raced.status_code == 409 and raced.json()["limit"] == 1
        assert [sub["id"] for sub in client.get("/v1/webhooks", headers=setup.hooks).json()] == [made["id"]]


def test_serve_delivers_in_the_background_by_default(seeded_url, receiver):
    auth = key(seeded_url, "webhooks")
    with TestClient(app(seeded_url, webhooks_deliver=True, webhooks_poll_seconds=30)) as client:
        assert client.app.state.services.deliverer is not None
        sub = subscribe(client, auth, receiver, "/bg", events=["dataset.changed"])
        receiver.got_one.clear()
        assert client.post(f"/v1/webhooks/{sub['id']}/ping", headers=auth).status_code == 202
        assert receiver.got_one.wait(30)  # the ping wakes the deliverer; it does not wait for its next poll
    assert [d.type for d in receiver.of("/bg")] == ["webhook.ping"]


def test_trainwatch_deliver_once_sends_what_is_due(seeded_url, receiver):
    with TestClient(app(seeded_url)) as client:
        auth = key(seeded_url, "webhooks")
        sub = subscribe(client, auth, receiver, "/cli", events=["dataset.changed"])
        client.post(f"/v1/webhooks/{sub['id']}/ping", headers=auth)
    env = {**os.environ, "TRAINWATCH_DATABASE_URL": seeded_url, "TRAINWATCH_WEBHOOKS_ALLOW_PRIVATE": "true"}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "deliver", "--once"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "1 delivered" in result.stdout
    assert [d.type for d in receiver.of("/cli")] == ["webhook.ping"]


def test_a_delete_with_a_precondition_no_subscription_meets_deletes_nothing(setup, receiver):
    # RFC 9110 section 13.1: a subscription has no ETag, so a listed tag never matches and `*` always does.
    sub = subscribe(setup.client, setup.hooks, receiver, "/hook", events=["dataset.changed"])
    path = f"/v1/webhooks/{sub['id']}"
    for header in ({"If-Match": '"stale"'}, {"If-Match": 'W/"v1", "v2"'}, {"If-None-Match": "*"}):
        refused = setup.client.delete(path, headers={**setup.hooks, **header})
        assert refused.status_code == 412, refused.text
        assert refused.json()["param"] == next(iter(header))
        assert setup.client.get(path, headers=setup.hooks).status_code == 200  # still there
    assert setup.client.delete(path, headers={**setup.hooks, "If-Match": "*"}).status_code == 204
    assert setup.client.get(path, headers=setup.hooks).status_code == 404


def test_the_actions_on_a_subscription_weigh_its_preconditions_too(setup, receiver):
    sub = subscribe(setup.client, setup.hooks, receiver, "/actions", events=["dataset.changed"])
    path = f"/v1/webhooks/{sub['id']}"
    pinged = setup.client.post(f"{path}/ping", headers={**setup.hooks, "If-Match": "*"})
    assert pinged.status_code == 202
    actions = (f"{path}/rotate-secret", f"{path}/ping", f"{path}/deliveries/{pinged.json()['id']}/retry")
    for action in actions:
        for header in ({"If-Match": '"stale"'}, {"If-None-Match": "*"}):
            refused = setup.client.post(action, headers={**setup.hooks, **header})
            assert refused.status_code == 412, (action, refused.text)
            assert refused.json()["param"] == next(iter(header))
    # An unknown delivery stays 404 whatever the preconditions say.
    missing = setup.client.post(f"{path}/deliveries/999999/retry", headers={**setup.hooks, "If-Match": '"x"'})
    assert missing.status_code == 404
    # Nothing was done: no rotation, one delivery (the first ping).
    assert setup.client.get(path, headers=setup.hooks).json()["previous_secret_until"] is None
    assert len(setup.client.get(f"{path}/deliveries", headers=setup.hooks).json()["items"]) == 1
    # Reading it is weighed alike: no tag names it, `*` does.
    assert setup.client.get(path, headers={**setup.hooks, "If-Match": '"stale"'}).status_code == 412
    assert setup.client.get(path, headers={**setup.hooks, "If-Match": "*"}).status_code == 200
    rotated = setup.client.post(f"{path}/rotate-secret", headers={**setup.hooks, "If-Match": "*"})
    assert rotated.status_code == 200 and rotated.json()["secret"] != sub["secret"]


def test_the_spec_promises_no_etag_for_a_keys_own_subscriptions(setup):
    spec = setup.client.get("/openapi.json").json()
    for path in ("/v1/webhooks", "/v1/webhooks/{webhook_id}", "/v1/webhooks/{webhook_id}/deliveries"):
        ok = spec["paths"][path]["get"]["responses"]
        assert "304" not in ok and "ETag" not in ok["200"].get("headers", {}), path
        assert ok["200"]["headers"]["Cache-Control"]["description"].startswith("no-store")
    listed = setup.client.get("/v1/webhooks", headers=setup.hooks)
    assert listed.headers["cache-control"] == "no-store" and "etag" not in listed.headers


def test_the_spec_still_documents_the_link_of_a_subscriptions_deliveries(setup):
    ok = setup.client.get("/openapi.json").json()["paths"]["/v1/webhooks/{webhook_id}/deliveries"]["get"]["responses"]
    assert "Link" in ok["200"]["headers"]
    deleting = setup.client.get("/openapi.json").json()["paths"]["/v1/webhooks/{webhook_id}"]["delete"]["responses"]
    assert "no ETag" in deleting["412"]["description"]
