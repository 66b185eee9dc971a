"""A bad country or day on the explorer and the platform pages is an HTML error page with status 422, as an unknown
platform is a 404 page: browsers were shown raw problem+json."""

from __future__ import annotations

import html
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from starlette.testclient import TestClient

from tests.web.browser import Watch, screenshot

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

BAD = [
    ("/?country=ZZ&lang=en", "country", "'ZZ' is not an ISO 3166-1 alpha-2 country code this service knows."),
    ("/?as_of=2025-13-01&lang=en", "as_of", "'2025-13-01' is not a date in the form YYYY-MM-DD."),
    (
        "/platforms/instagram?country=eu&lang=en",
        "country",
        "'eu' is a group of countries, not a country; give an ISO 3166-1 alpha-2 country code.",
    ),
    ("/platforms/instagram?as_of=3000-01-01&lang=en", "as_of", None),
]


@pytest.mark.parametrize(("path", "param", "detail"), BAD, ids=[path for path, _, _ in BAD])
@pytest.mark.parametrize("accept", [BROWSER, {}], ids=["browser", "any"])
def test_bad_input_is_an_html_page_with_422(client: TestClient, path, param, detail, accept) -> None:
    response = client.get(path, headers=accept)
    assert response.status_code == 422
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    text = html.unescape(response.text)
    assert f"<h1>This question cannot be answered: check “{param}”.</h1>" in text
    if detail is not None:
        assert f'<p class="problem">{detail}</p>' in text
    assert '<a href="/?lang=en">All platforms</a>' in text
    assert "etag" not in response.headers  # an error is not cached as the page


def test_the_error_page_speaks_the_readers_language(client: TestClient) -> None:
    response = client.get("/platforms/instagram?country=XX", headers={**BROWSER, "Accept-Language": "de-DE"})
    assert response.status_code == 422
    assert response.headers["content-language"] == "de"
    assert "Diese Frage lässt sich nicht beantworten: Prüfen Sie „country“." in response.text


def test_the_json_api_still_answers_problem_json(client: TestClient) -> None:
    response = client.get("/v1/platforms/instagram/ai-training?country=ZZ", headers=BROWSER)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["param"] == "country"


@pytest.mark.any_database(reason="a browser reading the API; which database is behind it does not matter")
def test_the_error_page_in_a_browser(api_origin: str, watched: tuple[Any, Watch]) -> None:
    page, watch = watched
    response = page.goto(api_origin + "/?country=ZZ&lang=en")
    assert response is not None and response.status == 422
    assert response.headers["content-type"].startswith("text/html")
    assert page.locator("h1").inner_text() == "This question cannot be answered: check “country”."
    assert "'ZZ' is not an ISO 3166-1 alpha-2 country code" in page.locator("main p.problem").inner_text()
    serious = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert watch.origins() == {api_origin}
    assert [e for e in watch.errors if "422" not in e] == []  # Chromium logs the page's own status as an error
    screenshot(page, "page-explorer-error")
    page.locator("main a").click()
    assert page.locator("h1").inner_text() == "Which platforms train AI on your content?"
