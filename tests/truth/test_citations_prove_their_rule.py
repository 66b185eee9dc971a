"""Each answer cites the words that prove *its* rule (issue 10): asked as a user would, checked against the fact sheets.

For each question: the citations the answer must carry (source id -> words its quote must contain) and the sources
it must not cite, because their words speak of another rule (another date, another party, another setting).
"""

from __future__ import annotations

import pytest

from tests.truth.questions import decision_for

CASES = [
    pytest.param(
        "github-copilot",
        {"category": "public-posts", "country": "US", "as_of": "2026-06-01"},
        {"GH1": "for the purpose of training, developing, and improving artificial intelligence"},
        set(),
        id="Is my public GitHub repository used? The licence of ToS D.4, not only the opt-out's exemption",
    ),
    pytest.param(
        "x",
        {"category": "public-posts", "country": "US", "as_of": "2025-01-15"},
        {"XG1": "we may utilize your X posts"},
        {"X10", "X11"},  # they speak of protected accounts, which the private-content rule answers
        id="Are my public X posts used? Not cited: the reports on protected accounts",
    ),
    pytest.param(
        "claude",
        {"category": "ai-interactions", "country": "US", "as_of": "2025-11-01", "posted_on": "2025-11-01"},
        {"AN2": "unless you opt out through your account settings", "AN1": "when this setting is on"},
        {"AN4", "AN5", "AN9", "AN12"},  # the 28 Sep 2025 deadline that was moved: the deadline's, not this rule's
        id="Are my Claude chats of Nov 2025 used? Not cited: the superseded 28 Sep deadline",
    ),
    pytest.param(
        "claude",
        {"category": "ai-interactions", "country": "US", "as_of": "2025-06-01", "posted_on": "2025-06-01"},
        {"AN12": "within 30 days", "AN1": "existing 30-day data retention period"},
        {"AN3"},  # Incognito chats, a later feature
        id="Were my Claude chats of June 2025 used? The 30-day deletion, not Incognito",
    ),
    pytest.param(
        "pinterest",
        {"category": "public-media", "country": "DE", "as_of": "2025-06-01", "age": 30},
        {"PI1": "generative artificial intelligence are based on legitimate interests"},
        {"PI4"},  # lists four personalisation settings, none about training
        id="Are my Pins in Germany used? The EEA legitimate-interests clause",
    ),
    pytest.param(
        "pinterest",
        {"category": "public-media", "country": "US", "as_of": "2025-06-01", "age": 30},
        {"PI1": "regardless of when Pins were posted"},
        {"PI4"},
        id="Are my Pins in the US used? Not cited: the personalisation-settings help page",
    ),
    pytest.param(
        "spotify",
        {"category": "ai-interactions", "country": "US", "as_of": "2026-01-01"},
        {"SP1": "training of algorithmic and machine learning models"},
        {"SP2"},  # the ban on third parties training on Spotify, not Spotify's own use
        id="Does Spotify train on my AI DJ prompts? Its own policy, not the third-party ban",
    ),
    pytest.param(
        "youtube",
        {"category": "public-media", "country": "US", "as_of": "2025-07-01"},
        {"YT6": "subset of its videos"},
        {"YT8", "YT4"},  # the EEA controller clause; TechCrunch's summary of the third-party setting
        id="Does Google train on my YouTube videos? CNBC, not the EEA controller clause",
    ),
    pytest.param(
        "stack-overflow",
        {"category": "public-posts", "country": "US", "as_of": "2025-01-15"},
        {"S2": "grants OpenAI access to Stack Overflow's API"},
        {"S3", "S5"},  # the CC BY-SA licence of posts; the Google deal (one source)
        id="Are my Stack Overflow answers used? The OpenAI deal, not the CC licence",
    ),
    pytest.param(
        "github-copilot",
        {"category": "ai-interactions", "country": "US", "as_of": "2026-06-01"},
        {"GH1": "to develop, train and improve artificial intelligence"},
        {"GH2", "GH7"},  # the old default; the 24 Apr date that the terms contradict
        id="Are my Copilot prompts of June 2026 used? The terms, not the old default",
    ),
    pytest.param(
        "wordpress-com",
        {"category": "public-posts", "country": "US", "as_of": "2025-01-15"},
        {"T5": "Prevent Third-Party Sharing guide", "AU1": "WordPress VIP customers"},
        set(),
        id="Is my WordPress.com site shared? The opt-out guide and the VIP exclusion, each quoted",
    ),
]


@pytest.mark.parametrize(("platform", "params", "must_cite", "must_not_cite"), CASES)
def test_answer_cites_what_proves_its_rule(client, platform, params, must_cite, must_not_cite):
    decision = decision_for(client, platform, **params)
    quotes = {s["id"]: s.get("quote") or "" for s in decision["sources"]}
    for source_id, words in must_cite.items():
        assert words in quotes.get(source_id, ""), (source_id, quotes)
    assert not must_not_cite & quotes.keys(), quotes


def test_policy_summary_sites_never_count_as_the_press(client):
    # The fact sheets count productionai.institute as an aggregator (part 3, "How to read this").
    for platform, category in (("x", "private-content"), ("gemini", "ai-interactions")):
        decision = decision_for(client, platform, category=category, country="US", as_of="2025-01-15")
        kinds = {s["id"]: s["kind"] for s in decision["sources"]}
        assert kinds.get("X11", kinds.get("G6")) == "aggregator", kinds


def test_a_support_reply_in_slacks_own_words_is_a_primary_source(client):
    decision = decision_for(client, "slack", category="private-messages", country="US", as_of="2025-01-15")
    assert decision["verdict"] == "not_used"
    assert [s["kind"] for s in decision["sources"] if s["id"] == "SL3"] == ["primary"]
    assert "SL1" not in {s["id"] for s in decision["sources"]}  # the non-generative models' opt-out
