"""The pure ASGI fast path answers byte for byte as the documented FastAPI route does."""

import random

import pytest
from starlette.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings

VALUES = {
    "category": [None, "public-posts", "private-messages", "ai-interactions", "profile-info", "selfies", ""],
    "country": [None, "DE", "de", "GB", "UK", "US", "NO", "AU", "CH", "FR", "EL", "XX", "EU", ""],
    "as_of": [
        None,
        "2024-01-01",
        "2024-06-20",
        "2025-05-26",
        "2025-05-27",
        "2025-11-03",
        "2026-11-26",
        "2025-02-30",
        "soon",
    ],
    "age": [None, "0", "12", "17", "18", "45", "150", "151", "-3", "x"],
    "objected": [None, "true", "false", "1", "no", "maybe"],
    "objected_on": [None, "2025-05-20", "2025-05-26", "2025-06-10", "2027-01-01", "bad"],
    "posted_on": [None, "2024-03-01", "2025-06-09", "2025-06-10", "2025-07-01", "2025/07/01"],
}
PLATFORMS = ["instagram", "facebook", "whatsapp", "linkedin", "x", "zoom", "unknown-platform", "threads"]


def generated_queries(count: int, seed: int = 7):
    """Yield (platform, params) covering valid questions and every kind of error."""
    rng = random.Random(seed)
    for _ in range(count):
        params = {name: rng.choice(values) for name, values in VALUES.items()}
        yield rng.choice(PLATFORMS), {k: v for k, v in params.items() if v is not None}


@pytest.fixture(scope="module")
def clients(shared_seeded_url):
    with (
        TestClient(create_app(make_settings(shared_seeded_url))) as fast,
        TestClient(create_app(make_settings(shared_seeded_url, fast_path=False))) as routed,
    ):
        yield fast, routed


def comparable(response):
    headers = {k: v for k, v in response.headers.items() if k not in ("x-request-id", "date")}
    return response.status_code, headers, response.content


def test_fast_path_and_route_answer_identically(clients):
    fast, routed = clients
    statuses = set()
    for platform, params in generated_queries(1500):
        url = f"/v1/platforms/{platform}/ai-training"
        a, b = fast.get(url, params=params), routed.get(url, params=params)
        assert comparable(a) == comparable(b), (url, params)
        statuses.add(a.status_code)
        if a.status_code == 200:
            etag = a.headers["etag"]
            assert comparable(fast.get(url, params=params, headers={"If-None-Match": etag})) == comparable(
                routed.get(url, params=params, headers={"If-None-Match": etag})
            )
    assert statuses == {200, 404, 422}


def test_repeated_and_odd_query_strings_agree(clients):
    fast, routed = clients
    for query in [
        "?country=DE&country=FR",
        "?age=",
        "?category=public-posts&&x=1",
        "?as_of=2025-09-01%20",
        "?country=%44E",
        "?objected=TRUE",
    ]:
        url = "/v1/platforms/instagram/ai-training" + query
        assert comparable(fast.get(url)) == comparable(routed.get(url)), query
