"""Table tests: the fields a decision carries (opt-out facts, sources, reasons), decide_many and typed errors."""

from __future__ import annotations

from datetime import date

import pytest
from worded import decide, decide_many, english

from app.policy import GLOBAL, QueryError, Verdict, opt_out_facts, parse_query, prepare, rules_apply
from app.policy import decide as decide_data
from app.policy.engine import _decide_one, answer
from app.policy.index import pair_index

U, N, C, K = Verdict.USED, Verdict.NOT_USED, Verdict.CONDITIONAL, Verdict.UNKNOWN


def test_opt_out_facts_and_sources(decide_in):
    got = decide_in("instagram", "public-posts", "2025-09-01", country="DE")
    assert got.opt_out.available and got.opt_out.method == "objection form"
    assert (got.opt_out.deadline, got.opt_out.deadline_passed) == (date(2025, 5, 26), True)
    assert got.opt_out.after_deadline == "A later objection covers only newer content."
    # the rule's sources, then its deadline's, each once
    assert [s.id for s in got.sources] == ["M1", "M2", "M17"]


@pytest.mark.parametrize(("as_of", "passed"), [("2025-05-25", False), ("2025-05-26", False), ("2025-05-27", True)])
def test_deadline_passed(kit, as_of, passed):
    rule = kit.rule("r", "acme", "public-posts", GLOBAL, kit.T.OPT_OUT, opt_out=kit.opt_out(deadline="2025-05-26"))
    assert opt_out_facts(rule, kit.d(as_of)).deadline_passed is passed


def test_opt_out_facts_without_deadline_or_opt_out(kit):
    rule = kit.rule("r", "acme", "public-posts", GLOBAL, kit.T.OPT_OUT, opt_out=kit.opt_out())
    assert opt_out_facts(rule, date(2025, 1, 1)).deadline_passed is None
    assert opt_out_facts(kit.rule("u", "acme", "public-posts", GLOBAL, kit.T.USED), date(2025, 1, 1)) is None
    assert opt_out_facts(None, date(2025, 1, 1)) is None


@pytest.mark.parametrize(
    ("platform", "category", "country", "has_opt_out"),
    [
        ("instagram", "public-posts", "US", False),  # no opt-out in this jurisdiction
        ("instagram", "ai-interactions", "DE", False),  # the form does not cover Meta AI chats
        ("quora", "public-posts", None, True),  # an opt-out exists even though nothing is used
    ],
)
def test_opt_out_null_where_none_exists(decide_in, platform, category, country, has_opt_out):
    got = decide_in(platform, category, "2025-09-01", country=country)
    assert (got.opt_out is not None) is has_opt_out


def test_no_opt_out_is_stated(decide_in):
    got = decide_in("instagram", "public-posts", "2025-09-01", country="US", age=30, objected=True)
    assert "There is no opt-out from this in US, so objecting changes nothing." in got.reasons


def test_window_sources_follow_the_main_rule(decide_in):
    got = decide_in("x", "public-posts", "2025-09-01", country="FR")
    assert [s.id for s in got.sources] == ["X5", "X1"]
    assert [r.split(" ")[1] for r in got.reasons[:2]] == ["x-eu-inquiry", "x-eu-window"]


def test_reasons_name_rule_jurisdiction_and_day(decide_in):
    got = decide_in("instagram", "public-posts", "2025-09-01", country="DE", age=30, objected_on="2025-05-01")
    assert got.reasons[0].startswith("Rule ig-eea-posts (EEA, in force from 2025-05-27) applies on 2025-09-01 to DE")
    assert "You objected on 2025-05-01, by 2025-05-26, so none of your content is used." in got.reasons
    assert got.summary == "Not used: you objected on 2025-05-01, by 2025-05-26."


def test_definite_verdict_uses_rule_summary(decide_in):
    got = decide_in("instagram", "public-posts", "2025-09-01", country="DE", age=30, objected=False)
    assert got.summary == got.rule.summary


def test_decide_many_covers_platform_categories_in_order(world, kit):
    got = decide_many(world, kit.query("instagram", "", "2025-09-01", "DE"))
    assert [d.category_id for d in got] == ["public-posts", "private-messages", "ai-interactions"]
    assert [d.verdict for d in got] == [C, N, U]


def test_decide_many_with_explicit_categories(world, kit):
    got = decide_many(world, kit.query("reddit", "", "2025-09-01"), ["usage-data", "public-posts"])
    assert [(d.category_id, d.verdict) for d in got] == [("usage-data", K), ("public-posts", U)]


def test_decide_many_platform_without_rules(world, kit):
    assert decide_many(world, kit.query("nothing", "", "2025-09-01")) == ()


def test_answer_follows_parsed_query(world):
    one = parse_query(world, "reddit", {"category": "public-posts"}, date(2025, 9, 1))
    every = parse_query(world, "reddit", {}, date(2025, 9, 1))
    assert [d.category_id for d in answer(world, one)] == ["public-posts"]
    assert [d.category_id for d in answer(world, every)] == ["public-posts", "private-messages"]


@pytest.mark.parametrize(
    ("platform", "category", "status", "param"),
    [
        ("nope", "public-posts", 404, "platform_id"),
        ("reddit", "nope", 422, "category"),
    ],
)
def test_unknown_ids_raise_typed_errors(world, kit, platform, category, status, param):
    with pytest.raises(QueryError) as caught:
        decide(world, kit.query(platform, category, "2025-09-01"))
    assert (caught.value.status, caught.value.param) == (status, param)
    assert caught.value.valid


def test_decide_many_rejects_unknown_category_before_work(world, kit):
    with pytest.raises(QueryError) as caught:
        decide_many(world, kit.query("reddit", "", "2025-09-01"), ["public-posts", "nope"])
    assert caught.value.status == 422


def test_results_are_stable_and_memo_does_not_change_answers(kit):
    snap = kit.build(kit.world_rules(), deadlines=(kit.META_DEADLINE,))
    q = kit.query("instagram", "public-posts", "2025-09-01")
    first = decide(snap, q)
    assert snap.memo  # the per-pair index was kept on the snapshot
    assert decide(snap, q) == first


def test_prepare_builds_every_pair_index(kit):
    snap = kit.build(kit.world_rules(), deadlines=(kit.META_DEADLINE,))
    prepare(snap)
    assert {key[1:3] for key in snap.memo if key[0] == "pair"} == set(snap.rules_by_pair)


def test_categories_with_equal_rules_keep_their_own_rule_and_sources(kit):
    T, r = kit.T, kit.rule
    opt = kit.opt_out(kit.COVERS, deadline="2025-05-26")
    snap = kit.build(
        [
            r(
                "posts",
                "acme",
                "public-posts",
                "EEA",
                T.OPT_OUT,
                start="2025-05-27",
                min_age=18,
                opt_out=opt,
                source_ids=("a",),
            ),
            r(
                "media",
                "acme",
                "public-media",
                "EEA",
                T.OPT_OUT,
                start="2025-05-27",
                min_age=18,
                opt_out=opt,
                source_ids=("b",),
            ),
            r("media-gb", "acme", "public-media", "GB", T.USED),
        ]
    )
    posts, media = decide_many(snap, kit.query("acme", "", "2025-09-01", "DE"))
    assert (posts.rule.id, media.rule.id) == ("posts", "media")
    assert ([s.id for s in posts.sources], [s.id for s in media.sources]) == (["a"], ["b"])
    assert posts.depends_on == media.depends_on == ("age", "objected", "objected_on", "posted_on")
    # without a country the two differ: only media has a GB rule
    posts, media = decide_many(snap, kit.query("acme", "", "2025-09-01"))
    assert "GB: used" in media.summary and "GB" not in posts.summary


def test_not_used_rule_with_opt_out_does_not_claim_use(decide_in):
    got = decide_in("quora", "public-posts", "2025-09-01", objected=True)
    assert (got.verdict, got.summary) == (Verdict.NOT_USED, "Summary of quora-posts.")
    assert not any("used unless" in r for r in got.reasons)
    assert got.opt_out is not None  # the opt-out is still reported


@pytest.mark.parametrize("country", [None, "DE", "GB", "US"])
@pytest.mark.parametrize(
    "facts",
    [{}, {"age": 15}, {"objected": True}, {"objected_on": "2025-05-20"}, {"posted_on": "2025-01-01", "opted_in": True}],
)
def test_a_pair_without_rules_is_answered_as_the_analysis_would_without_running_it(kit, country, facts):
    snap = kit.build(kit.world_rules(), platforms=("nothing",), deadlines=(kit.META_DEADLINE,))
    for platform, category in [("nothing", "public-posts"), ("reddit", "group-content")]:
        assert (platform, category) not in snap.rules_by_pair
        q = kit.query(platform, category, "2025-09-01", country=country, **facts)
        direct = decide_data(snap, q)
        assert not snap.memo  # no pair index, no context, no shared analysis
        analysed = _decide_one(snap, snap.categories[category], q, pair_index(snap, platform, category))
        assert direct == analysed
        assert english(direct).reasons == (english(analysed).reasons[0],)
        snap.memo.clear()


@pytest.mark.parametrize("country", [None, "DE", "US"])
def test_after_every_rule_of_a_pair_has_ended_questions_are_answered_without_a_context(kit, country):
    T, r = kit.T, kit.rule
    ended = [
        r("old-eu", "acme", "public-posts", "EU", T.USED, start="2020-01-01", until="2023-06-30"),
        r("old-global", "acme", "public-posts", GLOBAL, T.NOT_USED, until="2024-12-31"),
    ]
    snap = kit.build([*ended, r("open", "acme", "usage-data", GLOBAL, T.USED, until=None)])
    index = pair_index(snap, "acme", "public-posts")
    assert index.ended_from == date(2025, 1, 1)  # the day after the last end
    assert pair_index(snap, "acme", "usage-data").ended_from is None  # a rule without an end
    last = kit.query("acme", "public-posts", "2024-12-31", country=country)
    assert rules_apply(snap, last) and decide_data(snap, last).verdict is Verdict.NOT_USED
    after = kit.query("acme", "public-posts", "2025-01-01", country=country)
    index.memo.clear()
    assert not rules_apply(snap, after)
    assert not index.memo  # no context was built for it
    # The answer is the one the analysis gives.
    assert decide_data(snap, after) == _decide_one(snap, snap.categories["public-posts"], after, index)


def test_notes_are_made_once_per_snapshot_and_set_of_rules_and_repeat_no_note(kit):
    T, r = kit.T, kit.rule
    rules = [
        r("old", "acme", "public-posts", GLOBAL, T.USED, until="2024-12-31", notes=("Shared.", "Old only.")),
        r("new", "acme", "public-posts", "EU", T.USED, start="2025-01-01", notes=("Shared.", "New.", "Shared.")),
    ]
    snap = kit.build(rules)
    first = decide_data(snap, kit.query("acme", "public-posts", "2025-03-01", country="DE"))
    again = decide_data(snap, kit.query("acme", "public-posts", "2025-04-01", country="FR"))
    notes = [p for p in first.reasons if p.code == "note"]
    assert [p.params["text"] for p in notes] == ["Shared.", "New."]
    assert all(a is b for a, b in zip(notes, [p for p in again.reasons if p.code == "note"], strict=True))
    fresh = kit.build(rules)
    later = decide_data(fresh, kit.query("acme", "public-posts", "2025-03-01", country="DE"))
    assert later == first and [p for p in later.reasons if p.code == "note"][0] is not notes[0]


def test_countries_whose_chains_hold_the_same_rules_share_one_context(kit):
    T, r = kit.T, kit.rule
    snap = kit.build(
        [
            r("eu", "acme", "public-posts", "EU", T.USED, start="2025-01-01"),
            r("gb", "acme", "public-posts", "GB", T.NOT_USED),
            r("world", "acme", "public-posts", GLOBAL, T.UNKNOWN),
        ]
    )
    for country in ("DE", "FR", "AT", "IE"):
        assert decide_data(snap, kit.query("acme", "public-posts", "2025-03-01", country=country)).rule.id == "eu"
    index = pair_index(snap, "acme", "public-posts")
    assert len(index.memo) == 1  # the EU countries: one context
    assert decide_data(snap, kit.query("acme", "public-posts", "2025-03-01", country="GB")).rule.id == "gb"
    assert decide_data(snap, kit.query("acme", "public-posts", "2025-03-01", country="US")).rule.id == "world"
    assert decide_data(snap, kit.query("acme", "public-posts", "2025-03-01", country="NO")).rule.id == "world"
    assert len(index.memo) == 3  # GB has its own rule; the US and Norway resolve alike, to the global rule
    decide_data(snap, kit.query("acme", "public-posts", "2024-03-01", country="DE"))
    assert len(index.memo) == 4  # before the EU rule: another span of days


def test_a_context_without_posting_windows_finds_its_rule_once(kit, monkeypatch):
    from app.policy import worlds

    snap = kit.build(kit.world_rules(), deadlines=(kit.META_DEADLINE,))
    # Open objection and posting days: many sample days, one rule for all of them.
    q = kit.query("instagram", "public-posts", "2025-09-01", country="DE")
    expected = decide_data(snap, q)
    snap.memo.clear()
    searched = []
    rules_for = worlds._rules_for
    monkeypatch.setattr(worlds, "_rules_for", lambda found, posted: searched.append(posted) or rules_for(found, posted))
    got = decide_data(snap, q)
    assert got == expected and got.rule.id == "ig-eea-posts" and "posted_on" in got.depends_on
    assert searched == []  # the context's rule for any posting day, not a search per sample day
    windowed = kit.build([kit.rule("w", "acme", "public-posts", GLOBAL, kit.T.USED, posted_until="2024-12-31")])
    decide_data(windowed, kit.query("acme", "public-posts", "2025-09-01"))
    assert searched  # with a posting window, each sample day still finds its own rule
