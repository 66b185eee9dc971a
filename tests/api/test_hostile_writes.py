"""The webhook and review writes read their bodies as catalog writes do (key first, 415, 413, 422), refuse bad
receiver URLs and control characters, bound their integers; the feed survives stored text XML cannot carry."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import feedparser
import pytest
from catalog_support import bearer
from sqlmodel import Session

from app.serving.feeds import atom, xml_text
from app.store.db import make_engine
from app.store.models import Change
from app.store.reviews import record_review

RULE = "facebook-eea-public-posts-2025"
REVIEWS = f"/v1/rules/{RULE}/reviews"
DEEP = b"[" * 100_000 + b"]" * 100_000
LIMIT = 2_000_000  # the contract's body limit, in bytes


@pytest.fixture
def keys(seeded_url):
    """Authorization headers for each write route: webhooks scope for /v1/webhooks, write scope for reviews."""
    return {"/v1/webhooks": bearer(seeded_url, "webhooks"), REVIEWS: bearer(seeded_url, "write")}


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


def _post(client, url, body, headers=None, content_type="application/json"):
    return client.post(url, content=body, headers={**(headers or {}), "Content-Type": content_type})


def _huge(url):
    """Return a valid JSON body of the route just over the size limit."""
    if url == REVIEWS:
        return json.dumps({"outcome": "confirmed", "note": "n" * LIMIT}).encode()
    return json.dumps(
        {"url": "https://hooks.example.com/", "events": ["dataset.changed"], "platforms": ["p" * LIMIT]}
    ).encode()


WRITES = ["/v1/webhooks", REVIEWS]


@pytest.mark.parametrize("url", WRITES)
def test_the_key_is_checked_before_the_body_is_read(write_client, url):
    for body, content_type in [(b"{oops", "application/json"), (b"x", "text/plain"), (DEEP, "application/json")]:
        _problem(_post(write_client, url, body, content_type=content_type), 401)
    _problem(_post(write_client, url, _huge(url)), 401)


@pytest.mark.parametrize("url", WRITES)
def test_a_body_over_the_size_limit_is_413(write_client, keys, url):
    assert "larger than" in _problem(_post(write_client, url, _huge(url), keys[url]), 413)["detail"]


@pytest.mark.parametrize("url", WRITES)
def test_deep_or_malformed_json_is_422(write_client, keys, url):
    assert "nested" in _problem(_post(write_client, url, DEEP, keys[url]), 422)["detail"]
    assert _problem(_post(write_client, url, b"{oops", keys[url]), 422)["param"] == "body"
    assert _problem(_post(write_client, url, b"[1]", keys[url]), 422)["param"] == "body"


@pytest.mark.parametrize("url", WRITES)
def test_another_media_type_is_415(write_client, keys, url):
    body = json.dumps({"outcome": "confirmed", "url": "https://hooks.example.com/", "events": ["dataset.changed"]})
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        _problem(_post(write_client, url, body, keys[url], content_type), 415)


def test_valid_bodies_are_still_accepted_and_bad_fields_named(write_client, keys):
    made = write_client.post(REVIEWS, json={"outcome": "confirmed", "note": "tab\tand\nnewline"}, headers=keys[REVIEWS])
    assert made.status_code == 201 and made.json()["note"] == "tab\tand\nnewline"
    bad = _problem(write_client.post(REVIEWS, json={"outcome": "fine", "extra": 1}, headers=keys[REVIEWS]), 422)
    assert {e["param"] for e in bad["errors"]} == {"outcome", "extra"}
    hook = {"url": "https://1.1.1.1/hooks", "events": ["dataset.changed"]}
    assert write_client.post("/v1/webhooks", json=hook, headers=keys["/v1/webhooks"]).status_code == 201


@pytest.mark.parametrize("note", ["ok\u0007bell", "nul\x00", "esc\x1b[0m", "del\x7f", "c1\x85"])
def test_control_characters_are_refused_in_review_notes(write_client, keys, note):
    refused = _problem(
        write_client.post(REVIEWS, json={"outcome": "confirmed", "note": note}, headers=keys[REVIEWS]), 422
    )
    assert refused["param"] == "note" and "control characters" in refused["detail"]


def test_the_feed_survives_a_stored_note_xml_cannot_carry(write_client, seeded_url):
    engine = make_engine(seeded_url)
    # As an older database may hold it, written before notes were checked (no NUL: PostgreSQL never stores one).
    with Session(engine) as session:
        record_review(session, RULE, "confirmed", "ok\u0007bell\x1b", at=datetime.now(UTC), actor="key:old")
    engine.dispose()
    response = write_client.get("/v1/changes.atom")
    assert response.status_code == 200, response.text
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert "note: ok\ufffdbell\ufffd" in feed.entries[0].summary


def test_atom_replaces_what_xml_cannot_carry():
    change = Change(
        revision=7,
        at=datetime(2026, 1, 2, tzinfo=UTC),
        resource="review",
        resource_id="r\x01",
        operation="create",
        after={"note": "a\x00b\ud800c\ufffe"},
        actor="key:\x1b",
    )
    feed = feedparser.parse(atom([change], base="http://t", self_url="http://t/x\x02", revision=7, now=change.at))
    assert not feed.bozo, feed.bozo_exception
    assert feed.entries[0].summary == "note: a\ufffdb\ufffdc\ufffd"
    assert xml_text("tab\t, newline\n, é, 😀") == "tab\t, newline\n, é, 😀"


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",
        "https://[zz]/x",
        "https://example.com:99999/",
        "https://1.1.1.1/x\u0000",
        "https://1.1.1.1/a b",
        "https://1.1.1.1/\x7f",
        "https://1.1.1.1/x\u2028",
        "\thttps://1.1.1.1/",
    ],
)
def test_malformed_receiver_urls_are_422(write_client, keys, url):
    body = {"url": url, "events": ["answer.changed"]}
    refused = _problem(write_client.post("/v1/webhooks", json=body, headers=keys["/v1/webhooks"]), 422)
    assert (refused["title"], refused["param"]) == ("Receiver URL refused", "url")


def test_integer_parameters_that_reach_the_database_are_bounded(write_client, keys):
    assert write_client.get("/v1/changes.atom", params={"since_revision": 2**63 - 1}).status_code == 200
    assert _problem(write_client.get("/v1/changes.atom", params={"since_revision": 2**63}), 422)["param"] == (
        "since_revision"
    )
    assert _problem(write_client.get("/v1/dataset", params={"revision": 2**63}), 422)["param"] == "revision"
    _problem(write_client.get("/v1/dataset", params={"revision": 2**63 - 1}), 404)
    hooks = keys["/v1/webhooks"]
    sub = write_client.post(
        "/v1/webhooks", json={"url": "https://1.1.1.1/h", "events": ["dataset.changed"]}, headers=hooks
    ).json()
    retry = f"/v1/webhooks/{sub['id']}/deliveries/{{}}/retry"
    for huge in (99999999999999999999999, 2**63, 2**31, 0):
        assert _problem(write_client.post(retry.format(huge), headers=hooks), 422)["param"] == "delivery_id"
    _problem(write_client.post(retry.format(2**31 - 1), headers=hooks), 404)


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/platforms/a%3Fb/ai-training", "/v1/platforms/a%3Fb/ai-training"),
        ("/platforms/a%23b/ai-training?country=DE", "/v1/platforms/a%23b/ai-training?country=DE"),
        ("/platforms/%C3%BC%20x/ai-training", "/v1/platforms/%C3%BC%20x/ai-training"),
        ("/platforms/facebook/ai-training?x=1", "/v1/platforms/facebook/ai-training?x=1"),
    ],
)
def test_the_unversioned_redirect_keeps_the_id_one_segment(client, path, location):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 308 and response.headers["location"] == location


def test_a_body_naming_a_member_twice_is_refused_naming_it(write_client, seeded_url):
    # RFC 8259 section 4: parsers disagree on which value counts, so a proxy may see one record and the API store
    # another. Before: the last value was stored, and a batch's second "checks" dropped the first's silently.
    auth = {**bearer(seeded_url), "Content-Type": "application/json"}
    body = b'{"id": "twice", "name": "First", "name": "Second", "operator": "P"}'
    refused = write_client.post("/v1/platforms", content=body, headers=auth)
    assert refused.status_code == 422, refused.text
    assert refused.json()["param"] == "name" and "'name' twice" in refused.json()["detail"]
    assert write_client.get("/v1/platforms/twice").status_code == 404
    again = b'{"id": "twice", "name": "N", "operator": "P", "website": "https://a.example/", "website": null}'
    assert write_client.post("/v1/platforms", content=again, headers=auth).json()["param"] == "website"
    batch = b'{"checks": [{"platform": "nope", "category": "x"}], "checks": []}'
    answer = write_client.post("/v1/ai-training/checks", content=batch, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422 and answer.json()["param"] == "checks", answer.text
    escaped = b'{"checks": [{"platform": "nope", "category": "x"}], "\\u0063hecks": []}'
    answer = write_client.post("/v1/ai-training/checks", content=escaped, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422 and answer.json()["param"] == "checks", answer.text
    # Inside a check the last value counts, whatever else the body holds ("checks" as a value too).
    inside = b'{"checks": [{"platform": "instagram", "category": "checks", "category": "public-posts"}]}'
    answer = write_client.post("/v1/ai-training/checks", content=inside, headers={"Content-Type": "application/json"})
    assert answer.status_code == 200 and answer.json()["results"][0]["status"] == 200, answer.text
    # One "checks" list, and the word inside a value: read as before.
    fine = b'{"checks": [{"platform": "instagram", "category": "public-posts", "country": "DE", "lang": "en"}]}'
    assert (
        write_client.post(
            "/v1/ai-training/checks", content=fine, headers={"Content-Type": "application/json"}
        ).status_code
        == 200
    )


def test_a_source_published_outside_the_service_days_or_after_its_retrieval_names_published_on(
    write_client, seeded_url
):
    auth = bearer(seeded_url)
    source = {"id": "PZ1", "url": "https://a.example/", "title": "t", "publisher": "p", "kind": "primary"}
    for published, retrieved in (("0000", "2024-03-01"), ("1899-12", "2024-03-01"), ("2025", "2024-03-01")):
        body = {**source, "published_on": published, "retrieved_on": retrieved}
        refused = write_client.post("/v1/sources", json=body, headers=auth)
        assert refused.status_code == 422, refused.text
        assert refused.json()["param"] == "published_on", refused.text
    assert write_client.get("/v1/sources/PZ1").status_code == 404


def test_a_body_in_a_content_encoding_is_refused_not_read_as_it_came(write_client, seeded_url):
    # RFC 9110 section 8.4: a body labelled gzip was stored as if plain, or refused as "not JSON".
    import gzip

    auth = {**bearer(seeded_url), "Content-Type": "application/json"}
    record = b'{"id": "zipped", "name": "Z", "operator": "P"}'
    for coding, body in (("gzip", gzip.compress(record)), ("gzip", record), ("br", record)):
        refused = write_client.post("/v1/platforms", content=body, headers={**auth, "Content-Encoding": coding})
        assert refused.status_code == 415, refused.text
        assert refused.json()["param"] == "Content-Encoding" and refused.headers["accept-encoding"] == "identity"
    assert write_client.get("/v1/platforms/zipped").status_code == 404
    plain = write_client.post("/v1/platforms", content=record, headers={**auth, "Content-Encoding": "identity"})
    assert plain.status_code == 201


def test_a_check_of_the_wrong_type_is_told_what_the_field_takes(client):
    checks = [
        {"platform": "instagram", "category": "public-posts", "objected": 1},
        {"platform": "instagram", "category": "public-posts", "age": [30]},
    ]
    results = client.post("/v1/ai-training/checks", json={"checks": checks}).json()["results"]
    assert "objected must be true or false" in results[0]["detail"], results[0]
    assert "age must be a whole number" in results[1]["detail"], results[1]


def test_an_empty_operator_filter_is_422_as_other_empty_filters(client):
    response = client.get("/v1/platforms", params={"operator": " "})
    assert response.status_code == 422 and response.json()["param"] == "operator"
