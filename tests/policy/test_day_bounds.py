"""Days at the ends of the calendar: the parser bounds them, and the engine's day arithmetic never overflows."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from worded import decide, decide_many

from app.policy import QueryError, Verdict, parse_country, parse_query
from app.policy.index import pair_index
from app.policy.model import FIRST_DAY, LAST_DAY, day_after, day_before
from app.policy.query import iso_day
from app.policy.worlds import ANALYSES, analyse

TODAY = date(2025, 9, 1)
EDGES = ("0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31")


def test_the_supported_days_are_far_inside_what_a_date_holds():
    assert (date(1900, 1, 1), date(2999, 12, 31)) == (FIRST_DAY, LAST_DAY)
    assert day_after(date.max) is None and day_before(date.min) is None
    assert day_after(LAST_DAY) == date(3000, 1, 1) and day_before(FIRST_DAY) == date(1899, 12, 31)


@pytest.mark.parametrize("raw", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_iso_day_refuses_days_outside_the_bounds(raw):
    assert iso_day(raw) is None


@pytest.mark.parametrize("raw", ["1900-01-01", "2025-09-01", "2999-12-31"])
def test_iso_day_reads_days_within_the_bounds(raw):
    assert iso_day(raw) == date.fromisoformat(raw)


@pytest.mark.parametrize("name", ["as_of", "objected_on", "posted_on", "opted_in_on"])
@pytest.mark.parametrize("raw", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_each_day_parameter_outside_the_bounds_is_422_naming_it(world, name, raw):
    params = {"category": "public-posts", "country": "DE", name: raw}
    if name == "posted_on":
        params["as_of"] = "2999-12-31"  # so the day is refused for its range, not for being after as_of
    with pytest.raises(QueryError) as caught:
        parse_query(world, "instagram", params, TODAY)
    assert (caught.value.status, caught.value.param) == (422, name)
    assert "1900-01-01 to 2999-12-31" in caught.value.detail


def test_a_malformed_day_still_says_so(world):
    with pytest.raises(QueryError, match="not a date in the form YYYY-MM-DD"):
        parse_query(world, "instagram", {"as_of": "2025-02-30"}, TODAY)


def test_the_bounds_themselves_are_answered(world):
    for params in (
        {"as_of": "1900-01-01", "objected_on": "1900-01-01", "posted_on": "1900-01-01"},
        {"as_of": "2999-12-31", "objected_on": "2999-12-31", "posted_on": "2999-12-31", "opted_in_on": "2999-12-31"},
        {"as_of": "2999-12-31", "objected_on": "1900-01-01", "posted_on": "1900-01-01"},
    ):
        parsed = parse_query(world, "instagram", {"category": "public-posts", "country": "DE", **params}, TODAY)
        assert decide_many(world, parsed.query)


@pytest.mark.parametrize("raw", ["ß", "ﬁ", "ıe", "ſe", "ǆ", "Ｄｅ", "\u00a0DE"])
def test_unicode_case_mapping_never_reaches_another_country(world, raw):
    with pytest.raises(QueryError) as caught:
        parse_country(world, raw)
    assert (caught.value.status, caught.value.param) == (422, "country")


@pytest.mark.parametrize(("raw", "code"), [("de", "DE"), (" DE ", "DE"), ("uk", "GB"), ("el", "GR"), ("Gb", "GB")])
def test_ascii_codes_are_still_read_case_insensitively(world, raw, code):
    assert parse_country(world, raw) == code


def _extreme_rules(kit):
    """Rules whose every day is at an end of what a date can hold (stored before the bounds were checked)."""
    rule, opt_out, T, COVERS, STOPS = kit.rule, kit.opt_out, kit.T, kit.COVERS, kit.STOPS
    return [
        rule(
            "ig-eea-posts-forever",
            "instagram",
            "public-posts",
            "EEA",
            T.OPT_OUT,
            start="0001-01-01",
            until="9999-12-31",
            min_age=18,
            opt_out=opt_out(COVERS, "9999-12-31"),
        ),
        rule(
            "ig-eea-posts-window",
            "instagram",
            "public-posts",
            "EEA",
            T.NOT_USED,
            start="0001-01-01",
            posted_from="0001-01-01",
            posted_until="9999-12-31",
        ),
        rule("ig-gb-posts", "instagram", "public-posts", "GB", T.OPT_OUT, opt_out=opt_out(COVERS, "0001-01-01")),
        rule("ig-us-posts", "instagram", "public-posts", "US", T.OPT_OUT, opt_out=opt_out(STOPS, "9999-12-31")),
        rule(
            "ig-au-posts",
            "instagram",
            "public-comments",
            "AU",
            T.USED,
            posted_from="9999-12-31",
            posted_until="9999-12-31",
        ),
    ]


@pytest.mark.parametrize("snapshot", ["world", "extreme"])
def test_the_engine_answers_any_day_a_date_can_hold(kit, snapshot):
    world = kit.build(kit.world_rules() if snapshot == "world" else _extreme_rules(kit))
    for as_of, objected_on, posted_on in itertools.product(EDGES, (None, *EDGES), (None, *EDGES)):
        if posted_on is not None and posted_on > as_of:
            continue
        for country in (None, "DE", "GB", "US", "AU"):
            q = kit.query("instagram", "public-posts", as_of, country, objected_on=objected_on, posted_on=posted_on)
            q.objected = None if objected_on is None else True
            for found in decide_many(world, q):
                assert found.verdict in Verdict
            q.objected, q.objected_on = True, None
            assert decide(world, q).verdict in Verdict


def test_a_posting_window_to_the_last_day_a_date_holds_still_decides(kit):
    world = kit.build(_extreme_rules(kit))
    posted = kit.query("instagram", "public-posts", "2025-09-01", "DE", posted_on="2025-01-01")
    assert decide(world, posted).verdict is Verdict.NOT_USED  # the window covers every posting day


def test_days_at_the_ends_of_the_calendar_share_only_analyses_they_would_get_alone(kit):
    # A rule day at an end of the calendar stays a mark of its own: a question about it must not reuse the analysis
    # of a question about the day next to it (which, outside a one-day posting window, rests on no rule).
    world = kit.build(_extreme_rules(kit))
    near = ("0001-01-01", "0001-01-02", "0001-01-03", "0001-01-04", "9999-12-28", "9999-12-29", "9999-12-30")
    days = (*near, "9999-12-31")
    for category, country, as_of, posted_on, objected_on in itertools.product(
        ("public-posts", "public-comments"), ("DE", "AU", None), days, (None, *days), (None, *days)
    ):
        if posted_on is not None and posted_on > as_of:
            continue
        q = kit.query("instagram", category, as_of, country, objected_on=objected_on, posted_on=posted_on)
        index = pair_index(world, "instagram", category)
        kept = analyse(world, index, q)
        shared = world.memo.pop(ANALYSES)
        alone = analyse(world, index, q)
        world.memo[ANALYSES] = shared
        assert kept == alone, q
