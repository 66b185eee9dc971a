"""GET /v1/data-categories and /v1/sources: the contract's categories, and sources in the order people number them."""

from __future__ import annotations

import re

CONTRACT_CATEGORIES = {
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


def test_the_contract_categories_are_listed_and_readable(client):
    items = client.get("/v1/data-categories").json()["items"]
    assert {c["id"] for c in items} >= CONTRACT_CATEGORIES
    one = client.get("/v1/data-categories/private-messages").json()
    assert one in items and one["name"] and one["description"]


def _number(source_id: str) -> tuple[str, int]:
    prefix, number = re.fullmatch(r"([A-Z]+)(\d+)", source_id).groups()
    return prefix, int(number)


def test_sources_are_in_natural_id_order_and_filter_by_kind(client):
    items = client.get("/v1/sources", params={"limit": 1000}).json()["items"]
    assert [_number(s["id"]) for s in items] == sorted(_number(s["id"]) for s in items)
    primary = client.get("/v1/sources", params={"kind": "primary", "limit": 1000}).json()["items"]
    assert primary == [s for s in items if s["kind"] == "primary"] and primary
    assert client.get("/v1/sources", params={"kind": "rumour"}).json()["param"] == "kind"


def test_a_source_is_read_whole(client):
    source = client.get("/v1/sources/M1").json()
    assert source["url"].startswith("https://") and source["retrieved_on"] and source["kind"] == "primary"
    assert set(source) == {
        "id",
        "url",
        "title",
        "publisher",
        "published_on",
        "retrieved_on",
        "kind",
        "quote",
        "via",
        "archived_url",
        "version",
    }
