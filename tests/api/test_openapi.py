"""The committed openapi.json is what the app serves, and it documents the decision parameters."""

import json

from app.openapi import render_openapi
from app.settings import REPO_ROOT


def test_committed_spec_matches_the_app():
    committed = (REPO_ROOT / "openapi.json").read_text()
    assert committed == render_openapi(), "openapi.json is stale: run `make openapi`"


def test_served_spec_equals_the_committed_file(client):
    assert client.get("/openapi.json").json() == json.loads((REPO_ROOT / "openapi.json").read_text())


def test_decision_parameters_are_documented_with_examples():
    spec = json.loads(render_openapi())
    operation = spec["paths"]["/v1/platforms/{platform_id}/ai-training"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {
        "platform_id",
        "category",
        "country",
        "as_of",
        "age",
        "objected",
        "objected_on",
        "posted_on",
        "opted_in",
        "opted_in_on",
        "lang",
    }
    assert all(p.get("description") for p in params.values())
    assert all("example" in p or "examples" in p or "examples" in p["schema"] for p in params.values())
    assert "public-posts" in params["category"]["schema"]["enum"]
    verdict = spec["components"]["schemas"]["DecisionOut"]["properties"]["verdict"]
    assert set(verdict["enum"]) == {"used", "not_used", "conditional", "unknown"}


def test_only_writes_that_answer_with_their_record_document_the_read_back_503():
    spec = json.loads(render_openapi())
    described = {
        (method, path)
        for path, operations in spec["paths"].items()
        for method, op in operations.items()
        if "saved-not-read-back" in op["responses"].get("503", {}).get("description", "")
    }
    expected = {("post", "/v1/rules"), ("put", "/v1/rules/{rule_id}"), ("patch", "/v1/rules/{rule_id}")}
    assert expected <= described and len(described) == 18  # create, replace and patch of each of 6 kinds
    assert not {path for _, path in described} & {"/v1/rules/{rule_id}/reviews", "/v1/webhooks"}
    assert all(method != "delete" for method, _ in described)
