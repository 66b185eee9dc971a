"""Writes need a live API key with write scope: 401 without one, 403 with a read key; reads need none."""

from __future__ import annotations

import pytest
from catalog_support import SAMPLES, bearer

WRITES = [
    ("POST", "/v1/platforms", SAMPLES["platform"].record),
    ("PUT", "/v1/platforms/facebook", {"name": "Facebook", "operator": "Meta Platforms"}),
    ("PATCH", "/v1/rules/facebook-eea-public-posts-2025", {"summary": "Changed."}),
    ("DELETE", "/v1/sources/M1", None),
]


def _send(client, method, url, body, headers):
    return client.request(method, url, json=body, headers=headers)


def _revision(client) -> int:
    return client.get("/v1/changes", params={"limit": 1}).json()["dataset_revision"]


def _assert_problem(response, status):
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["type"] and problem["title"] and problem["detail"]
    return problem


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
@pytest.mark.parametrize("authorization", [None, "Basic dXNlcjpwYXNz", "Bearer", "Bearer tw_nope_notakey"])
def test_a_write_without_a_valid_key_is_401_with_a_bearer_challenge(client, method, url, body, authorization):
    revision = _revision(client)
    headers = {"Authorization": authorization} if authorization else {}
    response = _send(client, method, url, body, headers)
    _assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert _revision(client) == revision


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_a_revoked_key_is_401(client, shared_seeded_url, method, url, body):
    response = _send(client, method, url, body, bearer(shared_seeded_url, revoked=True))
    _assert_problem(response, 401)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_a_read_scope_key_is_403(client, shared_seeded_url, method, url, body):
    revision = _revision(client)
    response = _send(client, method, url, body, bearer(shared_seeded_url, scope="read"))
    problem = _assert_problem(response, 403)
    assert "write scope" in problem["detail"]
    assert _revision(client) == revision


def test_the_key_is_checked_before_the_body(client):
    response = client.post("/v1/platforms", content=b"{not json", headers={"Content-Type": "application/json"})
    _assert_problem(response, 401)


def test_a_write_key_may_write_and_the_log_names_the_key_never_the_secret(write_client, seeded_url):
    headers = bearer(seeded_url)
    token = headers["Authorization"].removeprefix("Bearer ")
    response = write_client.patch("/v1/platforms/facebook", json={"name": "Facebook (Meta)"}, headers=headers)
    assert response.status_code == 200
    change = write_client.get("/v1/changes", params={"limit": 1}).json()["items"][0]
    assert change["actor"] == f"key:{token.split('_')[1]}"
    assert token not in write_client.get("/v1/changes").text


def test_the_spec_documents_the_bearer_scheme_on_writes_only(client):
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "tw_<id>_<secret>",
        "description": spec["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    rules = spec["paths"]["/v1/rules/{rule_id}"]
    assert "security" not in rules["get"]
    assert all(rules[m]["security"] == [{"ApiKey": []}] for m in ("put", "patch", "delete"))
    assert {"401", "403", "412", "422"} <= set(rules["put"]["responses"])


RULE = "/v1/rules/facebook-eea-public-posts-2025"


def _revoke(url: str, headers: dict[str, str]) -> None:
    from catalog_support import key_id
    from sqlmodel import Session

    from app.store.db import make_engine
    from app.store.keys import revoke_key

    engine = make_engine(url)
    with Session(engine) as session:
        assert revoke_key(session, key_id(headers))
    engine.dispose()


def test_a_write_key_is_looked_up_once_and_then_remembered(write_client, seeded_url):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    auth = bearer(seeded_url)
    lookups: list[str] = []

    def count(conn, cursor, statement, *_):
        if "FROM api_key" in statement and "key_hash" in statement:
            lookups.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        for n in range(3):
            assert write_client.patch(RULE, json={"summary": f"Changed {n}."}, headers=auth).status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert len(lookups) == 1


def test_a_key_revoked_after_it_wrote_writes_nothing_more(write_client, seeded_url):
    auth = bearer(seeded_url)
    assert write_client.patch(RULE, json={"summary": "Before."}, headers=auth).status_code == 200
    _revoke(seeded_url, auth)  # as `trainwatch keys revoke` does, from another process
    revision = _revision(write_client)
    # The first refusal comes from the write path's check under its lock, the next from the lookup: both alike.
    for summary in ("After.", "Again."):
        response = write_client.patch(RULE, json={"summary": summary}, headers=auth)
        problem = _assert_problem(response, 401)
        assert problem["detail"] == "The API key is unknown or revoked."
        assert response.headers["www-authenticate"] == 'Bearer realm="trainwatch", error="invalid_token"'
    assert _revision(write_client) == revision
    assert write_client.get(RULE).json()["summary"] == "Before."


@pytest.mark.parametrize("steps", [1, 3], ids=["idle", "in-use"])
def test_a_key_revoked_from_another_process_gets_401_for_any_write_once_it_is_looked_up_again(
    write_client, seeded_url, steps
):
    import time

    from app.api.auth import KEY_RECHECK_SECONDS

    auth = bearer(seeded_url)
    assert write_client.patch(RULE, json={"summary": "Before."}, headers=auth).status_code == 200
    _revoke(seeded_url, auth)
    # The process remembered the key when it wrote; KEY_RECHECK_SECONDS later it looks the key up again, whether or
    # not the key was used meanwhile (each use must not put the lookup off).
    started, keys = time.monotonic(), write_client.app.state.verified_keys
    malformed = {"content": b"{not json", "headers": {**auth, "Content-Type": "application/json"}}
    for step in range(1, steps):
        keys.clock = lambda step=step: started + KEY_RECHECK_SECONDS * step / steps
        _assert_problem(write_client.patch(RULE, **malformed), 422)  # remembered: refused later, on the write path
    keys.clock = lambda: started + KEY_RECHECK_SECONDS + 1
    # Each fails before the write path's own check: with the key still remembered, they answered 422 and 404.
    assert _assert_problem(write_client.patch(RULE, **malformed), 401)["detail"] == "The API key is unknown or revoked."
    _assert_problem(
        write_client.post("/v1/rules/no-such-rule/reviews", json={"outcome": "confirmed"}, headers=auth), 401
    )
    assert write_client.get(RULE).json()["summary"] == "Before."


def test_a_key_revoked_after_it_wrote_records_no_review(write_client, seeded_url):
    auth = bearer(seeded_url)
    assert write_client.patch(RULE, json={"summary": "Before."}, headers=auth).status_code == 200
    _revoke(seeded_url, auth)
    revision = _revision(write_client)
    response = write_client.post(f"{RULE}/reviews", json={"outcome": "confirmed"}, headers=auth)
    _assert_problem(response, 401)
    assert _revision(write_client) == revision
    assert write_client.get(f"{RULE}/reviews").json()["total"] == 0
