"""Training by the platform and by third parties are separate rules, combined into one verdict."""

from datetime import date

import pytest
from worded import decide

from app.policy import Query
from app.policy.model import (
    GLOBAL,
    Category,
    Confidence,
    Jurisdiction,
    JurisdictionKind,
    LateObjection,
    OptOut,
    Platform,
    Rule,
    Snapshot,
    Source,
    Treatment,
    UsedBy,
)

DAY = date(2025, 6, 1)


def snapshot(*rules: Rule) -> Snapshot:
    return Snapshot(
        revision=1,
        platforms={"tube": Platform("tube", "Tube", "Tube Inc.")},
        categories={"public-media": Category("public-media", "Public media")},
        jurisdictions={
            GLOBAL: Jurisdiction(GLOBAL, "Global", JurisdictionKind.GLOBAL),
            "DE": Jurisdiction("DE", "Germany", JurisdictionKind.COUNTRY),
            "FR": Jurisdiction("FR", "France", JurisdictionKind.COUNTRY),
        },
        rules={r.id: r for r in rules},
        deadlines={},
        sources={
            "S1": Source("S1", "https://example.com/1", "One", "Pub", DAY),
            "S2": Source("S2", "https://example.com/2", "Two", "Pub", DAY),
        },
    )


def rule(rule_id: str, treatment: Treatment, used_by: UsedBy, source: str, jurisdiction: str = GLOBAL, **extra) -> Rule:
    return Rule(
        id=rule_id,
        platform_id="tube",
        category_id="public-media",
        jurisdiction=jurisdiction,
        treatment=treatment,
        summary=f"{rule_id} summary",
        confidence=Confidence.HIGH,
        source_ids=(source,),
        used_by=used_by,
        **extra,
    )


OPT_OUT = OptOut(method="setting", late_objection=LateObjection.STOPS_FUTURE_TRAINING)


@pytest.mark.parametrize(
    ("own", "third", "facts", "verdict", "depends_on"),
    [
        (Treatment.USED, Treatment.OPT_IN, {}, "used", ()),
        (Treatment.NOT_USED, Treatment.OPT_IN, {}, "conditional", ("opted_in",)),
        (Treatment.NOT_USED, Treatment.OPT_IN, {"opted_in": False}, "not_used", ()),
        (Treatment.NOT_USED, Treatment.OPT_IN, {"opted_in": True}, "used", ()),
        (Treatment.NOT_USED, Treatment.OPT_OUT, {}, "conditional", ("objected",)),
        (Treatment.NOT_USED, Treatment.OPT_OUT, {"objected": True}, "not_used", ()),
        (Treatment.NOT_USED, Treatment.OPT_OUT, {"objected": False}, "used", ()),
        (Treatment.USED, Treatment.OPT_OUT, {}, "used", ()),
        (Treatment.UNKNOWN, Treatment.OPT_IN, {}, "conditional", ("opted_in",)),
        (Treatment.UNKNOWN, Treatment.USED, {}, "used", ()),
    ],
)
def test_content_is_used_if_either_user_trains_on_it(own, third, facts, verdict, depends_on):
    snap = snapshot(
        rule("own", own, UsedBy.PLATFORM, "S1"),
        rule("third", third, UsedBy.THIRD_PARTIES, "S2", opt_out=OPT_OUT if third is Treatment.OPT_OUT else None),
    )
    decision = decide(snap, Query("tube", "public-media", DAY, country="DE", **facts))
    assert (decision.verdict.value, decision.depends_on) == (verdict, depends_on)
    assert decision.rule.id == "own"
    assert [s.id for s in decision.sources] == ["S1", "S2"]
    assert decision.summary.startswith("Training by the platform: ") and "own summary." in decision.summary
    assert " Training by third parties: " in decision.summary
    assert any(r.startswith("Training by third parties:") for r in decision.reasons)


def test_a_single_use_is_decided_as_before():
    snap = snapshot(rule("third", Treatment.OPT_IN, UsedBy.THIRD_PARTIES, "S2"))
    decision = decide(snap, Query("tube", "public-media", DAY, opted_in=False))
    assert decision.verdict.value == "not_used" and decision.rule.id == "third"
    assert not decision.summary.startswith("Training by")


@pytest.mark.parametrize(
    ("under_age", "age", "verdict", "depends_on"),
    [
        ("not_used", 15, "not_used", ()),
        ("unknown", 15, "unknown", ()),
        ("unknown", 30, "used", ()),
        ("unknown", None, "conditional", ("age",)),
        ("not_used", None, "conditional", ("age",)),
    ],
)
def test_younger_accounts_get_the_rules_under_age_answer(under_age, age, verdict, depends_on):
    from app.policy.model import UnderAge

    snap = snapshot(rule("own", Treatment.USED, UsedBy.PLATFORM, "S1", min_age=18, under_age=UnderAge(under_age)))
    decision = decide(snap, Query("tube", "public-media", DAY, age=age))
    assert (decision.verdict.value, decision.depends_on) == (verdict, depends_on)
    if under_age == "unknown" and age == 15:
        assert decision.summary == "Unknown: the sources speak only of accounts aged 18 or over."
        assert any("nothing is confirmed for an account holder aged 15" in r for r in decision.reasons)


def test_a_country_dependent_answer_cites_the_rules_of_the_other_countries():
    snap = snapshot(
        Rule(
            id="de",
            platform_id="tube",
            category_id="public-media",
            jurisdiction="DE",
            treatment=Treatment.USED,
            summary="Used in Germany.",
            confidence=Confidence.HIGH,
            source_ids=("S1",),
        )
    )
    decision = decide(snap, Query("tube", "public-media", DAY))
    assert (decision.verdict.value, decision.depends_on, decision.rule) == ("conditional", ("country",), None)
    assert [s.id for s in decision.sources] == ["S1"]


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("Disputed whether posts are used.", "Unknown: Disputed whether posts are used."),
        ("Unknown: only one source says so.", "Unknown: only one source says so."),
    ],
)
def test_an_unknown_rules_summary_says_unknown_once(summary, expected):
    snap = snapshot(
        Rule(
            id="u",
            platform_id="tube",
            category_id="public-media",
            jurisdiction=GLOBAL,
            treatment=Treatment.UNKNOWN,
            summary=summary,
            confidence=Confidence.LOW,
            source_ids=("S1",),
        )
    )
    assert decide(snap, Query("tube", "public-media", DAY)).summary == expected


def test_days_between_the_same_rule_boundaries_share_one_context():
    from app.policy.index import context, pair_index

    snap = snapshot(
        rule("old", Treatment.NOT_USED, UsedBy.PLATFORM, "S1", effective_until=date(2025, 5, 26)),
        rule("new", Treatment.USED, UsedBy.PLATFORM, "S1", effective_from=date(2025, 5, 27), effective_until=date.max),
    )
    index = pair_index(snap, "tube", "public-media")
    before = context(snap, index, "DE", date(2025, 1, 1))
    assert context(snap, index, "DE", date(2025, 5, 26)) is before
    after = context(snap, index, "DE", date(2025, 5, 27))
    assert after is not before and context(snap, index, "DE", date(2026, 1, 1)) is after
    assert decide(snap, Query("tube", "public-media", date(2025, 5, 26))).verdict.value == "not_used"
    assert decide(snap, Query("tube", "public-media", date(2025, 5, 27))).verdict.value == "used"


@pytest.mark.parametrize(
    ("others", "verdict", "depends_on"),
    [
        # Third parties' use unknown: whatever the posting day, no use is used and not all are unused.
        (Treatment.UNKNOWN, "unknown", ()),
        # Third parties do not use it: the posting day decides between not used and unknown.
        (Treatment.NOT_USED, "conditional", ("posted_on",)),
        # Third parties use it: used, whatever the day.
        (Treatment.USED, "used", ()),
    ],
)
def test_an_answer_is_conditional_only_where_giving_the_facts_can_decide_it(others, verdict, depends_on):
    # The platform's own use turns on the posting day, but only between "not used" and "unknown".
    window = rule(
        "own-window",
        Treatment.NOT_USED,
        UsedBy.PLATFORM,
        "S1",
        posted_from=date(2024, 5, 7),
        posted_until=date(2024, 8, 1),
    )
    rest = rule("own-rest", Treatment.UNKNOWN, UsedBy.PLATFORM, "S1", posted_from=date(2024, 8, 2))
    third = rule("third", others, UsedBy.THIRD_PARTIES, "S2")
    got = decide(snapshot(window, rest, third), Query("tube", "public-media", DAY, "DE"))
    assert (got.verdict.value, got.depends_on) == (verdict, depends_on)


def test_uses_that_turn_on_the_same_fact_in_opposite_directions_are_decided_together():
    # Each use is "not used" for some posting day, but never for the same one: no posting day decides the answer,
    # so it is unknown, not conditional on posted_on (found by review: each use judged alone said "decidable").
    cut, after = date(2024, 8, 1), date(2024, 8, 2)
    rules = (
        rule("own-early", Treatment.NOT_USED, UsedBy.PLATFORM, "S1", posted_until=cut),
        rule("own-late", Treatment.UNKNOWN, UsedBy.PLATFORM, "S1", posted_from=after),
        rule("third-early", Treatment.UNKNOWN, UsedBy.THIRD_PARTIES, "S2", posted_until=cut),
        rule("third-late", Treatment.NOT_USED, UsedBy.THIRD_PARTIES, "S2", posted_from=after),
    )
    got = decide(snapshot(*rules), Query("tube", "public-media", DAY, "DE"))
    assert (got.verdict.value, got.depends_on) == ("unknown", ())
    for posted in (date(2024, 1, 1), cut, after, date(2025, 1, 1)):
        assert (
            decide(snapshot(*rules), Query("tube", "public-media", DAY, "DE", posted_on=posted)).verdict.value
            == "unknown"
        )
    # The same windows lined up: the early posts are not used by either, so the posting day decides.
    lined_up = (
        *rules[:2],
        rule("third-early", Treatment.NOT_USED, UsedBy.THIRD_PARTIES, "S2", posted_until=cut),
        rules[3],
    )
    got = decide(snapshot(*lined_up), Query("tube", "public-media", DAY, "DE"))
    assert (got.verdict.value, got.depends_on) == ("conditional", ("posted_on",))


def test_uses_that_turn_on_the_country_in_opposite_directions_are_decided_together():
    # Country open: in DE the platform does not use it and third parties' use is unknown; elsewhere the reverse. No
    # country decides it, so it is unknown, not conditional on the country.
    rules = (
        rule("own-de", Treatment.NOT_USED, UsedBy.PLATFORM, "S1", jurisdiction="DE"),
        rule("own", Treatment.UNKNOWN, UsedBy.PLATFORM, "S1"),
        rule("third-de", Treatment.UNKNOWN, UsedBy.THIRD_PARTIES, "S2", jurisdiction="DE"),
        rule("third", Treatment.NOT_USED, UsedBy.THIRD_PARTIES, "S2"),
    )
    got = decide(snapshot(*rules), Query("tube", "public-media", DAY))
    assert (got.verdict.value, got.depends_on) == ("unknown", ())
    for country in ("DE", "FR"):
        assert decide(snapshot(*rules), Query("tube", "public-media", DAY, country)).verdict.value == "unknown"
    # Third parties use it outside DE: a country with no rule of its own decides, so it stays conditional on it.
    used_elsewhere = (*rules[:3], rule("third", Treatment.USED, UsedBy.THIRD_PARTIES, "S2"))
    got = decide(snapshot(*used_elsewhere), Query("tube", "public-media", DAY))
    assert (got.verdict.value, got.depends_on) == ("conditional", ("country",))
