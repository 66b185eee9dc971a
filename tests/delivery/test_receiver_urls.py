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


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", "link-local"),  # 6to4 of the cloud metadata address 169.254.169.254
        ("2002:c0a8:101::", "private"),  # 6to4 of 192.168.1.1
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
        ("fec0::1", "non-public"),  # site-local (deprecated, still routed inside some networks)
        ("64:ff9b:1::a9fe:a9fe", "non-public"),  # local-use NAT64: whatever the local translator reaches
        ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", "non-public"),  # Teredo, even with public ends: a tunnel
    ],
)
def test_an_ipv4_address_inside_an_ipv6_one_is_judged_as_that_address(address, kind):
    def resolve(host, port, **_):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]

    said = refusal("https://hooks.example.com/h", allow_private=False, resolve=resolve)
    assert said is not None and f"a {kind}" in said, said
    assert refusal("https://hooks.example.com/h", allow_private=True, resolve=resolve) is None


@pytest.mark.parametrize("address", ["2002:808:808::", "64:ff9b::808:808"])  # 6to4 and NAT64 of 8.8.8.8
def test_a_public_ipv4_address_inside_6to4_or_nat64_is_accepted(address):
    # Behind DNS64 an IPv6-only server sees every IPv4-only receiver in 64:ff9b::/96: judged as the IPv4 address.
    def resolve(host, port, **_):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]

    assert refusal("https://hooks.example.com/h", allow_private=False, resolve=resolve) is None
