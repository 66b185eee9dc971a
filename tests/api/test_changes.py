"""The change log over HTTP, concurrent edits of one rule, and writes reaching the decision answers."""

from __future__ import annotations

import time

import pytest
from catalog_support import bearer, key_id, new_app, run_together
from starlette.testclient import TestClient

RULE = "/v1/rules/facebook-eea-public-posts-2025"
OTHER_RULE = "/v1/rules/facebook-eea-public-comments-2025"
ANSWER = "/v1/platforms/facebook/ai-training"
QUESTION = {"category": "public-posts", "country": "DE", "as_of": "2025-09-01"}


def _changes(client, **params):
    """Return every page of the change log (the seed alone makes more than one page of 1000) as one body."""
    body = client.get("/v1/changes", params={"limit": 1000, **params}).json()
    url = body["next"]
    while url:
        page = client.get(url).json()
        body["items"] += page["items"]
        url = page["next"]
    return body


def test_changes_are_listed_newest_first_with_what_how_who_and_when(client):
    body = _changes(client)
    items = body["items"]
    assert items and body["total"] == len(items)
    order = [(c["dataset_revision"], c["id"]) for c in items]
    assert [r for r, _ in order] == sorted((r for r, _ in order), reverse=True)
    assert all(c["dataset_revision"] <= body["dataset_revision"] for c in items)
    first = items[-1]
    assert set(first) == {
        "id",
        "dataset_revision",
        "resource",
        "resource_id",
        "operation",
        "before",
        "after",
        "actor",
        "at",
    }
    assert (first["operation"], first["before"], first["actor"]) == ("create", None, "test-seed")
    assert first["at"].endswith("Z")


def test_since_revision_and_resource_filters(client):
    body = _changes(client)
    assert _changes(client, since_revision=body["dataset_revision"])["items"] == []
    assert _changes(client, since_revision=0)["total"] == body["total"]
    rules = _changes(client, resource="rule")["items"]
    assert rules and {c["resource"] for c in rules} == {"rule"}
    one = _changes(client, resource="rule", resource_id="facebook-eea-public-posts-2025")["items"]
    assert [c["resource_id"] for c in one] == ["facebook-eea-public-posts-2025"]
    for params in ({"since_revision": -1}, {"resource": "platforms"}):
        response = client.get("/v1/changes", params=params)
        assert response.status_code == 422 and response.json()["param"] == next(iter(params))


def test_a_rule_edit_changes_the_next_answer_and_appears_in_the_change_log(write_client, seeded_url):
    auth = bearer(seeded_url)
    before = write_client.get(ANSWER, params=QUESTION)
    [decision] = before.json()["decisions"]
    assert decision["verdict"] == "conditional" and decision["rule_id"] == RULE.rsplit("/", 1)[1]
    revision = before.json()["dataset_revision"]

    edit = {"treatment": "not_used", "opt_out": None, "min_age": None, "summary": "Not used after all."}
    response = write_client.patch(RULE, json=edit, headers=auth)
    assert response.status_code == 200, response.text

    after = write_client.get(ANSWER, params=QUESTION, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.json()["dataset_revision"] == revision + 1
    [decision] = after.json()["decisions"]
    assert (decision["verdict"], decision["used"], decision["summary"]) == ("not_used", False, "Not used after all.")

    [change] = _changes(write_client, since_revision=revision)["items"]
    assert (change["dataset_revision"], change["resource"], change["resource_id"], change["operation"]) == (
        revision + 1,
        "rule",
        "facebook-eea-public-posts-2025",
        "update",
    )
    assert change["before"]["treatment"] == "opt_out" and change["after"]["treatment"] == "not_used"
    assert change["actor"] == f"key:{key_id(auth)}"


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_two_concurrent_updates_with_the_same_etag_one_wins_the_other_gets_412(seeded_url, method):
    auth = bearer(seeded_url)
    with TestClient(new_app(seeded_url)) as one, TestClient(new_app(seeded_url)) as two:
        read = one.get(RULE)
        etag, rule, revision = read.headers["etag"], read.json(), _changes(one)["dataset_revision"]

        def update(client, summary):
            body = {**rule, "summary": summary} if method == "PUT" else {"summary": summary}
            return client.request(method, RULE, json=body, headers={**auth, "If-Match": etag})

        results = run_together(lambda: update(one, "Edited by one."), lambda: update(two, "Edited by two."))
        assert sorted(r.status_code for r in results) == [200, 412], [r.text for r in results]
        winner = next(r for r in results if r.status_code == 200).json()["summary"]
        loser = next(r for r in results if r.status_code == 412).json()
        assert loser["current_version"] == rule["version"] + 1

        new = _changes(one, since_revision=revision)["items"]
        assert len(new) == 1 and new[0]["after"]["summary"] == winner
    # Read back through a new app: `one` does not poll, so it may not have seen a win by `two` yet.
    with TestClient(new_app(seeded_url)) as fresh:
        assert fresh.get(RULE).json()["summary"] == winner


def test_concurrent_edits_of_different_records_never_conflict(seeded_url):
    auth = bearer(seeded_url)
    with TestClient(new_app(seeded_url)) as one, TestClient(new_app(seeded_url)) as two:
        revision = _changes(one)["dataset_revision"]
        tags = [one.get(url).headers["etag"] for url in (RULE, OTHER_RULE)]
        results = run_together(
            lambda: one.patch(RULE, json={"summary": "One."}, headers={**auth, "If-Match": tags[0]}),
            lambda: two.patch(OTHER_RULE, json={"summary": "Two."}, headers={**auth, "If-Match": tags[1]}),
        )
        assert [r.status_code for r in results] == [200, 200]
        assert len(_changes(one, since_revision=revision)["items"]) == 2


def test_another_process_sees_a_write_within_about_a_second(seeded_url):
    auth = bearer(seeded_url)
    with (
        TestClient(new_app(seeded_url)) as writer,
        TestClient(new_app(seeded_url, revision_check_seconds=0.2)) as reader,
    ):
        assert reader.get(RULE).json()["version"] == 1
        assert writer.patch(RULE, json={"treatment": "not_used", "opt_out": None}, headers=auth).status_code == 200
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and reader.get(RULE).json()["version"] == 1:
            time.sleep(0.05)
        assert reader.get(RULE).json()["treatment"] == "not_used"
        [decision] = reader.get(ANSWER, params=QUESTION).json()["decisions"]
        assert decision["verdict"] == "not_used"


def test_writes_made_while_paging_do_not_shift_the_pages(write_client, seeded_url):
    auth = bearer(seeded_url)
    whole = _changes(write_client)
    first = write_client.get("/v1/changes", params={"limit": 50})
    assert first.json()["items"] == whole["items"][:50]
    # Three writes between the pages: with offsets over the growing list, page two would repeat page one's last 3.
    for n in range(3):
        assert write_client.patch(RULE, json={"notes": [f"paging {n}"]}, headers=auth).status_code == 200
    revision = whole["dataset_revision"]
    assert first.json()["next"] == f"/v1/changes?up_to_revision={revision}&limit=50&offset=50"
    assert first.headers["link"] == f'<{first.json()["next"]}>; rel="next"'
    second = write_client.get(first.json()["next"]).json()
    assert second["items"] == whole["items"][50:100]
    assert (second["total"], second["dataset_revision"]) == (whole["total"], revision)
    # A new first page, or since_revision, shows the writes.
    fresh = write_client.get("/v1/changes", params={"limit": 3}).json()
    assert [c["dataset_revision"] for c in fresh["items"]] == [revision + 3, revision + 2, revision + 1]
    assert fresh["total"] == whole["total"] + 3
    assert len(_changes(write_client, since_revision=revision)["items"]) == 3


def test_a_pinned_page_keeps_its_etag_across_writes_and_never_reaches_past_the_stored_revision(
    write_client, seeded_url
):
    revision = _changes(write_client)["dataset_revision"]
    pinned = {"up_to_revision": revision, "limit": 10}
    before = write_client.get("/v1/changes", params=pinned)
    assert write_client.patch(RULE, json={"notes": ["etag"]}, headers=bearer(seeded_url)).status_code == 200
    again = write_client.get("/v1/changes", params=pinned, headers={"If-None-Match": before.headers["etag"]})
    assert again.status_code == 304
    ahead = write_client.get("/v1/changes", params={"up_to_revision": revision + 100, "limit": 1}).json()
    assert (ahead["dataset_revision"], ahead["items"][0]["dataset_revision"]) == (revision + 1, revision + 1)
    assert ahead["next"].startswith(f"/v1/changes?up_to_revision={revision + 1}&")
    older = write_client.get("/v1/changes", params={"up_to_revision": 1, "limit": 1000}).json()
    assert {c["dataset_revision"] for c in older["items"]} == {1} and older["dataset_revision"] == 1


@pytest.mark.parametrize("value", ["-1", str(2**63), "x"])
def test_up_to_revision_out_of_range_is_422(client, value):
    response = client.get("/v1/changes", params={"up_to_revision": value})
    assert response.status_code == 422 and response.json()["param"] == "up_to_revision"
