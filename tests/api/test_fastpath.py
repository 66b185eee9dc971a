"""The pure ASGI fast path answers byte for byte as the documented FastAPI route does."""

import json
import random

import pytest
from starlette.testclient import TestClient

from app.main import create_app
from tests.api.fastpath_spy import FastPathSpy, spied
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
        FastPathSpy(fast.app)
        assert routed.app.fast_path is None
        yield fast, routed


def comparable(response):
    headers = {k: v for k, v in response.headers.items() if k not in ("x-request-id", "date")}
    return response.status_code, headers, response.content


def test_fast_path_and_route_answer_identically(clients):
    fast, routed = clients
    spy = spied(fast)
    spy.take()
    statuses = set()
    for platform, params in generated_queries(1500):
        url = f"/v1/platforms/{platform}/ai-training"
        a, b = fast.get(url, params=params), routed.get(url, params=params)
        assert comparable(a) == comparable(b), (url, params)
        assert spy.take() == [True], (url, params)  # else both answers came from the route
        statuses.add(a.status_code)
        if a.status_code == 200:
            etag = a.headers["etag"]
            assert comparable(fast.get(url, params=params, headers={"If-None-Match": etag})) == comparable(
                routed.get(url, params=params, headers={"If-None-Match": etag})
            )
            assert spy.take() == [True], (url, params, etag)
    assert statuses == {200, 404, 422}


def test_repeated_and_odd_query_strings_agree(clients):
    fast, routed = clients
    spy = spied(fast)
    spy.take()
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
        assert spy.take() == [True], query


HEADER_SETS = [
    {},  # httpx's own Accept-Encoding: gzip, deflate, br, zstd
    {"Accept-Encoding": "identity"},
    {"Accept-Encoding": "br, gzip"},
    {"Accept-Encoding": "gzip"},
    {"Accept-Encoding": "gzip;q=1, br;q=0.5"},
    {"Accept-Encoding": "br;q=0, identity"},
    {"Accept-Encoding": "*"},
    {"Accept-Language": "de-DE,de;q=0.9"},
    {"Accept-Language": "de", "Accept-Encoding": "br"},
    {"Origin": "https://partner.example"},
    {"Origin": "https://partner.example", "Accept-Encoding": "gzip, br"},
    {"X-Request-ID": "bad id with spaces"},
]


def test_encodings_languages_and_origins_answer_identically(clients):
    fast, routed = clients
    spy = spied(fast)
    spy.take()
    seen_encodings = set()
    for n, (platform, params) in enumerate(generated_queries(300, seed=11)):
        for headers in HEADER_SETS[n % 3 :: 3] + [HEADER_SETS[1]]:
            for extra in ({}, {"lang": "de"}):
                url = f"/v1/platforms/{platform}/ai-training"
                a = fast.get(url, params={**params, **extra}, headers=headers)
                b = routed.get(url, params={**params, **extra}, headers=headers)
                assert comparable(a) == comparable(b), (url, params, extra, headers)
                assert spy.take() == [True], (url, params, extra, headers)
                seen_encodings.add(a.headers.get("content-encoding"))
                if a.status_code == 200:  # revalidating any encoding's ETag gives the same 304 on both paths
                    tagged = {**headers, "If-None-Match": a.headers["etag"]}
                    c = fast.get(url, params={**params, **extra}, headers=tagged)
                    d = routed.get(url, params={**params, **extra}, headers=tagged)
                    assert c.status_code == 304 and comparable(c) == comparable(d)
                    assert spy.take() == [True], (url, params, extra, tagged)
    assert seen_encodings == {None, "br", "gzip"}


def test_a_whole_platform_answer_is_sent_compressed_and_decodes_to_the_plain_bytes(clients):
    fast, _ = clients
    spy = spied(fast)
    spy.take()
    url = "/v1/platforms/instagram/ai-training?country=DE&as_of=2025-09-01"
    plain = fast.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    for encoding in ("br", "gzip"):
        raw = fast.get(url, headers={"Accept-Encoding": encoding})
        assert raw.headers["content-encoding"] == encoding
        assert raw.headers["vary"] == "Accept-Language, Accept-Encoding, Origin"
        assert int(raw.headers["content-length"]) < len(plain.content) / 5  # httpx decoded it; the wire was smaller
        assert raw.content == plain.content
        assert raw.headers["etag"] == plain.headers["etag"][:-1] + f'-{encoding}"'
    assert spy.take() == [True] * 3  # the plain answer and both encodings, all from the fast path


@pytest.fixture(scope="module")
def listed_origin_clients(shared_seeded_url):
    origins = ["https://partner.example"]
    with (
        TestClient(create_app(make_settings(shared_seeded_url, cors_origins=origins))) as fast,
        TestClient(create_app(make_settings(shared_seeded_url, cors_origins=origins, fast_path=False))) as routed,
    ):
        FastPathSpy(fast.app)
        assert routed.app.fast_path is None
        yield fast, routed


def test_cors_for_listed_origins_matches_starlettes_layer(listed_origin_clients):
    fast, routed = listed_origin_clients
    spy = spied(fast)
    spy.take()
    url = "/v1/platforms/instagram/ai-training?category=public-posts&country=DE"
    for origin in (None, "https://partner.example", "https://other.example"):
        headers = {} if origin is None else {"Origin": origin}
        a, b = fast.get(url, headers=headers), routed.get(url, headers=headers)
        assert comparable(a) == comparable(b), origin
        assert spy.take() == [True], origin  # the fast path's own CORS, not Starlette's layer, answered
        allowed = a.headers.get("access-control-allow-origin")
        assert allowed == ("https://partner.example" if origin == "https://partner.example" else None)


def test_the_fast_path_logs_one_line_and_counts_once_against_the_rate_limit(shared_seeded_url, capsys):
    settings = make_settings(shared_seeded_url, rate_limit_decisions="3/minute")
    with TestClient(create_app(settings)) as client:
        spy = FastPathSpy(client.app)
        capsys.readouterr()
        url = "/v1/platforms/instagram/ai-training?category=public-posts"
        statuses = [client.get(url).status_code for _ in range(4)]
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert statuses == [200, 200, 200, 429]  # counted twice, the second request would already be refused
    assert spy.take() == [True, True, True, False]  # the refusal is left to the full stack, which logs it
    requests = [line for line in lines if line.get("event") == "request"]
    assert [line["status"] for line in requests] == [200, 200, 200, 429]
    assert requests[0]["route"] == "/v1/platforms/{platform_id}/ai-training"
    assert requests[-1]["route"] == "<decisions limit>"
