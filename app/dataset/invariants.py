"""Invariants the dataset files and the database share, written once: what refers to what, when rules overlap, what
a decided rule may rest on and where a chain of replaced deadlines may lead."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Protocol

Place = tuple[str | int, ...]  # a field's place within its record: ("opt_out", "deadline"), ("sources", 2)


def references(section: str, record: Mapping[str, Any]) -> list[tuple[Place, str, str]]:
    """Return every reference a record makes, as (its place in the record, the section it names, the key)."""
    found: list[tuple[Place, str, str | None]] = []
    if section in ("rules", "deadlines"):
        found += [
            (("platform",), "platforms", record.get("platform")),
            (("jurisdiction",), "jurisdictions", record.get("jurisdiction")),
        ]
        found += [(("sources", i), "sources", _cited(s)) for i, s in enumerate(record.get("sources") or [])]
    if section == "rules":
        found.append((("category",), "categories", record.get("category")))
        found.append((("opt_out", "deadline"), "deadlines", (record.get("opt_out") or {}).get("deadline")))
    if section == "deadlines":
        found.append((("replaces",), "deadlines", record.get("replaces")))
    if section == "jurisdictions":  # the members must be countries: callers check the kind too
        found += [(("members", i), "jurisdictions", m) for i, m in enumerate(record.get("members") or [])]
    return [(place, target, key) for place, target, key in found if key is not None]


def _cited(citation: Any) -> str | None:
    """Return the source id of a citation: an id, or a mapping with one under `id`."""
    return citation.get("id") if isinstance(citation, Mapping) else citation


def on_aggregators_alone(treatment: str, kinds: Iterable[str | None]) -> bool:
    """Return whether a decided rule whose cited sources are of these kinds rests on aggregators alone, which
    contract v1.1 does not allow."""
    return treatment != "unknown" and set(kinds) == {"aggregator"}


# The references to a deadline, which must be one of the referring record's own platform: a deadline moved by another
# platform's, or an opt-out naming another platform's deadline, would change that platform's answers.
DEADLINE_PLACES = (("replaces",), ("opt_out", "deadline"))


def other_platforms_deadline(deadline_id: str, its_platform: str, platform: str) -> str:
    """Return the problem of a reference to a deadline of another platform."""
    return (
        f'deadline "{deadline_id}" is one of platform "{its_platform}"; name a deadline of this record\'s own platform '
        f'("{platform}")'
    )


def replaces_loop(start: str, replaces: Mapping[str, str | None]) -> list[str] | None:
    """Return the loop a deadline's chain of replaced deadlines (`replaces`: each id's) goes round back to it, start
    first and last, or None; a loop further down the chain is its own members' to report."""
    chain, current = [start], replaces.get(start)
    while current is not None and current not in chain:
        chain.append(current)
        current = replaces.get(current)
    return [*chain, start] if current == start else None


class Dated(Protocol):
    """A rule as both the files and the tables have it: days in force and the posting window it covers."""

    effective_from: date | None
    effective_until: date | None
    posted_from: date | None
    posted_until: date | None


def spans_meet(a_from: date | None, a_until: date | None, b_from: date | None, b_until: date | None) -> bool:
    """Return whether two inclusive day spans share a day; a missing end is open."""
    return (a_from or date.min) <= (b_until or date.max) and (b_from or date.min) <= (a_until or date.max)


def rules_overlap(a: Dated, b: Dated) -> bool:
    """Return whether two rules of one scope could both apply to the same post on the same day."""
    return spans_meet(a.effective_from, a.effective_until, b.effective_from, b.effective_until) and spans_meet(
        a.posted_from, a.posted_until, b.posted_from, b.posted_until
    )
