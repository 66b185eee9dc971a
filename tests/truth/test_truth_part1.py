"""Real-world questions the fact sheet answers (sections 1-14), asked through the HTTP API.

Each case is one question a user could ask; its id reads as the question and the expected answer. The expected
verdicts follow ai-training-policy-facts.md and the contract's semantics; they are not read back from app/data.
"""

from __future__ import annotations

import pytest

from tests.truth.questions import case, check_answer

ADULT = {"age": 30}
NO_OBJECTION = {"objected": "false"}




CASES = [
    # ---- Meta, EU/EEA: the 2024 pause, the 27 May 2025 start, minors, the 26 May 2025 objection deadline
    case("facebook DE adult public post 2024-09 (2024 plan paused) -> not_used",
         "facebook", "public-posts", "DE", "2024-09-01", "not_used", [], age=30),
    case("instagram FR public photo 2025-05-26 (day before training starts) -> not_used",
         "instagram", "public-media", "FR", "2025-05-26", "not_used", [], age=30, objected="false"),
    case("instagram DE adult public post 2025-09 no objection -> used",
         "instagram", "public-posts", "DE", "2025-09-01", "used", [], age=30, objected="false"),
    case("instagram DE public post 2025-09 nothing known about the user -> conditional on age and objection",
         "instagram", "public-posts", "DE", "2025-09-01", "conditional",
         ["age", "objected", "objected_on", "posted_on"]),
    case("facebook DE 16-year-old public post 2025-09 -> not_used (under-18 accounts excluded)",
         "facebook", "public-posts", "DE", "2025-09-01", "not_used", [], age=16, objected="false"),
    case("facebook DE adult objected 2025-05-26 (deadline day) -> not_used",
         "facebook", "public-posts", "DE", "2025-09-01", "not_used", [], age=30, objected_on="2025-05-26"),
    case("facebook DE adult objected 2024-06-10 (2024 objections honoured) -> not_used",
         "facebook", "public-posts", "DE", "2025-09-01", "not_used", [], age=30, objected_on="2024-06-10"),
    case("facebook DE adult objected 2025-06-10, post from 2025-03-01 -> used (late objection covers newer posts only)",
         "facebook", "public-posts", "DE", "2025-09-01", "used", [],
         age=30, objected_on="2025-06-10", posted_on="2025-03-01"),
    case("facebook DE adult objected 2025-06-10, post from 2025-07-01 -> not_used",
         "facebook", "public-posts", "DE", "2025-09-01", "not_used", [],
         age=30, objected_on="2025-06-10", posted_on="2025-07-01"),
    case("facebook DE adult objected 2025-06-10, post on the objection day -> not_used",
         "facebook", "public-posts", "DE", "2025-09-01", "not_used", [],
         age=30, objected_on="2025-06-10", posted_on="2025-06-10"),
    case("facebook DE adult objected 2025-06-10, posting day not given -> conditional on posted_on",
         "facebook", "public-posts", "DE", "2025-09-01", "conditional", ["posted_on"],
         age=30, objected_on="2025-06-10"),
    case("instagram DE adult objected on an unknown day, post from 2025-03-01 -> conditional on objected_on",
         "instagram", "public-posts", "DE", "2025-09-01", "conditional", ["objected_on"],
         age=30, objected="true", posted_on="2025-03-01"),
    case("instagram DE adult objection dated after as_of has not happened yet -> used",
         "instagram", "public-posts", "DE", "2025-06-01", "used", [], age=30, objected_on="2025-07-01"),
    case("instagram NO (EEA, not EU) adult public comment 2025-09 no objection -> used",
         "instagram", "public-comments", "NO", "2025-09-01", "used", [], age=30, objected="false"),
    case("facebook IT adult profile info 2025-09 objected 2025-05-20 -> not_used",
         "facebook", "profile-info", "IT", "2025-09-01", "not_used", [], age=30, objected_on="2025-05-20"),
    case("facebook FR chats with Meta AI 2025-09 even after objecting -> used (form does not cover Meta AI)",
         "facebook", "ai-interactions", "FR", "2025-09-01", "used", [], age=30, objected_on="2025-05-01"),
    case("instagram DE private messages 2025-09 -> not_used",
         "instagram", "private-messages", "DE", "2025-09-01", "not_used", []),
    case("messenger DE private messages 2025-09 -> not_used",
         "messenger", "private-messages", "DE", "2025-09-01", "not_used", []),
    case("messenger ES chats with Meta AI 2025-09 -> used",
         "messenger", "ai-interactions", "ES", "2025-09-01", "used", []),
    case("whatsapp DE personal and group chats 2025-09 -> not_used",
         "whatsapp", "private-messages", "DE", "2025-09-01", "not_used", []),
    case("whatsapp DE messages to Meta AI 2025-09 -> used",
         "whatsapp", "ai-interactions", "DE", "2025-09-01", "used", []),
    case("threads DE public post 2025-09 -> unknown (in scope not confirmed)",
         "threads", "public-posts", "DE", "2025-09-01", "unknown", []),
    case("facebook public post 2025-09 without a country -> conditional on country",
         "facebook", "public-posts", None, "2025-09-01", "conditional"),
    # ---- Meta, UK: paused in June 2024, announced 13 Sep 2024, no deadline
    case("facebook GB adult public post 2024-08 (UK pause) -> not_used",
         "facebook", "public-posts", "GB", "2024-08-01", "not_used", [], age=30),
    case("facebook GB adult public post 2025-01 no objection -> used",
         "facebook", "public-posts", "GB", "2025-01-15", "used", [], age=30, objected="false"),
    case("instagram GB adult objected 2024-09-01 before the UK start -> not_used",
         "instagram", "public-media", "GB", "2025-01-15", "not_used", [], age=30, objected_on="2024-09-01"),
    case("instagram UK alias 15-year-old public photo 2025-01 -> not_used",
         "instagram", "public-media", "UK", "2025-01-15", "not_used", [], age=15, objected="false"),
    case("messenger GB private messages 2025-01 -> not_used",
         "messenger", "private-messages", "GB", "2025-01-15", "not_used", []),
    # ---- Meta, US and Australia: used, no opt-out
    case("facebook US adult public post 2025-01 objected -> used (no opt-out in the US)",
         "facebook", "public-posts", "US", "2025-01-15", "used", [], age=30, objected="true"),
    case("facebook US public post, age not given 2025-01 -> conditional on age (sources cover adults only)",
         "facebook", "public-posts", "US", "2025-01-15", "conditional", ["age"]),
    case("instagram US 15-year-old public photo 2025-01 -> unknown (sources cover adults only)",
         "instagram", "public-media", "US", "2025-01-15", "unknown", [], age=15),
    case("instagram US non-public post 2025-01 -> unknown (reported, but no source's words say so)",
         "instagram", "private-content", "US", "2025-01-15", "unknown", []),
    case("facebook US private messages 2025-01 -> not_used",
         "facebook", "private-messages", "US", "2025-01-15", "not_used", []),
    case("instagram AU adult public photo 2025-01 -> used (no opt-out)",
         "instagram", "public-media", "AU", "2025-01-15", "used", [], age=30, objected="true"),
    case("facebook AU 16-year-old public post 2025-01 -> not_used",
         "facebook", "public-posts", "AU", "2025-01-15", "not_used", [], age=16),
    case("facebook AU public post 2025-01 age not given -> conditional on age",
         "facebook", "public-posts", "AU", "2025-01-15", "conditional", ["age"]),
    # ---- LinkedIn: worldwide from ~18 Sep 2024; EEA/CH excluded and GB paused until 3 Nov 2025
    case("linkedin US public post 2024-06 (before the setting appeared) -> unknown",
         "linkedin", "public-posts", "US", "2024-06-01", "unknown", []),
    case("linkedin US public post 2025-06 no opt-out -> used",
         "linkedin", "public-posts", "US", "2025-06-01", "used", [], age=30, objected="false"),
    case("linkedin US public post 2025-06 opted out 2025-01-15 -> not_used (stops future training)",
         "linkedin", "public-posts", "US", "2025-06-01", "not_used", [], age=30, objected_on="2025-01-15"),
    case("linkedin DE public post 2025-10 (EU excluded) -> not_used",
         "linkedin", "public-posts", "DE", "2025-10-01", "not_used", [], age=30, objected="false"),
    case("linkedin DE profile 2025-11-03 (start day) no opt-out -> used",
         "linkedin", "profile-info", "DE", "2025-11-03", "used", [], age=30, objected="false"),
    case("linkedin DE public post 2025-12 opted out 2025-11-20 after the start -> not_used",
         "linkedin", "public-posts", "DE", "2025-12-01", "not_used", [], age=30, objected_on="2025-11-20"),
    case("linkedin DE 16-year-old profile 2025-12 -> not_used (minors excluded)",
         "linkedin", "profile-info", "DE", "2025-12-01", "not_used", [], age=16, objected="false"),
    case("linkedin DE private messages 2025-12 -> not_used",
         "linkedin", "private-messages", "DE", "2025-12-01", "not_used", []),
    case("linkedin CH public post 2025-06 (Switzerland excluded) -> not_used",
         "linkedin", "public-posts", "CH", "2025-06-01", "not_used", [], age=30),
    case("linkedin GB public post 2025-06 (UK paused) -> not_used",
         "linkedin", "public-posts", "GB", "2025-06-01", "not_used", [], age=30, objected="false"),
    case("linkedin GB public post 2025-11-10 no opt-out -> used",
         "linkedin", "public-posts", "GB", "2025-11-10", "used", [], age=30, objected="false"),
    case("linkedin GB group content 2025-11-10 opted out 2025-10-01 before the UK start -> not_used",
         "linkedin", "group-content", "GB", "2025-11-10", "not_used", [], age=30, objected_on="2025-10-01"),
    case("linkedin public post 2025-06 without a country -> conditional on country",
         "linkedin", "public-posts", None, "2025-06-01", "conditional"),
    # ---- X / Grok: worldwide opt-out, EU posting window 7 May - 1 Aug 2024, EU otherwise disputed
    case("x US public post 2025-01 no opt-out -> used",
         "x", "public-posts", "US", "2025-01-15", "used", [], objected="false"),
    case("x US public post 2025-01 opted out -> not_used",
         "x", "public-posts", "US", "2025-01-15", "not_used", [], objected="true"),
    case("x US protected account post 2025-01 -> not_used",
         "x", "private-content", "US", "2025-01-15", "not_used", []),
    case("x DE public post from 2024-06-15 (inside undertaking window) -> not_used",
         "x", "public-posts", "DE", "2025-01-15", "not_used", [], posted_on="2024-06-15"),
    case("x DE public post from 2024-09-01 (after the window) -> unknown (DPC inquiry)",
         "x", "public-posts", "DE", "2025-01-15", "unknown", [], posted_on="2024-09-01"),
    case("x IE public post 2025-01 posting day not given -> conditional on posted_on",
         "x", "public-posts", "IE", "2025-01-15", "conditional", ["posted_on"], objected="false"),
    case("x US Grok prompts 2025-01 no opt-out -> used",
         "x", "ai-interactions", "US", "2025-01-15", "used", [], objected="false"),
    # ---- Reddit, Google Gemini, Automattic, Stack Overflow, Quora, Slack, Zoom, Adobe, Substack
    case("reddit US public comment 2025-01 even after objecting -> used (licensed, no opt-out)",
         "reddit", "public-comments", "US", "2025-01-15", "used", [], objected="true"),
    case("reddit DE public post 2025-01 -> used (licensed worldwide)",
         "reddit", "public-posts", "DE", "2025-01-15", "used", []),
    case("reddit US public post 2023-06 (before the Google licence) -> unknown",
         "reddit", "public-posts", "US", "2023-06-01", "unknown", []),
    case("reddit US private messages 2025-01 -> not_used",
         "reddit", "private-messages", "US", "2025-01-15", "not_used", []),
    case("gemini US chats 2025-10 activity setting on -> used",
         "gemini", "ai-interactions", "US", "2025-10-01", "used", [], objected="false"),
    case("gemini DE chats 2025-10 activity setting off -> not_used",
         "gemini", "ai-interactions", "DE", "2025-10-01", "not_used", [], objected="true"),
    case("tumblr US public post 2025-01 no opt-out -> used",
         "tumblr", "public-posts", "US", "2025-01-15", "used", [], objected="false"),
    case("tumblr US public post 2025-01 third-party sharing prevented -> not_used",
         "tumblr", "public-posts", "US", "2025-01-15", "not_used", [], objected="true"),
    case("tumblr US private post 2025-01 -> not_used",
         "tumblr", "private-content", "US", "2025-01-15", "not_used", []),
    case("wordpress-com FR site content 2025-01 no opt-out -> used",
         "wordpress-com", "public-posts", "FR", "2025-01-15", "used", [], objected="false"),
    case("stack-overflow DE answer 2025-01 even after objecting -> used (licensed, no opt-out)",
         "stack-overflow", "public-posts", "DE", "2025-01-15", "used", [], objected="true"),
    case("stack-overflow US answer 2024-01 (before the OpenAI deal) -> unknown",
         "stack-overflow", "public-posts", "US", "2024-01-15", "unknown", []),
    case("quora US answer 2025-06 -> unknown (only WIRED's report of Quora's words can be quoted)",
         "quora", "public-posts", "US", "2025-06-01", "unknown", [], objected="false"),
    case("slack US direct messages 2025-01 -> not_used for generative AI",
         "slack", "private-messages", "US", "2025-01-15", "not_used", []),
    case("zoom US meeting chat 2024-01 -> not_used",
         "zoom", "private-messages", "US", "2024-01-15", "not_used", []),
    case("zoom US service-generated data 2024-01 -> unknown (the training clause was removed on 2023-08-11)",
         "zoom", "usage-data", "US", "2024-01-15", "unknown", []),
    case("adobe US cloud files 2025-01 -> not_used for generative AI",
         "adobe", "private-content", "US", "2025-01-15", "not_used", []),
    case("substack US publication 2025-01 Block AI training off -> used",
         "substack", "public-posts", "US", "2025-01-15", "used", [], objected="false"),
    case("substack US publication 2025-01 Block AI training on -> not_used",
         "substack", "public-posts", "US", "2025-01-15", "not_used", [], objected="true"),
]


@pytest.mark.parametrize(("platform", "params", "verdict", "depends_on"), CASES)
def test_truth(client, platform, params, verdict, depends_on):
    check_answer(client, platform, params, verdict, depends_on)


def test_meta_eea_objection_deadline_is_26_may_2025_and_passed_in_september(client):
    params = {"category": "public-posts", "country": "DE", "as_of": "2025-09-01", "age": 30, "objected": "false"}
    for platform in ("facebook", "instagram"):
        [decision] = client.get(f"/v1/platforms/{platform}/ai-training", params=params).json()["decisions"]
        opt_out = decision["opt_out"]
        assert (opt_out["deadline"], opt_out["deadline_passed"]) == ("2025-05-26", True)
        assert opt_out["url"].startswith("https://")
        assert (decision["legal_basis"], decision["effective_from"]) == ("legitimate-interest", "2025-05-27")


def test_meta_ai_chats_have_no_opt_out(client):
    params = {"category": "ai-interactions", "country": "DE", "as_of": "2025-09-01"}
    for platform in ("facebook", "instagram", "messenger", "whatsapp"):
        [decision] = client.get(f"/v1/platforms/{platform}/ai-training", params=params).json()["decisions"]
        assert (decision["verdict"], decision["opt_out"]) == ("used", None)


def test_linkedin_late_opt_out_has_no_deadline(client):
    params = {"category": "public-posts", "country": "DE", "as_of": "2025-12-01"}
    [decision] = client.get("/v1/platforms/linkedin/ai-training", params=params).json()["decisions"]
    assert decision["effective_from"] == "2025-11-03"
    assert decision["opt_out"]["deadline"] is None
    assert decision["opt_out"]["url"] == "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement"


def test_uk_alias_is_answered_for_gb(client):
    params = {"category": "public-posts", "country": "uk", "as_of": "2025-06-01"}
    body = client.get("/v1/platforms/linkedin/ai-training", params=params).json()
    assert (body["country"], body["jurisdictions"]) == ("GB", ["GB", "GLOBAL"])
    assert body["decisions"][0]["verdict"] == "not_used"


def test_every_contract_platform_has_at_least_one_rule(client):
    platforms = ["facebook", "instagram", "messenger", "whatsapp", "threads", "linkedin", "x", "reddit", "gemini",
                 "tumblr", "wordpress-com", "stack-overflow", "quora", "slack", "zoom", "adobe", "substack"]
    for platform in platforms:
        body = client.get(f"/v1/platforms/{platform}/ai-training", params={"as_of": "2025-12-01"}).json()
        assert body["decisions"], platform
