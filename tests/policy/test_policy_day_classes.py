"""Questions whose days compare alike with every day the rules and the question name share one analysis, and get
the analysis they would get alone."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

from app.policy.index import MARGIN, context, pair_index
from app.policy.model import Query, Snapshot
from app.policy.worlds import ANALYSES, analyse, day_class

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


def _walk(snapshot: Snapshot, pairs: list[tuple[str, str]], countries: list[str | None], days: list[date]) -> int:
    """Analyse every question on every day in turn, with the shared analyses kept and with none; return how many
    questions were asked."""
    asked = 0
    for (platform, category), country, (age, objected, objected_on, posted_on) in product(pairs, countries, SITUATIONS):
        index = pair_index(snapshot, platform, category)
        for day in days:
            if posted_on is not None and posted_on > day:
                continue
            query = Query(platform, category, day, country, age, objected, objected_on, posted_on)
            kept = analyse(snapshot, index, query)
            shared = snapshot.memo.pop(ANALYSES)
            alone = analyse(snapshot, index, query)
            snapshot.memo[ANALYSES] = shared
            assert kept == alone, query
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


def test_a_day_near_a_rule_date_or_the_questions_own_is_a_class_of_its_own(tricky):
    index = pair_index(tricky, "tricky", "public-posts")
    deadline = date(2024, 6, 30)  # the GLOBAL rule's opt-out deadline, inside its span
    ctx = context(tricky, index, "US", deadline)

    def of(day: date, objected_on: date | None = None) -> object:
        return day_class(ctx, Query("tricky", "public-posts", day, "US", objected_on=objected_on))

    for k in range(-MARGIN, MARGIN + 1):
        assert of(deadline + timedelta(days=k)) == deadline + timedelta(days=k)
    # Away from the deadline, days on the same side share a class, days on either side do not.
    assert of(date(2024, 6, 20)) == of(date(2024, 6, 21)) != of(date(2024, 7, 10))
    # The question's own day splits a class: an objection made by as_of counts, one made later does not yet.
    objected = date(2024, 6, 15)
    assert of(date(2024, 6, 10), objected) != of(date(2024, 6, 20), objected)
    assert of(date(2024, 6, 20), objected) == of(date(2024, 6, 21), objected)
