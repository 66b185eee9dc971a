"""Days near the ends of the calendar and look-alike country codes: a 422 naming the parameter, never a 500."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import date

import pytest
from catalog_support import bearer

from app.policy import Query, decide_many
from app.web import timeline

DECISION = "/v1/platforms/instagram/ai-training"
CHECKS = "/v1/ai-training/checks"
RULE = "/v1/rules/instagram-eea-public-posts-2025"
ASKED = {"category": "public-posts", "country": "DE"}
RANGE = "1900-01-01 to 2999-12-31"


def _error_page(response, param: str) -> str:
    """The explorer's answer to a bad parameter: an HTML page with status 422 naming it (browsers show no JSON)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    text = html.unescape(response.text)
    assert f"check “{param}”" in text, text
    return text


def _problem(response, status: int, param: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["param"] == param, body
    return body


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"objected_on": "0001-01-01"}, "objected_on"),
        ({"objected_on": "0001-01-02"}, "objected_on"),
        ({"as_of": "9999-12-31", "posted_on": "9999-12-31"}, "as_of"),
        ({"posted_on": "0001-01-01", "objected": "true"}, "posted_on"),
        ({"as_of": "1899-12-31"}, "as_of"),
        ({"as_of": "3000-01-01"}, "as_of"),
        ({"opted_in_on": "0001-01-01"}, "opted_in_on"),
    ],
)
def test_a_day_outside_the_supported_range_is_422_naming_it(client, params, param):
    body = _problem(client.get(DECISION, params={**ASKED, **params}), 422, param)
    assert RANGE in body["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"as_of": "1900-01-01", "objected_on": "1900-01-01", "posted_on": "1900-01-01"},
        {"as_of": "2999-12-31", "objected_on": "2999-12-31", "posted_on": "2999-12-31"},
        {"as_of": "2999-12-31", "objected": "true"},
        {"as_of": "2999-12-31"},
    ],
)
def test_the_first_and_last_supported_days_are_answered(client, params):
    response = client.get(DECISION, params={**ASKED, **params})
    assert response.status_code == 200, response.text
    assert client.get(DECISION, params=params).status_code == 200  # every category, GLOBAL


def test_a_check_with_an_extreme_day_fails_alone_in_its_batch(client):
    good = {"platform": "instagram", "category": "public-posts", "country": "DE", "as_of": "2025-09-01"}
    checks = [
        good,
        {**good, "objected_on": "0001-01-01"},  # plain: strings only, so the batch's fast lane reads it first
        {**good, "as_of": "9999-12-31", "posted_on": "9999-12-31"},
        {**good, "posted_on": "0001-01-01", "objected": True},
        {**good, "country": "US", "as_of": "0001-01-01"},  # no rule in force there: the lane's template
        {**good, "objected_on": "0001-01-02", "age": 30},
        {**good, "as_of": "2999-12-31", "posted_on": "2999-12-31"},
        good,
    ]
    response = client.post(CHECKS, json={"checks": checks})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == [200, 422, 422, 422, 422, 422, 200, 200]
    assert [r.get("param") for r in results[1:6]] == ["objected_on", "as_of", "posted_on", "as_of", "objected_on"]
    assert all(RANGE in r["detail"] for r in results[1:6])
    assert results[0] == results[-1]


@pytest.mark.parametrize("query", ["objected_on=0001-01-01", "as_of=9999-12-31&posted_on=9999-12-31"])
def test_the_embed_card_says_which_parameter_is_wrong(client, query):
    response = client.get(f"/embed/v1/platforms/instagram?{query}&lang=en")
    assert response.status_code == 422
    assert "check “" in response.text


def test_the_badge_refuses_an_extreme_day(client):
    _problem(client.get("/v1/platforms/instagram/badge.svg", params={"as_of": "9999-12-31"}), 422, "as_of")


@pytest.mark.parametrize("path", ["/", "/platforms/instagram"])
@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_the_explorer_refuses_a_day_outside_the_range(client, path, day):
    assert RANGE in _error_page(client.get(path, params={"as_of": day, "lang": "en"}), "as_of")


@pytest.mark.parametrize("path", ["/", "/platforms/instagram"])
@pytest.mark.parametrize("day", ["1900-01-01", "2999-12-31"])
def test_the_explorer_shows_the_first_and_last_supported_days(client, path, day):
    response = client.get(path, params={"as_of": day, "country": "DE"})
    assert response.status_code == 200, response.text


@pytest.fixture
def auth(seeded_url):
    return bearer(seeded_url)


@pytest.mark.parametrize(
    ("field", "value"),
    [("posted_until", "9999-12-31"), ("posted_from", "0001-01-01"), ("effective_from", "1899-12-31")],
)
def test_a_rule_write_with_a_day_outside_the_range_is_422_and_changes_nothing(write_client, auth, field, value):
    before = write_client.get(DECISION, params={**ASKED, "as_of": "2025-09-01"}).json()
    response = write_client.patch(RULE, json={field: value}, headers=auth)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in response.text and RANGE in response.text
    assert write_client.get(DECISION, params={**ASKED, "as_of": "2025-09-01"}).json() == before
    assert write_client.get("/").status_code == 200


def test_a_deadline_write_with_a_day_outside_the_range_is_422(write_client, auth):
    response = write_client.patch("/v1/deadlines/instagram-eea-objection-2025", json={"on": "9999-12-31"}, headers=auth)
    assert response.status_code == 422, response.text
    assert "on" in response.text and RANGE in response.text


def test_a_rule_reaching_the_last_supported_day_is_answered_everywhere(write_client, auth):
    response = write_client.patch(RULE, json={"posted_until": "2999-12-31", "posted_from": "1900-01-01"}, headers=auth)
    assert response.status_code == 200, response.text
    for params in (
        {"as_of": "2999-12-31", "posted_on": "2999-12-31"},
        {"as_of": "2999-12-31", "objected_on": "2999-12-31"},
        {"as_of": "1900-01-01", "posted_on": "1900-01-01", "objected": "true"},
        {},
    ):
        assert write_client.get(DECISION, params={**ASKED, **params}).status_code == 200, params
        assert write_client.get(DECISION, params=params).status_code == 200, params
    for page in ("/", "/platforms/instagram?country=DE", "/platforms/instagram?country=DE&as_of=2999-12-31"):
        assert write_client.get(page).status_code == 200, page


@pytest.mark.parametrize("raw", ["ß", "ﬁ", "ıe", "ſe", "Ｄｅ"])
def test_unicode_look_alikes_of_a_country_code_are_422(client, raw):
    body = _problem(client.get(DECISION, params={"category": "public-posts", "country": raw}), 422, "country")
    assert "not an ISO 3166-1 alpha-2 country code" in body["detail"]
    assert "not an ISO 3166-1 alpha-2 country code" in _error_page(client.get("/", params={"country": raw}), "country")
    check = {"platform": "instagram", "category": "public-posts", "country": raw}
    result = client.post(CHECKS, json={"checks": [check]}).json()["results"][0]
    assert (result["status"], result["param"]) == (422, "country")


@pytest.mark.parametrize(("raw", "code"), [("de", "DE"), (" DE ", "DE"), ("uk", "GB"), ("el", "GR")])
def test_ascii_country_codes_still_work_in_any_case(client, raw, code):
    response = client.get(DECISION, params={"category": "public-posts", "country": raw, "as_of": "2025-09-01"})
    assert response.status_code == 200, response.text
    assert response.json()["country"] == code


def test_rules_stored_with_the_calendars_own_ends_are_still_answered_and_drawn(seeded_snapshot):
    # Written before the bounds were checked: the engine and the timeline must still not overflow.
    rule = seeded_snapshot.rules["instagram-eea-public-posts-2025"]
    ends = replace(rule, effective_from=date.min, effective_until=date.max, posted_from=date.min, posted_until=date.max)
    snapshot = seeded_snapshot.patched(seeded_snapshot.revision + 1, {rule.id: ends})
    for day in (date.min, date(2025, 9, 1), date.max):
        assert decide_many(snapshot, Query("instagram", "", day, "DE", posted_on=day, objected=True))
    drawn = timeline.build(snapshot, "instagram", snapshot.chain("DE"), date(2025, 9, 1))
    assert drawn.today is not None and drawn.label_width <= drawn.today.x <= drawn.width
