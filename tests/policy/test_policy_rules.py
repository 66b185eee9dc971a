"""Table tests: which rule applies (jurisdiction, effective dates, posting windows) and what its treatment gives."""

from __future__ import annotations

import pytest
from worded import decide

from app.policy import GLOBAL, Verdict
from app.policy.model import UnderAge

U, N, C, K = Verdict.USED, Verdict.NOT_USED, Verdict.CONDITIONAL, Verdict.UNKNOWN


@pytest.mark.parametrize(
    ("country", "chain"),
    [
        ("DE", ("DE", "EU", "EEA", GLOBAL)),
        ("GB", ("GB", GLOBAL)),
        ("NO", ("NO", "EEA", GLOBAL)),
        ("US", ("US", GLOBAL)),
        (None, (GLOBAL,)),
    ],
)
def test_chain_runs_from_country_to_global(world, country, chain):
    assert world.chain(country) == chain


@pytest.mark.parametrize(
    ("country", "verdict", "rule_id"),
    [
        ("DE", U, "ig-eea-posts"),  # DE -> EU -> EEA: the EEA rule
        ("NO", U, "ig-eea-posts"),  # not in the EU, still in the EEA
        ("GB", U, "ig-gb-posts"),
        ("US", U, "ig-us-posts"),
        ("AU", U, "ig-au-posts"),
        ("BR", K, None),  # no rule for BR or GLOBAL
        ("CH", K, None),  # not in the EEA
    ],
)
def test_instagram_resolves_by_country(decide_in, country, verdict, rule_id):
    got = decide_in("instagram", "public-posts", "2025-09-01", country=country, age=30, objected=False)
    assert (got.verdict, got.rule and got.rule.id, got.depends_on) == (verdict, rule_id, ())


@pytest.fixture
def layered(kit):
    """A platform with rules at every level, and an explicit not-used override of the EU rule for IE."""
    T, r = kit.T, kit.rule
    return kit.build(
        [
            r("g", "acme", "public-posts", GLOBAL, T.USED),
            r("eea", "acme", "public-posts", "EEA", T.UNKNOWN),
            r("eu", "acme", "public-posts", "EU", T.OPT_OUT, opt_out=kit.opt_out(kit.STOPS)),
            r("de", "acme", "public-posts", "DE", T.OPT_IN),
            r("ie", "acme", "public-posts", "IE", T.NOT_USED, summary="Paused in Ireland."),
        ]
    )


@pytest.mark.parametrize(
    ("country", "objected", "verdict", "rule_id"),
    [
        ("DE", None, C, "de"),  # the country's own rule beats the EU's (an opt-in: conditional on opted_in)
        ("FR", False, U, "eu"),
        ("FR", True, N, "eu"),
        ("IE", None, N, "ie"),  # explicit override of the group rule
        ("NO", None, K, "eea"),
        ("GB", None, U, "g"),
        ("US", True, U, "g"),
    ],
)
def test_most_specific_jurisdiction_wins(kit, layered, country, objected, verdict, rule_id):
    got = decide(layered, kit.query("acme", "public-posts", "2025-01-01", country, objected=objected))
    assert (got.verdict, got.rule.id) == (verdict, rule_id)


@pytest.mark.parametrize(
    ("as_of", "verdict"),
    [
        ("2024-01-09", K),  # before effective_from
        ("2024-01-10", U),  # on effective_from
        ("2024-01-20", U),  # on effective_until (inclusive)
        ("2024-01-21", N),  # the next rule took over
        ("2030-01-01", N),  # open-ended
    ],
)
def test_effective_dates(kit, as_of, verdict):
    T = kit.T
    snap = kit.build(
        [
            kit.rule("a", "acme", "public-posts", GLOBAL, T.USED, start="2024-01-10", until="2024-01-20"),
            kit.rule("b", "acme", "public-posts", GLOBAL, T.NOT_USED, start="2024-01-21"),
        ]
    )
    assert decide(snap, kit.query("acme", "public-posts", as_of)).verdict is verdict


def test_rule_without_dates_always_applies(kit):
    snap = kit.build([kit.rule("a", "acme", "public-posts", GLOBAL, kit.T.USED)])
    assert decide(snap, kit.query("acme", "public-posts", "1990-01-01")).verdict is U


@pytest.mark.parametrize(
    ("as_of", "verdict", "rule_id"),
    [
        ("2024-06-13", K, None),  # nothing in force yet
        ("2024-06-14", N, "ig-eea-pause"),
        ("2025-05-26", N, "ig-eea-pause"),
        ("2025-05-27", U, "ig-eea-posts"),
    ],
)
def test_meta_pause_then_training(decide_in, as_of, verdict, rule_id):
    got = decide_in("instagram", "public-posts", as_of, country="DE", age=30, objected=False)
    assert (got.verdict, got.rule and got.rule.id) == (verdict, rule_id)


@pytest.mark.parametrize(
    ("as_of", "country", "posted_on", "verdict", "rule_id", "depends_on"),
    [
        ("2024-09-01", "FR", "2024-05-06", U, "x-global", ()),
        ("2024-09-01", "FR", "2024-05-07", N, "x-eu-window", ()),  # first day of the window
        ("2024-09-01", "FR", "2024-08-01", N, "x-eu-window", ()),  # last day of the window
        ("2024-09-01", "FR", "2024-08-02", U, "x-global", ()),
        ("2024-09-01", "FR", None, C, "x-global", ("posted_on",)),
        ("2024-09-01", "US", "2024-06-01", U, "x-global", ()),  # the undertaking covers EU/EEA posts only
        ("2024-08-07", "FR", "2024-06-01", U, "x-global", ()),  # before the undertaking
        ("2025-09-01", "FR", "2024-06-01", N, "x-eu-window", ()),
        ("2025-09-01", "FR", "2025-01-01", K, "x-eu-inquiry", ()),
        ("2025-09-01", "FR", None, C, "x-eu-inquiry", ("posted_on",)),  # objecting cannot matter here
    ],
)
def test_posting_window(decide_in, as_of, country, posted_on, verdict, rule_id, depends_on):
    got = decide_in("x", "public-posts", as_of, country=country, objected=False, posted_on=posted_on)
    assert (got.verdict, got.rule.id, got.depends_on) == (verdict, rule_id, depends_on)


def test_posting_window_open_objection(decide_in):
    got = decide_in("x", "public-posts", "2024-09-01", country="FR")
    assert (got.verdict, got.depends_on) == (C, ("objected", "posted_on"))
    assert "content posted from 2024-05-07 to 2024-08-01 is not used" in got.summary


@pytest.mark.parametrize(
    ("platform", "category", "as_of", "verdict", "phrase"),
    [
        ("threads", "public-posts", "2025-09-01", K, "dispute"),
        ("gemini", "usage-data", "2025-07-31", K, "no confirmed rule"),
        ("reddit", "private-messages", "2025-09-01", N, "Summary of reddit-dm."),
        ("reddit", "public-posts", "2025-09-01", U, "no opt-out"),
        ("instagram", "ai-interactions", "2025-09-01", U, "not chats with Meta AI"),  # note from the rule
        (
            "nothing",
            "public-posts",
            "2025-09-01",
            K,
            "no confirmed rule for public posts on Nothing in DE on 2025-09-01",
        ),
    ],
)
def test_treatments(decide_in, platform, category, as_of, verdict, phrase):
    got = decide_in(platform, category, as_of, country="DE")
    assert got.verdict is verdict
    assert got.used is {U: True, N: False}.get(verdict)
    assert got.depends_on == ()
    assert any(phrase in text for text in (got.summary, *got.reasons))


def test_unknown_rule_keeps_its_rule_and_summary(decide_in):
    got = decide_in("threads", "public-posts", "2025-09-01", country="FR")
    assert got.rule.id == "threads-eea"
    assert got.summary == "Unknown: Summary of threads-eea."


def test_no_candidate_has_no_rule(decide_in):
    got = decide_in("instagram", "public-posts", "2025-09-01", country="BR")
    assert (got.rule, got.opt_out, got.sources) == (None, None, ())
    assert got.summary == "Unknown: no confirmed rule for public posts on Instagram in BR on 2025-09-01."


@pytest.mark.parametrize(
    ("facts", "verdict", "depends_on"),
    [
        ({}, C, ("opted_in",)),  # contract v1.1: an opt-in answer no longer assumes "off"
        ({"opted_in": False}, N, ()),
        ({"opted_in": True}, U, ()),
        ({"opted_in": True, "opted_in_on": "2025-08-31"}, U, ()),
        ({"opted_in": True, "opted_in_on": "2025-09-02"}, N, ()),  # not yet opted in on the day asked about
    ],
)
def test_opt_in_answers_follow_the_users_setting(decide_in, facts, verdict, depends_on):
    got = decide_in("gemini", "usage-data", "2025-09-01", country="DE", **facts)
    assert (got.verdict, got.depends_on) == (verdict, depends_on)


@pytest.mark.parametrize(
    ("age", "facts", "verdict", "depends_on", "summary"),
    [
        # Contract: where a rule excludes minors, no age makes the answer conditional; an opt-in rule's too.
        (None, {"opted_in": True}, C, ("age",), "Summary of teen-opt-in; accounts under 18 are excluded."),
        (15, {"opted_in": True}, N, (), "Not used: accounts under 18 are excluded."),
        (30, {"opted_in": True}, U, (), "Used: you switched it on."),
        (None, {}, C, ("age", "opted_in"), "Summary of teen-opt-in; accounts under 18 are excluded."),
        (15, {}, N, (), "Not used: accounts under 18 are excluded."),
        (None, {"opted_in": False}, N, (), "Summary of teen-opt-in."),
        (None, {"opted_in": True, "opted_in_on": "2025-09-02"}, N, (), "Summary of teen-opt-in."),  # not yet
    ],
)
def test_an_opt_in_rule_that_excludes_minors_turns_on_the_age_once_opted_in(
    kit, age, facts, verdict, depends_on, summary
):
    snap = kit.build(
        [kit.rule("teen-opt-in", "acme", "public-posts", GLOBAL, kit.T.OPT_IN, min_age=18, under_age=UnderAge.NOT_USED)]
    )
    got = decide(snap, kit.query("acme", "public-posts", "2025-09-01", country="DE", age=age, **facts))
    assert (got.verdict, got.depends_on, got.summary) == (verdict, depends_on, summary)
    minors = [r for r in got.reasons if "under 18" in r]
    # The age limit is explained wherever it can matter, and nowhere content is unused at any age.
    assert bool(minors) == (not facts.get("opted_in_on") and facts.get("opted_in") is not False)


@pytest.mark.parametrize(
    ("age", "verdict", "depends_on", "summary"),
    [
        # The sources speak of adults only: with no age the answer is open, and says minors are unknown, not excluded.
        (None, C, ("age",), "Summary of adults-only; unknown for accounts under 18."),
        (15, K, (), "Unknown: the sources speak only of accounts aged 18 or over."),
        (30, U, (), "Summary of adults-only."),
    ],
)
def test_a_rule_that_speaks_of_adults_only_leaves_younger_accounts_unknown(kit, age, verdict, depends_on, summary):
    snap = kit.build(
        [kit.rule("adults-only", "acme", "public-posts", GLOBAL, kit.T.USED, min_age=18, under_age=UnderAge.UNKNOWN)]
    )
    got = decide(snap, kit.query("acme", "public-posts", "2025-09-01", country="DE", age=age))
    assert (got.verdict, got.depends_on, got.summary) == (verdict, depends_on, summary)
    assert not any("excluded" in r for r in got.reasons)


@pytest.mark.parametrize(
    ("facts", "verdict", "depends_on", "summary"),
    [
        # The sources speak only of users who switched it on: off is unknown, never "not used".
        ({}, C, ("opted_in",), "Summary of labs-only."),
        (
            {"opted_in": False},
            K,
            (),
            "Unknown: you have not switched it on, and the sources speak only of users who did.",
        ),
        ({"opted_in": True}, U, (), "Used: you switched it on."),
        (
            {"opted_in": True, "opted_in_on": "2025-09-02"},  # not yet switched on by the day asked about
            K,
            (),
            "Unknown: you switched it on only on 2025-09-02, after the day asked about, and the sources speak only of "
            "users who had.",
        ),
    ],
)
def test_an_opt_in_rule_that_speaks_only_of_users_who_opted_in_leaves_the_others_unknown(
    kit, facts, verdict, depends_on, summary
):
    from app.policy.model import NotOptedIn

    snap = kit.build(
        [kit.rule("labs-only", "acme", "ai-interactions", GLOBAL, kit.T.OPT_IN, not_opted_in=NotOptedIn.UNKNOWN)]
    )
    got = decide(snap, kit.query("acme", "ai-interactions", "2025-09-01", country="DE", **facts))
    assert (got.verdict, got.depends_on, got.summary) == (verdict, depends_on, summary)
    assert "Content is used only if you switched this on; it is off by default." not in got.reasons
    if facts.get("opted_in") is False:
        assert got.reasons[-1] == "You have not switched it on, and the sources speak only of users who did."


@pytest.mark.parametrize(
    ("age", "verdict", "depends_on", "age_reason"),
    [
        (15, N, (), "Accounts under 18 are excluded"),  # excluded by age: not used, and the reasons say why
        (30, K, (), "at 30 this does not apply"),
        (None, C, ("age",), "Accounts under 18 are excluded"),
    ],
)
def test_an_opt_in_rule_with_an_age_limit_explains_the_age_for_users_who_did_not_opt_in(
    kit, age, verdict, depends_on, age_reason
):
    from app.policy.model import NotOptedIn

    rule = kit.rule(
        "labs-adults", "acme", "ai-interactions", GLOBAL, kit.T.OPT_IN, min_age=18, not_opted_in=NotOptedIn.UNKNOWN
    )
    got = decide(kit.build([rule]), kit.query("acme", "ai-interactions", "2025-09-01", age=age, opted_in=False))
    assert (got.verdict, got.depends_on) == (verdict, depends_on), got.reasons
    said = [r for r in got.reasons if "under 18" in r]
    assert said and all(age_reason in r for r in said), got.reasons
    assert not any("the answer is unknown" in r for r in got.reasons)


def test_rules_of_one_answer_that_disagree_about_minors_state_the_weaker_claim(kit):
    # Two posting windows, one excluding minors and one leaving them open: never both "excluded" and "unknown".
    T = kit.T
    rules = [
        kit.rule("old", "acme", "public-posts", GLOBAL, T.USED, posted_until="2024-12-31", min_age=18),
        kit.rule(
            "new",
            "acme",
            "public-posts",
            GLOBAL,
            T.USED,
            posted_from="2025-01-01",
            min_age=18,
            under_age=UnderAge.UNKNOWN,
        ),
    ]
    got = decide(kit.build(rules), kit.query("acme", "public-posts", "2025-09-01"))
    assert "unknown for accounts under 18" in got.summary and "are excluded" not in got.summary, got.summary
