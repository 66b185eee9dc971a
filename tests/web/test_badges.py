"""The SVG badge and the shields.io endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

import pytest
from starlette.testclient import TestClient

from app.web import pages
from app.web.badges import message, svg
from app.web.wording import Words


def test_shields_endpoint_format(client: TestClient) -> None:
    response = client.get("/v1/platforms/instagram/shields.json?category=public-posts&country=DE&as_of=2025-09-01")
    assert response.status_code == 200
    assert response.json() == {
        "schemaVersion": 1,
        "label": "AI training",
        "message": "used unless you object",
        "color": "orange",
    }
    assert response.headers["content-language"] == "en"
    assert response.headers["cache-control"] == "public, max-age=300"


def test_badge_svg_says_the_answer_in_words(client: TestClient) -> None:
    response = client.get(
        "/v1/platforms/instagram/badge.svg?category=public-posts&country=DE&as_of=2025-05-14",
        headers={"Accept-Language": "de-DE"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert "<title>KI-Training: nicht genutzt</title>" in response.text
    assert "Accept-Language" in response.headers["vary"]
    assert response.headers["content-language"] == "de"
    again = client.get(
        "/v1/platforms/instagram/badge.svg?category=public-posts&country=DE&as_of=2025-05-14",
        headers={"Accept-Language": "de-DE", "If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304


def test_badge_without_a_day_expires_at_midnight(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # Frozen 100 s before midnight UTC: only there is the midnight bound below the 300 s limit, so only there can
    # a badge that ignores midnight be told apart (tests/api/test_decisions.py bounds decisions the same way).
    frozen = datetime.now(UTC).replace(hour=23, minute=58, second=20, microsecond=0)

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:
            return frozen.astimezone(tz)

    monkeypatch.setattr(pages, "datetime", Frozen)
    url = "/v1/platforms/linkedin/badge.svg?category=public-posts&country=DE"
    midnight = datetime.combine(frozen.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    assert client.get(url).headers["cache-control"] == f"public, max-age={int((midnight - frozen).total_seconds())}"
    dated = client.get(url + f"&as_of={frozen.date()}")  # a badge about a given day does not change at midnight
    assert dated.headers["cache-control"] == "public, max-age=300"


def test_badge_errors_are_problems(client: TestClient) -> None:
    missing = client.get("/v1/platforms/nope/badge.svg")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/platforms/instagram/shields.json?category=nope").json()["param"] == "category"


def test_badge_messages() -> None:
    t = Words("en")
    conditional = {"verdict": "conditional", "depends_on": ["age", "objected", "objected_on", "posted_on"]}
    assert message([conditional], t) == ("used unless you object", "conditional")
    by_country = {"verdict": "conditional", "depends_on": ["country", "objected"]}
    assert message([by_country], t) == ("depends", "conditional")
    assert message([{"verdict": "used", "depends_on": []}, {"verdict": "not_used", "depends_on": []}], t) == (
        "varies by category",
        "varies",
    )
    assert message([{"verdict": "conditional", "depends_on": ["opted_in"]}], t)[0] == "not used unless you opt in"
    assert 'aria-label="AI training: used &amp; more"' in svg("AI training", "used & more", "used")


@pytest.mark.parametrize("endpoint", ["badge.svg", "shields.json"])
@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("lang=ZZ", "lang"),
        ("lang=" + "x" * 5000, "lang"),
        ("country=DE&country=FR", "country"),
        ("category=public-posts&category=private-messages", "category"),
    ],
)
def test_a_badge_refuses_what_the_decision_refuses(client: TestClient, endpoint: str, query: str, param: str) -> None:
    response = client.get(f"/v1/platforms/instagram/{endpoint}?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["param"] == param
    assert client.get(f"/v1/platforms/instagram/{endpoint}?lang=de&country=DE").status_code == 200


def test_an_opt_in_badge_says_not_used_only_where_not_opting_in_is_answered_not_used() -> None:
    t = Words("en")
    open_opt_in = [{"verdict": "conditional", "depends_on": ["opted_in"]}]
    assert message(open_opt_in, t, unknown_off=lambda: True)[0] == "used if you opt in"
    assert message(open_opt_in, Words("de"), unknown_off=lambda: True)[0] == "genutzt, wenn Sie einwilligen"


@pytest.mark.parametrize(
    ("platform", "category", "said"),
    [
        ("vimeo", "public-media", "not used unless you opt in"),  # Vimeo: not without your explicit consent
        ("google-workspace", "ai-interactions", "used if you opt in"),  # Workspace Labs: the sources speak of Labs only
    ],
)
def test_opt_in_badges_over_http(client, platform, category, said) -> None:
    response = client.get(f"/v1/platforms/{platform}/shields.json", params={"category": category, "lang": "en"})
    assert response.status_code == 200, response.text
    assert response.json()["message"] == said
    svg_answer = client.get(f"/v1/platforms/{platform}/badge.svg", params={"category": category, "lang": "en"})
    assert f'aria-label="AI training: {said}"' in svg_answer.text


def test_a_platform_without_any_rule_is_unknown_not_varies(write_client, seeded_url) -> None:
    from catalog_support import bearer

    created = write_client.post(
        "/v1/platforms", json={"id": "bare", "name": "Bare", "operator": "B"}, headers=bearer(seeded_url)
    )
    assert created.status_code == 201
    assert write_client.get("/v1/platforms/bare/ai-training").json()["decisions"] == []
    shields = write_client.get("/v1/platforms/bare/shields.json", params={"lang": "en"}).json()
    assert (shields["message"], shields["color"]) == ("unknown", "lightgrey")
