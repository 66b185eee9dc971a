"""Hostile input gets a 4xx problem, never a 500, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest
from catalog_support import SAMPLES, bearer

from app.api import docs

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture
def auth(seeded_url):
    return bearer(seeded_url)


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


def test_deeply_nested_json_is_422_cheaply(write_client, auth):
    started = time.perf_counter()
    for url, headers, method in [
        ("/v1/ai-training/checks", {}, "POST"),
        ("/v1/platforms", auth, "POST"),
        ("/v1/platforms/facebook", auth, "PUT"),
        ("/v1/platforms/facebook", auth, "PATCH"),
    ]:
        response = write_client.request(
            method, url, content=DEEP, headers={**headers, "Content-Type": "application/json"}
        )
        assert "nested" in _problem(response, 422)["detail"]
    nested = b'{"checks": ' + b"[" * 40 + b"]" * 40 + b"}"
    _problem(
        write_client.post("/v1/ai-training/checks", content=nested, headers={"Content-Type": "application/json"}), 422
    )
    assert time.perf_counter() - started < 5


def test_a_number_of_thousands_of_digits_is_422_in_the_apis_words(write_client, auth):
    huge = "9" * 5001
    for url, body, headers, method in [
        ("/v1/ai-training/checks", f'{{"checks": [{{"platform": "x", "age": {huge}}}]}}', {}, "POST"),
        ("/v1/platforms/facebook", f'{{"name": {huge}}}', auth, "PATCH"),
    ]:
        response = write_client.request(
            method, url, content=body.encode(), headers={**headers, "Content-Type": "application/json"}
        )
        problem = _problem(response, 422)
        # Python's message names sys.set_int_max_str_digits(): the answer speaks of the body, not of the server.
        assert problem["detail"] == "The body holds a number of more than 4300 digits." and problem["param"] == "body"
    # Bytes that are not UTF-8 are another ValueError of the json module: still "not JSON", not a long number.
    response = write_client.post(
        "/v1/ai-training/checks", content=b'{"checks": ["\xff"]}', headers={"Content-Type": "application/json"}
    )
    assert _problem(response, 422)["detail"].startswith("The body is not JSON: 'utf-8' codec can't decode")


def test_integer_parameters_have_ranges_and_revisions_are_64_bit(client):
    assert client.get("/v1/changes", params={"since_revision": 2**31}).json()["items"] == []
    assert client.get("/v1/changes", params={"since_revision": 2**63 - 1}).status_code == 200
    for params in (
        {"since_revision": 2**63},
        {"offset": 2**63},
        {"offset": 2**31},
        {"limit": 2**64},
        {"since_revision": -1},
        {"offset": "1" + "0" * 5000},
    ):
        assert _problem(client.get("/v1/changes", params=params), 422)["param"] in params
    assert _problem(client.get("/v1/platforms", params={"offset": 2**63}), 422)["param"] == "offset"


@pytest.mark.parametrize("replaces", [{}, [], 5, ["x"]])
def test_a_malformed_reference_is_422(write_client, auth, replaces):
    record = {**SAMPLES["deadline"].record, "replaces": replaces}
    assert _problem(write_client.post("/v1/deadlines", json=record, headers=auth), 422)["param"] == "replaces"


def test_a_huge_if_match_is_412(write_client, auth):
    response = write_client.patch(
        "/v1/platforms/facebook", json={"name": "Facebook"}, headers={**auth, "If-Match": '"v' + "9" * 5000 + '"'}
    )
    _problem(response, 412)


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "esc\x1b[0m", "x\x7f"])
def test_control_characters_are_refused_in_text_ids_and_filters(write_client, auth, text):
    record = {**SAMPLES["platform"].record, "name": text}
    assert _problem(write_client.post("/v1/platforms", json=record, headers=auth), 422)["param"] == "name"
    quoted = "".join(f"%{ord(c):02X}" if ord(c) < 32 or ord(c) == 127 else c for c in text)
    _problem(write_client.put(f"/v1/platforms/{quoted}", json=record, headers=auth), 422)
    _problem(write_client.get(f"/v1/changes?resource_id={quoted}"), 422)
    _problem(write_client.get(f"/v1/platforms/facebook/ai-training?country={quoted}"), 422)
    # The problem names the request's path, as every other does, with the control characters percent-encoded.
    in_path = _problem(write_client.get(f"/v1/platforms/{quoted}/ai-training"), 422)
    assert in_path["param"] == "path" and in_path["instance"] == f"/v1/platforms/{quoted}/ai-training"
    in_query = _problem(write_client.get(f"/v1/rules?platform={quoted}"), 422)
    assert in_query["param"] == "query" and in_query["instance"] == "/v1/rules"


def test_ids_and_text_have_length_limits(write_client, auth):
    long_id = {**SAMPLES["platform"].record, "id": "a" * 10_000}
    assert _problem(write_client.post("/v1/platforms", json=long_id, headers=auth), 422)["param"] == "id"
    long_name = {**SAMPLES["platform"].record, "name": "n" * 1_900_000}
    assert _problem(write_client.post("/v1/platforms", json=long_name, headers=auth), 422)["param"] == "name"
    _problem(write_client.get("/v1/changes", params={"resource_id": "x" * 101}), 422)


def test_writes_need_a_json_content_type(write_client, auth):
    body = b'{"name": "Facebook"}'
    # A JSON Patch (RFC 6902) or another +json type is not a merge patch: refused, not read as one.
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        None,
        "application/json-patch+json",
        "application/problem+json",
        "application/vnd.example+json",
    ):
        headers = {**auth, **({"Content-Type": content_type} if content_type else {})}
        _problem(write_client.patch("/v1/platforms/facebook", content=body, headers=headers), 415)
    headers = {**auth, "Content-Type": "application/merge-patch+json; charset=utf-8"}
    assert write_client.patch("/v1/platforms/facebook", content=body, headers=headers).status_code == 200
    _problem(
        write_client.post("/v1/ai-training/checks", content=b'{"checks": []}', headers={"Content-Type": "text/plain"}),
        415,
    )


def test_the_docs_asset_cache_holds_only_shipped_files(client):
    for i in range(200):
        assert client.get(f"/static/docs/{'x' * 2000}{i}.js").status_code == 404
    assert client.get("/static/docs/swagger-ui.css").status_code == 200
    assert docs._read_asset.cache_info().currsize <= len(docs.ASSET_NAMES)


def test_unpaired_surrogates_and_nul_in_a_new_key_are_422(write_client, auth):
    for body in (
        b'{"code": "X\\u0000Y", "name": "N", "kind": "group", "members": ["DE"]}',
        b'{"code": "XY", "name": "\\udae3", "kind": "country"}',
        b'{"code": "\\ud800", "name": "N", "kind": "country"}',
    ):
        response = write_client.post(
            "/v1/jurisdictions", content=body, headers={**auth, "Content-Type": "application/json"}
        )
        _problem(response, 422)


def test_a_client_hanging_up_before_its_body_is_not_a_server_error(write_client, auth, caplog):
    """wrk stopping mid-request logged 'unhandled error' and counted a 500; it is the client's doing."""
    rule = "instagram-eea-public-posts-2025"
    version = write_client.get(f"/v1/rules/{rule}").json()["version"]
    sent: list[dict] = []

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    headers = [(b"host", b"testserver"), (b"content-type", b"application/json"), (b"content-length", b"20")]
    headers += [(k.lower().encode(), v.encode()) for k, v in auth.items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PATCH",
        "scheme": "http",
        "path": f"/v1/rules/{rule}",
        "raw_path": f"/v1/rules/{rule}".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5555),
        "server": ("testserver", 80),
        "state": {},
    }

    async def call():
        await write_client.app(scope, receive, send)

    with caplog.at_level("INFO"):
        write_client.portal.call(call)
    assert sent[0]["status"] == 400
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert write_client.get(f"/v1/rules/{rule}").json()["version"] == version  # nothing was written


@pytest.mark.parametrize("surrogate", ["\\ud800", "\\udfff", "2025-01-0\\udfff"])
@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("PATCH", "/v1/rules/instagram-eea-public-posts-2025", "effective_from"),
        ("PATCH", "/v1/rules/instagram-eea-public-posts-2025", "posted_until"),
        ("PATCH", "/v1/rules/instagram-eea-public-posts-2025", "reviewed_on"),
        ("PATCH", "/v1/deadlines/facebook-eea-objection-2025", "on"),
        ("PATCH", "/v1/sources/M1", "published_on"),
    ],
)
def test_an_unpaired_surrogate_in_a_date_field_is_422_naming_it(write_client, auth, method, path, field, surrogate):
    before = write_client.get(path).json()
    body = b'{"%s": "%s"}' % (field.encode(), surrogate.encode())  # written escaped, as JSON carries it
    response = write_client.request(
        method, path, content=body, headers={**auth, "Content-Type": "application/merge-patch+json"}
    )
    problem = _problem(response, 422)
    assert field in [error["field"] for error in problem["errors"]], problem
    assert write_client.get(path).json() == before


@pytest.mark.parametrize("value", ["0", "1735689600", "2025-01-01T00:00:00", "0001-01-01", "9999-12-31", ""])
def test_rules_active_on_is_read_as_the_decision_reads_days(client, value):
    problem = _problem(client.get("/v1/rules", params={"active_on": value}), 422)
    assert problem["param"] == "active_on"


def test_rules_active_on_still_filters(client):
    rules = client.get("/v1/rules", params={"active_on": "2025-09-01", "platform": "instagram", "limit": 200}).json()
    assert rules["items"] and all(
        r["effective_from"] is None or r["effective_from"] <= "2025-09-01" for r in rules["items"]
    )
