"""Questions whose days (and ages) compare alike with every day (and age limit) the rules and the question name share
one analysis, and get the analysis they would get alone."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

from app.policy.index import MARGIN, context, pair_index
from app.policy.model import Query, Snapshot
from app.policy.worlds import ANALYSES, analyse, fact_class

# (age, objected, objected_on, posted_on): said nothing, a minor, an undated objection, objections and posts on days
# near the rules' own.
SITUATIONS = [
    (None, None, None, None),
    (17, None, None, None),
    (None, True, None, None),
    (None, False, None, None),
    (30, True, date(2024, 6, 30), None),
    (None, True, date(2024, 7, 1), date(2024, 6, 29)),
    (None, None, None, date(2024, 4, 30)),
    (None, True, date(2024, 3, 2), date(2024, 3, 1)),
    (None, True, date(2025, 5, 26), None),
    (None, True, date(2025, 6, 10), None),
    (None, None, None, date(2025, 5, 27)),
]


def _same_alone(snapshot: Snapshot, query: Query) -> None:
    """Analyse the question with the shared analyses kept and with none: both must agree."""
    index = pair_index(snapshot, query.platform_id, query.category_id)
    kept = analyse(snapshot, index, query)
    shared = snapshot.memo.pop(ANALYSES)
    alone = analyse(snapshot, index, query)
    snapshot.memo[ANALYSES] = shared
    assert kept == alone, query


def _walk(snapshot: Snapshot, pairs: list[tuple[str, str]], countries: list[str | None], days: list[date]) -> int:
    """Analyse every question on every day in turn, with the shared analyses kept and with none; return how many
    questions were asked."""
    asked = 0
    for (platform, category), country, (age, objected, objected_on, posted_on) in product(pairs, countries, SITUATIONS):
        for day in days:
            if posted_on is not None and posted_on > day:
                continue
            _same_alone(snapshot, Query(platform, category, day, country, age, objected, objected_on, posted_on))
            asked += 1
    return asked


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def test_every_day_of_a_tricky_year_gets_the_analysis_it_gets_alone(tricky):
    # Windows, a deadline inside a span, a late objection covering later posts and age limits in one chain.
    snapshot = tricky
    snapshot.memo.clear()
    asked = _walk(
        snapshot,
        [("tricky", "public-posts")],
        ["DE", "FR", "US", "CA", "GB", None],
        _days(date(2023, 12, 1), date(2025, 1, 31)),
    )
    # Days share analyses: far fewer than one per question (each situation has a few dozen classes of days).
    assert len(snapshot.memo[ANALYSES]) < asked / 8


def test_every_day_of_the_modelled_platforms_gets_the_analysis_it_gets_alone(world):
    pairs = [
        (platform, category)
        for platform, category in world.rules_by_pair
        if len(world.uses_by_pair[(platform, category)]) == 1
    ]
    world.memo.clear()
    asked = _walk(world, pairs, ["DE", "GB", "US", None], _days(date(2024, 5, 1), date(2025, 12, 31)))
    assert len(world.memo[ANALYSES]) < asked / 8


def test_every_objection_and_posting_day_and_every_age_gets_the_analysis_it_gets_alone(tricky):
    # The question's own days move too: an objection or a post on every day of the year, for days asked about
    # around the deadline and after it; and every age from 0 to 30 around the limits of 16 and 18.
    snapshot = tricky
    snapshot.memo.clear()
    asked = 0
    for as_of, country in product([date(2024, 6, 29), date(2024, 7, 2), date(2024, 9, 1)], ["FR", "US", "CA"]):
        for day in _days(date(2024, 1, 1), as_of):
            _same_alone(snapshot, Query("tricky", "public-posts", as_of, country, objected=True, objected_on=day))
            _same_alone(snapshot, Query("tricky", "public-posts", as_of, country, posted_on=day))
            _same_alone(snapshot, Query("tricky", "public-posts", as_of, country, None, True, day, day))
            asked += 3
        for age in range(31):
            _same_alone(snapshot, Query("tricky", "public-posts", as_of, country, age))
            asked += 1
    assert len(snapshot.memo[ANALYSES]) < asked / 8


def test_a_day_near_a_rule_date_or_the_questions_own_is_a_class_of_its_own(tricky):
    index = pair_index(tricky, "tricky", "public-posts")
    deadline = date(2024, 6, 30)  # the GLOBAL rule's opt-out deadline, inside its span
    ctx = context(tricky, index, "US", deadline)

    def of(day: date, objected_on: date | None = None, age: int | None = None) -> object:
        return fact_class(ctx, Query("tricky", "public-posts", day, "US", age, objected_on=objected_on))

    for k in range(-MARGIN, MARGIN + 1):
        assert of(deadline + timedelta(days=k))[0] == deadline + timedelta(days=k)
    # Away from the deadline, days on the same side share a class, days on either side do not.
    assert of(date(2024, 6, 20)) == of(date(2024, 6, 21)) != of(date(2024, 7, 10))
    # The question's own day splits a class: an objection made by as_of counts, one made later does not yet.
    objected = date(2024, 6, 15)
    assert of(date(2024, 6, 10), objected) != of(date(2024, 6, 20), objected)
    assert of(date(2024, 6, 20), objected) == of(date(2024, 6, 21), objected)
    # Ages compare with the rules' limits alone (16 in force here): 10 and 15 alike, 16 and 40 alike.
    day = date(2024, 6, 20)
    assert of(day, age=10) == of(day, age=15) != of(day, age=16) == of(day, age=40) != of(day)


def test_every_rule_of_the_bundled_dataset_gets_the_analysis_it_gets_alone(seeded_snapshot):
    # Analyses are shared across platforms whose rules behave alike: every field an outcome reads must be part of
    # that likeness, or one platform's answer is served for another's. Each rule is asked a month into it, with
    # objections the day before its start and after it, old content, and ages open, adult and minor.
    from tests.conftest import memo_free

    snapshot = memo_free(seeded_snapshot)
    asked = 0
    for rule in sorted(snapshot.rules.values(), key=lambda r: r.id):
        start = rule.effective_from or date(2026, 1, 1)
        as_of = min(start + timedelta(days=30), rule.effective_until or date.max)
        old = start - timedelta(days=400)
        situations = [
            {},
            {"age": 17},
            {"age": 30, "objected": True},
            {"age": 30, "objected": True, "objected_on": start - timedelta(days=1), "posted_on": old},
            {"age": 30, "objected": True, "objected_on": start + timedelta(days=5), "posted_on": old},
            {"age": 30, "opted_in": False},
            {"age": 30, "opted_in": True},
        ]
        for country in ("DE", "US", "GB", "CA", None):
            for facts in situations:
                _same_alone(snapshot, Query(rule.platform_id, rule.category_id, as_of, country, **facts))
                asked += 1
    assert asked > 12000 and len(snapshot.memo[ANALYSES]) < asked
