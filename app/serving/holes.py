"""What fills the holes of encoded answer templates: a question's country, jurisdictions, place, days and revision.

Templates of whole answers (serving/no_rule.py, serving/rule_checks.py) are encoded once with named holes (a
`bytes %` format) where an answer names the question's own country and days; these give each question's fillings,
encoded as the full path encodes them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from operator import itemgetter

from app.policy import Snapshot
from app.policy.index import bounded_memo
from app.policy.model import GLOBAL, MemoKind, phrase
from app.policy.wording import Wording
from app.serving.caching import dumps

# Neither rests on rules: a rule write keeps both.
WORDED_DAYS = MemoKind("worded days")
COUNTRY_PARTS = MemoKind("country parts")  # a rule write changes no jurisdiction


def member_holes(filled: Mapping[bytes, bytes]) -> tuple[tuple[bytes, bytes], ...]:
    """Return each member of a check's result that holds a question's value, as `filled`'s values write it, and the
    hole that takes its place."""
    return (
        (b'"country":' + filled[b"country"], b'"country":%(country)b'),
        (b'"jurisdictions":' + filled[b"jurisdictions"], b'"jurisdictions":%(jurisdictions)b'),
        (b'"as_of":"' + filled[b"as_of"] + b'"', b'"as_of":"%(as_of)b"'),
        (b'"dataset_revision":' + filled[b"revision"], b'"dataset_revision":%(revision)b'),
    )


def punched(encoded: bytes, members: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    """Return encoded JSON as a bytes format (its % escaped) with each member replaced by its hole, or None where a
    member is not found exactly once."""
    template = encoded.replace(b"%", b"%%")
    for member, hole in members:
        if template.count(member) != 1:
            return None
        template = template.replace(member, hole)
    return template


def holes(snapshot: Snapshot, wording: Wording, country: str | None, day: date) -> dict[bytes, bytes]:
    """Return what fills a check template's holes (a decision's are among them) for a country and a day."""
    parts = country_parts(snapshot, country)
    return {
        b"country": parts[0],
        b"jurisdictions": parts[1],
        b"place": parts[2],
        b"as_of": iso(day),
        b"day": worded_day(snapshot, wording, day),
        b"revision": b"%d" % snapshot.revision,
    }


# The holes a country fills, in this order (country_parts).
COUNTRY_HOLES = (b"country", b"jurisdictions", b"place")


def country_parts(snapshot: Snapshot, country: str | None) -> tuple[bytes, bytes, bytes]:
    """Return what fills the COUNTRY_HOLES for a country (or none), encoded once per snapshot."""
    memo = bounded_memo(snapshot, COUNTRY_PARTS)  # a few hundred countries at most
    parts = memo.get(country)
    if parts is None:
        # The place as phrases.place names it: the country, or GLOBAL without one.
        parts = memo[country] = (dumps(country), dumps(snapshot.chain(country)), json_text(country or GLOBAL))
    return parts


@functools.lru_cache(maxsize=1024)  # a country or GLOBAL: a few hundred at most
def place_text(value: str) -> bytes:
    """Return a place as it stands inside encoded JSON, encoded once."""
    return json_text(value)


@functools.lru_cache(maxsize=4096)  # questions name the same few thousand days
def iso(day: date) -> bytes:
    """Return a day in ISO form, as bytes."""
    return day.isoformat().encode()


def json_text(value: str) -> bytes:
    """Return a string as it stands inside encoded JSON, without its quotes."""
    return dumps(value)[1:-1]


def worded_day(snapshot: Snapshot, wording: Wording, day: date) -> bytes:
    """Return the day as the wording writes it inside a sentence, as it stands in encoded JSON."""
    memo = bounded_memo(snapshot, WORDED_DAYS)  # any day can be asked about: the memo's bound keeps a few
    key = (wording.lang, day)
    found = memo.get(key)
    if found is None:
        found = memo[key] = json_text(wording(phrase("day", day=day)))
    return found


Positional = tuple[bytes, Callable[[tuple[bytes, ...]], tuple[bytes, ...]]]
_HOLE_OR_PERCENT = re.compile(rb"%%|%\((\w+)\)b")  # left to right, as `bytes %` reads them


def positional(named: bytes, order: tuple[bytes, ...]) -> Positional:
    """Return a template with named holes as one filled by position (a third faster: no dict of holes to build, no
    key to look up a hole), and what picks its holes' values from a tuple of every hole's value in `order`."""
    picks: list[int] = []

    def by_position(hole: re.Match[bytes]) -> bytes:
        if hole[1] is None:  # an escaped % of the text, kept as it is
            return hole[0]
        picks.append(order.index(hole[1]))
        return b"%b"

    text = _HOLE_OR_PERCENT.sub(by_position, named)
    # Check templates have at least their four member holes (member_holes): itemgetter gives a tuple.
    return text, itemgetter(*picks)
