"""The review queue over HTTP (GET /v1/rules?needs_review=true, POST /v1/rules/{id}/reviews) and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from app.cli_watch import _bar
from app.main import create_app
from app.store.checks import platform_source_ids
from app.store.db import make_engine
from tests.api.catalog_support import bearer
from tests.conftest import make_settings
from tests.watch.site import Page
from tests.watch.support import check, page, point, quote_of

ADOBE, ALEXA = "adobe-global-private-content-2024", "alexa-global-ai-interactions"
CONTACT = "https://example.org/trainwatch-operator"


@pytest.fixture
def changed(seeded_url, site):
    """A seeded database where AD1 changed since the rule's review and AX1 is unchanged."""
    engine = make_engine(seeded_url)
    point(engine, site, ["AD1", "AX1"])
    for source_id in ("AD1", "AX1"):
        site.pages[f"/{source_id}"] = Page(body=page(quote_of(engine, source_id)))
    check(engine, ["AD1", "AX1"])
    site.pages["/AD1"] = Page(body=page(quote_of(engine, "AD1"), extra="We now also license content to partners."))
    check(engine, ["AD1", "AX1"])
    engine.dispose()
    return seeded_url


def test_the_queue_and_a_review_over_http(changed):
    with TestClient(create_app(make_settings(changed))) as client:
        listed = client.get("/v1/rules", params={"needs_review": "true"}).json()
        assert [item["id"] for item in listed["items"]] == [ADOBE] and listed["total"] == 1
        (flag,) = listed["items"][0]["review"]["sources"]
        assert flag["source"] == "AD1" and flag["outcome"] == "changed"
        assert "+We now also license content to partners." in flag["diff"]
        others = client.get("/v1/rules", params={"needs_review": "false"}).json()
        assert ADOBE not in [item["id"] for item in others["items"]]
        assert others["total"] == client.get("/v1/rules").json()["total"] - 1

        body = {"outcome": "confirmed", "note": "Only a new paragraph on partners; the rule stands."}
        assert client.post(f"/v1/rules/{ADOBE}/reviews", json=body).status_code == 401
        key = bearer(changed)
        assert client.post("/v1/rules/no-such-rule/reviews", json=body, headers=key).status_code == 404
        bad = client.post(f"/v1/rules/{ADOBE}/reviews", json={"outcome": "fine"}, headers=key)
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
        made = client.post(f"/v1/rules/{ADOBE}/reviews", json=body, headers=key)
        assert made.status_code == 201, made.text
        review = made.json()
        assert review["rule"] == ADOBE and review["outcome"] == "confirmed" and review["actor"].startswith("key:")
        assert client.get("/v1/rules", params={"needs_review": "true"}).json()["items"] == []
        reviews = client.get(f"/v1/rules/{ADOBE}/reviews").json()
        assert reviews["total"] == 1 and reviews["items"][0] == {
            k: v for k, v in review.items() if k != "dataset_revision"
        }
        logged = client.get("/v1/changes", params={"resource": "review"}).json()["items"]
        assert [(c["resource_id"], c["dataset_revision"]) for c in logged] == [(ADOBE, review["dataset_revision"])]
        assert client.get("/v1/changes", params={"resource": "source-check"}).json()["items"][0]["resource_id"] == "AD1"
        feed = client.get("/v1/changes.atom")
        assert feed.status_code == 200 and f"Review of rule {ADOBE} added" in feed.text
        assert "Check of source AD1 added" in feed.text


def test_a_rules_reviews_come_a_page_at_a_time_and_new_ones_do_not_shift_the_pages(seeded_url):
    key = bearer(seeded_url)
    path = f"/v1/rules/{ALEXA}/reviews"
    with TestClient(create_app(make_settings(seeded_url))) as client:
        empty = client.get(path)
        assert empty.status_code == 200 and empty.json() == {
            "items": [],
            "total": 0,
            "limit": 100,
            "offset": 0,
            "next": None,
            "dataset_revision": empty.json()["dataset_revision"],
        }
        made = [
            client.post(path, json={"outcome": "confirmed", "note": f"check {n}"}, headers=key).json() for n in range(5)
        ]
        first = client.get(path, params={"limit": 2})
        body = first.json()
        assert [item["note"] for item in body["items"]] == ["check 4", "check 3"] and body["total"] == 5
        assert body["dataset_revision"] == made[-1]["dataset_revision"]
        assert body["next"] == f"{path}?up_to_id={made[-1]['id']}&limit=2&offset=2"
        assert first.headers["link"] == f'<{body["next"]}>; rel="next"'
        assert (
            client.get(path, params={"limit": 2}, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        )
        # A review recorded between the pages: offsets over the growing list would repeat "check 3".
        client.post(path, json={"outcome": "changed", "note": "check 5"}, headers=key)
        second = client.get(body["next"]).json()
        assert [item["note"] for item in second["items"]] == ["check 2", "check 1"] and second["total"] == 5
        last = client.get(second["next"]).json()
        assert [item["note"] for item in last["items"]] == ["check 0"] and last["next"] is None
        assert client.get(path, params={"limit": 1}).json()["items"][0]["note"] == "check 5"
        # A pin past the newest review holds the pages to the newest there is.
        ahead = client.get(path, params={"limit": 1, "up_to_id": 2**31 - 1}).json()
        assert ahead["next"] == f"{path}?up_to_id={ahead['items'][0]['id']}&limit=1&offset=1"
        for params in ({"limit": 0}, {"offset": -1}, {"up_to_id": -1}):
            bad = client.get(path, params=params)
            assert bad.status_code == 422 and bad.json()["param"] == next(iter(params))


def run(*args: str, url: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "TRAINWATCH_DATABASE_URL": url,
        "TRAINWATCH_CHECK_RATE_PER_HOST": "0",
        "TRAINWATCH_CHECK_CONTACT_URL": CONTACT,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=environment, capture_output=True, text=True, timeout=120
    )


def test_the_commands_check_list_and_record(seeded_url, site):
    engine = make_engine(seeded_url)
    with Session(engine) as session:
        adobe = sorted(platform_source_ids(session, "adobe"))
    point(engine, site, adobe)  # every source the --platform run checks is on the local server
    for source_id in adobe:
        site.pages[f"/{source_id}"] = Page(body=page(quote_of(engine, source_id) or "No quote."))
    engine.dispose()
    first = run("sources", "check", "--source", "AD1", "--json", "--fail-on-change", url=seeded_url)
    assert first.returncode == 0, first.stderr
    (line,) = first.stdout.splitlines()
    assert json.loads(line)["id"] == "AD1" and json.loads(line)["outcome"] == "ok"
    assert first.stderr.strip().startswith("checked 1 sources: 1 ok")
    assert {agent for _path, agent in site.requests} == {f"Trainwatch/0.1.0 (+{CONTACT}; policy source checker)"}

    site.pages["/AD1"] = Page(body=page(quote_of(engine, "AD1"), extra="We now also license content to partners."))
    second = run("sources", "check", "--platform", "adobe", "--fail-on-change", url=seeded_url)
    assert second.returncode == 1
    assert second.stdout.strip().splitlines()[0].startswith("AD1\tchanged\t")
    summary = second.stdout.strip().splitlines()[-1]
    assert summary.startswith(f"checked {len(adobe)} sources: {len(adobe) - 1} ok, 1 changed")

    listed = run("review", "list", url=seeded_url)
    assert f"rule {ADOBE}" in listed.stdout and "+We now also license content to partners." in listed.stdout
    assert run("review", "record", ADOBE, "--outcome", "maybe", url=seeded_url).returncode == 1
    recorded = run("review", "record", ADOBE, "--outcome", "confirmed", "--note", "still right", url=seeded_url)
    assert recorded.returncode == 0, recorded.stderr
    assert run("review", "list", url=seeded_url).stdout.strip() == "0 rules need review"
    assert run("sources", "check", "--source", "NOPE", url=seeded_url).stderr.startswith("error: no source NOPE")
    warned = run("sources", "check", "--source", "AD1", url=seeded_url, TRAINWATCH_CHECK_CONTACT_URL="")
    assert warned.returncode == 0 and "TRAINWATCH_CHECK_CONTACT_URL is not set" in warned.stderr
    site.pages["/AD1"] = Page(404, "no")
    gone = run("sources", "check", "--source", "AD1", url=seeded_url)
    assert gone.stdout.strip().splitlines()[-1].endswith("; gone with no archived copy: AD1")


def test_the_progress_bar_counts_every_source():
    bar, start = _bar(True)
    assert _bar(False) == (None, None) and bar is not None and start is not None
    advance = start(3)
    for _ in range(3):
        advance(None)
    assert bar.tasks[0].completed == 3 and bar.tasks[0].total == 3


def decision(client: TestClient, platform: str, category: str) -> tuple[dict, str]:
    response = client.get(f"/v1/platforms/{platform}/ai-training", params={"category": category, "as_of": "2025-06-01"})
    assert response.status_code == 200, response.text
    return response.json()["decisions"][0], response.headers["etag"]


def newest_retrieved_on(client: TestClient, rule_id: str) -> str:
    return max(s["retrieved_on"] for s in client.get(f"/v1/rules/{rule_id}").json()["source_details"])


def test_answers_turn_stale_when_a_source_changes_and_fresh_after_a_review(changed):
    with TestClient(create_app(make_settings(changed))) as client:
        stale, stale_tag = decision(client, "adobe", "private-content")
        assert stale["rule_id"] == ADOBE and stale["stale"] is True and stale["verdict"] == "not_used"
        assert stale["reviewed_on"] == newest_retrieved_on(client, ADOBE)  # no reviewed_on in the dataset
        assert "source AD1 of rule adobe-global-private-content-2024 changed" in stale["reasons"][-1]
        alexa, _ = decision(client, "alexa", "ai-interactions")
        assert alexa["stale"] is False and not any("out of date" in r for r in alexa["reasons"])

        made = client.post(f"/v1/rules/{ADOBE}/reviews", json={"outcome": "confirmed"}, headers=bearer(changed))
        fresh, fresh_tag = decision(client, "adobe", "private-content")
        assert fresh["stale"] is False and fresh["verdict"] == stale["verdict"]
        assert fresh["reviewed_on"] == made.json()["reviewed_at"][:10] and fresh_tag != stale_tag
        assert fresh["reasons"] == stale["reasons"][:-1]
        batch = client.post(
            "/v1/ai-training/checks", json={"checks": [{"platform": "adobe", "category": "private-content"}]}
        ).json()
        assert batch["results"][0]["decision"]["stale"] is False


def test_the_review_age_limit_is_a_setting_and_reviewed_on_comes_from_the_dataset(changed):
    with TestClient(create_app(make_settings(changed, review_max_days=1))) as client:
        old, _ = decision(client, "alexa", "ai-interactions")
        assert old["stale"] is True and "was last reviewed on" in old["reasons"][-1]
        future = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
        refused = client.patch(f"/v1/rules/{ALEXA}", json={"reviewed_on": future}, headers=bearer(changed))
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reviewed_on"
        assert "has not come yet" in refused.json()["detail"]
        today = datetime.now(UTC).date().isoformat()
        patched = client.patch(f"/v1/rules/{ALEXA}", json={"reviewed_on": today}, headers=bearer(changed))
        assert patched.status_code == 200 and patched.json()["reviewed_on"] == today
        later, _ = decision(client, "alexa", "ai-interactions")
        assert later["reviewed_on"] == today and later["stale"] is False
