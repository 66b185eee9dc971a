"""Absolute URLs (the Atom and iCalendar feeds, the card's link to the explorer, the demo's snippets) come from
TRAINWATCH_PUBLIC_URL when it is set; otherwise from the request's Host header, and those responses vary by it, so a
shared cache cannot serve one client's links (a forged Host) to everyone."""

from __future__ import annotations

import feedparser
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from app.main import create_app
from tests.conftest import make_settings

CARD = "/embed/v1/platforms/instagram?category=public-posts&country=DE&as_of=2025-09-01&lang=en"
FORGED = {"Host": "evil.example"}
PUBLIC = "https://trainwatch.example/tw"


@pytest.fixture(scope="module")
def public(shared_seeded_url):
    with TestClient(create_app(make_settings(shared_seeded_url, public_url=PUBLIC + "/"))) as client:
        yield client


def _links(response) -> list[str]:
    return [entry.link for entry in feedparser.parse(response.content).entries]


def _descriptions(response) -> list[str]:
    """Return each event's description, which links the deadline's record (its URL is the opt-out form, if any)."""
    return [str(event["description"]) for event in Calendar.from_ical(response.content).walk("VEVENT")]


def test_without_a_public_url_links_follow_the_host_header_and_responses_vary_by_it(client):
    feed = client.get("/v1/changes.atom?limit=3", headers=FORGED)
    assert _links(feed) and all(link.startswith("http://evil.example/v1/") for link in _links(feed))
    calendar = client.get("/v1/deadlines.ics", headers=FORGED)
    texts = _descriptions(calendar)
    assert texts and all("http://evil.example/v1/deadlines/" in text for text in texts)
    card = client.get(CARD, headers=FORGED)
    assert 'href="http://evil.example/platforms/instagram?' in card.text
    demo = client.get("/embed/v1/demo?lang=en", headers=FORGED)
    assert "http://evil.example/embed/v1/trainwatch.js" in demo.text
    for response in (feed, calendar, card, demo):
        assert response.status_code == 200
        assert "public" in response.headers["cache-control"]
        assert "Host" in [v.strip() for v in response.headers["vary"].split(",")], response.url
    # A feed's ETag names its links too: a validator from one host never revalidates another's copy.
    honest = client.get("/v1/changes.atom?limit=3")
    assert honest.headers["etag"] != feed.headers["etag"]
    again = client.get("/v1/changes.atom?limit=3", headers={**FORGED, "If-None-Match": feed.headers["etag"]})
    assert again.status_code == 304 and "Host" in again.headers["vary"]
    refused = client.get("/v1/changes.atom?limit=3", headers={"If-None-Match": feed.headers["etag"]})
    assert refused.status_code == 200


def test_with_a_public_url_every_link_uses_it_whatever_the_host(public):
    feed = public.get("/v1/changes.atom?limit=3&platform=instagram", headers=FORGED)
    assert _links(feed) and all(link.startswith(PUBLIC + "/v1/") for link in _links(feed))
    parsed = feedparser.parse(feed.content).feed
    assert parsed.id == PUBLIC + "/v1/changes.atom?limit=3&platform=instagram"  # the feed's own URL
    calendar = public.get("/v1/deadlines.ics", headers=FORGED)
    texts = _descriptions(calendar)
    assert texts and all(PUBLIC + "/v1/deadlines/" in text and "evil.example" not in text for text in texts)
    card = public.get(CARD, headers=FORGED)
    assert f'href="{PUBLIC}/platforms/instagram?country=DE' in card.text and "evil.example" not in card.text
    demo = public.get("/embed/v1/demo?lang=en", headers=FORGED)
    assert f"{PUBLIC}/embed/v1/trainwatch.js" in demo.text and "evil.example" not in demo.text
    for response in (feed, calendar, card, demo):
        assert response.status_code == 200
        assert "Host" not in response.headers.get("vary", ""), response.url
    # The same bytes and ETag for every Host: one cached copy serves everyone.
    plain = public.get("/v1/changes.atom?limit=3&platform=instagram")
    assert plain.content == feed.content and plain.headers["etag"] == feed.headers["etag"]
    assert public.get(CARD).headers["etag"] == card.headers["etag"]


def test_a_card_without_a_link_does_not_vary_by_host(client):
    missing = client.get("/embed/v1/platforms/nope?lang=en", headers=FORGED)
    assert missing.status_code == 404 and "evil.example" not in missing.text
    assert "Host" not in missing.headers.get("vary", "")
