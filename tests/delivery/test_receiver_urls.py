"""Receiver URLs that do not parse, or hold whitespace or control characters, are refused with a reason, never an
exception; the check needs no DNS for them."""

from __future__ import annotations

import socket

import pytest

from app.delivery.urls import refusal


def _public(host, port, **_):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]


def _never(host, port, **_):
    raise AssertionError(f"resolved {host!r}: a malformed URL must be refused before DNS")


@pytest.mark.parametrize("url", ["http://[::1", "https://[zz]/x", "https://example.com:99999/", "http://h:x/"])
@pytest.mark.parametrize("allow_private", [False, True])
def test_a_url_that_does_not_parse_is_refused(url, allow_private):
    assert "malformed" in refusal(url, allow_private=allow_private, resolve=_never)


@pytest.mark.parametrize(
    "url",
    [
        "https://1.1.1.1/x\x00",
        "https://example.com/a b",
        "\thttps://example.com/",
        "https://example.com/\r\nX-Injected: 1",
        "https://example.com/\x7f",
        "https://example.com/\x85",
        "https://example.com/\u2028",
        "https://example.com/\ud800",
    ],
)
@pytest.mark.parametrize("allow_private", [False, True])
def test_whitespace_and_control_characters_are_refused(url, allow_private):
    assert "control characters" in refusal(url, allow_private=allow_private, resolve=_never)


def test_a_plain_public_url_is_still_accepted():
    assert refusal("https://hooks.example.com/trainwatch?a=1#x", allow_private=False, resolve=_public) is None
    assert refusal("https://hooks.example.com/ünïcode", allow_private=False, resolve=_public) is None


@pytest.mark.parametrize("url", ["https://example.com:0/h", "http://127.0.0.1:0/h", "https://example.com:00/"])
@pytest.mark.parametrize("allow_private", [False, True])
def test_port_0_is_refused(url, allow_private):
    assert refusal(url, allow_private=allow_private, resolve=_never) == "The URL's port must be from 1 to 65535."
