"""Refuse receiver URLs that reach into private networks (server-side request forgery)."""

from __future__ import annotations

import ipaddress
import socket
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

Resolver = Callable[..., list[tuple[Any, ...]]]


def _unsafe(url: str) -> bool:
    """Return whether the URL holds whitespace, control characters or unpaired surrogates."""
    # urlsplit drops some of these (tabs, newlines, leading controls) and keeps others (NUL): a URL stored with them
    # is not the URL that was checked, and PostgreSQL cannot store NUL or surrogates at all.
    return any(c.isspace() or unicodedata.category(c) in ("Cc", "Cs") for c in url)


# NAT64 (RFC 6052, RFC 8215): the well-known prefix carries an IPv4 address in its last 32 bits; the local-use
# prefix reaches whatever the local translator points at.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
_TEREDO = ipaddress.IPv6Network("2001::/32")  # a tunnel whose far end the address only half names: never called


def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Return why an address must not be called, or None for a public one."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            # Reached as the IPv4 address it carries (an IPv6-only host behind DNS64 sees every IPv4 receiver so), and
            # judged as that alone: Python's own flags for this prefix differ between patch releases.
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
            kind = _kind(inner)
            return None if kind is None else f"{kind} (inside {ip})"
        elif ip in _TEREDO or ip in _LOCAL_NAT64 or ip.is_site_local:
            return "non-public"
        elif ip.sixtofour is not None and (kind := _kind(ip.sixtofour)) is not None:
            return f"{kind} (inside {ip})"  # 6to4: 2002:7f00:1:: is 127.0.0.1
    for name in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    return None if ip.is_global else "non-public"


def refusal(url: str, *, allow_private: bool, resolve: Resolver = socket.getaddrinfo) -> str | None:
    """Return why a receiver URL is refused, or None if it may be called.

    Every address the host resolves to must be public, unless TRAINWATCH_WEBHOOKS_ALLOW_PRIVATE is set (tests,
    private deployments). Checked when subscribing and again before each delivery, as DNS answers may change.
    """
    if _unsafe(url):
        return "The URL must not contain whitespace or control characters."
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # a malformed IPv6 host ("http://[::1") or port
        return f"The URL is malformed: {exc}."
    if parts.scheme not in ("http", "https") or not host:
        return "The URL must be an absolute http:// or https:// URL with a host."
    if parts.username or parts.password:
        return "The URL must not carry a user name or password."
    if port == 0:  # urlsplit accepts it; nothing listens there, so every delivery would fail
        return "The URL's port must be from 1 to 65535."
    if allow_private:
        return None
    try:
        port = port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in resolve(host, port, proto=socket.IPPROTO_TCP)}
    except (OSError, ValueError, UnicodeError):
        return f"The host {host} does not resolve."
    for address in sorted(addresses):
        kind = _kind(ipaddress.ip_address(address.split("%")[0]))
        if kind is not None:
            return f"The host {host} resolves to {address}, a {kind} address; receivers must be public."
    return None
