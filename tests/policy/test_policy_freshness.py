"""Freshness: reviewed_on and stale come from the rules an answer rests on, today and the review-age limit."""

from __future__ import annotations

from datetime import date

import pytest

from app.policy import GLOBAL, answer, decide
from app.policy.freshness import with_freshness
from app.policy.model import Finding, phrase
from app.policy.query import ParsedQuery
from app.policy.wording import ENGLISH

TODAY = date(2026, 11, 29)
CHANGED = Finding("R1", "changed", date(2026, 11, 28))


def fresh(kit, rules, q, today=TODAY, max_days=365):
    snapshot = kit.build(rules)
    return with_freshness(snapshot, (decide(snapshot, q),), today, max_days)[0]


@pytest.mark.parametrize(
    ("reviewed_on", "findings", "max_days", "stale", "codes"),
    [
        (date(2026, 11, 26), (), 365, False, []),
        (date(2026, 11, 26), (CHANGED,), 365, True, ["reason.stale.finding"]),
        (date(2025, 11, 28), (), 365, True, ["reason.stale.review_old"]),  # 366 days
        (date(2025, 11, 29), (), 365, False, []),  # exactly the limit is still fresh
        (date(2026, 11, 26), (), 2, True, ["reason.stale.review_old"]),  # the limit is a parameter
        (date(2020, 1, 1), (CHANGED,), 365, True, ["reason.stale.finding", "reason.stale.review_old"]),
    ],
)
def test_stale_when_a_source_changed_or_the_review_is_old(kit, reviewed_on, findings, max_days, stale, codes):
    r = kit.rule(
        "reddit-posts",
        "reddit",
        "public-posts",
        GLOBAL,
        kit.T.USED,
        source_ids=("R1",),
        reviewed_on=reviewed_on,
        findings=findings,
    )
    q = kit.query("reddit", "public-posts", "2025-01-01")
    plain = decide(kit.build([r]), q)
    d = fresh(kit, [r], q, max_days=max_days)
    assert (d.reviewed_on, d.stale) == (reviewed_on, stale)
    assert d.verdict == plain.verdict and d.reasons[: len(plain.reasons)] == plain.reasons  # the verdict stands
    assert [p.code for p in d.reasons[len(plain.reasons) :]] == codes


def test_the_reasons_say_which_source_and_when(kit):
    r = kit.rule(
        "reddit-posts",
        "reddit",
        "public-posts",
        GLOBAL,
        kit.T.USED,
        source_ids=("R1",),
        reviewed_on=date(2026, 11, 26),
        findings=(Finding("R1", "gone", date(2026, 11, 28)),),
    )
    d = fresh(kit, [r], kit.query("reddit", "public-posts", "2025-01-01"))
    assert ENGLISH(d.reasons[-1]) == (
        "This answer may be out of date: source R1 of rule reddit-posts is gone "
        "(checked on 2026-11-28) since the rule was last reviewed on 2026-11-26."
    )
    old = phrase("reason.stale.review_old", rule="reddit-posts", reviewed_on=date(2025, 1, 2), max_days=365)
    assert ENGLISH(old) == (
        "This answer may be out of date: rule reddit-posts was last reviewed on 2025-01-02, more than 365 days ago."
    )


def test_an_answer_resting_on_several_rules_takes_the_oldest_review_and_any_finding(kit):
    rules = [
        kit.rule(
            "ig-us", "instagram", "public-posts", "US", kit.T.USED, source_ids=("A1",), reviewed_on=date(2026, 1, 1)
        ),
        kit.rule(
            "ig-global",
            "instagram",
            "public-posts",
            GLOBAL,
            kit.T.NOT_USED,
            source_ids=("A2",),
            reviewed_on=date(2026, 6, 1),
            findings=(Finding("A2", "moved", date(2026, 11, 1)),),
        ),
    ]
    snapshot = kit.build(rules)
    parsed = ParsedQuery(kit.query("instagram", "public-posts", "2026-01-01"), "public-posts", (GLOBAL,))
    (d,) = with_freshness(snapshot, answer(snapshot, parsed), TODAY, 365)
    assert d.verdict.value == "conditional" and set(d.rule_ids) == {"ig-us", "ig-global"}
    assert d.reviewed_on == date(2026, 1, 1) and d.stale


def test_an_answer_without_a_rule_has_no_review_and_is_not_stale(kit):
    d = fresh(
        kit,
        [kit.rule("reddit-posts", "reddit", "public-posts", GLOBAL, kit.T.USED)],
        kit.query("reddit", "private-messages", "2025-01-01"),
    )
    assert (d.reviewed_on, d.stale, d.rule_ids) == (None, False, ())


def test_freshness_is_worked_out_once_per_rule_set_day_and_snapshot(kit, monkeypatch):
    from app.policy import freshness

    calls = []
    work = freshness._freshness
    monkeypatch.setattr(freshness, "_freshness", lambda *args: calls.append(args[1:]) or work(*args))
    r = kit.rule("reddit-posts", "reddit", "public-posts", GLOBAL, kit.T.USED, reviewed_on=date(2025, 1, 1))
    snapshot = kit.build([r])
    first = decide(snapshot, kit.query("reddit", "public-posts", "2025-01-01"))
    other = decide(snapshot, kit.query("reddit", "public-posts", "2025-03-01", country="DE"))
    one = with_freshness(snapshot, (first, other), TODAY, 365)
    assert len(calls) == 1  # both rest on the same rule: worked out once
    assert [d.stale for d in one] == [True, True] and one[0].reviewed_on == date(2025, 1, 1)
    with_freshness(snapshot, (first,), date(2025, 6, 1), 365)  # another day: worked out again
    assert [d.stale for d in with_freshness(snapshot, (first,), date(2025, 6, 1), 365)] == [False]
    changed = snapshot.patched(
        2, {"reddit-posts": kit.rule("reddit-posts", "reddit", "public-posts", GLOBAL, kit.T.USED)}
    )
    assert with_freshness(changed, (first,), TODAY, 365)[0].reviewed_on is None  # a new snapshot: its own rules
    assert len(calls) == 3


def test_an_answer_without_rules_is_returned_as_it_is(kit):
    snapshot = kit.build([], platforms=("nothing",))
    d = decide(snapshot, kit.query("nothing", "public-posts", "2025-01-01"))
    assert with_freshness(snapshot, (d,), TODAY, 365)[0] is d
