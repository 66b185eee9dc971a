"""If-Match on a read: 412 unless it names the answer's ETag (RFC 9110 section 13.1.1), on every read route."""

from __future__ import annotations

import pytest

from app.api.preconditions import if_match_holds

RULE = "/v1/rules/facebook-eea-public-posts-2025"
DECISION = "/v1/platforms/instagram/ai-training?category=public-posts&country=DE&as_of=2025-09-01"


def _refused(response) -> None:
    assert response.status_code == 412, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["param"] == "If-Match"


@pytest.mark.parametrize("url", [RULE, "/v1/rules?platform=instagram", "/v1/platforms/instagram", DECISION])
def test_if_match_naming_the_answer_holds_and_any_other_tag_is_412(client, url):
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    tag = plain.headers["etag"]
    for accept in ("identity", "br"):
        held = client.get(url, headers={"If-Match": tag, "Accept-Encoding": accept})
        assert held.status_code == 200 and held.content == plain.content
    assert client.get(url, headers={"If-Match": "*"}).status_code == 200
    assert client.get(url, headers={"If-Match": f'"nope", {tag}'}).status_code == 200  # one of a list
    _refused(client.get(url, headers={"If-Match": '"v0"'}))
    _refused(client.get(url, headers={"If-Match": f"W/{tag}"}))  # If-Match compares strongly


def test_the_tag_of_a_compressed_answer_holds_for_the_plain_one(client):
    compressed = client.get(RULE, headers={"Accept-Encoding": "br"}).headers["etag"]
    assert compressed.endswith('-br"')
    assert client.get(RULE, headers={"If-Match": compressed, "Accept-Encoding": "identity"}).status_code == 200


def test_head_is_refused_alike_without_a_body(client):
    response = client.head(RULE, headers={"If-Match": '"v0"'})
    assert response.status_code == 412 and response.content == b""


def test_if_match_is_weighed_before_if_none_match(client):
    tag = client.get(RULE).headers["etag"]
    assert client.get(RULE, headers={"If-Match": tag, "If-None-Match": tag}).status_code == 304
    _refused(client.get(RULE, headers={"If-Match": '"v0"', "If-None-Match": tag}))


def test_an_error_stays_the_error(client):
    assert client.get("/v1/rules/no-such-rule", headers={"If-Match": '"v1"'}).status_code == 404
    assert client.get("/v1/platforms/instagram/ai-training?age=x", headers={"If-Match": '"v1"'}).status_code == 422


def test_an_answer_without_a_tag_holds_only_for_star(client):
    # /healthz has no ETag: no listed tag can name it.
    assert client.get("/healthz", headers={"If-Match": "*"}).status_code == 200
    _refused(client.get("/healthz", headers={"If-Match": '"v1"'}))


def test_the_comparison():
    assert if_match_holds('"v3-abc"', '"v3-abc"')
    assert if_match_holds('"v3-abc-br"', '"v3-abc"') and if_match_holds('"v3-abc"', '"v3-abc-gzip"')
    assert if_match_holds(' "x" , "v3-abc"', '"v3-abc"')
    assert if_match_holds("*", None)
    assert not if_match_holds('"v3-abc"', None)
    assert not if_match_holds('W/"v3-abc"', '"v3-abc"')
    assert not if_match_holds('"v3-abc"', 'W/"v3-abc"')
    assert not if_match_holds('"v3-ab"', '"v3-abc"')


def test_a_long_if_match_is_not_echoed_whole(client):
    header = '"' + "a" * 8000 + '"'
    response = client.get(RULE, headers={"If-Match": header})
    _refused(response)
    assert len(response.json()["detail"]) < 400 and response.json()["detail"].startswith('If-Match "aaa')
