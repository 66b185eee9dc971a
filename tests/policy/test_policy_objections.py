"""Table tests: age limits, objections and their deadlines, late objections, and what depends_on lists."""

from __future__ import annotations

import pytest
from worded import decide

from app.policy import GLOBAL, LateObjection, Verdict

U, N, C, K = Verdict.USED, Verdict.NOT_USED, Verdict.CONDITIONAL, Verdict.UNKNOWN
ALL_FACTS = ("age", "objected", "objected_on", "posted_on")


@pytest.mark.parametrize(
    ("country", "age", "verdict", "depends_on"),
    [
        ("DE", 17, N, ()),
        ("DE", 18, U, ()),
        ("DE", None, C, ("age",)),
        ("US", 10, N, ()),  # no opt-out in the US, but the age limit still holds
        ("US", None, C, ("age",)),
    ],
)
def test_min_age(decide_in, country, age, verdict, depends_on):
    got = decide_in("instagram", "public-posts", "2025-09-01", country=country, age=age, objected=False)
    assert (got.verdict, got.depends_on) == (verdict, depends_on)


def test_age_under_limit_needs_no_other_fact(decide_in):
    got = decide_in("instagram", "public-posts", "2025-09-01", country="DE", age=16)
    assert (got.verdict, got.depends_on) == (N, ())
    assert got.summary == "Not used: accounts under 18 are excluded."


@pytest.mark.parametrize(
    ("objected", "objected_on", "posted_on", "verdict", "depends_on"),
    [
        (None, None, None, C, ("objected", "objected_on", "posted_on")),
        (False, None, None, U, ()),
        (None, "2025-05-01", None, N, ()),  # before the deadline
        (None, "2025-05-26", None, N, ()),  # on the deadline
        (None, "2025-05-27", None, C, ("posted_on",)),  # late: covers only later posts
        (None, "2025-05-27", "2025-05-26", U, ()),  # posted before the objection day
        (None, "2025-05-27", "2025-05-27", N, ()),  # posted on the objection day
        (None, "2025-05-27", "2025-06-30", N, ()),  # posted after
        (None, "2025-09-02", None, U, ()),  # objection after as_of had not happened yet
        (True, "2025-09-02", "2025-01-01", U, ()),
        (True, None, None, C, ("objected_on", "posted_on")),
        (True, None, "2025-01-01", C, ("objected_on",)),  # old content: the day decides
        (True, None, "2025-09-01", N, ()),  # posted on as_of: any objection up to as_of covers it
        (False, None, "2025-01-01", U, ()),
    ],
)
def test_meta_objections(decide_in, objected, objected_on, posted_on, verdict, depends_on):
    got = decide_in(
        "instagram",
        "public-posts",
        "2025-09-01",
        country="DE",
        age=30,
        objected=objected,
        objected_on=objected_on,
        posted_on=posted_on,
    )
    assert (got.verdict, got.depends_on) == (verdict, depends_on)


def test_contract_example_nothing_given(decide_in):
    got = decide_in("instagram", "public-posts", "2025-09-01", country="DE")
    assert (got.verdict, got.used, got.depends_on) == (C, None, ALL_FACTS)
    assert got.rule.id == "ig-eea-posts"
    assert got.summary == (
        "Used unless you objected by 2025-05-26; a later objection covers only content posted from "
        "the day of the objection; accounts under 18 are excluded."
    )


@pytest.mark.parametrize("age", [15, 17, 18, 40])
@pytest.mark.parametrize("objected_on", [None, "2025-04-14", "2025-05-26", "2025-05-27", "2025-08-31", "2025-09-01"])
@pytest.mark.parametrize("posted_on", ["2020-01-01", "2025-05-26", "2025-05-27", "2025-08-31", "2025-09-01"])
def test_contract_example_all_facts_given_is_definite(decide_in, age, objected_on, posted_on):
    got = decide_in(
        "instagram",
        "public-posts",
        "2025-09-01",
        country="DE",
        age=age,
        objected=objected_on is not None,
        objected_on=objected_on,
        posted_on=posted_on,
    )
    assert got.verdict in (U, N)
    assert got.depends_on == ()


@pytest.mark.parametrize(
    ("country", "objected_on", "posted_on", "verdict"),
    [
        ("GB", "2024-09-12", "2020-01-01", N),  # no deadline: before the rule took effect counts as in time
        ("GB", "2024-09-13", "2020-01-01", U),  # on the first day is late; covers only later posts
        ("GB", "2024-09-13", "2024-09-13", N),
    ],
)
def test_no_deadline_means_before_effective_from(decide_in, country, objected_on, posted_on, verdict):
    got = decide_in(
        "instagram", "public-posts", "2025-09-01", country=country, age=30, objected_on=objected_on, posted_on=posted_on
    )
    assert got.verdict is verdict


@pytest.mark.parametrize(
    ("objected", "objected_on", "verdict", "depends_on", "undone"),
    [
        (None, None, C, ("objected",), True),  # any objection stops training, so its day never matters
        (False, None, U, (), False),
        (True, None, N, (), True),
        (None, "2025-10-01", N, (), False),  # before the rule took effect
        (None, "2025-11-03", N, (), True),  # late: stops future training only
        (None, "2025-11-20", N, (), True),
    ],
)
def test_linkedin_objections(decide_in, objected, objected_on, verdict, depends_on, undone):
    got = decide_in(
        "linkedin", "profile-info", "2025-12-01", country="FR", age=30, objected=objected, objected_on=objected_on
    )
    assert (got.verdict, got.depends_on) == (verdict, depends_on)
    assert ("not undone" in got.summary) is undone
    # said of every late objection, except one in time, where no training had happened yet
    assert any("training already done is not undone" in r for r in got.reasons) is (objected_on != "2025-10-01")


@pytest.mark.parametrize(
    ("as_of", "country", "verdict", "rule_id"),
    [
        ("2024-10-01", "FR", N, "li-eea-pause"),
        ("2024-10-01", "GB", N, "li-gb-pause"),
        ("2024-10-01", "US", K, None),
        ("2025-01-01", "US", C, "li-global"),
        ("2025-11-02", "CH", N, "li-ch-pause"),
        ("2025-11-03", "CH", C, "li-ch"),
    ],
)
def test_linkedin_rollout(decide_in, as_of, country, verdict, rule_id):
    got = decide_in("linkedin", "profile-info", as_of, country=country, age=30)
    assert (got.verdict, got.rule and got.rule.id) == (verdict, rule_id)


@pytest.mark.parametrize(
    ("start", "objected_on", "verdict", "depends_on"),
    [
        ("2024-05-01", None, C, ("objected", "objected_on")),
        ("2024-05-01", "2024-04-30", N, ()),
        ("2024-05-01", "2024-05-01", U, ()),
        (None, None, U, ()),  # neither deadline nor start: every objection is late and late ones change nothing
        (None, "2020-01-01", U, ()),
    ],
)
def test_no_effect_late_objection(kit, start, objected_on, verdict, depends_on):
    snap = kit.build(
        [kit.rule("r", "acme", "public-posts", GLOBAL, kit.T.OPT_OUT, start=start, opt_out=kit.opt_out(kit.NO_EFFECT))]
    )
    got = decide(snap, kit.query("acme", "public-posts", "2025-01-01", objected_on=objected_on))
    assert (got.verdict, got.depends_on) == (verdict, depends_on)


@pytest.mark.parametrize(
    ("platform", "category", "country", "facts"),
    [
        ("reddit", "public-posts", None, {}),
        ("reddit", "public-posts", None, {"objected": True}),
        ("reddit", "public-posts", "DE", {"objected_on": "2025-01-01"}),
        ("instagram", "public-posts", "US", {}),
        ("instagram", "ai-interactions", "DE", {}),
        ("quora", "public-posts", None, {}),  # an opt-out exists, but the content is not used anyway
    ],
)
def test_objecting_cannot_matter_without_usable_opt_out(decide_in, platform, category, country, facts):
    got = decide_in(platform, category, "2025-09-01", country=country, **facts)
    assert not {"objected", "objected_on"} & set(got.depends_on)


def test_objection_after_as_of_is_explained(decide_in):
    got = decide_in("instagram", "public-posts", "2025-09-01", country="DE", age=30, objected_on="2025-09-02")
    assert got.verdict is U
    assert any("had not happened yet on 2025-09-01" in r for r in got.reasons)


def test_late_objection_reasons_say_opt_out_cannot_help(decide_in):
    got = decide_in(
        "instagram",
        "public-posts",
        "2025-09-01",
        country="DE",
        age=30,
        objected_on="2025-06-10",
        posted_on="2025-03-01",
    )
    assert got.verdict is U
    assert got.summary.startswith("Still used: your objection on 2025-06-10 came after the deadline 2025-05-26")
    assert any("content posted on 2025-03-01 is not covered" in r for r in got.reasons)


@pytest.mark.parametrize(
    ("platform", "category", "as_of", "verdict", "depends_on", "phrase"),
    [
        ("instagram", "ai-interactions", "2025-09-01", C, ("country",), "EEA: used; elsewhere: unknown"),
        ("instagram", "ai-interactions", "2025-05-01", K, (), "no confirmed rule"),  # unknown everywhere
        ("instagram", "public-posts", "2025-09-01", C, ("country", *ALL_FACTS), "AU, US: conditional on age"),
        (
            "linkedin",
            "profile-info",
            "2025-12-01",
            C,
            ("country", "age", "objected"),
            "EEA, CH, GB: conditional on age, objected; elsewhere: conditional on objected",
        ),
        ("reddit", "public-posts", "2025-09-01", U, (), "Summary of reddit-posts."),  # the same everywhere
        ("gemini", "ai-interactions", "2025-09-01", C, ("objected",), "Used unless you objected"),
        ("x", "public-posts", "2025-09-01", C, ("country", "objected", "posted_on"), "EEA: conditional on posted_on"),
    ],
)
def test_country_omitted(decide_in, platform, category, as_of, verdict, depends_on, phrase):
    got = decide_in(platform, category, as_of)
    assert (got.verdict, got.depends_on) == (verdict, depends_on)
    assert any(phrase in text for text in (got.summary, *got.reasons))


@pytest.mark.parametrize(
    ("age", "verdict", "depends_on"),
    [
        (30, U, ()),  # used everywhere, whichever rule applies
        (16, C, ("country",)),  # only the European rules exclude minors
    ],
)
def test_country_omitted_answers_for_global(decide_in, age, verdict, depends_on):
    got = decide_in("linkedin", "profile-info", "2025-12-01", age=age, objected=False)
    assert (got.verdict, got.rule.id, got.depends_on) == (verdict, "li-global", depends_on)


@pytest.mark.parametrize(
    ("objected_on", "verdict", "depends_on", "summary_start"),
    [
        (None, C, ("objected", "objected_on"), None),
        ("2024-04-30", N, (), "Not used: you objected on 2024-04-30, before the rule took effect"),
        # After the start the sources do not say what an objection covers (Meta in Brazil): never guess.
        ("2024-05-01", K, (), "Unknown: your objection on 2024-05-01 came after the rule took effect"),
        ("2024-12-01", K, (), "Unknown: your objection on 2024-12-01 came after"),
    ],
)
def test_unknown_late_objection_is_unknown(kit, objected_on, verdict, depends_on, summary_start):
    snap = kit.build(
        [
            kit.rule(
                "r",
                "acme",
                "public-posts",
                GLOBAL,
                kit.T.OPT_OUT,
                start="2024-05-01",
                opt_out=kit.opt_out(LateObjection.UNKNOWN),
            )
        ]
    )
    got = decide(snap, kit.query("acme", "public-posts", "2025-01-01", objected_on=objected_on))
    assert (got.verdict, got.depends_on) == (verdict, depends_on)
    if summary_start:
        assert got.summary.startswith(summary_start)
    if verdict == K:
        assert any("do not say what a late objection covers" in r for r in got.reasons)


@pytest.mark.parametrize(
    ("late", "objected_on", "posted_on", "verdict", "depends_on", "summary"),
    [
        # The use began before the rule's first confirmed day: an objection before it covers only later content.
        (LateObjection.COVERS_LATER_POSTS, "2024-04-01", None, C, ("posted_on",), None),
        (
            LateObjection.COVERS_LATER_POSTS,
            "2024-04-01",
            "2024-03-01",
            U,
            (),
            "Still used: your objection on 2024-04-01 covers only content posted from that day on.",
        ),
        (LateObjection.COVERS_LATER_POSTS, "2024-04-01", "2024-04-01", N, (), None),
        (
            LateObjection.STOPS_FUTURE_TRAINING,
            "2024-04-01",
            None,
            N,
            (),
            "Not used from your objection on 2024-04-01 on; training already done is not undone.",
        ),
        (
            LateObjection.UNKNOWN,
            "2024-04-01",
            None,
            K,
            (),
            "Unknown: the sources do not say what your objection on 2024-04-01 covers.",
        ),
        (LateObjection.NO_EFFECT, "2024-04-01", None, U, (), "Still used: an objection changes nothing."),
    ],
)
def test_an_objection_before_an_unconfirmed_start_counts_as_late(
    kit, late, objected_on, posted_on, verdict, depends_on, summary
):
    opt = kit.opt_out(late, before_start=kit.LATE_BEFORE_START)
    snap = kit.build([kit.rule("r", "acme", "public-posts", GLOBAL, kit.T.OPT_OUT, start="2024-05-01", opt_out=opt)])
    got = decide(snap, kit.query("acme", "public-posts", "2025-01-01", objected_on=objected_on, posted_on=posted_on))
    assert (got.verdict, got.depends_on) == (verdict, depends_on)
    if summary:
        assert got.summary == summary
    said = " ".join([got.summary, *got.reasons])
    assert "before the rule took effect" not in said and "after the rule took effect" not in said, said
    assert "The sources do not show that an objection made before 2024-05-01, when this rule starts, kept all" in said


def test_an_unconfirmed_start_drops_the_in_time_clause_and_says_any_objection(kit):
    opt = kit.opt_out(kit.COVERS, before_start=kit.LATE_BEFORE_START)
    snap = kit.build([kit.rule("r", "acme", "public-posts", GLOBAL, kit.T.OPT_OUT, start="2024-05-01", opt_out=opt)])
    got = decide(snap, kit.query("acme", "public-posts", "2025-01-01"))
    assert got.summary == (
        "Used unless you objected; an objection covers only content posted from the day of the objection."
    )
    # The same rule starting with the use: an objection before its start is in time, and a later one is "later".
    snap = kit.build(
        [kit.rule("r", "acme", "public-posts", GLOBAL, kit.T.OPT_OUT, start="2024-05-01", opt_out=kit.opt_out())]
    )
    got = decide(snap, kit.query("acme", "public-posts", "2025-01-01"))
    assert got.summary == (
        "Used unless you objected before the rule took effect on 2024-05-01; a later objection covers only content "
        "posted from the day of the objection."
    )
    assert decide(snap, kit.query("acme", "public-posts", "2025-01-01", objected_on="2024-04-01")).verdict is N


def test_a_deadline_in_force_is_the_last_of_those_that_moved_it():
    from datetime import date

    from app.policy.model import Deadline, in_force

    def deadline(deadline_id: str, day: int, replaces: str | None = None) -> Deadline:
        return Deadline(deadline_id, "acme", GLOBAL, "objection", date(2025, 5, day), "s", replaces=replaces)

    a, b, c, other = deadline("a", 1), deadline("b", 2, "a"), deadline("c", 3, "b"), deadline("other", 9)
    found = in_force({d.id: d for d in (a, b, c, other)})
    assert found == {"a": c, "b": c, "c": c, "other": other}
    # A loop (which writes refuse) ends where it would come round again.
    looped = in_force({"x": deadline("x", 1, "y"), "y": deadline("y", 2, "x")})
    assert (looped["x"].id, looped["y"].id) == ("y", "x")


@pytest.mark.parametrize("before_start", ["keeps_all_out", "late"])
def test_an_undated_objection_whose_effect_is_unknown_says_so_not_the_rules_own_words(kit, before_start):
    from app.policy.model import BeforeStart

    opt = kit.opt_out(LateObjection.UNKNOWN, before_start=BeforeStart(before_start))
    snap = kit.build([kit.rule("r", "acme", "public-posts", GLOBAL, kit.T.OPT_OUT, start="2024-05-01", opt_out=opt)])
    got = decide(snap, kit.query("acme", "public-posts", "2025-01-01", objected=True))
    if before_start == "late":  # every objection counts as late: the day does not matter
        assert (got.verdict, got.summary) == (K, "Unknown: the sources do not say what your objection covers.")
    else:  # before the start it kept everything out, after it the effect is unknown: the day decides
        assert (got.verdict, got.depends_on) == (C, ("objected_on",))


def test_rules_alike_but_for_what_an_objection_before_their_start_does_are_not_answered_alike(kit):
    # The analyses are shared between contexts whose rules behave alike; `objection_before_start` is part of that
    # behaviour, or one platform's answer would be served for the other's.
    from app.policy.model import BeforeStart

    def opt(before_start):
        return kit.opt_out(kit.COVERS, before_start=before_start)

    keeps = BeforeStart.KEEPS_ALL_OUT

    snap = kit.build(
        [
            kit.rule("keeps", "acme", "public-posts", GLOBAL, kit.T.OPT_OUT, start="2025-01-01", opt_out=opt(keeps)),
            kit.rule(
                "late",
                "beta",
                "public-posts",
                GLOBAL,
                kit.T.OPT_OUT,
                start="2025-01-01",
                opt_out=opt(kit.LATE_BEFORE_START),
            ),
        ]
    )
    asked = {"objected_on": "2024-12-01", "posted_on": "2024-06-01"}
    for first, second in (("acme", "beta"), ("beta", "acme")):
        fresh = kit.build(snap.rules.values())
        got = {p: decide(fresh, kit.query(p, "public-posts", "2025-03-01", **asked)).verdict for p in (first, second)}
        assert got == {"acme": N, "beta": U}, (first, got)
