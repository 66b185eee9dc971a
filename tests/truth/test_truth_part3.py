"""Real-world questions the third fact sheet answers (sections 45-73), asked through the HTTP API.

Each case reads as the question and its expected answer, taken from ai-training-policy-facts-3.md and the contract
(not read back from app/data). Every day that changes an answer is asked about on the day before, of and after.
"""

from __future__ import annotations

import pytest

from tests.truth.questions import case, check_answer, decision_for

ADULT = {"age": 30, "objected": "false"}

CASES = [
    # ---- 45 Claude: 8 Oct 2025 was a choice deadline; switching off later keeps old and new chats out
    *(
        case(
            f"claude chat from 2025-10-08, switched off {day} -> not_used",
            "claude",
            "ai-interactions",
            "US",
            "2025-11-01",
            "not_used",
            None,
            objected_on=day,
            posted_on="2025-10-08",
        )
        for day in ("2025-10-07", "2025-10-08", "2025-10-09")
    ),
    case(
        "claude chat from 2025-10-20, switched off 2026-01-10, asked 2026-02-01 -> not_used (stops future training)",
        "claude",
        "ai-interactions",
        "US",
        "2026-02-01",
        "not_used",
        None,
        objected_on="2026-01-10",
        posted_on="2025-10-20",
    ),
    case(
        "claude chat from 2025-10-20, setting left on, asked 2026-02-01 -> used",
        "claude",
        "ai-interactions",
        "US",
        "2026-02-01",
        "used",
        None,
        objected="false",
        posted_on="2025-10-20",
    ),
    # ---- 47 LinkedIn Hong Kong: in, paused from 11 Oct 2024, in again from 3 Nov 2025 without minors
    case(
        "linkedin HK profile 2024-10-10 setting on -> used",
        "linkedin",
        "profile-info",
        "HK",
        "2024-10-10",
        "used",
        None,
        **ADULT,
    ),
    case(
        "linkedin HK profile 2024-10-11 (paused) -> not_used",
        "linkedin",
        "profile-info",
        "HK",
        "2024-10-11",
        "not_used",
        [],
    ),
    case("linkedin HK profile 2024-10-12 -> not_used", "linkedin", "profile-info", "HK", "2024-10-12", "not_used", []),
    case(
        "linkedin HK posts 2025-11-02 (still paused) -> not_used",
        "linkedin",
        "public-posts",
        "HK",
        "2025-11-02",
        "not_used",
        [],
    ),
    case(
        "linkedin HK posts 2025-11-03 adult setting on -> used",
        "linkedin",
        "public-posts",
        "HK",
        "2025-11-03",
        "used",
        None,
        **ADULT,
    ),
    case(
        "linkedin HK posts 2025-11-04 age 16 -> not_used (under 18 excluded)",
        "linkedin",
        "public-posts",
        "HK",
        "2025-11-04",
        "not_used",
        None,
        age=16,
    ),
    # ---- 47 LinkedIn Canada: in, paused by 10 Dec 2024 (day not published), in again from 3 Nov 2025
    # LinkedIn's FAQ as Hong Kong Free Press quoted it on 15 Oct 2024 still did not exclude Canada.
    *(
        case(
            f"linkedin CA profile {day} setting on -> used",
            "linkedin",
            "profile-info",
            "CA",
            day,
            "used",
            None,
            **ADULT,
        )
        for day in ("2024-10-14", "2024-10-15")
    ),
    case(
        "linkedin CA profile 2024-10-16 -> unknown (pause day not published)",
        "linkedin",
        "profile-info",
        "CA",
        "2024-10-16",
        "unknown",
        None,
        **ADULT,
    ),
    case(
        "linkedin CA profile 2024-12-09 -> unknown",
        "linkedin",
        "profile-info",
        "CA",
        "2024-12-09",
        "unknown",
        None,
        **ADULT,
    ),
    case(
        "linkedin CA profile 2024-12-10 (pause announced) -> not_used",
        "linkedin",
        "profile-info",
        "CA",
        "2024-12-10",
        "not_used",
        [],
    ),
    case("linkedin CA profile 2024-12-11 -> not_used", "linkedin", "profile-info", "CA", "2024-12-11", "not_used", []),
    case("linkedin CA groups 2025-11-02 -> not_used", "linkedin", "group-content", "CA", "2025-11-02", "not_used", []),
    case(
        "linkedin CA groups 2025-11-03 adult -> used",
        "linkedin",
        "group-content",
        "CA",
        "2025-11-03",
        "used",
        None,
        **ADULT,
    ),
    case(
        "linkedin CA groups 2025-11-03 age 17 -> not_used",
        "linkedin",
        "group-content",
        "CA",
        "2025-11-03",
        "not_used",
        None,
        age=17,
    ),
    # ---- 46.1 Meta private messages: not used anywhere (stated by mid-June 2024). Meta's own sentence stands in its
    # EU announcement but names no region; the Canadian Press reports the same from Meta's Privacy Center.
    case(
        "facebook US messages 2024-06-13 -> unknown (before the statement)",
        "facebook",
        "private-messages",
        "US",
        "2024-06-13",
        "unknown",
        [],
    ),
    case(
        "facebook US messages 2024-06-14 -> not_used",
        "facebook",
        "private-messages",
        "US",
        "2024-06-14",
        "not_used",
        [],
    ),
    case(
        "messenger US messages 2024-06-15 -> not_used",
        "messenger",
        "private-messages",
        "US",
        "2024-06-15",
        "not_used",
        [],
    ),
    case(
        "whatsapp JP chats 2025-06-01 -> not_used", "whatsapp", "private-messages", "JP", "2025-06-01", "not_used", []
    ),
    case(
        "instagram BR DMs 2025-06-01 -> not_used", "instagram", "private-messages", "BR", "2025-06-01", "not_used", []
    ),
    case(
        "instagram IT DMs 2025-06-01 -> not_used (Meta's EU statement)",
        "instagram",
        "private-messages",
        "IT",
        "2025-06-01",
        "not_used",
        [],
    ),
    case(
        "whatsapp NL chats 2025-06-01 -> not_used (dpa and Meta's Privacy Center as reported)",
        "whatsapp",
        "private-messages",
        "NL",
        "2025-06-01",
        "not_used",
        [],
    ),
    case(
        "instagram GB DMs 2025-06-01 -> not_used (Reuters and Meta's Privacy Center as reported)",
        "instagram",
        "private-messages",
        "GB",
        "2025-06-01",
        "not_used",
        [],
    ),
    # ---- 46.2 Meta AI chats outside the EEA
    case(
        "instagram US Meta AI chat 2026-01-20 -> unknown",
        "instagram",
        "ai-interactions",
        "US",
        "2026-01-20",
        "unknown",
        [],
    ),
    case(
        "instagram US Meta AI chat 2026-01-21 -> used", "instagram", "ai-interactions", "US", "2026-01-21", "used", []
    ),
    case("whatsapp GB Meta AI chat 2026-01-22 -> used", "whatsapp", "ai-interactions", "GB", "2026-01-22", "used", []),
    case(
        "facebook DE adult's Meta AI chat 2025-09-01 -> used (EU rule)",
        "facebook",
        "ai-interactions",
        "DE",
        "2025-09-01",
        "used",
        [],
        age=30,
    ),
    # ---- 46.3 Meta in Brazil
    case("facebook BR posts 2024-06-25 -> unknown", "facebook", "public-posts", "BR", "2024-06-25", "unknown", None),
    case(
        "facebook BR posts 2024-06-26 (policy in force, use single-sourced) -> unknown",
        "facebook",
        "public-posts",
        "BR",
        "2024-06-26",
        "unknown",
        None,
    ),
    case("facebook BR posts 2024-07-01 -> unknown", "facebook", "public-posts", "BR", "2024-07-01", "unknown", None),
    case(
        "facebook BR posts 2024-07-02 (ANPD suspension) -> not_used",
        "facebook",
        "public-posts",
        "BR",
        "2024-07-02",
        "not_used",
        [],
    ),
    case("facebook BR posts 2024-07-03 -> not_used", "facebook", "public-posts", "BR", "2024-07-03", "not_used", []),
    case("instagram BR media 2024-08-29 -> not_used", "instagram", "public-media", "BR", "2024-08-29", "not_used", []),
    case(
        "instagram BR media 2024-08-30 (suspension lifted, 30-day wait) -> not_used",
        "instagram",
        "public-media",
        "BR",
        "2024-08-30",
        "not_used",
        [],
    ),
    case("instagram BR media 2024-10-02 -> not_used", "instagram", "public-media", "BR", "2024-10-02", "not_used", []),
    case(
        "instagram BR media 2024-10-03 -> unknown (start day single-sourced)",
        "instagram",
        "public-media",
        "BR",
        "2024-10-03",
        "unknown",
        None,
    ),
    case("instagram BR media 2024-10-08 -> unknown", "instagram", "public-media", "BR", "2024-10-08", "unknown", None),
    case(
        "instagram BR media 2024-10-09 adult no objection -> used",
        "instagram",
        "public-media",
        "BR",
        "2024-10-09",
        "used",
        None,
        **ADULT,
    ),
    case(
        "instagram BR media 2024-10-10 age 16 -> not_used",
        "instagram",
        "public-media",
        "BR",
        "2024-10-10",
        "not_used",
        None,
        age=16,
    ),
    case(
        "instagram BR media 2025-01-01 objected 2024-10-08 -> not_used",
        "instagram",
        "public-media",
        "BR",
        "2025-01-01",
        "not_used",
        None,
        age=30,
        objected_on="2024-10-08",
    ),
    case(
        "instagram BR media 2025-01-01 objected 2024-10-10 -> unknown (late objection's effect not stated)",
        "instagram",
        "public-media",
        "BR",
        "2025-01-01",
        "unknown",
        None,
        age=30,
        objected_on="2024-10-10",
        posted_on="2024-09-01",
    ),
    # ---- 46.4 Meta in Switzerland
    case("instagram CH posts 2024-06-20 -> unknown", "instagram", "public-posts", "CH", "2024-06-20", "unknown", None),
    case(
        "instagram CH posts 2024-06-21 (EDÖB confirmation) -> not_used",
        "instagram",
        "public-posts",
        "CH",
        "2024-06-21",
        "not_used",
        [],
    ),
    case("instagram CH posts 2025-05-26 -> not_used", "instagram", "public-posts", "CH", "2025-05-26", "not_used", []),
    case(
        "instagram CH posts 2025-05-27 adult no objection -> used",
        "instagram",
        "public-posts",
        "CH",
        "2025-05-27",
        "used",
        None,
        **ADULT,
    ),
    case(
        "facebook CH posts 2025-06-01 objected 2025-05-26 -> not_used",
        "facebook",
        "public-posts",
        "CH",
        "2025-06-01",
        "not_used",
        None,
        age=30,
        objected_on="2025-05-26",
    ),
    case(
        "facebook CH post of 2025-05-01, objected 2025-05-28 -> used (later posts only)",
        "facebook",
        "public-posts",
        "CH",
        "2025-06-01",
        "used",
        None,
        age=30,
        objected_on="2025-05-28",
        posted_on="2025-05-01",
    ),
    case(
        "facebook CH post of 2025-05-29, objected 2025-05-28 -> not_used",
        "facebook",
        "public-posts",
        "CH",
        "2025-06-01",
        "not_used",
        None,
        age=30,
        objected_on="2025-05-28",
        posted_on="2025-05-29",
    ),
    # ---- 50 Zoom: the training clause existed only from 31 Mar to 10 Aug 2023
    case("zoom usage data 2023-03-30 -> unknown", "zoom", "usage-data", "US", "2023-03-30", "unknown", []),
    case(
        "zoom usage data 2023-03-31 -> used (terms permitted it)", "zoom", "usage-data", "US", "2023-03-31", "used", []
    ),
    case("zoom usage data 2023-08-10 -> used", "zoom", "usage-data", "US", "2023-08-10", "used", []),
    case(
        "zoom usage data 2023-08-11 (clause removed) -> unknown",
        "zoom",
        "usage-data",
        "US",
        "2023-08-11",
        "unknown",
        [],
    ),
    case("zoom usage data 2023-08-12 -> unknown", "zoom", "usage-data", "US", "2023-08-12", "unknown", []),
    case("zoom AI Companion 2025-01-01 -> not_used", "zoom", "ai-interactions", "DE", "2025-01-01", "not_used", []),
    case(
        "zoom meeting recording 2023-08-11 -> not_used", "zoom", "private-content", "US", "2023-08-11", "not_used", []
    ),
    # ---- 51 X: one checkbox covers Grok interactions
    case(
        "x Grok chat on X 2024-08-01 box left on -> used",
        "x",
        "ai-interactions",
        "US",
        "2024-08-01",
        "used",
        None,
        objected="false",
    ),
    case(
        "x Grok chat on X 2024-09-01 box unticked 2024-08-01 -> not_used",
        "x",
        "ai-interactions",
        "US",
        "2024-09-01",
        "not_used",
        None,
        objected_on="2024-08-01",
    ),
    # ---- 48 Shutterstock (licensed to OpenAI from 2021) and Adobe Stock (Firefly)
    case("shutterstock image 2020-12-31 -> unknown", "shutterstock", "public-media", None, "2020-12-31", "unknown", []),
    case(
        "shutterstock image 2021-01-01 -> unknown (month not published)",
        "shutterstock",
        "public-media",
        None,
        "2021-01-01",
        "unknown",
        [],
    ),
    case("shutterstock image 2021-12-30 -> unknown", "shutterstock", "public-media", None, "2021-12-30", "unknown", []),
    case(
        "shutterstock image 2021-12-31 -> used (licensed to OpenAI)",
        "shutterstock",
        "public-media",
        None,
        "2021-12-31",
        "used",
        [],
    ),
    case("shutterstock image 2022-10-24 -> used", "shutterstock", "public-media", None, "2022-10-24", "used", []),
    case(
        "shutterstock image 2022-10-25 no opt-out -> used",
        "shutterstock",
        "public-media",
        None,
        "2022-10-25",
        "used",
        None,
        objected="false",
    ),
    case("adobe stock image 2022-06-02 -> unknown", "adobe", "public-media", None, "2022-06-02", "unknown", []),
    case("adobe stock image 2022-06-03 -> used (Firefly)", "adobe", "public-media", None, "2022-06-03", "used", []),
    case("adobe stock image 2022-06-04 -> used", "adobe", "public-media", None, "2022-06-04", "used", []),
    # ---- 49 Grammarly and Perplexity: start on the earliest day the policies show, not the compile date
    case(
        "grammarly text 2024-06-19 -> unknown",
        "grammarly",
        "private-content",
        "US",
        "2024-06-19",
        "unknown",
        None,
        objected="false",
    ),
    case(
        "grammarly text 2024-06-20 setting on -> used",
        "grammarly",
        "private-content",
        "US",
        "2024-06-20",
        "used",
        None,
        objected="false",
    ),
    case(
        "grammarly text 2024-06-21 setting on -> used",
        "grammarly",
        "private-content",
        "US",
        "2024-06-21",
        "used",
        None,
        objected="false",
    ),
    case(
        "perplexity search 2025-10-30 -> unknown",
        "perplexity",
        "ai-interactions",
        "US",
        "2025-10-30",
        "unknown",
        None,
        objected="false",
    ),
    case(
        "perplexity search 2025-10-31 setting on -> used",
        "perplexity",
        "ai-interactions",
        "US",
        "2025-10-31",
        "used",
        None,
        objected="false",
    ),
    case(
        "perplexity search 2025-11-01 switched off 2025-10-31 -> not_used",
        "perplexity",
        "ai-interactions",
        "US",
        "2025-11-01",
        "not_used",
        None,
        objected_on="2025-10-31",
    ),
    # ---- 52 Microsoft Copilot, Bing, MSN
    case("copilot US chat 2024-09-30 -> unknown", "copilot", "ai-interactions", "US", "2024-09-30", "unknown", None),
    case(
        "copilot US chat 2024-10-01 (rollout, day not published) -> unknown",
        "copilot",
        "ai-interactions",
        "US",
        "2024-10-01",
        "unknown",
        None,
        **ADULT,
    ),
    case(
        "copilot US chat 2026-10-01 -> unknown",
        "copilot",
        "ai-interactions",
        "US",
        "2026-10-01",
        "unknown",
        None,
        **ADULT,
    ),
    case(
        "copilot US chat 2026-10-02 adult training left on -> used",
        "copilot",
        "ai-interactions",
        "US",
        "2026-10-02",
        "used",
        None,
        **ADULT,
    ),
    case(
        "copilot US chat 2026-10-03 age 16 -> not_used",
        "copilot",
        "ai-interactions",
        "US",
        "2026-10-03",
        "not_used",
        None,
        age=16,
    ),
    # Switching training off "will exclude your future conversation activities" (future only): earlier chats stay used.
    case(
        "copilot US 2026-11-01 switched off 2026-10-05, chat day not given -> conditional on posted_on",
        "copilot",
        "ai-interactions",
        "US",
        "2026-11-01",
        "conditional",
        ["posted_on"],
        age=30,
        objected_on="2026-10-05",
    ),
    *(
        case(
            f"copilot US chat of {day}, switched off 2026-10-05 -> {verdict}",
            "copilot",
            "ai-interactions",
            "US",
            "2026-11-01",
            verdict,
            [],
            age=30,
            objected_on="2026-10-05",
            posted_on=day,
        )
        for day, verdict in (("2026-10-04", "used"), ("2026-10-05", "not_used"), ("2026-10-06", "not_used"))
    ),
    # The same switches cover Bing's and MSN's data (part 3 section 52, one row): future activity only.
    *(
        case(
            f"bing US search data of {day}, switched off 2026-10-05 -> {verdict}",
            "bing",
            "usage-data",
            "US",
            "2026-11-01",
            verdict,
            [],
            age=30,
            objected_on="2026-10-05",
            posted_on=day,
        )
        for day, verdict in (("2026-10-04", "used"), ("2026-10-05", "not_used"), ("2026-10-06", "not_used"))
    ),
    case(
        "msn US 2026-11-01 switched off 2026-10-05, day of the data not given -> conditional on posted_on",
        "msn",
        "usage-data",
        "US",
        "2026-11-01",
        "conditional",
        ["posted_on"],
        age=30,
        objected_on="2026-10-05",
    ),
    # ---- 59 Figma: switching content training off covers "new content and edits" (future): older files stay as
    # the rule says (unknown: it depends on the plan), files from the switch on are not used.
    *(
        case(
            f"figma US file of {day}, training switched off 2025-01-01 -> {verdict}",
            "figma",
            "private-content",
            "US",
            "2026-11-01",
            verdict,
            [],
            objected_on="2025-01-01",
            posted_on=day,
        )
        for day, verdict in (("2024-12-31", "unknown"), ("2025-01-01", "not_used"), ("2025-01-02", "not_used"))
    ),
    # ---- 64 Galaxy AI: what "Process data only on device" does to data processed before is not said: unknown.
    *(
        case(
            f"galaxy-ai US chat of {day}, on-device only from 2025-01-01 -> unknown",
            "galaxy-ai",
            "ai-interactions",
            "US",
            "2026-11-01",
            "unknown",
            [],
            objected_on="2025-01-01",
            posted_on=day,
        )
        for day in ("2024-12-31", "2025-01-01", "2025-01-02")
    ),
    case(
        "copilot BR chat 2026-10-02 -> not_used (excluded country)",
        "copilot",
        "ai-interactions",
        "BR",
        "2026-10-02",
        "not_used",
        [],
    ),
    case("bing KR search data 2026-10-02 -> not_used", "bing", "usage-data", "KR", "2026-10-02", "not_used", []),
    case(
        "msn DE news data 2026-10-02 -> unknown (EEA disputed)",
        "msn",
        "usage-data",
        "DE",
        "2026-10-02",
        "unknown",
        None,
        **ADULT,
    ),
    case(
        "copilot GB chat 2026-10-02 -> unknown (no UK statement)",
        "copilot",
        "ai-interactions",
        "GB",
        "2026-10-02",
        "unknown",
        None,
        **ADULT,
    ),
    # ---- 53 GitHub Copilot
    case(
        "github copilot prompts 2026-04-23 not allowed -> not_used (opt-in until the change)",
        "github-copilot",
        "ai-interactions",
        "US",
        "2026-04-23",
        "not_used",
        None,
        opted_in="false",
    ),
    case(
        "github copilot prompts 2026-04-24 -> unknown (24 vs 27 Apr disputed)",
        "github-copilot",
        "ai-interactions",
        "US",
        "2026-04-24",
        "unknown",
        None,
        objected="false",
    ),
    case(
        "github copilot prompts 2026-04-26 -> unknown",
        "github-copilot",
        "ai-interactions",
        "US",
        "2026-04-26",
        "unknown",
        None,
        objected="false",
    ),
    case(
        "github copilot prompts 2026-04-27 setting on -> used",
        "github-copilot",
        "ai-interactions",
        "US",
        "2026-04-27",
        "used",
        None,
        objected="false",
    ),
    case(
        "github copilot prompts 2026-04-28 opted out 2026-04-20 -> not_used",
        "github-copilot",
        "ai-interactions",
        "US",
        "2026-04-28",
        "not_used",
        None,
        objected_on="2026-04-20",
    ),
    case(
        "github public repository 2026-04-26 -> unknown",
        "github-copilot",
        "public-posts",
        "US",
        "2026-04-26",
        "unknown",
        [],
    ),
    case(
        "github public repository 2026-04-27 -> used", "github-copilot", "public-posts", "US", "2026-04-27", "used", []
    ),
    case(
        "github private repository 2026-04-27 -> not_used",
        "github-copilot",
        "private-content",
        "US",
        "2026-04-27",
        "not_used",
        [],
    ),
    # ---- 54 Google Workspace
    case("gmail 2023-08-10 -> unknown", "google-workspace", "private-messages", "US", "2023-08-10", "unknown", []),
    # The commitment is evidenced from 11 Aug 2023 (CityLife), before the copy of Google's post dated 14 Aug.
    case("gmail 2023-08-11 -> not_used", "google-workspace", "private-messages", "US", "2023-08-11", "not_used", []),
    case("gmail 2023-08-12 -> not_used", "google-workspace", "private-messages", "US", "2023-08-12", "not_used", []),
    case("google docs 2023-08-10 -> unknown", "google-workspace", "private-content", "DE", "2023-08-10", "unknown", []),
    case(
        "google docs 2023-08-11 -> not_used", "google-workspace", "private-content", "DE", "2023-08-11", "not_used", []
    ),
    case(
        "google docs 2023-08-15 -> not_used", "google-workspace", "private-content", "DE", "2023-08-15", "not_used", []
    ),
    # ---- 55 Meta AI app
    case("meta-ai app chat 2025-05-04 -> unknown", "meta-ai", "ai-interactions", "US", "2025-05-04", "unknown", []),
    case("meta-ai app chat 2026-01-20 -> unknown", "meta-ai", "ai-interactions", "US", "2026-01-20", "unknown", []),
    case("meta-ai app chat 2026-01-21 -> used", "meta-ai", "ai-interactions", "US", "2026-01-21", "used", []),
    case("meta-ai app chat FR 2025-05-26 -> unknown", "meta-ai", "ai-interactions", "FR", "2025-05-26", "unknown", []),
    case(
        "meta-ai app adult's chat FR 2025-05-27 -> used",
        "meta-ai",
        "ai-interactions",
        "FR",
        "2025-05-27",
        "used",
        [],
        age=30,
    ),
    case(
        "meta-ai app chat FR 2025-05-27, age not given -> conditional (minors: single unverified source)",
        "meta-ai",
        "ai-interactions",
        "FR",
        "2025-05-27",
        "conditional",
        ["age"],
    ),
    # ---- 56 Grok app
    case("grok app chat 2025-11-03 -> unknown", "grok", "ai-interactions", "US", "2025-11-03", "unknown", None),
    case(
        "grok app chat 2025-11-04 setting on -> used",
        "grok",
        "ai-interactions",
        "US",
        "2025-11-04",
        "used",
        None,
        objected="false",
    ),
    case(
        "grok app chat 2025-12-01 opted out 2025-11-10 -> not_used",
        "grok",
        "ai-interactions",
        "US",
        "2025-12-01",
        "not_used",
        None,
        objected_on="2025-11-10",
    ),
    # ---- contract v1.1: an objection in time beats a dispute
    case(
        "x DE Grok chat on X 2025-06-01 box unticked 2024-09-01 -> not_used (objection beats the dispute)",
        "x",
        "ai-interactions",
        "DE",
        "2025-06-01",
        "not_used",
        [],
        objected_on="2024-09-01",
    ),
    case(
        "x DE Grok chat on X 2025-06-01 nothing said -> unknown",
        "x",
        "ai-interactions",
        "DE",
        "2025-06-01",
        "unknown",
        [],
    ),
    case(
        "x DE Grok chat on X 2025-06-01 not objected -> unknown",
        "x",
        "ai-interactions",
        "DE",
        "2025-06-01",
        "unknown",
        [],
        objected="false",
    ),
    case(
        "x DE post of 2025-03-01, box unticked 2024-09-01 -> not_used",
        "x",
        "public-posts",
        "DE",
        "2025-06-01",
        "not_used",
        [],
        objected_on="2024-09-01",
        posted_on="2025-03-01",
    ),
    case(
        "claude chat of 2025-09-10 (choice period), switched off 2025-09-12 -> not_used",
        "claude",
        "ai-interactions",
        "US",
        "2025-11-01",
        "not_used",
        [],
        objected_on="2025-09-12",
        posted_on="2025-09-10",
    ),
    case(
        "claude chat of 2025-09-10, setting never switched off -> unknown",
        "claude",
        "ai-interactions",
        "US",
        "2025-11-01",
        "unknown",
        [],
        objected="false",
        posted_on="2025-09-10",
    ),
    case(
        "quora answer 2025-06-01 opted out 2025-01-01 -> not_used",
        "quora",
        "public-posts",
        "US",
        "2025-06-01",
        "not_used",
        [],
        objected_on="2025-01-01",
    ),
    case(
        "quora answer 2025-06-01 objected, day not given -> not_used (any objection stops future training)",
        "quora",
        "public-posts",
        "US",
        "2025-06-01",
        "not_used",
        [],
        objected="true",
    ),
    # ---- contract v1.1: opt-in settings answer by the user's setting
    case(
        "github copilot prompts 2026-03-01 nothing said -> conditional on opted_in",
        "github-copilot",
        "ai-interactions",
        "US",
        "2026-03-01",
        "conditional",
        ["opted_in"],
    ),
    case(
        "github copilot prompts 2026-03-01 allowed training -> used",
        "github-copilot",
        "ai-interactions",
        "US",
        "2026-03-01",
        "used",
        [],
        opted_in="true",
    ),
    case(
        "github copilot prompts 2026-03-01 never allowed -> not_used",
        "github-copilot",
        "ai-interactions",
        "US",
        "2026-03-01",
        "not_used",
        [],
        opted_in="false",
    ),
    case(
        "github copilot prompts 2026-03-01 allowed on 2026-03-02 -> not_used (not yet)",
        "github-copilot",
        "ai-interactions",
        "US",
        "2026-03-01",
        "not_used",
        [],
        opted_in_on="2026-03-02",
    ),
    case(
        "gmail labs prompts 2025-01-01 joined Workspace Labs 2024-12-01 -> used",
        "google-workspace",
        "ai-interactions",
        "US",
        "2025-01-01",
        "used",
        [],
        opted_in_on="2024-12-01",
    ),
    # Part 3 section 54 covers Labs data only: outside Labs nothing is confirmed either way.
    case(
        "gmail prompts 2025-01-01 not in Workspace Labs -> unknown (the sources speak of Labs only)",
        "google-workspace",
        "ai-interactions",
        "US",
        "2025-01-01",
        "unknown",
        [],
        opted_in=False,
    ),
    case(
        "gmail prompts 2025-01-01, Labs not said -> conditional on opted_in",
        "google-workspace",
        "ai-interactions",
        "US",
        "2025-01-01",
        "conditional",
        ["opted_in"],
    ),
    # ---- 62 Tumblr / WordPress.com: 404 Media's documents dispute what the Tumblr query held
    *(
        case(
            f"tumblr private post on a public blog {day} -> unknown (disputed: 404 Media's documents)",
            "tumblr",
            "private-content",
            "US",
            day,
            "unknown",
            [],
        )
        for day in ("2024-02-26", "2024-02-27", "2024-02-28", "2025-01-15")
    ),
    case(
        "tumblr message 2025-01-15 -> not_used (only public content is shared)",
        "tumblr",
        "private-messages",
        "US",
        "2025-01-15",
        "not_used",
        [],
    ),
    case(
        "tumblr public post 2025-01-15, sharing not prevented -> used",
        "tumblr",
        "public-posts",
        "GB",
        "2025-01-15",
        "used",
        [],
        objected="false",
    ),
    case(
        "wordpress-com site 2025-01-15, sharing prevented -> not_used",
        "wordpress-com",
        "public-posts",
        "US",
        "2025-01-15",
        "not_used",
        [],
        objected="true",
    ),
    # ---- 57-73 the rest
    case(
        "figma team file 2024-09-01 -> unknown (depends on the plan)",
        "figma",
        "private-content",
        "US",
        "2024-09-01",
        "unknown",
        None,
        objected="false",
    ),
    case(
        "artstation artwork 2023-01-20 not tagged NoAI -> used (third parties)",
        "artstation",
        "public-media",
        None,
        "2023-01-20",
        "used",
        None,
        objected="false",
    ),
    case(
        "artstation artwork 2023-01-20 tagged NoAI before the change -> not_used",
        "artstation",
        "public-media",
        None,
        "2023-01-20",
        "not_used",
        None,
        objected_on="2022-12-17",
    ),
    case("squarespace site 2025-01-01 -> unknown", "squarespace", "public-posts", None, "2025-01-01", "unknown", None),
    case(
        "wix site data 2025-01-01 -> unknown (Wix's own use not found)",
        "wix",
        "private-content",
        None,
        "2025-01-01",
        "unknown",
        None,
    ),
    case(
        "canva design 2026-01-01 -> unknown (aggregators only)",
        "canva",
        "private-content",
        None,
        "2026-01-01",
        "unknown",
        [],
    ),
    case(
        "yahoo mail 2026-01-01 -> unknown (disputed)",
        "yahoo-mail",
        "private-messages",
        None,
        "2026-01-01",
        "unknown",
        [],
    ),
    case(
        "capcut upload 2025-06-12 -> unknown (disputed licence)",
        "capcut",
        "private-content",
        None,
        "2025-06-12",
        "unknown",
        [],
    ),
    case("kindle book 2026-01-01 -> unknown", "kindle", "public-media", None, "2026-01-01", "unknown", []),
    case(
        "quizlet study set 2026-01-01 -> unknown (nothing found)",
        "quizlet",
        "public-posts",
        None,
        "2026-01-01",
        "unknown",
        [],
    ),
    # ---- 51 / part 1 section 5: X's privacy policy from 15 Nov 2024 lets third-party collaborators train on shared
    #      data unless the user opts out (used_by: third-parties, worldwide); X's own use is decided separately
    case(
        "x DE post of 2024-06-15 (undertaking window) asked 2024-11-14 -> unknown (third parties: not before 15 Nov)",
        "x",
        "public-posts",
        "DE",
        "2024-11-14",
        "unknown",
        [],
        posted_on="2024-06-15",
    ),
    case(
        "x DE post of 2024-06-15 asked 2024-11-15 -> conditional (third-party collaborators unless opted out)",
        "x",
        "public-posts",
        "DE",
        "2024-11-15",
        "conditional",
        ["objected"],
        posted_on="2024-06-15",
    ),
    case(
        "x DE post of 2024-06-15 asked 2024-11-16, not opted out -> used (by third-party collaborators)",
        "x",
        "public-posts",
        "DE",
        "2024-11-16",
        "used",
        [],
        objected="false",
        posted_on="2024-06-15",
    ),
    case(
        "x US post, opted out 2024-11-20, asked 2024-12-01 -> not_used (X and third parties)",
        "x",
        "public-posts",
        "US",
        "2024-12-01",
        "not_used",
        [],
        objected_on="2024-11-20",
    ),
    # ---- 46.5 Threads outside the EEA: no Meta statement names Threads posts as training data
    case("threads US post 2025-06-01 -> unknown", "threads", "public-posts", "US", "2025-06-01", "unknown", []),
    case("threads GB post 2024-07-01 -> unknown", "threads", "public-posts", "GB", "2024-07-01", "unknown", []),
    # ---- 50 Zoom: communications-like content and AI Companion not used from the terms of 11 Aug 2023
    case("zoom AI Companion 2023-08-10 -> unknown", "zoom", "ai-interactions", "US", "2023-08-10", "unknown", []),
    case("zoom AI Companion 2023-08-11 -> not_used", "zoom", "ai-interactions", "US", "2023-08-11", "not_used", []),
    case("zoom AI Companion 2023-08-12 -> not_used", "zoom", "ai-interactions", "US", "2023-08-12", "not_used", []),
    case("zoom meeting chat 2023-08-10 -> unknown", "zoom", "private-messages", "US", "2023-08-10", "unknown", []),
    case("zoom meeting chat 2023-08-12 -> not_used", "zoom", "private-messages", "US", "2023-08-12", "not_used", []),
    case("zoom recording 2023-08-10 -> unknown", "zoom", "private-content", "US", "2023-08-10", "unknown", []),
    # ---- 47 LinkedIn: the setting appeared about 18 Sep 2024, on by default
    case(
        "linkedin HK profile 2024-09-17 -> unknown (before the setting)",
        "linkedin",
        "profile-info",
        "HK",
        "2024-09-17",
        "unknown",
        [],
        **ADULT,
    ),
    case(
        "linkedin HK profile 2024-09-18 setting on -> used",
        "linkedin",
        "profile-info",
        "HK",
        "2024-09-18",
        "used",
        [],
        **ADULT,
    ),
    case(
        "linkedin CA profile 2024-09-19 setting on -> used",
        "linkedin",
        "profile-info",
        "CA",
        "2024-09-19",
        "used",
        [],
        **ADULT,
    ),
    # ---- 64 Samsung Galaxy AI: cloud-processed content "may be used for model training" (one Knox page)
    case(
        "galaxy ai photo edited in the cloud 2024-03-07 -> unknown",
        "galaxy-ai",
        "private-content",
        "US",
        "2024-03-07",
        "unknown",
        [],
    ),
    case(
        "galaxy ai photo edited in the cloud 2024-03-08, on-device only switched on 2024-03-01 -> not_used",
        "galaxy-ai",
        "private-content",
        "US",
        "2024-03-08",
        "not_used",
        [],
        objected_on="2024-03-01",
    ),
    case(
        "galaxy ai photo edited in the cloud 2024-03-09 -> unknown (may be used)",
        "galaxy-ai",
        "private-content",
        "US",
        "2024-03-09",
        "unknown",
        [],
        objected="false",
    ),
    # ---- 52: the new Microsoft Copilot app (released 18 Aug 2026) does not train foundation models on your chats
    case(
        "copilot app chat 2026-08-17 -> unknown (app not released)",
        "copilot-app",
        "ai-interactions",
        "US",
        "2026-08-17",
        "unknown",
        [],
    ),
    case(
        "copilot app chat 2026-08-18 -> not_used", "copilot-app", "ai-interactions", "US", "2026-08-18", "not_used", []
    ),
    case(
        "copilot app chat DE 2026-08-19 -> not_used",
        "copilot-app",
        "ai-interactions",
        "DE",
        "2026-08-19",
        "not_used",
        [],
    ),
    # ---- 49: Perplexity's Email Assistant: e-mail content is not used (privacy policy of 8 Jul 2026)
    case(
        "perplexity e-mail 2026-07-07 -> unknown",
        "perplexity",
        "private-messages",
        "US",
        "2026-07-07",
        "unknown",
        [],
    ),
    case(
        "perplexity e-mail 2026-07-08 -> not_used", "perplexity", "private-messages", "US", "2026-07-08", "not_used", []
    ),
    case(
        "perplexity e-mail 2026-07-09 -> not_used", "perplexity", "private-messages", "US", "2026-07-09", "not_used", []
    ),
]


@pytest.mark.parametrize(("platform", "params", "verdict", "depends_on"), CASES)
def test_truth(client, platform, params, verdict, depends_on):
    check_answer(client, platform, params, verdict, depends_on)


def test_no_claude_answer_says_an_objection_came_after_a_deadline(client):
    # 8 Oct 2025 was the day by which existing users had to choose, not an objection deadline (part 3 section 45).
    days = ("2025-08-27", "2025-09-27", "2025-09-28", "2025-10-07", "2025-10-08", "2025-10-09", "2026-01-10")
    for objected_on in days:
        for posted in ({"posted_on": "2025-10-20"}, {"posted_on": "2025-09-10"}, {}):
            decision = decision_for(
                client,
                "claude",
                category="ai-interactions",
                country="US",
                as_of="2026-02-01",
                objected_on=objected_on,
                **posted,
            )
            said = " ".join([decision["summary"], *decision["reasons"]])
            assert decision["verdict"] == "not_used", (objected_on, posted, said)
            assert "after the deadline" not in said and "came after" not in said, (objected_on, posted, said)


def test_answers_cite_the_quote_that_supports_the_rule_strongest_first(client):
    decision = decision_for(client, "zoom", category="usage-data", country="US", as_of="2023-05-01")
    kinds = [s["kind"] for s in decision["sources"]]
    assert kinds == sorted(kinds, key=["primary", "secondary", "aggregator"].index)
    assert decision["sources"][0]["quote"] == (
        "machine learning or artificial intelligence (including for the "
        "purposes of training and tuning of algorithms and models)"
    )
    assert decision["confidence"] == "high"


def test_tumblr_private_posts_answer_says_why_it_is_disputed(client):
    decision = decision_for(client, "tumblr", category="private-content", country="US", as_of="2025-01-15")
    said = " ".join([decision["summary"], *decision["reasons"]])
    assert decision["verdict"] == "unknown" and "Disputed" in said and "404 Media" in said, said
    quotes = {s["id"]: s["quote"] for s in decision["sources"]}
    assert "private posts on public blogs" in quotes["AU2"]
    assert quotes["T1"].startswith("We will only share public content")


def test_wordpress_answer_names_the_vip_exclusion_with_its_quote(client):
    decision = decision_for(client, "wordpress-com", category="public-posts", country="US", as_of="2025-01-15")
    said = " ".join([decision["summary"], *decision["reasons"]])
    assert "WordPress VIP customers are excluded" in said, said
    [vip] = [s for s in decision["sources"] if s["id"] == "AU1"]
    assert "we will never share your data without explicit consent" in vip["quote"]


def test_x_answer_names_third_party_collaborators_with_their_clause(client):
    decision = decision_for(client, "x", category="public-posts", country="US", as_of="2026-02-01", objected="false")
    said = " ".join([decision["summary"], *decision["reasons"]])
    assert decision["verdict"] == "used" and "third-party collaborators" in said, said
    quotes = {s["id"]: s["quote"] for s in decision["sources"]}
    assert "to train their artificial intelligence models" in quotes["X13"]
    assert "whether generative or otherwise" in quotes["XG3"]


def test_copilot_app_answer_cites_microsofts_one_sentence(client):
    decision = decision_for(client, "copilot-app", category="ai-interactions", country="US", as_of="2026-09-01")
    [cp3] = [s for s in decision["sources"] if s["id"] == "CP3"]
    assert cp3["kind"] == "primary" and "aren't used to train foundation models" in cp3["quote"]


def test_tumblr_wordpress_and_reddit_content_is_trained_on_by_their_partners(client):
    # Automattic shares and Reddit licenses content to AI companies; neither is reported to train on it itself.
    for platform in ("tumblr", "wordpress-com", "reddit"):
        response = client.get("/v1/rules", params={"platform": platform})
        assert response.status_code == 200, response.text
        rules = response.json()["items"]
        assert rules and {r["used_by"] for r in rules} == {"third-parties"}, (platform, rules)


def test_threads_answer_outside_the_eea_says_why_it_is_unknown(client):
    decision = decision_for(client, "threads", category="public-posts", country="US", as_of="2025-06-01")
    assert decision["verdict"] == "unknown" and "not expressly mentioned" in decision["summary"], decision
    assert [s["quote"] for s in decision["sources"] if s["id"] == "CH3"] == ["nicht ausdrücklich erwähnt"]


def test_substack_and_stack_overflow_content_is_trained_on_by_third_parties(client):
    # Part 1 sections 9 and 14: Stack Overflow licenses to OpenAI; Substack's setting speaks to third-party crawlers.
    for platform in ("substack", "stack-overflow"):
        response = client.get("/v1/rules", params={"platform": platform})
        assert response.status_code == 200, response.text
        rules = response.json()["items"]
        assert rules and {r["used_by"] for r in rules} == {"third-parties"}, (platform, rules)


def test_claude_choice_deadline_says_switching_off_later_keeps_earlier_chats_out(client):
    # Part 3 section 45, correction 1: "applies only to future chats" was too narrow.
    response = client.get("/v1/deadlines", params={"platform": "claude"})
    assert response.status_code == 200, response.text
    [deadline] = [d for d in response.json()["items"] if d["id"] == "claude-consumer-terms-choice-2025-10-08"]
    assert "earlier chats and coding sessions out of future training runs" in deadline["after"], deadline
    assert "only to later chats" not in deadline["after"], deadline
    assert {"CL1", "CL3"} <= {s["id"] for s in deadline["sources"]}, deadline


def test_claude_opt_out_names_both_labels_and_the_settings_page(client):
    # Part 3 section 45, correction 3: the label changed over time; the settings URL is confirmed.
    decision = decision_for(
        client, "claude", category="ai-interactions", country="US", as_of="2026-02-01", posted_on="2026-01-15"
    )
    assert decision["rule_id"] == "claude-global-ai-interactions-2025", decision
    opt_out = decision["opt_out"]
    assert opt_out["url"] == "https://claude.ai/settings/data-privacy-controls", opt_out
    assert "Help Improve Claude" in opt_out["method"] and "Help improve our AI models" in opt_out["method"], opt_out


def test_swiss_2025_answers_state_no_legal_basis_the_swiss_sources_do_not_give(client):
    # Part 3 section 46.4: the Swiss reports give no legal basis; "legitimate interest" is the EU's.
    for platform in ("facebook", "instagram"):
        for category in ("public-posts", "public-comments", "public-media"):
            decision = decision_for(client, platform, category=category, country="CH", as_of="2025-09-01", age=30)
            assert decision["rule_id"] == f"{platform}-ch-{category}-2025", decision
            assert decision["legal_basis"] is None, decision
