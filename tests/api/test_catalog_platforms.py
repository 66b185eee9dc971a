"""GET /v1/platforms and /v1/platforms/{id}: the operator filter, opt-out links and the next deadline."""

from __future__ import annotations

from datetime import date

from catalog_support import SAMPLES, bearer


def test_the_list_holds_the_platforms_in_id_order(client):
    items = client.get("/v1/platforms").json()["items"]
    ids = [p["id"] for p in items]
    assert ids == sorted(ids) and {"facebook", "instagram", "linkedin", "reddit", "x"} <= set(ids)
    assert set(items[0]) == {"id", "name", "operator", "website", "privacy_policy_url", "version"}


def test_operator_filters_case_insensitively(client):
    meta = client.get("/v1/platforms", params={"operator": "meta platforms"}).json()
    assert {"facebook", "instagram", "whatsapp"} <= {p["id"] for p in meta["items"]}
    assert {p["operator"] for p in meta["items"]} == {"Meta Platforms"} and meta["total"] == len(meta["items"])
    assert client.get("/v1/platforms", params={"operator": "Nobody Ltd"}).json()["items"] == []


def test_a_platform_embeds_its_opt_out_links(client):
    response = client.get("/v1/platforms/facebook")
    assert response.status_code == 200 and response.headers["etag"].startswith('"v')
    body = response.json()
    [eea] = [link for link in body["opt_out_links"] if "EEA" in link["jurisdictions"]]
    assert eea["url"].startswith("https://") and "facebook-eea-public-posts-2025" in eea["rules"]
    assert "public-posts" in eea["categories"]
    assert all(r.startswith("facebook-") for link in body["opt_out_links"] for r in link["rules"])


def test_the_next_deadline_is_the_first_on_or_after_today(write_client):
    write_client.app.state.services.answers.today = lambda: date(2025, 5, 1)
    body = write_client.get("/v1/platforms/facebook").json()
    deadlines = write_client.get("/v1/deadlines", params={"platform": "facebook", "limit": 1000}).json()["items"]
    expected = min((d for d in deadlines if d["on"] >= "2025-05-01"), key=lambda d: (d["on"], d["id"]))
    assert body["next_deadline"] == expected
    write_client.app.state.services.answers.today = lambda: date(2999, 1, 1)
    assert write_client.get("/v1/platforms/facebook").json()["next_deadline"] is None


def test_the_etag_changes_when_what_it_embeds_changes(write_client, seeded_url):
    before = write_client.get("/v1/platforms/facebook")
    deadline = SAMPLES["deadline"].record
    assert write_client.post("/v1/deadlines", json=deadline, headers=bearer(seeded_url)).status_code == 201
    after = write_client.get("/v1/platforms/facebook", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.json()["version"] == before.json()["version"]
    assert after.headers["etag"] != before.headers["etag"] and after.json()["next_deadline"]["id"] == deadline["id"]


def test_an_unknown_platform_is_404(client):
    response = client.get("/v1/platforms/myspace")
    assert response.status_code == 404 and response.json()["title"] == "Unknown platform"
