"""The HTTP edge: JSON access logs, no host-reflecting redirects, HEAD and OPTIONS, security headers."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

DECISION = "/v1/platforms/facebook/ai-training?category=public-posts&country=DE"


def _log_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_every_request_is_one_json_line_that_no_path_can_break(client, capsys):
    capsys.readouterr()
    client.get('/v1/rules/x%0a2026-01-01%20INFO%20forged%0d%0a{"event":"request"}')
    client.get(DECISION, headers={"X-Request-ID": "abc-123"})
    client.get("/v1/rules/facebook-eea-public-posts-pause-2024")
    client.get("/nothing-here")
    lines = _log_lines(capsys.readouterr().err)  # every line parses as JSON: nothing forged a line
    requests = [line for line in lines if line.get("event") == "request"]
    assert len(requests) == 4
    assert requests[0]["path"].startswith("/v1/rules/x\n2026") and requests[0]["status"] == 422
    assert requests[1]["request_id"] == "abc-123" and requests[1]["route"] == "/v1/platforms/{platform_id}/ai-training"
    assert requests[2]["status"] == 200 and isinstance(requests[2]["duration_ms"], float)
    assert requests[3]["route"] == "<unmatched>" and requests[3]["status"] == 404


def test_a_forged_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "bad\tid"})
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["x-request-id"])


def test_a_trailing_slash_never_redirects_to_the_host_header(client):
    response = client.get("/v1/rules/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code == 404 and "location" not in response.headers


def test_root_is_the_explorer_and_the_unversioned_path_redirects_to_v1(client):
    root = client.get("/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert root.status_code == 200 and root.headers["content-type"].startswith("text/html")
    assert "evil.example" not in root.text and "location" not in root.headers
    assert "script-src 'self'" in root.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in root.headers["content-security-policy"]
    old = client.get("/platforms/facebook/ai-training?category=public-posts&country=DE", follow_redirects=False)
    assert old.status_code == 308 and old.headers["location"] == DECISION
    assert client.get("/platforms/facebook/ai-training?country=DE").json()["country"] == "DE"


def test_head_answers_like_get_without_a_body(client):
    for url in (DECISION, "/v1/rules", "/v1/platforms/facebook", "/healthz", "/docs", "/v1/changes"):
        get, head = client.get(url), client.head(url)
        assert head.status_code == get.status_code == 200, url
        assert head.content == b"" and head.headers["content-length"] == get.headers["content-length"]
        assert head.headers.get("etag") == get.headers.get("etag")


def test_options_lists_the_allowed_methods(client):
    assert client.options("/v1/rules").headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert (
        client.options("/v1/rules/facebook-eea-public-posts-pause-2024").headers["allow"]
        == "DELETE, GET, HEAD, OPTIONS, PATCH, PUT"
    )
    assert client.options("/v1/platforms/facebook/ai-training").headers["allow"] == "GET, HEAD, OPTIONS"
    assert client.options("/v1/ai-training/checks").status_code == 204
    assert client.options("/nowhere").status_code == 404
    preflight = client.options(
        "/v1/rules", headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200 and "access-control-allow-methods" in preflight.headers


def test_every_answer_has_security_headers(client):
    for response in (
        client.get(DECISION),
        client.get("/v1/rules"),
        client.get("/nowhere"),
        client.get("/healthz"),
        client.post("/v1/ai-training/checks", json={"checks": []}),
        client.get("/v1/changes?offset=-1"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "server" not in response.headers


def test_docs_pages_have_a_strict_csp_that_allows_only_their_own_scripts(client):
    for page in ("/docs", "/redoc"):
        response = client.get(page)
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
        script_src = re.search(r"script-src ([^;]+)", csp).group(1)
        assert "unsafe-inline" not in script_src
        for script in re.findall(r"<script>(.*?)</script>", response.text, re.S):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in script_src


def test_the_log_names_the_route_template_not_the_path(client, capsys):
    capsys.readouterr()
    client.get('/v1/rules/"quoted"%20id')
    line = [entry for entry in _log_lines(capsys.readouterr().err) if entry.get("event") == "request"][0]
    assert line["route"] == "/v1/rules/{rule_id}" and line["path"] == '/v1/rules/"quoted" id' and line["status"] == 404


@pytest.mark.parametrize(
    ("request_headers", "param", "named"),
    [
        (
            {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"},
            "Headers",
            "headers",
        ),
        ({"Access-Control-Request-Method": "DELETE"}, "Method", "method"),
    ],
)
def test_a_refused_preflight_is_problem_json_naming_what_was_refused(client, request_headers, param, named):
    response = client.options("/v1/rules", headers={"Origin": "https://evil.example", **request_headers})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-content-type-options"] == "nosniff"
    problem = response.json()
    assert problem["param"] == f"Access-Control-Request-{param}" and f"(its {named})" in problem["detail"]
    assert "access-control-allow-methods" in response.headers  # what is allowed, as Starlette says it
