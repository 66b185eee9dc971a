"""Large answers outside the decision route (lists, the dataset, the spec, feeds, pages) are sent compressed."""

from __future__ import annotations

import gzip

import brotli
import pytest
from catalog_support import bearer
from starlette.applications import Starlette
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from app.api.compression import Compression

LARGE = [
    "/v1/platforms",
    "/v1/rules?platform=instagram",
    "/v1/dataset",
    "/v1/dataset?format=yaml",
    "/openapi.json",
    "/v1/changes.atom",
    "/v1/deadlines.ics",
    "/embed/v1/trainwatch.js",
]


def _raw(client, url: str, encoding: str) -> tuple[dict[str, str], bytes]:
    """Return the headers and the bytes as sent, not decoded."""
    with client.stream("GET", url, headers={"Accept-Encoding": encoding}) as response:
        assert response.status_code == 200, url
        return dict(response.headers), b"".join(response.iter_raw())


@pytest.mark.parametrize("url", LARGE)
def test_a_large_answer_is_sent_in_the_encoding_the_client_prefers(client, url):
    plain_headers, plain = _raw(client, url, "identity")
    br_headers, br = _raw(client, url, "gzip;q=0.5, br")
    gz_headers, gz = _raw(client, url, "gzip")
    assert "content-encoding" not in plain_headers
    assert br_headers["content-encoding"] == "br" and brotli.decompress(br) == plain
    assert gz_headers["content-encoding"] == "gzip" and gzip.decompress(gz) == plain
    assert len(br) < len(plain) / 2 and int(br_headers["content-length"]) == len(br)
    # Every variant says it varies, the plain one too: a shared cache must not hand br to a client without it.
    for headers in (plain_headers, br_headers, gz_headers):
        assert "accept-encoding" in headers["vary"].lower(), url
    # Each encoding has its own strong ETag, as RFC 9110 section 8.8.3 asks.
    if "etag" in plain_headers:
        assert br_headers["etag"] == plain_headers["etag"][:-1] + '-br"'
        assert gz_headers["etag"] == plain_headers["etag"][:-1] + '-gzip"'


def test_a_compressed_answer_revalidates_with_its_own_tag_or_the_plain_one(client):
    first = client.get("/v1/platforms", headers={"Accept-Encoding": "br"})
    tag = first.headers["etag"]
    assert tag.endswith('-br"')
    again = client.get("/v1/platforms", headers={"Accept-Encoding": "br", "If-None-Match": tag})
    assert again.status_code == 304
    assert again.headers["etag"] == tag and "accept-encoding" in again.headers["vary"].lower()
    # A client that holds the content in another encoding holds the same content: 304 naming the copy it holds, so
    # its cache updates that one (RFC 9111 section 4.3.4), and saying what the 200 says it varies on.
    plain = client.get("/v1/platforms", headers={"Accept-Encoding": "identity"}).headers["etag"]
    gzipped = plain[:-1] + '-gzip"'
    for held_tag, accept in [(plain, "br"), (gzipped, "br"), (tag, "identity"), (f"W/{tag}", "gzip")]:
        held = client.get("/v1/platforms", headers={"Accept-Encoding": accept, "If-None-Match": f'"other", {held_tag}'})
        assert held.status_code == 304, (held_tag, accept)
        assert held.headers["etag"] == held_tag.removeprefix("W/")
        assert "accept-encoding" in held.headers["vary"].lower()
    # A decision answer, on the fast path, alike.
    url = "/v1/platforms/instagram/ai-training"
    decision = client.get(url, headers={"Accept-Encoding": "br"}).headers["etag"]
    other = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": decision})
    assert other.status_code == 304 and other.headers["etag"] == decision


def test_head_says_what_get_would_send(client):
    get = client.get("/v1/dataset", headers={"Accept-Encoding": "br"})
    head = client.head("/v1/dataset", headers={"Accept-Encoding": "br"})
    assert head.status_code == 200 and head.content == b""
    for name in ("content-encoding", "content-length", "etag", "vary"):
        assert head.headers[name] == get.headers[name], name


def test_a_small_answer_is_sent_as_it_is(client):
    response = client.get("/v1/jurisdictions/DE", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200 and len(response.content) < 1024
    assert "content-encoding" not in response.headers
    assert "accept-encoding" not in response.headers.get("vary", "").lower()


def test_a_decision_answer_is_compressed_once(client):
    url = "/v1/platforms/instagram/ai-training"
    headers, body = _raw(client, url, "br")
    plain_headers, plain = _raw(client, url, "identity")
    assert headers["content-encoding"] == "br" and brotli.decompress(body) == plain
    assert headers["vary"].lower().count("accept-encoding") == 1


def test_the_tag_of_a_compressed_record_is_its_version_for_if_match(write_client, seeded_url):
    url = "/v1/rules/facebook-eea-public-posts-2025"
    auth = bearer(seeded_url)
    read = write_client.get(url, headers={"Accept-Encoding": "br"})
    assert read.headers["content-encoding"] == "br"
    tag = read.headers["etag"]
    assert tag.endswith('-br"')
    # If-None-Match naming the version as the client holds it (compressed) stops a blind write.
    blind = write_client.put(url, json=read.json(), headers={**auth, "If-None-Match": tag})
    assert blind.status_code == 412
    patched = write_client.patch(
        url,
        json={"notes": ["Edited from a compressed read."]},
        headers={**auth, "If-Match": tag, "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    stale = write_client.patch(
        url,
        json={"notes": ["A second edit from the same stale read."]},
        headers={**auth, "If-Match": tag, "Content-Type": "application/merge-patch+json"},
    )
    assert stale.status_code == 412


# The layer alone, on answers no route of the API sends.
BIG = b"x" * 4096


def _app() -> Starlette:
    async def streamed(request):
        return StreamingResponse(iter([BIG, BIG]), media_type="application/json")

    async def no_transform(request):
        return Response(BIG, media_type="application/json", headers={"Cache-Control": "no-transform"})

    async def image(request):
        return Response(BIG, media_type="image/png")

    async def encoded(request):
        return Response(gzip.compress(BIG), media_type="application/json", headers={"Content-Encoding": "gzip"})

    async def created(request):
        return Response(BIG, status_code=201, media_type="application/json")

    async def weak(request):
        return Response(BIG, media_type="text/plain", headers={"ETag": 'W/"w1"'})

    routes = [Route(f"/{f.__name__}", f) for f in (streamed, no_transform, image, encoded, created, weak)]
    return Starlette(routes=routes)


def test_the_docs_scripts_are_compressed_once(client):
    from app.api import compression

    compression.forget()
    first = client.get("/static/docs/swagger-ui-bundle.js", headers={"Accept-Encoding": "br"})
    assert first.status_code == 200 and first.headers["content-encoding"] == "br"
    assert len(compression._kept) == 1  # no ETag, but public: browsers ask for it again, and it is kept
    client.get("/static/docs/swagger-ui-bundle.js", headers={"Accept-Encoding": "br"})
    assert len(compression._kept) == 1


@pytest.mark.parametrize("path", ["/streamed", "/no_transform", "/image", "/created"])
def test_what_the_layer_leaves_alone(path):
    client = TestClient(Compression(_app()))
    with client.stream("GET", path, headers={"Accept-Encoding": "br"}) as response:
        assert "content-encoding" not in response.headers
        assert len(b"".join(response.iter_raw())) >= len(BIG)


def test_an_answer_already_encoded_is_not_encoded_again():
    client = TestClient(Compression(_app()))
    response = client.get("/encoded", headers={"Accept-Encoding": "br"})
    assert response.headers["content-encoding"] == "gzip" and response.content == BIG


def test_a_weak_tag_is_kept_for_every_encoding():
    client = TestClient(Compression(_app()))
    response = client.get("/weak", headers={"Accept-Encoding": "br"})
    assert response.headers["content-encoding"] == "br" and response.headers["etag"] == 'W/"w1"'
    assert response.content == BIG


def test_only_answers_asked_again_are_kept_compressed(write_client, seeded_url):
    from app.api import compression

    compression.forget()
    write_client.get("/v1/rules", headers={"Accept-Encoding": "br"})
    assert len(compression._kept) == 1  # a list a cache may keep: asked again, compressed once
    url = "/v1/rules/facebook-eea-public-posts-2025"
    written = write_client.patch(
        url,
        json={"notes": ["A long note. " * 100]},
        headers={**bearer(seeded_url), "Accept-Encoding": "br", "Content-Type": "application/merge-patch+json"},
    )
    assert written.status_code == 200 and written.headers["content-encoding"] == "br"
    assert len(compression._kept) == 1  # a write's answer (no-store) is compressed but not kept


def test_the_kept_bodies_go_least_recently_used_first(monkeypatch):
    from app.api import compression

    compression.forget()
    bodies = [bytes([65 + n]) * 50_000 + bytes(range(256)) * n for n in range(3)]
    sizes = [len(compression.compressed(body, "br")) for body in bodies[:2]]
    monkeypatch.setattr(compression, "KEPT_BYTES", sum(sizes) + 10)  # room for two of them
    compression.compressed(bodies[0], "br")  # used again: now the most recent
    compression.compressed(bodies[2], "br")  # a third pushes out the least recently used, the second
    kept = {key for key, _ in compression._kept.items()}
    digest = [(("br", compression.hashlib.blake2b(b, digest_size=16).digest())) for b in bodies]
    assert digest[0] in kept and digest[2] in kept and digest[1] not in kept
    assert compression._kept_size == sum(len(v) for v in compression._kept.values())
    compression.forget()
