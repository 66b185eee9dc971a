"""Check verdicts and depends_on against brute force: try many concrete values for every fact left open."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from itertools import product

import pytest
from worded import decide

from app.policy import Query, Snapshot, Verdict

AGES = (10, 16, 17, 18)


def _days(snapshot: Snapshot, platform_id: str, as_of: date) -> list[date]:
    """Return every day around each date the platform's rules name, plus a spread of others, up to as_of."""
    marks = {as_of, date(2020, 1, 1)}
    for rule in (r for r in snapshot.rules.values() if r.platform_id == platform_id):
        marks |= {rule.effective_from, rule.effective_until, rule.posted_from, rule.posted_until}
        if rule.opt_out:
            marks.add(rule.opt_out.deadline)
    days = {m + timedelta(days=k) for m in marks if m for k in (-1, 0, 1)}
    days |= {date(2023, 1, 1) + timedelta(days=91 * k) for k in range(16)}
    return sorted(x for x in days if x <= as_of)


def _brute(snapshot: Snapshot, query: Query) -> tuple[Verdict, tuple[str, ...]]:
    days = _days(snapshot, query.platform_id, query.as_of)
    countries = [query.country] if query.country else sorted(snapshot.chains)
    ages = [query.age] if query.age is not None else AGES
    if query.objected_on is not None:
        objections = [query.objected_on]
    elif query.objected is False:
        objections = [None]
    else:
        objections = ([] if query.objected else [None]) + days
    posted = [query.posted_on] if query.posted_on else days
    verdicts = {}
    for world in product(countries, ages, objections, posted):
        country, age, objected_on, posted_on = world
        got = decide(
            snapshot,
            replace(
                query,
                country=country,
                age=age,
                objected=objected_on is not None,
                objected_on=objected_on,
                posted_on=posted_on,
            ),
        )
        assert got.verdict is not Verdict.CONDITIONAL, world  # every fact given: a definite answer
        verdicts[world] = got.verdict
    if len(set(verdicts.values())) == 1:
        return next(iter(verdicts.values())), ()
    found = set()
    for axis, name in ((0, "country"), (1, "age"), (3, "posted_on")):
        groups: dict[tuple, set[Verdict]] = {}
        for world, verdict in verdicts.items():
            groups.setdefault(world[:axis] + world[axis + 1 :], set()).add(verdict)
        if any(len(v) > 1 for v in groups.values()):
            found.add(name)
    groups = {}
    for world, verdict in verdicts.items():
        groups.setdefault(world[:2] + world[3:], {})[world[2]] = verdict
    for by_day in groups.values():
        if None in by_day and any(v is not by_day[None] for v in by_day.values()):
            found.add("objected")
        if len({v for d, v in by_day.items() if d is not None}) > 1:
            found.add("objected_on")
    order = ("country", "age", "objected", "objected_on", "posted_on")
    return Verdict.CONDITIONAL, tuple(p for p in order if p in found)


# (platform, as_of, country, age, objected, objected_on, posted_on)
WORLD_CASES = [
    ("instagram", "2025-09-01", "DE", None, None, None, None),
    ("instagram", "2025-09-01", "DE", 30, True, None, None),
    ("instagram", "2025-09-01", "DE", None, None, "2025-07-01", None),
    ("instagram", "2025-09-01", "DE", None, None, None, "2025-05-27"),
    ("instagram", "2025-05-27", "NO", None, None, None, None),
    ("instagram", "2025-09-01", "GB", None, None, None, None),
    ("instagram", "2025-09-01", None, None, False, None, "2025-01-01"),
    ("x", "2024-09-01", "FR", None, None, None, None),
    ("x", "2025-09-01", "FR", None, None, None, None),
    ("x", "2024-09-01", None, 30, False, None, None),
    ("linkedin", "2025-12-01", "FR", None, None, None, None),
    ("linkedin", "2025-12-01", None, None, False, None, "2025-01-01"),
    ("gemini", "2025-09-01", "US", None, None, None, None),
    ("reddit", "2025-09-01", "US", None, None, None, None),
]
TRICKY_CASES = [
    ("tricky", "2024-09-01", "DE", None, None, None, None),
    ("tricky", "2024-09-01", "US", None, None, None, None),
    ("tricky", "2024-09-01", "FR", 30, None, "2024-08-01", None),
    ("tricky", "2024-09-01", "US", 30, True, None, None),
    ("tricky", "2024-06-15", "FR", None, None, None, None),
    ("tricky", "2024-01-15", "DE", None, None, None, None),
    ("tricky", "2024-09-01", None, 17, False, None, None),
    ("tricky", "2024-09-01", "CA", 30, True, None, None),
    ("tricky", "2024-09-01", "CA", 30, None, None, None),
]


def _query(platform, as_of, country, age, objected, objected_on, posted_on):
    d = date.fromisoformat
    return Query(
        platform,
        "public-posts" if platform != "linkedin" else "profile-info",
        d(as_of),
        country,
        age,
        objected,
        objected_on and d(objected_on),
        posted_on and d(posted_on),
    )


@pytest.mark.parametrize("case", WORLD_CASES, ids=lambda c: "-".join(str(x) for x in c))
def test_world_matches_brute_force(world, case):
    query = _query(*case)
    if query.platform_id == "gemini":
        query = replace(query, category_id="ai-interactions")
    got = decide(world, query)
    assert (got.verdict, got.depends_on) == _brute(world, query)


@pytest.mark.parametrize("case", TRICKY_CASES, ids=lambda c: "-".join(str(x) for x in c))
def test_tricky_matches_brute_force(tricky, case):
    query = _query(*case)
    got = decide(tricky, query)
    assert (got.verdict, got.depends_on) == _brute(tricky, query)
