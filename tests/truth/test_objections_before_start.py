"""Objections made before a rule's first confirmed day, where the use began earlier, asked through the HTTP API.

A rule that starts only on the first day its sources confirm it (`objection_before_start: late`) must not say that
an objection before that day kept all content out: the sheets say the use began earlier and that the opt-out covers
future use only. Each case cites the fact sheet it comes from (not read back from app/data).
"""

from __future__ import annotations

import pytest

from tests.truth.questions import case, check_answer, decision_for

ADULT = {"age": 30}

CASES = [
    # ---- Part 3 section 52: Copilot used unless opted out from Oct 2024; opting out "will exclude your future
    # conversation activities" (future only). The rule of 2 Oct 2026 is the day a quoting document checked the FAQ.
    case(
        "copilot: switched off 2026-09-01, asked 2026-11-01, posting day open -> conditional on posted_on",
        "copilot",
        "ai-interactions",
        "US",
        "2026-11-01",
        "conditional",
        ["posted_on"],
        objected_on="2026-09-01",
        **ADULT,
    ),
    case(
        "copilot: switched off 2026-09-01, chat of 2025-10-15 -> used (the opt-out covers future activity only)",
        "copilot",
        "ai-interactions",
        "US",
        "2026-11-01",
        "used",
        [],
        objected_on="2026-09-01",
        posted_on="2025-10-15",
        **ADULT,
    ),
    case(
        "copilot: switched off 2026-09-01, chat of 2026-10-15 -> not_used",
        "copilot",
        "ai-interactions",
        "US",
        "2026-11-01",
        "not_used",
        [],
        objected_on="2026-09-01",
        posted_on="2026-10-15",
        **ADULT,
    ),
    case(
        "bing: switched off 2025-01-01, search of 2024-12-01, asked 2026-11-01 -> used",
        "bing",
        "usage-data",
        "US",
        "2026-11-01",
        "used",
        [],
        objected_on="2025-01-01",
        posted_on="2024-12-01",
        **ADULT,
    ),
    # ---- Part 1 section 5: X's public posts used since ~May 2024 (reported), the opt-out stops future use; the
    # reports of 26 Jul 2024 ([XG1], [XG7]) already say posts are used.
    case("x US 2024-07-25 -> unknown (before the first report)", "x", "public-posts", "US", "2024-07-25", "unknown"),
    case(
        "x US 2024-07-26, setting left on -> used (reported that day)",
        "x",
        "public-posts",
        "US",
        "2024-07-26",
        "conditional",
        ["objected"],
    ),
    case(
        "x US 2024-07-27, setting left on -> conditional on objecting (the day after)",
        "x",
        "public-posts",
        "US",
        "2024-07-27",
        "conditional",
        ["objected"],
    ),
    # ---- Part 2 section 38: outside the EEA/UK, chats used; from 1 Jul 2026 an opt-out right for regions not named.
    case(
        "character-ai US 2026-06-30, opted out -> used (no opt-out offered outside the EEA/UK)",
        "character-ai",
        "ai-interactions",
        "US",
        "2026-06-30",
        "used",
        [],
        objected="true",
    ),
    case(
        "character-ai US 2026-07-01, opted out -> unknown (the opt-out's regions unclear)",
        "character-ai",
        "ai-interactions",
        "US",
        "2026-07-01",
        "unknown",
        [],
        objected="true",
    ),
    case(
        "character-ai US 2026-07-02, not opted out -> used",
        "character-ai",
        "ai-interactions",
        "US",
        "2026-07-02",
        "used",
        [],
        objected="false",
    ),
    # ---- Part 2 section 19: Udemy instructors stay enrolled; the 2025 window was not found.
    # (2024-12-31, never opted out -> used: asked in test_truth_part2.)
    case(
        "udemy 2025-01-01, never opted out -> used",
        "udemy",
        "public-media",
        "US",
        "2025-01-01",
        "used",
        [],
        objected="false",
    ),
    case(
        "udemy 2025-01-02, opted out -> unknown",
        "udemy",
        "public-media",
        "US",
        "2025-01-02",
        "unknown",
        [],
        objected="true",
    ),
    # ---- Part 2 section 38 / part 3: Character.AI has used chats since 2021; opting out keeps only new chats out.
    case(
        "character.ai FR: opted out 2021-06-01, chat of 2021-05-01, asked 2022-06-01 -> used",
        "character-ai",
        "ai-interactions",
        "FR",
        "2022-06-01",
        "used",
        [],
        objected_on="2021-06-01",
        posted_on="2021-05-01",
    ),
]


@pytest.mark.parametrize(("platform", "params", "verdict", "depends_on"), CASES)
def test_truth(client, platform, params, verdict, depends_on):
    check_answer(client, platform, params, verdict, depends_on)


@pytest.mark.parametrize(
    ("platform", "category", "country", "as_of", "objected_on"),
    [
        ("copilot", "ai-interactions", "US", "2026-11-01", "2026-09-01"),  # part 3 section 52
        ("x", "public-posts", "US", "2024-10-01", "2024-07-20"),  # part 1 section 5: used since ~May 2024
        ("shutterstock", "public-media", None, "2023-01-01", "2022-10-01"),  # part 3 section 48: licensed from 2021
        ("linkedin", "public-posts", "US", "2024-12-01", "2024-09-01"),  # training may have begun before 18 Sep
        ("character-ai", "ai-interactions", "FR", "2022-06-01", "2021-06-01"),  # used since 2021
        # Part 3 section 47: Hong Kong members' data was used from Sep 2024 until the pause of 11 Oct 2024.
        ("linkedin", "public-posts", "HK", "2025-12-01", "2025-10-01"),
        # Part 1 section 4 and part 3 section 47: UK data was in the rollout of Sep 2024 until the ICO's pause of
        # 20 Sep; Canadian data was used from Sep 2024 until a pause reported on 10 Dec 2024.
        ("linkedin", "public-posts", "GB", "2025-12-01", "2024-09-19"),
        ("linkedin", "profile-info", "GB", "2025-12-01", "2025-10-01"),
        ("linkedin", "public-posts", "CA", "2024-11-01", "2024-09-20"),
        # Part 2 section on Pinterest: "Nothing has changed about our use of user data to train Pinterest Canvas".
        ("pinterest", "public-media", "US", "2025-06-01", "2025-04-01"),
        ("pinterest", "public-posts", "DE", "2025-06-01", "2025-04-01"),
    ],
)
def test_an_objection_before_the_first_confirmed_day_is_not_said_to_keep_everything_out(
    client, platform, category, country, as_of, objected_on
):
    params = {"category": category, "as_of": as_of, "objected_on": objected_on, **ADULT}
    if country:
        params["country"] = country
    for lang in ("en", "de"):
        decision = decision_for(client, platform, **params, lang=lang)
        said = " ".join([decision["summary"], *decision["reasons"]])
        for claim in ("none of your content", "keeps all of your content out", "before the rule took effect"):
            assert claim not in said, (lang, said)
        for claim in ("keine Ihrer Inhalte genutzt", "in Kraft trat", "hält alle Ihre Inhalte heraus"):
            assert claim not in said, (lang, said)
    decision = decision_for(client, platform, **params, lang="en")
    assert any("kept all of your content out: it counts as a later one" in r for r in decision["reasons"])


def test_an_objection_before_a_rule_that_starts_with_the_use_still_keeps_everything_out(client):
    # Part 3 section 53: GitHub's new default began on 27 Apr 2026 (terms) and "earlier opt-outs" were preserved.
    decision = decision_for(
        client,
        "github-copilot",
        category="ai-interactions",
        as_of="2026-06-01",
        objected_on="2026-04-01",
        posted_on="2026-03-01",
    )
    assert decision["verdict"] == "not_used", decision["reasons"]


# A country for each jurisdiction a `late` rule names, so the question reaches that rule.
COUNTRY = {"GLOBAL": "US", "EEA": "DE", "GB": "GB", "HK": "HK", "CA": "CA"}


def test_every_late_rule_answers_an_objection_the_day_before_its_start_as_one_on_its_start(client):
    """Each rule whose opt-out says `objection_before_start: late`, asked about a month into it, for old content: an
    objection the day before its start answers as one on the day itself and on the day after (all late), never as in
    time."""
    from datetime import date, timedelta

    rules = client.get("/v1/rules", params={"limit": 1000}).json()["items"]
    late = [r for r in rules if (r["opt_out"] or {}).get("objection_before_start") == "late"]
    assert len(late) >= 40
    asked_of = []
    for rule in late:
        start = date.fromisoformat(rule["effective_from"])
        as_of = start + timedelta(days=30)
        if rule["effective_until"] and as_of > date.fromisoformat(rule["effective_until"]):
            as_of = date.fromisoformat(rule["effective_until"])
        asked = {
            "category": rule["category"],
            "as_of": as_of.isoformat(),
            "posted_on": (start - timedelta(days=400)).isoformat(),
            "age": 30,
        }
        if (country := COUNTRY.get(rule["jurisdiction"])) is not None:
            asked["country"] = country
        answers = [
            decision_for(client, rule["platform"], objected_on=(start - timedelta(days=days)).isoformat(), **asked)
            for days in (1, 0, -1)  # the day before its start, the day itself and the day after
        ]
        if answers[0]["rule_id"] != rule["id"]:
            continue  # a more specific rule answers for that country (the jurisdictions' own rules are asked too)
        asked_of.append(rule["id"])
        assert answers[0]["verdict"] == answers[1]["verdict"] == answers[2]["verdict"], (
            rule["id"],
            answers[0]["reasons"],
        )
        said = " ".join([answers[0]["summary"], *answers[0]["reasons"]])
        assert "none of your content" not in said and "before the rule took effect" not in said, (rule["id"], said)
    assert len(asked_of) >= 40, asked_of
