"""Every error the service answers is RFC 9457 problem+json: framework errors, bugs and write errors."""

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from app.api.errors import Problem, problem_response
from app.main import create_app
from app.serving.problems import problem_bytes
from app.store.errors import AlreadyExists, InUse, InvalidRecord, NotFound, StaleVersion, WriteError
from tests.conftest import make_settings


def test_framework_errors_are_problem_json(client):
    for response, status in [(client.get("/nothing-here"), 404), (client.delete("/healthz"), 405)]:
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        assert {"type", "title", "status", "detail"} <= set(response.json())


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/v1/platforms", "GET, HEAD, OPTIONS, POST"),
        ("POST", "/v1/platforms/instagram", "DELETE, GET, HEAD, OPTIONS, PATCH, PUT"),
        ("PUT", "/v1/webhooks/wh_x", "DELETE, GET, HEAD, OPTIONS"),
        ("DELETE", "/v1/webhooks", "GET, HEAD, OPTIONS, POST"),
        ("POST", "/v1/platforms/instagram/ai-training", "GET, HEAD, OPTIONS"),
        ("DELETE", "/healthz", "GET, HEAD, OPTIONS"),
    ],
)
def test_a_405_allows_every_method_the_path_serves(client, method, path, allow):
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["allow"] == allow
    # The same list OPTIONS gives (RFC 9110 section 15.5.6).
    assert client.options(path).headers["allow"] == allow


def test_unhandled_errors_are_500_problem_json(shared_seeded_url):
    app: FastAPI = create_app(make_settings(shared_seeded_url))

    @app.get("/boom")
    def boom():
        raise RuntimeError("bug")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom")
    assert response.status_code == 500 and response.headers["content-type"] == "application/problem+json"
    assert "bug" not in response.text


def test_a_problem_document_has_the_rfc_9457_members_and_its_extras():
    problem = Problem(422, "age must be 0..150", title="Invalid parameter", param="age")
    assert problem.body("/v1/x") == {
        "type": "https://trainwatch.dev/problems/unprocessable-entity",
        "title": "Invalid parameter",
        "status": 422,
        "detail": "age must be 0..150",
        "instance": "/v1/x",
        "param": "age",
    }
    response = problem_response(problem, "/v1/x")
    assert response.status_code == 422 and response.media_type == "application/problem+json"
    assert response.body == problem_bytes(problem, "/v1/x")


def test_each_write_error_has_its_status():
    statuses = {NotFound: 404, AlreadyExists: 409, InUse: 409, StaleVersion: 412, InvalidRecord: 422}
    for error, status in statuses.items():
        assert issubclass(error, WriteError) and error("x").status == status


def test_write_errors_raised_by_a_route_are_problem_json_with_their_extras(shared_seeded_url):
    app: FastAPI = create_app(make_settings(shared_seeded_url))

    @app.get("/stale")
    def stale():
        raise StaleVersion("rule 'r' is at version 3, not 2", current_version=3)

    with TestClient(app) as c:
        response = c.get("/stale")
    assert response.status_code == 412 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["current_version"] == 3 and response.json()["title"] == "Precondition failed"


def test_an_error_answer_is_never_stored_by_a_cache(client):
    # RFC 9111 section 4.2.2: a 404 may be cached heuristically, and a record or revision missing now may exist soon.
    for path in (
        "/v1/platforms/nope/ai-training",
        "/v1/platforms/instagram/ai-training?category=zz",
        "/v1/platforms/nope",
        "/v1/rules?platform=zz",
        "/v1/dataset?revision=999999",
        "/v1/platforms/instagram/ai-training?country=%00",
    ):
        response = client.get(path)
        assert response.status_code >= 400, path
        assert response.headers["cache-control"] == "no-store", (path, dict(response.headers))
    # A problem has no ETag: If-None-Match never turns it into a 304.
    assert client.get("/v1/platforms/nope/ai-training", headers={"If-None-Match": "*"}).status_code == 404
