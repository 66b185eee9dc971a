"""Shared by the truth tests: how a question is written down and how its answer is checked."""

from __future__ import annotations

import pytest


def case(
    question: str,
    platform: str,
    category: str,
    country: str | None,
    as_of: str,
    verdict: str,
    depends_on: list[str] | None = None,
    *marks: str,
    **facts,
):
    """One question: the platform, category, country, day and user facts, and the expected verdict."""
    params = {"category": category, "as_of": as_of, **facts}
    if country is not None:
        params["country"] = country
    return pytest.param(platform, params, verdict, depends_on, id=question + "".join(f" [{m}]" for m in marks))


def decision_for(client, platform: str, **params) -> dict:
    """Ask the API one question and return its one decision."""
    response = client.get(f"/v1/platforms/{platform}/ai-training", params=params)
    assert response.status_code == 200, response.text
    [decision] = response.json()["decisions"]
    return decision


def check_answer(client, platform: str, params: dict, verdict: str, depends_on: list[str] | None) -> None:
    """Assert the verdict (and depends_on where given); a definite answer must cite a source with a URL."""
    decision = decision_for(client, platform, **params)
    assert decision["category"] == params["category"]
    assert decision["verdict"] == verdict, decision["reasons"]
    assert decision["used"] is {"used": True, "not_used": False}.get(verdict)
    if depends_on is not None:
        assert decision["depends_on"] == depends_on
    elif verdict == "conditional":
        assert "country" in decision["depends_on"]
    if verdict in ("used", "not_used"):
        assert any(s["url"].startswith(("http://", "https://")) for s in decision["sources"])


# The platform ids the contract (v1) requires, each with real data.
CONTRACT_PLATFORMS = (
    "facebook",
    "instagram",
    "messenger",
    "whatsapp",
    "threads",
    "linkedin",
    "x",
    "reddit",
    "gemini",
    "tumblr",
    "wordpress-com",
    "stack-overflow",
    "quora",
    "slack",
    "zoom",
    "adobe",
    "substack",
)
