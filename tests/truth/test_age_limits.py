"""Age limits, asked through the HTTP API: an answer says younger accounts are excluded only where the sources say so.

A rule with `min_age` and `under_age: unknown` speaks of adults only (the sheets name adult users and say nothing of
minors): its answer for an account holder whose age is not given may not claim that minors are excluded.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.truth.questions import case, check_answer, decision_for

CASES = [
    # ---- Part 1 section 2 (Meta, US): adults' public posts used, no opt-out; nothing said of minors.
    case(
        "instagram US public posts, age not given -> conditional on age",
        "instagram",
        "public-posts",
        "US",
        "2025-09-01",
        "conditional",
        ["age"],
    ),
    case(
        "instagram US public posts, age 30 -> used", "instagram", "public-posts", "US", "2025-09-01", "used", [], age=30
    ),
    case(
        "instagram US public posts, age 16 -> unknown (not excluded)",
        "instagram",
        "public-posts",
        "US",
        "2025-09-01",
        "unknown",
        [],
        age=16,
    ),
    # ---- Part 1 section 1 (Meta, EU): chats with Meta AI used from 27 May 2025; the sources name adults only.
    case(
        "instagram DE chats with Meta AI, age 16 -> unknown",
        "instagram",
        "ai-interactions",
        "DE",
        "2025-09-01",
        "unknown",
        [],
        age=16,
    ),
    # ---- Part 1 section 1: public content of accounts under 18 is excluded in the EU.
    case(
        "instagram DE public posts, age 16 -> not_used",
        "instagram",
        "public-posts",
        "DE",
        "2025-09-01",
        "not_used",
        [],
        age=16,
    ),
]

EXCLUDED = {"en": "accounts under {m} are excluded", "de": "Konten unter {m} Jahren sind ausgenommen"}
UNCONFIRMED = {"en": "unknown for accounts under {m}", "de": "für Konten unter {m} Jahren unbekannt"}


@pytest.mark.parametrize("platform,params,verdict,depends_on", CASES)
def test_truth(client, platform, params, verdict, depends_on):
    check_answer(client, platform, params, verdict, depends_on)


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize(
    "platform,category,country",
    [("instagram", "public-posts", "US"), ("instagram", "ai-interactions", "DE"), ("facebook", "public-media", "US")],
)
def test_an_answer_open_on_age_does_not_claim_minors_are_excluded_where_the_sources_do_not(
    client, platform, category, country, lang
):
    decision = decision_for(client, platform, category=category, country=country, as_of="2025-09-01", lang=lang)
    assert decision["depends_on"] == ["age"]
    assert EXCLUDED[lang].format(m=18) not in decision["summary"], decision["summary"]
    assert UNCONFIRMED[lang].format(m=18) in decision["summary"], decision["summary"]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_an_answer_open_on_age_says_minors_are_excluded_where_the_sources_do(client, lang):
    decision = decision_for(client, "instagram", category="public-posts", country="DE", as_of="2025-09-01", lang=lang)
    assert "age" in decision["depends_on"]
    assert EXCLUDED[lang].format(m=18) in decision["summary"], decision["summary"]
    assert UNCONFIRMED[lang].format(m=18) not in decision["summary"]


# A country for each jurisdiction an age-limited rule names, so the question reaches that rule.
COUNTRY = {"GLOBAL": "US", "EEA": "DE"}


def test_every_age_limited_rule_states_its_limit_as_its_sources_do(client):
    """Each rule with a minimum age, asked a month into it with the age open: the summary states the limit as an
    exclusion exactly where the rule says younger accounts are not used, and as unknown where it says the sources
    leave them open; asked for a younger account, the verdict follows the same field."""
    rules = client.get("/v1/rules", params={"limit": 1000}).json()["items"]
    limited = [r for r in rules if r["min_age"]]
    assert len(limited) >= 70
    asked_of = {"not_used": 0, "unknown": 0}
    for rule in limited:
        start = date.fromisoformat(rule["effective_from"] or "2026-01-01")  # an open start: any day it is in force
        as_of = min(start + timedelta(days=30), date.fromisoformat(rule["effective_until"] or "2999-12-31"))
        asked = {"category": rule["category"], "as_of": as_of.isoformat(), "objected": "false"}
        asked["country"] = COUNTRY.get(rule["jurisdiction"], rule["jurisdiction"])
        open_age = {lang: decision_for(client, rule["platform"], **asked, lang=lang) for lang in ("en", "de")}
        if open_age["en"]["rule_id"] != rule["id"] or "age" not in open_age["en"]["depends_on"]:
            continue  # another rule answers for that country, or age changes nothing on that day
        under = rule["under_age"] or "not_used"  # the format's default
        asked_of[under] += 1
        m = rule["min_age"]
        for lang, decision in open_age.items():
            said = decision["summary"]
            assert (EXCLUDED[lang].format(m=m) in said) is (under == "not_used"), (rule["id"], lang, said)
            assert (UNCONFIRMED[lang].format(m=m) in said) is (under == "unknown"), (rule["id"], lang, said)
        younger = decision_for(client, rule["platform"], **asked, age=m - 1)
        assert younger["verdict"] == under, (rule["id"], younger["reasons"])
    assert asked_of["not_used"] >= 60 and asked_of["unknown"] >= 10, asked_of
