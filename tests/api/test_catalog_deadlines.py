"""GET /v1/deadlines: by day, upcoming, per platform, and per country through its jurisdictions."""

from __future__ import annotations

from datetime import date

import pytest
from catalog_support import SAMPLES, bearer


def _deadlines(client, **params):
    response = client.get("/v1/deadlines", params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_the_list_runs_by_day_then_id(client):
    items = _deadlines(client)
    assert items and [(d["on"], d["id"]) for d in items] == sorted((d["on"], d["id"]) for d in items)


def test_platform_filters(client):
    everything = _deadlines(client)
    assert _deadlines(client, platform="facebook") == [d for d in everything if d["platform"] == "facebook"]
    assert client.get("/v1/deadlines", params={"platform": "myspace"}).json()["param"] == "platform"


@pytest.mark.parametrize(
    ("country", "chain"),
    [
        ("DE", {"DE", "EU", "EEA", "GLOBAL"}),
        ("no", {"NO", "EEA", "GLOBAL"}),
        ("UK", {"GB", "GLOBAL"}),
        ("US", {"US", "GLOBAL"}),
    ],
)
def test_country_keeps_the_deadlines_of_its_jurisdictions(client, country, chain):
    everything = _deadlines(client)
    assert _deadlines(client, country=country) == [d for d in everything if d["jurisdiction"] in chain]


def test_a_country_in_the_eea_sees_the_eea_objection_deadline(client):
    assert "facebook-eea-objection-2025" in {d["id"] for d in _deadlines(client, country="DE", platform="facebook")}
    assert "facebook-eea-objection-2025" not in {d["id"] for d in _deadlines(client, country="US")}


@pytest.mark.parametrize("country", ["XX", "EU", "Germany"])
def test_an_unknown_country_or_a_group_is_422(client, country):
    response = client.get("/v1/deadlines", params={"country": country})
    assert response.status_code == 422 and response.json()["param"] == "country"
    assert "DE" in response.json()["valid"]


def test_upcoming_means_on_or_after_today_utc(write_client):
    everything = _deadlines(write_client)
    write_client.app.state.services.answers.today = lambda: date(2025, 5, 26)
    upcoming, past = _deadlines(write_client, upcoming="true"), _deadlines(write_client, upcoming="false")
    assert upcoming and all(d["on"] >= "2025-05-26" for d in upcoming) and all(d["on"] < "2025-05-26" for d in past)
    assert past + upcoming == everything and "facebook-eea-objection-2025" in {d["id"] for d in upcoming}
    etag = write_client.get("/v1/deadlines", params={"upcoming": "true"}).headers["etag"]
    write_client.app.state.services.answers.today = lambda: date(2025, 5, 27)
    later = write_client.get("/v1/deadlines", params={"upcoming": "true"}, headers={"If-None-Match": etag})
    assert later.status_code == 200 and later.headers["etag"] != etag
    assert "facebook-eea-objection-2025" not in {d["id"] for d in later.json()["items"]}


def test_a_deadline_whose_replaces_chain_would_loop_is_refused(write_client, seeded_url):
    # Before: the API stored a loop (a replaces b replaces a), which the dataset files refuse, so the export of that
    # database could not be imported again.
    auth = bearer(seeded_url)
    base = SAMPLES["deadline"].record
    first = write_client.post("/v1/deadlines", json={**base, "id": "test-a", "on": "2031-01-15"}, headers=auth)
    second = {**base, "id": "test-b", "on": "2031-02-15", "replaces": "test-a"}
    assert first.status_code == 201 and write_client.post("/v1/deadlines", json=second, headers=auth).status_code == 201
    revision = write_client.get("/v1/changes", params={"limit": 1}).json()["dataset_revision"]

    looped = write_client.patch("/v1/deadlines/test-a", json={"replaces": "test-b"}, headers=auth)
    assert looped.status_code == 422, looped.text
    assert looped.json()["param"] == "replaces"
    assert "replaces goes round in a loop: test-a -> test-b -> test-a" in looped.json()["detail"]
    itself = write_client.patch("/v1/deadlines/test-a", json={"replaces": "test-a"}, headers=auth)
    assert itself.status_code == 422 and "test-a -> test-a" in itself.json()["detail"]
    assert write_client.get("/v1/deadlines/test-a").json()["replaces"] is None  # nothing was stored
    assert write_client.get("/v1/changes", params={"limit": 1}).json()["dataset_revision"] == revision
    # A chain without a loop is fine, and so is undoing the link that would have closed one.
    third = {**base, "id": "test-c", "on": "2031-03-15", "replaces": "test-b"}
    assert write_client.post("/v1/deadlines", json=third, headers=auth).status_code == 201
    assert write_client.patch("/v1/deadlines/test-b", json={"replaces": None}, headers=auth).status_code == 200
    assert write_client.patch("/v1/deadlines/test-a", json={"replaces": "test-c"}, headers=auth).status_code == 200


def test_answers_follow_a_deadline_to_the_one_that_moved_it(write_client, seeded_url):
    """A rule names the deadline it was written with; when a new deadline `replaces` it, the answers use the new day
    and cite its sources, as the calendar already did."""
    auth = bearer(seeded_url)
    old = write_client.get("/v1/deadlines/instagram-eea-objection-2025").json()
    question = {
        "category": "public-posts",
        "country": "DE",
        "as_of": "2025-09-01",
        "age": 30,
        "objected_on": "2025-05-27",
        "posted_on": "2025-01-01",
    }

    def decision() -> dict:
        return write_client.get("/v1/platforms/instagram/ai-training", params=question).json()["decisions"][0]

    before = decision()
    assert before["verdict"] == "used" and before["opt_out"]["deadline"] == "2025-05-26"  # objected a day late
    moved = {
        **{k: v for k, v in old.items() if k not in ("version", "platform_name")},
        "id": "instagram-eea-objection-2025-moved",
        "on": "2025-05-28",
        "replaces": "instagram-eea-objection-2025",
        "sources": [{"id": "M2", "quote": "plans to begin training of its generative AI model(s) on 27 May 2025."}],
    }
    created = write_client.post("/v1/deadlines", json=moved, headers=auth)
    assert created.status_code == 201, created.text
    after = decision()
    assert after["verdict"] == "not_used" and after["opt_out"]["deadline"] == "2025-05-28"
    assert "M2" in {s["id"] for s in after["sources"]}
    # Undoing the move gives the old answer back.
    assert write_client.delete("/v1/deadlines/instagram-eea-objection-2025-moved", headers=auth).status_code == 204
    assert decision()["verdict"] == "used"


def test_a_deadline_or_an_opt_out_cannot_name_another_platforms_deadline(write_client, seeded_url):
    """Before: a deadline of any platform could `replaces` Instagram's EEA deadline, and Instagram's answers in every
    EEA country then used its day; a rule's opt-out could name another platform's deadline too. Both are refused
    from either end, and nothing is stored."""
    auth = bearer(seeded_url)
    question = {
        "category": "public-posts",
        "country": "FR",
        "as_of": "2025-09-01",
        "age": 30,
        "objected_on": "2025-08-01",
        "posted_on": "2025-01-01",
    }

    def verdict() -> str:
        return write_client.get("/v1/platforms/instagram/ai-training", params=question).json()["decisions"][0][
            "verdict"
        ]

    assert (
        write_client.post("/v1/platforms", json={"id": "probe", "name": "P", "operator": "P"}, headers=auth).status_code
        == 201
    )
    revision = write_client.get("/v1/changes", params={"limit": 1}).json()["dataset_revision"]
    base = SAMPLES["deadline"].record
    foreign = {
        **base,
        "id": "probe-moves",
        "platform": "probe",
        "on": "2027-01-12",
        "replaces": "instagram-eea-objection-2025",
    }
    refused = write_client.post("/v1/deadlines", json=foreign, headers=auth)
    assert refused.status_code == 422, refused.text
    assert refused.json()["param"] == "replaces"
    assert 'deadline "instagram-eea-objection-2025" is one of platform "instagram"' in refused.json()["detail"]
    assert verdict() == "used"
    rule = {
        "id": "probe-rule",
        "platform": "probe",
        "category": "public-comments",
        "jurisdiction": "DE",
        "treatment": "opt_out",
        "opt_out": {"method": "form", "deadline": "instagram-eea-objection-2025", "late_objection": "no_effect"},
        "summary": "Probe.",
        "sources": [{"id": "M1", "quote": "q"}],
    }
    named = write_client.post("/v1/rules", json=rule, headers=auth)
    assert named.status_code == 422 and named.json()["param"] == "opt_out.deadline", named.text
    # From the other end: moving Instagram's deadline to another platform would strand the rules that name it.
    moved = write_client.patch("/v1/deadlines/instagram-eea-objection-2025", json={"platform": "probe"}, headers=auth)
    assert moved.status_code == 422 and moved.json()["param"] == "platform", moved.text
    assert "refers to this deadline" in moved.json()["detail"]
    # A rule moved to another platform while it names its old platform's deadline.
    moved_rule = write_client.patch(
        "/v1/rules/instagram-eea-public-posts-2025", json={"platform": "probe"}, headers=auth
    )
    assert moved_rule.status_code == 422 and moved_rule.json()["param"] == "opt_out.deadline", moved_rule.text
    assert write_client.get("/v1/changes", params={"limit": 1}).json()["dataset_revision"] == revision
    assert write_client.get("/v1/deadlines/instagram-eea-objection-2025").json()["platform"] == "instagram"
    # A deadline that another deadline of its platform replaces, moved to another platform.
    first = {**base, "id": "probe-first", "platform": "probe", "on": "2031-01-15", "replaces": None}
    second = {**base, "id": "probe-second", "platform": "probe", "on": "2031-02-15", "replaces": "probe-first"}
    for record in (first, second):
        assert write_client.post("/v1/deadlines", json=record, headers=auth).status_code == 201
    away = write_client.patch("/v1/deadlines/probe-first", json={"platform": "instagram"}, headers=auth)
    assert away.status_code == 422 and away.json()["param"] == "platform", away.text
    assert 'deadline "probe-second" of platform "probe" refers to this deadline' in away.json()["detail"]
