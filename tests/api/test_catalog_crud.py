"""Writes of every catalog resource: create, read, replace, patch, delete, with versions, 409, 412 and 422."""

from __future__ import annotations

import json

import pytest
from catalog_support import SAMPLES, bearer, key_id, new_app
from starlette.testclient import TestClient

RESOURCES = list(SAMPLES)


@pytest.fixture
def auth(seeded_url):
    return bearer(seeded_url)


def _revision(client) -> int:
    return client.get("/v1/changes", params={"limit": 1}).json()["dataset_revision"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_record_lives_through_create_replace_patch_and_delete(write_client, auth, resource):
    sample, c = SAMPLES[resource], write_client
    created = c.post(f"/v1/{sample.path}", json=sample.record, headers=auth)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == sample.url() and created.headers["etag"].startswith('"v1')
    body = created.json()
    assert body["version"] == 1 and {k: body[k] for k in sample.record} == sample.record

    read = c.get(sample.url())
    assert read.status_code == 200 and read.json() == body and read.headers["etag"] == created.headers["etag"]
    assert c.get(sample.url(), headers={"If-None-Match": read.headers["etag"]}).status_code == 304

    replaced = c.put(
        sample.url(), json={**sample.record, **sample.change}, headers={**auth, "If-Match": read.headers["etag"]}
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["version"] == 2 and replaced.headers["etag"].startswith('"v2')
    assert all(replaced.json()[k] == v for k, v in sample.change.items())

    patched = c.patch(
        sample.url(),
        json=sample.record | {k: v for k, v in sample.record.items() if k in sample.change},
        headers={**auth, "If-Match": replaced.headers["etag"], "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["version"] == 3 and {k: patched.json()[k] for k in sample.record} == sample.record

    deleted = c.delete(sample.url(), headers={**auth, "If-Match": patched.headers["etag"]})
    assert deleted.status_code == 204 and deleted.content == b""
    assert c.get(sample.url()).status_code == 404

    log = c.get("/v1/changes", params={"resource": resource, "resource_id": sample.key}).json()["items"]
    assert [(ch["operation"], ch["actor"]) for ch in log] == [
        ("delete", f"key:{key_id(auth)}"),
        *[("update", f"key:{key_id(auth)}")] * 2,
        ("create", f"key:{key_id(auth)}"),
    ]
    assert (
        log[0]["after"] is None
        and log[-1]["before"] is None
        and log[-1]["after"] == {**log[-1]["after"], **sample.record}
    )


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_stale_if_match_is_412_and_changes_nothing(write_client, auth, resource):
    sample, c = SAMPLES[resource], write_client
    first = c.post(f"/v1/{sample.path}", json=sample.record, headers=auth)
    c.patch(sample.url(), json=sample.change, headers=auth)  # another editor moves the record to v2
    current = c.get(sample.url())
    revision = _revision(c)
    stale = {**auth, "If-Match": first.headers["etag"]}
    for response in (
        c.put(sample.url(), json=sample.record, headers=stale),
        c.patch(sample.url(), json=sample.record, headers=stale),
        c.delete(sample.url(), headers=stale),
    ):
        assert response.status_code == 412 and response.headers["content-type"] == "application/problem+json"
        assert response.json()["current_version"] == 2
    assert c.get(sample.url()).json() == current.json() and _revision(c) == revision


@pytest.mark.parametrize("resource", RESOURCES)
def test_an_invalid_record_is_422_naming_the_field_and_writes_nothing(write_client, auth, resource):
    sample, c = SAMPLES[resource], write_client
    field, value = sample.bad
    revision = _revision(c)
    response = c.post(f"/v1/{sample.path}", json={**sample.record, field: value}, headers=auth)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["param"] == field and field in {e["field"] for e in problem["errors"]}
    assert c.get(sample.url()).status_code == 404 and _revision(c) == revision


@pytest.mark.parametrize("resource", [r for r in RESOURCES if SAMPLES[r].referred])
def test_deleting_a_record_others_refer_to_is_409_saying_what_refers_to_it(write_client, auth, resource):
    sample, c = SAMPLES[resource], write_client
    response = c.delete(sample.url(sample.referred), headers=auth)
    assert response.status_code == 409 and response.headers["content-type"] == "application/problem+json"
    referred_by = response.json()["referred_by"]
    assert referred_by and all(" " in label for label in referred_by)
    assert referred_by[0] in response.json()["detail"]
    assert c.get(sample.url(sample.referred)).status_code == 200


@pytest.mark.parametrize("resource", RESOURCES)
def test_creating_a_record_twice_is_409_and_writing_a_missing_one_is_404(write_client, auth, resource):
    sample, c = SAMPLES[resource], write_client
    assert c.post(f"/v1/{sample.path}", json=sample.record, headers=auth).status_code == 201
    again = c.post(f"/v1/{sample.path}", json=sample.record, headers=auth)
    assert again.status_code == 409 and "already exists" in again.json()["detail"]
    missing = sample.url("missing-zz9" if sample.key_field == "id" else "ZZ")
    assert c.put(missing, json=sample.record, headers=auth).status_code == 404
    assert c.patch(missing, json=sample.change, headers=auth).status_code == 404
    assert c.delete(missing, headers=auth).status_code == 404


def test_without_if_match_the_last_write_wins(write_client, auth):
    url = "/v1/platforms/facebook"
    first = write_client.patch(url, json={"name": "Facebook A"}, headers=auth)
    second = write_client.patch(url, json={"name": "Facebook B"}, headers=auth)
    assert (first.status_code, second.status_code) == (200, 200)
    assert write_client.get(url).json()["name"] == "Facebook B"


def test_a_merge_patch_null_removes_an_optional_field_and_keeps_the_rest(write_client, auth):
    url = "/v1/platforms/facebook"
    before = write_client.get(url).json()
    response = write_client.patch(url, json={"website": None}, headers=auth)
    assert response.status_code == 200
    after = response.json()
    assert after["website"] is None and after["name"] == before["name"] and after["operator"] == before["operator"]


def test_a_read_can_be_edited_and_sent_back_whole(write_client, auth):
    url = "/v1/rules/facebook-eea-public-posts-2025"
    read = write_client.get(url)
    rule = read.json()
    assert rule["source_details"]  # read-only members the write ignores
    response = write_client.put(
        url, json={**rule, "summary": "Edited."}, headers={**auth, "If-Match": read.headers["etag"]}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {**rule, "summary": "Edited.", "version": rule["version"] + 1}


def test_the_body_must_match_the_path_and_be_a_json_object(write_client, auth):
    url = "/v1/platforms/facebook"
    mismatch = write_client.put(url, json={**SAMPLES["platform"].record}, headers=auth)
    assert mismatch.status_code == 422 and mismatch.json()["param"] == "id"
    for body in (b"[1, 2]", b"{not json"):
        response = write_client.put(url, content=body, headers={**auth, "Content-Type": "application/json"})
        assert response.status_code == 422 and response.json()["param"] == "body"
    nameless = write_client.post("/v1/platforms", json={"name": "No id"}, headers=auth)
    assert nameless.status_code == 422 and nameless.json()["param"] == "id"


def test_an_if_match_that_names_no_version_is_412(write_client, auth):
    response = write_client.patch(
        "/v1/platforms/facebook", json={"name": "X"}, headers={**auth, "If-Match": '"r12-abc"'}
    )
    assert response.status_code == 412 and response.json()["param"] == "If-Match"
    long = write_client.patch(
        "/v1/platforms/facebook", json={"name": "X"}, headers={**auth, "If-Match": '"' + "r" * 8000 + '"'}
    )
    assert long.status_code == 412 and len(long.json()["detail"]) < 400  # cut, not echoed whole
    assert write_client.get("/v1/platforms/facebook").json()["name"] == "Facebook"


def test_a_reference_to_something_missing_is_422_naming_the_field(write_client, auth):
    rule = {**SAMPLES["rule"].record, "sources": ["M1", "ZZ404"]}
    response = write_client.post("/v1/rules", json=rule, headers=auth)
    assert response.status_code == 422 and response.json()["param"] == "sources[1]"
    assert "ZZ404" in response.json()["detail"]


def test_a_body_over_the_size_limit_is_413(seeded_url, auth):
    with TestClient(new_app(seeded_url, max_body_bytes=200)) as small:
        record = {**SAMPLES["platform"].record, "name": "x" * 300}
        response = small.post("/v1/platforms", json=record, headers=auth)
        assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"
        assert small.get("/v1/platforms/example").status_code == 404


def test_if_match_may_list_several_etags(write_client, auth):
    url = "/v1/data-categories/public-posts"
    assert write_client.patch(url, json={"name": "A"}, headers={**auth, "If-Match": '"v8", "v9"'}).status_code == 412
    assert write_client.patch(url, json={"name": "B"}, headers={**auth, "If-Match": '"v9", "v1"'}).status_code == 200
    assert write_client.delete(url, headers={**auth, "If-Match": '"v1", "v3"'}).status_code == 412
    assert write_client.get(url).json()["name"] == "B"


def test_if_match_and_if_none_match_on_several_lines_are_one_list(write_client, auth):
    """RFC 9110 section 5.3: lines of a list field mean their values joined; the fast path and the routes agree."""
    rule = "/v1/rules/instagram-eea-public-posts-2025"
    decision = "/v1/platforms/instagram/ai-training?category=public-posts&country=DE&as_of=2025-09-01"
    etag = write_client.get(decision).headers["etag"]
    for lines in ([('"zzz"'), etag], [etag, '"zzz"']):
        headers = [("If-None-Match", line) for line in lines]
        assert write_client.get(decision, headers=headers).status_code == 304
        assert write_client.head(decision, headers=headers).status_code == 304
    current = write_client.get(rule).headers["etag"]
    stale_first = [*auth.items(), ("If-Match", '"0"'), ("If-Match", current)]
    patched = write_client.patch(
        rule,
        content=b'{"notes": ["two If-Match lines"]}',
        headers=[*stale_first, ("Content-Type", "application/merge-patch+json")],
    )
    assert patched.status_code == 200, patched.text


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("header", ["*", "current", 'W/"current"', '"v999", current'])
def test_a_write_whose_if_none_match_matches_the_stored_record_is_412_and_changes_nothing(
    write_client, auth, method, header
):
    url = "/v1/data-categories/usage-data"
    read = write_client.get(url)
    etag = read.headers["etag"]
    header = header.replace('"current"', etag).replace("current", etag)
    body = {k: v for k, v in read.json().items() if k not in ("id", "version")}
    response = write_client.request(
        method,
        url,
        content=json.dumps(body if method != "PATCH" else {"name": "Changed"}) if method != "DELETE" else None,
        headers={**auth, "If-None-Match": header, "Content-Type": "application/json"},
    )
    assert response.status_code == 412, response.text
    assert response.json()["param"] == "If-None-Match"
    assert write_client.get(url).json() == read.json()


def test_a_create_with_if_none_match_star_is_412_when_the_record_exists_and_201_when_not(write_client, auth):
    """`If-None-Match: *` on a create asks for it only if the record does not exist yet (RFC 9110 section 13.1.2): an
    existing one is 412 naming the header (without the header a create of an existing id stays 409)."""
    read = write_client.get("/v1/data-categories/usage-data")
    body = {k: v for k, v in read.json().items() if k != "version"}
    guarded = {**auth, "If-None-Match": "*"}
    refused = write_client.post("/v1/data-categories", json=body, headers=guarded)
    assert refused.status_code == 412, refused.text
    assert refused.json()["param"] == "If-None-Match" and refused.json()["current_version"] == 1
    assert write_client.get("/v1/data-categories/usage-data").json() == read.json()
    assert write_client.post("/v1/data-categories", json=body, headers=auth).status_code == 409
    fresh = {**body, "id": "fresh-category", "name": "Fresh"}
    assert write_client.post("/v1/data-categories", json=fresh, headers=guarded).status_code == 201


def test_an_if_none_match_of_another_version_lets_the_write_through(write_client, auth):
    url = "/v1/data-categories/usage-data"
    response = write_client.patch(
        url,
        content=b'{"name": "Usage data"}',
        headers={**auth, "If-None-Match": '"v999"', "Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("how", ["patch-empty", "patch-same", "put-same"])
def test_a_write_that_changes_nothing_makes_no_revision_and_no_change(write_client, auth, how):
    url = "/v1/rules/instagram-eea-public-posts-2025"
    read = write_client.get(url)
    record = read.json()
    revision = write_client.get("/v1/dataset").json()["dataset_revision"]
    changes = write_client.get("/v1/changes", params={"limit": 1}).json()
    body = {k: v for k, v in record.items() if k not in ("id", "version", "confidence", "platform_name")}
    if how == "put-same":
        response = write_client.put(url, json=body, headers=auth)
    else:
        patch = {} if how == "patch-empty" else {"summary": record["summary"]}
        response = write_client.patch(
            url, content=json.dumps(patch), headers={**auth, "Content-Type": "application/merge-patch+json"}
        )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == read.headers["etag"]
    assert response.json()["version"] == record["version"]
    assert write_client.get("/v1/dataset").json()["dataset_revision"] == revision
    assert write_client.get("/v1/changes", params={"limit": 1}).json() == changes
    # A real change still makes one.
    changed = write_client.patch(
        url, content=b'{"notes": ["changed"]}', headers={**auth, "Content-Type": "application/merge-patch+json"}
    )
    assert changed.status_code == 200 and changed.json()["version"] == record["version"] + 1
    assert write_client.get("/v1/dataset").json()["dataset_revision"] == revision + 1


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"effective_until": "2020-01-01"}, "effective_until"),  # before effective_from: the later date is named
        ({"opt_out": None}, "opt_out"),  # an opt_out rule needs its opt-out
    ],
)
def test_a_check_of_the_whole_record_names_the_field_it_is_about(write_client, auth, patch, field):
    """A check across fields names the field it concerns, not the record's id (the API said `param: id`)."""
    response = write_client.patch("/v1/rules/instagram-eea-public-posts-2025", json=patch, headers=auth)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["param"] == field and problem["errors"][0]["field"] == field
