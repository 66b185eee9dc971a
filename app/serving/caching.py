"""What every cacheable answer shares: compact JSON bytes, ETag matching and freshness that never outlives the day."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    """Serialise compactly (UTF-8, no spaces); every answer path uses this, so bytes match across paths."""
    try:
        # orjson hands back its 64 KiB writing buffer with the bytes at its start; answers are cached, so keep a
        # copy of the right size (0.2 µs for an answer; without it 10,000 small answers held 39 MiB resident).
        return bytes(memoryview(orjson.dumps(value, default=_plain)))
    except TypeError:  # orjson refuses an unpaired surrogate (a problem may quote one from a JSON body), big ints
        # "replace": UTF-8 cannot encode the surrogate; it becomes "?", as the json module's bytes always did.
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_plain).encode("utf-8", "replace")


def _plain(value: Any) -> Any:
    """Return a read-only mapping (the catalog's compact records) as the dict it stands for."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def etag_matches(if_none_match: str | None, etag: str | None) -> bool:
    """Return whether an If-None-Match header names the ETag (weak comparison, or *)."""
    return held_tag(if_none_match, etag) is not None


def held_tag(if_none_match: str | None, etag: str | None) -> str | None:
    """Return the tag, of those If-None-Match lists, of the copy the client holds of this answer (weak comparison;
    any encoding of the same content counts), strong, as a 304 names it so the client's cache updates that copy
    (RFC 9111 section 4.3.4); the answer's own tag for `*`; None when it holds none."""
    if not if_none_match or etag is None:
        return None
    current = identity_tag(etag)
    for listed in if_none_match.split(","):
        tag = listed.strip()
        if tag == "*":
            return etag
        if identity_tag(tag) == current:
            return tag.removeprefix("W/")
    return None


def identity_tag(tag: str) -> str:
    """Return the tag of the uncompressed representation: a client holding any encoding of it holds its content."""
    tag = tag.removeprefix("W/")
    for suffix in _VARIANT_SUFFIXES:
        if tag.endswith(suffix):
            return tag[: -len(suffix)] + '"'
    return tag


_VARIANT_SUFFIXES = ('-br"', '-gzip"')  # see serving/encoding.variant_etag


def next_midnight(today: date) -> float:
    """Return the timestamp of the midnight (UTC) that ends the day."""
    return datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=UTC).timestamp()


def max_age(limit: int, fresh_until: float | None, now: float) -> int:
    """Return the seconds a client may reuse an answer: the limit, cut at fresh_until (midnight for "today")."""
    return limit if fresh_until is None else max(0, min(limit, int(fresh_until - now)))
