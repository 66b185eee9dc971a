"""The explorer and each platform page link the deadline calendar and the change feed, in the reader's language."""


def test_the_explorer_and_a_platform_page_link_the_calendar_and_the_feed(client):
    explorer = client.get("/?country=DE&lang=en").text
    assert 'href="/v1/deadlines.ics?upcoming=true&amp;country=DE"' in explorer and 'href="/v1/changes.atom"' in explorer
    page = client.get("/platforms/instagram?country=DE&lang=de").text
    assert 'href="/v1/deadlines.ics?platform=instagram&amp;country=DE"' in page
    assert 'href="/v1/changes.atom?platform=instagram"' in page and "Fristen in Ihren Kalender" in page
    assert client.get("/v1/deadlines.ics?platform=instagram&country=DE").status_code == 200
