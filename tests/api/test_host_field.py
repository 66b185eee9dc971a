"""A request whose Host field is missing, repeated or not a host is 400 (RFC 9112 section 3.2), on every route."""

from __future__ import annotations

import socket

import pytest

from app.api.security import host_fault
from app.main import create_app
from tests.conftest import make_settings
from tests.web.browser import serve

DECISION = "/v1/platforms/instagram/ai-training?category=public-posts&country=DE"


@pytest.mark.parametrize(
    "host", ["bad host", "a/b", "x:y", "user@example.com", "[::1", "example.com:80x", "a%zz", "[:::]", "[1.2.3.4]"]
)
@pytest.mark.parametrize("path", [DECISION, "/v1/platforms", "/healthz"])
def test_a_host_that_is_not_a_host_is_400_naming_host(client, path, host):
    response = client.get(path, headers={"Host": host})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    problem = response.json()
    assert problem["param"] == "Host" and "RFC 9112" in problem["detail"]


@pytest.mark.parametrize("host", ["example.com", "127.0.0.1:8000", "[::1]:8000", "[v1.x]", "api.example.com."])
def test_a_sound_host_is_served(client, host):
    assert client.get(DECISION, headers={"Host": host}).status_code == 200


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def test_a_missing_or_repeated_host_is_400_over_a_real_socket(shared_seeded_url):
    server, port = serve(create_app(make_settings(shared_seeded_url)), 0)
    path = DECISION.encode()
    try:
        missing = _raw(port, b"GET " + path + b" HTTP/1.1\r\nconnection: close\r\n\r\n")
        twice = _raw(port, b"GET " + path + b" HTTP/1.1\r\nhost: a\r\nhost: b\r\nconnection: close\r\n\r\n")
        old = _raw(port, b"GET " + path + b" HTTP/1.0\r\n\r\n")  # HTTP/1.0 needs no Host
        sound = _raw(port, b"GET " + path + b" HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n")
    finally:
        server.should_exit = True
    assert missing.startswith(b"HTTP/1.1 400 ") and b"must have a Host field" in missing
    assert twice.startswith(b"HTTP/1.1 400 ") and b"more than one Host field" in twice
    assert old.startswith(b"HTTP/1.1 200 ")
    assert sound.startswith(b"HTTP/1.1 200 ")


def test_the_fault_named():
    assert host_fault({"headers": [(b"host", b"example.com")], "http_version": "1.1"}) is None
    assert host_fault({"headers": [(b"host", b"")], "http_version": "1.1"}) is None  # empty is allowed
    assert host_fault({"headers": [], "http_version": "1.0"}) is None
    assert "must have" in (host_fault({"headers": [], "http_version": "1.1"}) or "")
