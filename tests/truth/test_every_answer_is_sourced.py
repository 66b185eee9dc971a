"""Every answer the bundled dataset gives, for every platform and category, rests on cited sources."""

import pytest

from tests.truth.questions import CONTRACT_PLATFORMS

COUNTRIES = [None, "DE", "GB", "US", "AU", "CH", "NO", "CA", "IN"]
DAYS = ["2023-06-01", "2024-07-01", "2025-06-01", "2026-11-26"]


def platforms(client):
    return [p["id"] for p in client.get("/v1/platforms", params={"limit": 1000}).json()["items"]]


def test_the_dataset_serves_every_contract_platform_and_category(client):
    ids = set(platforms(client))
    assert set(CONTRACT_PLATFORMS) <= ids
    categories = {c["id"] for c in client.get("/v1/data-categories").json()["items"]}
    assert categories == {
        "public-posts",
        "public-comments",
        "public-media",
        "profile-info",
        "private-content",
        "private-messages",
        "group-content",
        "ai-interactions",
        "usage-data",
    }


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("as_of", DAYS)
def test_every_decided_answer_cites_a_source_and_a_confidence(client, country, as_of):
    for platform in platforms(client):
        params = {"as_of": as_of} | ({"country": country} if country else {})
        for decision in client.get(f"/v1/platforms/{platform}/ai-training", params=params).json()["decisions"]:
            where = (platform, decision["category"], country, as_of)
            if decision["verdict"] != "unknown":
                assert any(s["url"].startswith(("https://", "http://")) for s in decision["sources"]), where
            if decision["rule_id"] is not None:
                assert decision["confidence"] in ("high", "medium", "low"), where
                assert decision["sources"], where
            assert decision["summary"] and decision["reasons"], where
            assert (decision["depends_on"] != []) == (decision["verdict"] == "conditional"), where
