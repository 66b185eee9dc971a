"""Every success answer in the OpenAPI document has an example the app really gave, that fits its schema and is
still what the app answers (a stale example fails here: run `make openapi`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema_rs
import pytest
import yaml

from app.api.schemas.examples import load_examples, masked, record_on
from app.main import create_app
from app.openapi import render_openapi

SPEC = json.loads(render_openapi())
EXAMPLES = load_examples()["operations"]
OPERATIONS = {
    op["operationId"]: (path, method, op) for path, methods in SPEC["paths"].items() for method, op in methods.items()
}


def _successes(op: dict[str, Any]) -> dict[str, Any]:
    return {code: response for code, response in op["responses"].items() if code.startswith("2")}


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_every_operation_has_a_recorded_example_of_its_success_under_its_media_type(operation_id):
    _, _, op = OPERATIONS[operation_id]
    successes = _successes(op)
    assert successes, f"{operation_id} documents no success status"
    recorded = EXAMPLES.get(operation_id)
    assert recorded, f"{operation_id} has no recorded example: add a step to app/api/schemas/examples.py"
    for example in recorded:
        response = successes.get(str(example["status"]))
        assert response is not None, f"{operation_id} answered {example['status']}, not a documented success"
        content = response.get("content", {})
        if example["media_type"] is None:
            assert example["status"] == 204 and not content, f"{operation_id}: no body, yet content is documented"
        else:
            assert example["media_type"] in content, f"{operation_id} answered {example['media_type']}"
    for code, response in successes.items():
        for media_type, media in response.get("content", {}).items():
            assert media.get("examples", {}).get("recorded"), f"{operation_id} {code} {media_type} has no example"


@pytest.mark.parametrize("operation_id", sorted(EXAMPLES))
def test_each_example_is_valid_under_its_operations_schema(operation_id):
    assert operation_id in OPERATIONS, f"examples.json names {operation_id}, which the document does not have"
    _, _, op = OPERATIONS[operation_id]
    for example in EXAMPLES[operation_id]:
        if example["media_type"] is None:
            continue
        media = op["responses"][str(example["status"])]["content"][example["media_type"]]
        assert media["examples"]["recorded"]["value"] == example["value"]
        schema = {**media["schema"], "components": SPEC["components"]}
        validator = jsonschema_rs.validator_for(schema, validate_formats=True)
        value = example["value"]
        if example["media_type"] == "application/yaml":  # the schema describes the document the text holds
            value = yaml.safe_load(value)
        errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(value)]
        assert errors == [], f"{operation_id}: {errors[:5]}"


def test_text_examples_are_what_their_media_types_promise():
    [ics] = EXAMPLES["deadlinesIcs"]
    assert ics["value"].startswith("BEGIN:VCALENDAR") and ics["media_type"] == "text/calendar"
    [atom] = EXAMPLES["changesAtom"]
    assert "<feed" in atom["value"] and atom["media_type"] == "application/atom+xml"
    [svg] = EXAMPLES["badgeSvg"]
    assert svg["value"].startswith("<svg") and svg["media_type"] == "image/svg+xml"
    json_dump, yaml_dump = EXAMPLES["dataset"]
    assert json_dump["media_type"] == "application/json" and "platforms" in json_dump["value"]
    assert yaml_dump["media_type"] == "application/yaml" and yaml_dump["value"].startswith("categories:\n")


def test_request_bodies_shown_are_the_ones_the_examples_sent():
    for operation_id, examples in EXAMPLES.items():
        _, _, op = OPERATIONS[operation_id]
        for example in examples:
            if "body" in example["request"]:
                for media in op["requestBody"]["content"].values():
                    assert media["example"] == example["request"]["body"], operation_id


def test_read_examples_ask_what_docs_prefills():
    """A read's example is what "Try it out" then "Execute" answers as shipped: same path ids; for the decision
    route, every query parameter at its example."""
    for operation_id, examples in EXAMPLES.items():
        path, method, op = OPERATIONS[operation_id]
        if method != "get" or "{" not in path or path.startswith("/v1/webhooks/"):  # webhook ids are made at random
            continue
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
        sent = re.fullmatch(pattern, urlsplit(examples[0]["request"]["url"]).path)
        assert sent, (operation_id, examples[0]["request"]["url"])
        for param in op["parameters"]:
            if param["in"] == "path":
                shown = (
                    param.get("example")
                    or next(iter(param.get("examples", {}).values()), {}).get("value")
                    or param["schema"]["examples"][0]
                )
                assert sent[param["name"]] == shown, operation_id
    [decision] = EXAMPLES["getAiTraining"]
    _, _, op = OPERATIONS["getAiTraining"]
    prefilled = {
        p["name"]: str(p["example"]).lower() if isinstance(p["example"], bool) else str(p["example"])
        for p in op["parameters"]
        if p["in"] == "query"
    }
    assert dict(parse_qsl(urlsplit(decision["request"]["url"]).query)) == prefilled


def test_the_examples_are_what_the_app_answers_now(databases):
    """Record every example again on a fresh database of this backend: it must give the same answers."""
    fresh = record_on(databases.new_url(), create_app)["operations"]
    stale = []
    for operation_id, examples in EXAMPLES.items():
        now = fresh.get(operation_id, [])
        if masked(now) != masked(examples):
            stale.append(operation_id)
    assert set(fresh) == set(EXAMPLES)
    assert stale == [], f"examples.json is stale for {stale}: run `make openapi`"


def test_masking_hides_only_what_varies():
    assert masked({"at": "2026-11-29T18:26:59.864857Z", "id": "wh_84d354c1f5422714", "n": 3}) == {
        "at": "<time>",
        "id": "wh_<id>",
        "n": 3,
    }
    assert masked("as_of 2025-09-01, rule facebook-eea-public-posts-2025") == (
        "as_of 2025-09-01, rule facebook-eea-public-posts-2025"
    )


def test_recording_again_rewrites_the_file_only_when_an_answer_changed(tmp_path, monkeypatch):
    from app.api.schemas import examples

    path = tmp_path / "examples.json"
    first = {"operations": {"getX": [{"value": {"at": "2026-11-29T18:26:59Z", "summary": "Used."}}]}}
    path.write_text(json.dumps(first))
    same_but_later = {"operations": {"getX": [{"value": {"at": "2026-11-30T09:00:00Z", "summary": "Used."}}]}}
    monkeypatch.setattr(examples, "record_on", lambda url, create: same_but_later)
    assert examples.write_examples(create_app, path) is False
    assert json.loads(path.read_text()) == first  # only a time differs: the committed file stays as it was

    changed = {"operations": {"getX": [{"value": {"at": "2026-11-30T09:00:00Z", "summary": "Not used."}}]}}
    monkeypatch.setattr(examples, "record_on", lambda url, create: changed)
    assert examples.write_examples(create_app, path) is True
    assert json.loads(path.read_text()) == changed


def test_a_failed_recording_write_leaves_the_committed_examples_whole(tmp_path, monkeypatch):
    from app.api.schemas import examples

    path = tmp_path / "examples.json"
    path.write_text('{"operations": {}}\n')
    changed = {"operations": {"getX": [{"value": {"summary": "Not used."}}]}}
    monkeypatch.setattr(examples, "record_on", lambda url, create: changed)

    def full_disk(self, *args, **kwargs):
        with self.open("w") as half:  # half of it, then the disk is full
            half.write('{"operations": {"get')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError):
        examples.write_examples(create_app, path)
    assert path.read_bytes() == b'{"operations": {}}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["examples.json"]  # the half-written copy is gone
