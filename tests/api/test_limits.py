"""Last write wins without If-Match, rate limits per client and route class, cheap failed authentication, metrics."""

from __future__ import annotations

import ipaddress
import time
import uuid

import pytest
from catalog_support import bearer, new_app, run_together
from starlette.testclient import TestClient

RULE = "/v1/rules/facebook-eea-public-posts-2025"
DECISION = "/v1/platforms/facebook/ai-training?category=public-posts&country=DE"
LOOPBACK = ("127.0.0.1", 50000)


def test_concurrent_patches_without_if_match_all_win_in_turn(seeded_url):
    auth = bearer(seeded_url)
    # Two workers; in one test process their snapshot rebuilds share one GIL, so allow slow lock waits.
    apps = [TestClient(new_app(seeded_url, db_statement_timeout=60)) for _ in range(2)]
    for client in apps:
        client.__enter__()
    try:
        start = apps[0].get(RULE).json()["version"]
        statuses = []
        for round_ in range(2):
            calls = [
                lambda c=apps[i % 2], i=i, r=round_: c.patch(
                    RULE, json={"notes": [f"round {r} writer {i}"]}, headers=auth
                )
                for i in range(8)
            ]
            results = run_together(*calls)
            statuses += [r.status_code for r in results]
            assert all(r.status_code == 200 for r in results), [r.text for r in results if r.status_code != 200]
        assert statuses == [200] * 16, statuses
        with TestClient(new_app(seeded_url)) as fresh:
            assert fresh.get(RULE).json()["version"] == start + 16
    finally:
        for client in apps:
            client.__exit__(None, None, None)


def _limited(url, **limits):
    return TestClient(new_app(url, **limits), client=("203.0.113.7", 40000))


def test_each_route_class_has_its_own_limit_with_429_and_headers(shared_seeded_url):
    with _limited(shared_seeded_url, rate_limit_decisions="3/minute", rate_limit_catalog="2/minute") as c:
        assert [c.get(DECISION).status_code for _ in range(3)] == [200, 200, 200]
        refused = c.get(DECISION)
        assert refused.status_code == 429 and refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["ratelimit-limit"] == "3" and refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["x-content-type-options"] == "nosniff"
        assert refused.json()["status"] == 429 and "decisions" in refused.json()["detail"]
        # A dashboard on another site may read every rate-limit header the answer carries.
        cross = c.get(DECISION, headers={"Origin": "https://dashboard.example"})
        exposed = {h.strip().lower() for h in cross.headers["access-control-expose-headers"].split(",")}
        assert {h for h in cross.headers if h.startswith("ratelimit-")} | {"retry-after"} <= exposed
        # Catalog reads count apart, and probes and docs are never limited.
        assert [c.get("/v1/rules").status_code for _ in range(3)] == [200, 200, 429]
        assert c.get("/healthz").status_code == 200 and c.get("/docs").status_code == 200
        # Another client is not slowed or refused.
        other = TestClient(c.app, client=("203.0.113.8", 40000))
        assert other.get(DECISION).status_code == 200


def test_an_ipv6_client_counts_as_its_slash_64(shared_seeded_url):
    with TestClient(new_app(shared_seeded_url, rate_limit_decisions="2/minute", rate_limit_catalog="2/minute")) as c:
        # Any address of one /64 counts against one count: a client picking a fresh address per request (as one
        # subscriber may) is refused like any other; the decisions (fast path) and the catalog alike.
        for path in (DECISION, "/v1/rules"):
            one, two, three = (TestClient(c.app, client=(f"2001:db8:77:{path.count('/')}::{n}", 1)) for n in (1, 2, 3))
            assert [one.get(path).status_code, two.get(path).status_code, three.get(path).status_code] == [
                200,
                200,
                429,
            ]
        neighbour = TestClient(c.app, client=("2001:db8:78:0::1", 1))  # the next /64: another client
        assert neighbour.get(DECISION).status_code == 200


def test_the_ipv6_prefix_a_client_counts_as_is_a_setting(shared_seeded_url):
    with TestClient(new_app(shared_seeded_url, rate_limit_catalog="1/minute", rate_limit_ipv6_prefix=128)) as c:
        # Each address apart: for hosts that give their clients single addresses out of one shared /64.
        statuses = [TestClient(c.app, client=(f"2001:db8:80::{n}", 1)).get("/v1/rules").status_code for n in (1, 2)]
        assert statuses == [200, 200]
        assert TestClient(c.app, client=("2001:db8:80::1", 1)).get("/v1/rules").status_code == 429


def test_failed_authentications_of_one_ipv6_slash_64_count_together(seeded_url):
    with TestClient(new_app(seeded_url, rate_limit_auth_failures="2/minute")) as c:
        clients = [TestClient(c.app, client=(f"2001:db8:99::{n}", 1)) for n in range(3)]
        statuses = [
            client.patch(RULE, json={}, headers={"Authorization": f"Bearer tw_x_{uuid.uuid4().hex}"}).status_code
            for client in clients
        ]
        assert statuses == [401, 401, 429]


@pytest.mark.parametrize(
    ("host", "client"),
    [
        ("203.0.113.7", "ip:203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "ip:2001:db8:1:2::/64"),
        ("2001:0db8:0001:0002:bbbb:0:0:2", "ip:2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "ip:203.0.113.7"),
        ("testclient", "ip:testclient"),
        (None, "ip:unknown"),
    ],
)
def test_whom_an_address_counts_as(host, client):
    from app.api.ratelimit import address_client

    assert address_client(host) == client


def test_the_prefix_an_ipv6_address_counts_by():
    from app.api.ratelimit import address_client

    host = "2001:db8:1:2:aaaa::1"
    assert [address_client(host, bits) for bits in (48, 128)] == ["ip:2001:db8:1::/48", "ip:2001:db8:1:2:aaaa::1"]
    assert address_client(host) == "ip:2001:db8:1:2::/64"  # each prefix remembered apart


def test_a_batch_counts_its_checks(shared_seeded_url):
    check = {"platform": "facebook", "category": "public-posts", "country": "DE"}
    with _limited(shared_seeded_url, rate_limit_decisions="10/minute") as c:
        assert c.post("/v1/ai-training/checks", json={"checks": [check] * 8}).status_code == 200
        assert c.post("/v1/ai-training/checks", json={"checks": [check] * 3}).status_code == 429
        assert c.get(DECISION).status_code == 200  # the refused batch's checks were not all counted
        assert c.get(DECISION).status_code == 429


def test_a_verified_key_is_its_own_client(seeded_url):
    auth = bearer(seeded_url)
    with _limited(seeded_url, rate_limit_catalog="2/minute", rate_limit_writes="5/minute") as c:
        assert c.patch(RULE, json={"summary": "Checked."}, headers=auth).status_code == 200
        assert [c.get("/v1/rules").status_code for _ in range(3)] == [200, 200, 429]  # the address is spent
        assert c.get("/v1/rules", headers=auth).status_code == 200  # the key has its own count
        forged = {"Authorization": "Bearer tw_00000000_made-up"}
        assert c.get("/v1/rules", headers=forged).status_code == 429  # a made-up key counts as the address


def test_failed_authentications_are_limited_before_any_lookup(seeded_url, monkeypatch):
    import app.api.auth as auth_module

    lookups = []
    real = auth_module._lookup
    monkeypatch.setattr(auth_module, "_lookup", lambda engine, token: lookups.append(token) or real(engine, token))
    with _limited(seeded_url, rate_limit_auth_failures="3/minute") as c:
        statuses = [
            c.patch(RULE, json={}, headers={"Authorization": f"Bearer tw_x_{uuid.uuid4().hex}"}).status_code
            for _ in range(10)
        ]
        assert statuses == [401] * 3 + [429] * 7 and len(lookups) == 3
        assert c.get(DECISION).status_code == 200  # reads are not affected


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_limits_can_be_shared_through_redis(shared_seeded_url, storage):
    settings = {"rate_limit_catalog": "2/minute"}
    if storage == "redis":
        settings["redis_url"] = "redis://127.0.0.1:6379/11"
    # A client of its own in the shared Redis database: both suites run this test at once, and a count one of them
    # left there lasts a minute (250 IPv4 addresses collided about once in 250 runs).
    address = (str(ipaddress.IPv6Address((0x20010DB8 << 96) | uuid.uuid4().int >> 32)), 1)
    with (
        TestClient(new_app(shared_seeded_url, **settings), client=address) as one,
        TestClient(new_app(shared_seeded_url, **settings), client=address) as two,
    ):
        assert one.get("/v1/rules").status_code == 200 and two.get("/v1/rules").status_code == 200
        # Two workers: with Redis they share the count, in memory each keeps its own.
        assert one.get("/v1/rules").status_code == (429 if storage == "redis" else 200)


def test_an_unreachable_redis_does_not_take_the_api_down(shared_seeded_url):
    with TestClient(new_app(shared_seeded_url, redis_url="redis://127.0.0.1:1/0")) as c:
        assert c.get(DECISION).status_code == 200


def test_metrics_are_served_to_loopback_only(shared_seeded_url):
    with TestClient(new_app(shared_seeded_url, rate_limit_catalog="1/minute"), client=LOOPBACK) as c:
        c.get(DECISION)
        c.get(DECISION)
        c.get("/v1/rules/no-such-rule")
        c.get("/v1/rules")
        text = c.get("/metrics").text
        assert (
            'trainwatch_request_duration_seconds_count{method="GET",route="/v1/platforms/{platform_id}/'
            'ai-training",status="200"} 2.0' in text
        )
        assert 'route="<catalog limit>",status="429"' in text
        assert "trainwatch_answer_cache_hits_total 1.0" in text
        assert 'route="/v1/rules/{rule_id}",status="404"' in text
        assert 'trainwatch_rate_limited_total{route_class="catalog"} 1.0' in text
        assert "trainwatch_snapshot_revision" in text and "trainwatch_snapshot_age_seconds" in text
        outsider = TestClient(c.app, client=("203.0.113.9", 1))
        assert outsider.get("/metrics").status_code == 404


def test_batches_are_computed_off_the_event_loop_a_bounded_number_at_once(shared_seeded_url):
    import threading

    released, running, most = threading.Event(), [], []
    with TestClient(new_app(shared_seeded_url, batch_threads=1)) as c:
        real = c.app.state.services.answers.batch

        def slow_batch(items, *args):
            running.append(1)
            most.append(len(running))
            finished = released.wait(timeout=10)  # blocks until the read below has been answered
            running.pop()
            return real(items, *args) if finished else b"{}"

        c.app.state.services.answers.batch = slow_batch
        check = {"platform": "facebook", "category": "public-posts", "country": "DE"}
        batches = []
        threads = [
            threading.Thread(target=lambda: batches.append(c.post("/v1/ai-training/checks", json={"checks": [check]})))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while not running and time.monotonic() < deadline:
            time.sleep(0.01)
        assert running, "no batch started"
        assert c.get(DECISION).status_code == 200  # answered while a batch is still being computed
        released.set()
        for thread in threads:
            thread.join(timeout=30)
    assert [b.status_code for b in batches] == [200, 200] and all(b.json()["results"] for b in batches)
    assert max(most) == 1
