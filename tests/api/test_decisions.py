"""GET /v1/platforms/{id}/ai-training through HTTP: the contract's example, errors, ETags and CORS."""

from datetime import UTC, datetime, timedelta

import pytest
from catalog_support import SAMPLES, bearer

URL = "/v1/platforms/instagram/ai-training"
EXAMPLE = {"category": "public-posts", "country": "DE", "as_of": "2025-09-01"}


def test_contract_example_is_conditional_on_the_users_facts(client):
    response = client.get(URL, params=EXAMPLE)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["platform"] == {"id": "instagram", "name": "Instagram", "operator": "Meta Platforms"}
    assert (body["country"], body["jurisdictions"], body["as_of"]) == (
        "DE",
        ["DE", "EU", "EEA", "GLOBAL"],
        "2025-09-01",
    )
    assert isinstance(body["dataset_revision"], int) and body["dataset_revision"] >= 1
    [decision] = body["decisions"]
    assert decision["verdict"] == "conditional" and decision["used"] is None
    assert decision["depends_on"] == ["age", "objected", "objected_on", "posted_on"]
    assert decision["legal_basis"] == "legitimate-interest" and decision["effective_from"] == "2025-05-27"
    opt_out = decision["opt_out"]
    assert (opt_out["available"], opt_out["deadline"], opt_out["deadline_passed"]) == (True, "2025-05-26", True)
    assert opt_out["url"].startswith("https://")
    assert decision["sources"] and all(s["url"].startswith("http") for s in decision["sources"])
    assert set(decision) == {
        "category",
        "verdict",
        "used",
        "depends_on",
        "summary",
        "reasons",
        "rule_id",
        "legal_basis",
        "effective_from",
        "effective_until",
        "confidence",
        "opt_out",
        "reviewed_on",
        "stale",
        "sources",
    }


@pytest.mark.parametrize(
    ("facts", "verdict"),
    [
        ({"age": 30, "objected": "false"}, "used"),
        ({"age": 16, "objected": "false"}, "not_used"),
        ({"age": 30, "objected_on": "2025-05-20"}, "not_used"),
        ({"age": 30, "objected_on": "2025-06-10", "posted_on": "2025-03-01"}, "used"),
        ({"age": 30, "objected_on": "2025-06-10", "posted_on": "2025-07-01"}, "not_used"),
    ],
)
def test_giving_every_fact_turns_conditional_into_a_definite_answer(client, facts, verdict):
    [decision] = client.get(URL, params={**EXAMPLE, **facts}).json()["decisions"]
    assert (decision["verdict"], decision["depends_on"]) == (verdict, [])
    assert decision["used"] is (verdict == "used")


def test_without_category_there_is_one_decision_per_category_the_platform_has(client):
    body = client.get(URL, params={"country": "DE", "as_of": "2025-09-01"}).json()
    categories = [d["category"] for d in body["decisions"]]
    assert len(categories) == len(set(categories)) >= 3
    assert {"public-posts", "private-messages"} <= set(categories)


@pytest.mark.parametrize(
    ("given", "echoed", "chain"),
    [
        ("de", "DE", ["DE", "EU", "EEA", "GLOBAL"]),
        ("UK", "GB", ["GB", "GLOBAL"]),
        ("el", "GR", ["GR", "EU", "EEA", "GLOBAL"]),
        ("NO", "NO", ["NO", "EEA", "GLOBAL"]),
    ],
)
def test_countries_are_case_insensitive_with_aliases(client, given, echoed, chain):
    body = client.get(URL, params={"category": "public-posts", "country": given, "as_of": "2025-09-01"}).json()
    assert (body["country"], body["jurisdictions"]) == (echoed, chain)


def test_no_country_answers_for_global(client):
    body = client.get(URL, params={"category": "public-posts", "as_of": "2025-09-01"}).json()
    assert (body["country"], body["jurisdictions"]) == (None, ["GLOBAL"])
    assert "country" in body["decisions"][0]["depends_on"]


@pytest.mark.parametrize(
    ("path", "params", "status", "param"),
    [
        ("/v1/platforms/nope/ai-training", {}, 404, "platform_id"),
        (URL, {"category": "selfies"}, 422, "category"),
        (URL, {"country": "XX"}, 422, "country"),
        (URL, {"country": "EU"}, 422, "country"),
        (URL, {"as_of": "2025-13-01"}, 422, "as_of"),
        (URL, {"posted_on": "yesterday"}, 422, "posted_on"),
        (URL, {"objected_on": "2025-5-1"}, 422, "objected_on"),
        (URL, {"age": "151"}, 422, "age"),
        (URL, {"age": "-1"}, 422, "age"),
        (URL, {"age": "thirty"}, 422, "age"),
        (URL, {"objected": "maybe"}, 422, "objected"),
        (URL, {"objected": "false", "objected_on": "2025-05-01"}, 422, "objected_on"),
        (URL, {"as_of": "2025-06-01", "posted_on": "2025-06-02"}, 422, "posted_on"),
        (URL, {"opted_in": "perhaps"}, 422, "opted_in"),
        (URL, {"opted_in_on": "June"}, 422, "opted_in_on"),
        (URL, {"opted_in": "false", "opted_in_on": "2025-05-01"}, 422, "opted_in_on"),
    ],
)
def test_bad_questions_get_problem_json_naming_the_parameter(client, path, params, status, param):
    response = client.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["param"] == param
    assert {"type", "title", "detail"} <= set(body)


def test_unknown_ids_list_the_valid_ones(client):
    assert "instagram" in client.get("/v1/platforms/nope/ai-training").json()["valid"]
    assert "public-posts" in client.get(URL, params={"category": "x"}).json()["valid"]


def test_etag_and_304(client):
    first = client.get(URL, params=EXAMPLE)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300"
    again = client.get(URL, params=EXAMPLE, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other_day = client.get(URL, params={**EXAMPLE, "as_of": "2025-09-02"})
    assert other_day.headers["etag"] != etag
    assert (
        client.get(URL, params={**EXAMPLE, "as_of": "2025-09-02"}, headers={"If-None-Match": etag}).status_code == 200
    )


def test_the_same_question_spelled_differently_has_the_same_etag(client):
    a = client.get(URL, params={"category": "public-posts", "country": "de", "as_of": "2025-09-01"})
    b = client.get(URL, params={"country": "DE", "as_of": "2025-09-01", "category": "public-posts"})
    assert a.headers["etag"] == b.headers["etag"]


def test_answers_about_today_are_not_cached_past_midnight(client):
    response = client.get(URL, params={"category": "public-posts", "country": "DE"})
    max_age = int(response.headers["cache-control"].rsplit("=", 1)[1])
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    assert 0 <= max_age <= min(300, (midnight - now).total_seconds() + 1)
    assert response.json()["as_of"] == now.date().isoformat()


def test_reads_allow_cross_origin_requests_but_writes_do_not(client):
    response = client.get(URL, params=EXAMPLE, headers={"Origin": "https://dashboard.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    preflight = client.options(
        "/v1/rules/x", headers={"Origin": "https://dashboard.example", "Access-Control-Request-Method": "DELETE"}
    )
    assert preflight.status_code == 400
    preflight = client.options(
        "/v1/rules",
        headers={
            "Origin": "https://dashboard.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 400


def test_every_response_has_a_request_id(client):
    assert client.get(URL, params=EXAMPLE).headers["x-request-id"]
    assert client.get(URL, params=EXAMPLE, headers={"X-Request-ID": "abc123"}).headers["x-request-id"] == "abc123"


def test_content_posted_after_the_day_asked_about_is_422_naming_both(client):
    body = client.get(URL, params={"as_of": "2025-06-01", "posted_on": "2025-06-02"}).json()
    assert "2025-06-02" in body["detail"] and "2025-06-01" in body["detail"] and "as_of" in body["detail"]
    same_day = client.get(URL, params={"as_of": "2025-06-01", "posted_on": "2025-06-01"})
    assert same_day.status_code == 200


def test_an_opt_in_rule_that_excludes_minors_makes_an_opted_in_answer_turn_on_the_age(write_client, seeded_url):
    auth = bearer(seeded_url)
    rule = {  # the sample rule (facebook, usage data, AQ) as an opt-in setting that excludes minors
        **SAMPLES["rule"].record,
        "treatment": "opt_in",
        "min_age": 18,
        "under_age": "not_used",
        "effective_from": "2025-01-01",
        "sources": [{"id": "M1", "quote": "Accounts under 18 are excluded.", "where": "Help Center"}],
    }
    assert write_client.post("/v1/rules", json=rule, headers=auth).status_code == 201
    url = "/v1/platforms/facebook/ai-training"
    question = {"category": "usage-data", "country": "AQ", "as_of": "2025-09-01", "opted_in": "true"}
    (opted,) = write_client.get(url, params=question).json()["decisions"]
    assert (opted["verdict"], opted["depends_on"]) == ("conditional", ["age"])
    (minor,) = write_client.get(url, params={**question, "age": "15"}).json()["decisions"]
    (adult,) = write_client.get(url, params={**question, "age": "30"}).json()["decisions"]
    assert (minor["verdict"], adult["verdict"]) == ("not_used", "used")


def test_a_cross_origin_caller_may_tag_its_requests_and_read_the_tag(client):
    # The docs invite callers to send X-Request-ID; before, a preflight asking for it was refused (400).
    preflight = client.options(
        URL,
        headers={
            "Origin": "https://dashboard.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-request-id",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert "x-request-id" in preflight.headers["access-control-allow-headers"].lower()
    answer = client.get(URL, params=EXAMPLE, headers={"Origin": "https://dashboard.example", "X-Request-ID": "tag1"})
    assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()
    assert answer.headers["x-request-id"] == "tag1"
