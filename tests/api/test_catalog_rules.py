"""GET /v1/rules with its filters, and /v1/rules/{id} with the sources it cites."""

from __future__ import annotations

import pytest
from catalog_support import SAMPLES, bearer

# A decided rule where the bundled dataset has none (Antarctica): its sources are each test's.
AQ_RULE = {
    "id": "example-aq-posts",
    "platform": "facebook",
    "category": "public-posts",
    "jurisdiction": "AQ",
    "treatment": "used",
    "summary": "Used.",
}


def _rules(client, **params):
    response = client.get("/v1/rules", params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_the_list_is_in_id_order(client):
    ids = [r["id"] for r in _rules(client)]
    assert ids == sorted(ids) and len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("param", "value", "field"),
    [
        ("platform", "facebook", "platform"),
        ("category", "private-messages", "category"),
        ("jurisdiction", "EEA", "jurisdiction"),
        ("jurisdiction", "eea", "jurisdiction"),
    ],
)
def test_each_filter_keeps_exactly_the_matching_rules(client, param, value, field):
    everything = _rules(client)
    expected = [r for r in everything if r[field] == value.upper() or r[field] == value]
    assert expected and _rules(client, **{param: value}) == expected


def test_active_on_keeps_the_rules_in_force_that_day(client):
    everything = _rules(client, platform="facebook", category="public-posts", jurisdiction="EEA")
    ids = {
        day: {
            r["id"]
            for r in _rules(client, platform="facebook", category="public-posts", jurisdiction="EEA", active_on=day)
        }
        for day in ("2024-07-01", "2025-09-01")
    }
    assert ids["2024-07-01"] == {"facebook-eea-public-posts-pause-2024"}
    assert ids["2025-09-01"] == {"facebook-eea-public-posts-2025"}
    for day, kept in ids.items():
        for rule in everything:
            in_force = (rule["effective_from"] or day) <= day <= (rule["effective_until"] or day)
            assert (rule["id"] in kept) == in_force


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("platform", "myspace"),
        ("category", "dreams"),
        ("jurisdiction", "ATLANTIS"),
        ("active_on", "2025-13-01"),
        ("active_on", "soon"),
    ],
)
def test_a_bad_filter_is_422_naming_the_parameter(client, param, value):
    response = client.get("/v1/rules", params={param: value})
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["param"] == param
    if param == "platform":
        assert "facebook" in problem["valid"] and "myspace" in problem["detail"]


def test_a_rule_embeds_the_sources_it_cites_in_order(client):
    response = client.get("/v1/rules/facebook-eea-public-posts-2025")
    assert response.status_code == 200
    rule = response.json()
    assert [s["id"] for s in rule["source_details"]] == [c["id"] for c in rule["sources"]]
    # Each citation carries the words that support this rule, and the confidence follows from them.
    assert all(c["quote"] for c in rule["sources"]) and rule["confidence"] == "high"
    m2 = client.get("/v1/sources/M2").json()
    assert m2 in rule["source_details"]
    assert rule["opt_out"]["deadline"] == "facebook-eea-objection-2025" and rule["treatment"] == "opt_out"


def test_a_decided_rule_cannot_rest_on_aggregators_alone(write_client, seeded_url):
    auth = bearer(seeded_url)
    rule = {**AQ_RULE, "sources": [{"id": "M14", "quote": "decided against"}]}
    refused = write_client.post("/v1/rules", json=rule, headers=auth)
    assert refused.status_code == 422 and refused.json()["param"] == "sources"
    assert "aggregators alone" in refused.json()["detail"]
    # Unknown, with the reason, it is allowed; so is a decided rule with a primary source (a v1 bare id too).
    assert write_client.post("/v1/rules", json={**rule, "treatment": "unknown"}, headers=auth).status_code == 201
    created = write_client.put("/v1/rules/example-aq-posts", json={**rule, "sources": ["M2"]}, headers=auth)
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["sources"] == [{"id": "M2", "quote": None, "where": None}]
    assert body["confidence"] == "low"  # cited without a quote, the source proves nothing


def test_a_source_cannot_become_an_aggregator_while_a_decided_rule_rests_on_it_alone(write_client, seeded_url):
    # Before: a source's kind changed to aggregator without a look at the rules citing it, and a decided answer then
    # rested on aggregators alone, which the contract does not allow.
    auth = bearer(seeded_url)
    source = {**SAMPLES["source"].record, "id": "ZZ901", "kind": "primary"}
    assert write_client.post("/v1/sources", json=source, headers=auth).status_code == 201
    rule = {
        **AQ_RULE,
        "sources": [{"id": "ZZ901", "quote": "used"}, {"id": "M14", "quote": "used, says an aggregator"}],
    }
    assert write_client.post("/v1/rules", json=rule, headers=auth).status_code == 201
    revision = write_client.get("/v1/changes", params={"limit": 1}).json()["dataset_revision"]

    refused = write_client.patch("/v1/sources/ZZ901", json={"kind": "aggregator"}, headers=auth)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["param"] == "kind"
    assert "'example-aq-posts' would rest on aggregators alone" in problem["detail"]
    assert write_client.get("/v1/sources/ZZ901").json()["kind"] == "primary"  # nothing was stored
    assert write_client.get("/v1/changes", params={"limit": 1}).json()["dataset_revision"] == revision

    # Once the rule cites an independent source too, or is unknown, the source may become an aggregator.
    second = {**rule, "sources": [*rule["sources"], {"id": "M2", "quote": "used, says Meta"}]}
    assert write_client.put("/v1/rules/example-aq-posts", json=second, headers=auth).status_code == 200
    allowed = write_client.patch("/v1/sources/ZZ901", json={"kind": "aggregator"}, headers=auth)
    assert allowed.status_code == 200, allowed.text
    # And the way back stays checked from the rule's side: without M2 it is refused again.
    alone = write_client.put("/v1/rules/example-aq-posts", json=rule, headers=auth)
    assert alone.status_code == 422 and "aggregators alone" in alone.json()["detail"]


def test_objection_before_start_is_read_written_and_decides(write_client, seeded_url):
    """A rule's opt-out says whether an objection before its start keeps everything out: a read shows it, a write
    changes it, and the next answer follows (GitHub's new default of 27 Apr 2026 kept earlier opt-outs)."""
    auth = bearer(seeded_url)
    path = "/v1/rules/github-copilot-global-ai-interactions-2026"
    question = {
        "category": "ai-interactions",
        "as_of": "2026-06-01",
        "objected_on": "2026-04-01",
        "posted_on": "2026-03-01",
    }

    def decision() -> dict:
        return write_client.get("/v1/platforms/github-copilot/ai-training", params=question).json()["decisions"][0]

    assert write_client.get(path).json()["opt_out"]["objection_before_start"] == "keeps_all_out"
    assert decision()["verdict"] == "not_used"
    patched = write_client.patch(path, json={"opt_out": {"objection_before_start": "late"}}, headers=auth)
    assert patched.status_code == 200, patched.text
    assert patched.json()["opt_out"]["objection_before_start"] == "late"
    answer = decision()  # stops future training: still not used, but nothing says the objection kept everything out
    assert answer["verdict"] == "not_used"
    assert any("counts as a later one" in reason for reason in answer["reasons"]), answer["reasons"]
    refused = write_client.patch(path, json={"opt_out": {"objection_before_start": "sometimes"}}, headers=auth)
    assert refused.status_code == 422 and refused.json()["param"] == "opt_out.objection_before_start"


def test_not_opted_in_is_read_written_and_decides(write_client, seeded_url):
    """An opt-in rule says what holds for users who did not opt in: a read shows it, a write changes it, the next
    answer follows, and a rule that is not opt-in cannot say it (Workspace Labs: the sources speak of Labs only)."""
    auth = bearer(seeded_url)
    path = "/v1/rules/google-workspace-global-ai-interactions-labs"
    question = {"category": "ai-interactions", "as_of": "2025-09-01", "opted_in": "false"}

    def decision() -> dict:
        return write_client.get("/v1/platforms/google-workspace/ai-training", params=question).json()["decisions"][0]

    assert write_client.get(path).json()["not_opted_in"] == "unknown"
    assert decision()["verdict"] == "unknown"
    patched = write_client.patch(path, json={"not_opted_in": "not_used"}, headers=auth)
    assert patched.status_code == 200, patched.text
    assert patched.json()["not_opted_in"] == "not_used"
    assert decision()["verdict"] == "not_used"
    other = "/v1/rules/github-copilot-global-ai-interactions-2026"
    assert write_client.get(other).json()["not_opted_in"] == "not_used"
    refused = write_client.patch(other, json={"not_opted_in": "unknown"}, headers=auth)
    assert refused.status_code == 422 and refused.json()["param"] == "not_opted_in", refused.text
    assert write_client.get(other).json()["not_opted_in"] == "not_used"
