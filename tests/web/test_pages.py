"""The explorer, the platform page, the card, the demo page and the assets, through HTTP without a browser."""

from __future__ import annotations

import gzip
import re

import pytest
from starlette.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings


def test_explorer_defaults_follow_accept_language(client: TestClient) -> None:
    response = client.get("/?as_of=2025-09-01", headers={"Accept-Language": "de-AT,de;q=0.9"})
    assert response.status_code == 200
    assert response.headers["content-language"] == "de"
    assert "Accept-Language" in response.headers["vary"]
    html = response.text
    assert '<html lang="de">' in html
    assert '<option value="AT" selected>Österreich</option>' in html
    assert "Welche Plattformen trainieren KI" in html
    # Without a region, or with ?country=GLOBAL, the matrix is for the whole world.
    worldwide = client.get("/?as_of=2025-09-01&lang=en", headers={"Accept-Language": "en"}).text
    assert '<option value="GLOBAL" selected>' in worldwide
    assert "AI training of your content: worldwide" in worldwide


def test_explorer_matrix_has_every_platform_and_category(client: TestClient) -> None:
    platforms = client.get("/v1/platforms?limit=1000").json()["items"]
    html = client.get("/?country=DE&as_of=2025-09-01&lang=en").text
    rows = re.findall(r'<th scope="row"><a href="/platforms/([a-z0-9-]+)\?', html)
    assert sorted(rows) == sorted(p["id"] for p in platforms)
    assert html.count('<th scope="col">') == 1 + 9
    # Instagram's public posts in Germany that day: used unless you objected, so it depends.
    instagram = html[html.index('href="/platforms/instagram?') :]
    instagram = instagram[: instagram.index("</tr>")]
    assert re.findall(r'<td class="cell ([a-z_ -]+)"', instagram)[0] == "tw-conditional"  # public posts come first


def test_explorer_filters_by_operator_and_name(client: TestClient) -> None:
    meta = client.get("/?country=DE&operator=Meta+Platforms&lang=en").text
    rows = re.findall(r'<th scope="row"><a href="/platforms/([a-z0-9-]+)\?', meta)
    operators = {p["id"]: p["operator"] for p in client.get("/v1/platforms?limit=1000").json()["items"]}
    assert rows and all(operators[r] == "Meta Platforms" for r in rows)
    assert re.findall(r'<th scope="row"><a href="/platforms/([a-z0-9-]+)\?', client.get("/?q=linked").text) == [
        "linkedin"
    ]
    assert "No platform matches the filter." in client.get("/?q=zzzz&lang=en").text


def test_explorer_rejects_bad_input_with_an_error_page(client: TestClient) -> None:
    # An HTML page, as for an unknown platform (tests/web/test_explorer_errors.py): browsers showed raw JSON.
    bad_country = client.get("/?country=XX&lang=en")
    assert bad_country.status_code == 422
    assert bad_country.headers["content-type"] == "text/html; charset=utf-8"
    assert "check “country”" in bad_country.text
    assert "check “as_of”" in client.get("/?as_of=2025-13-01&lang=en").text


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/?country=DE&country=FR&lang=en", "country"),
        ("/?lang=en&q=a&q=b", "q"),
        ("/platforms/instagram?as_of=2025-01-01&as_of=2025-09-01&lang=en", "as_of"),
        ("/embed/v1/platforms/instagram?category=public-posts&country=DE&country=FR&lang=en", "country"),
        ("/embed/v1/platforms/instagram?lang=en&theme=dark&theme=light", "theme"),
    ],
)
def test_a_page_refuses_a_parameter_given_twice_as_the_api_does(client: TestClient, url: str, param: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert f"check “{param}”" in response.text


def test_platform_page_has_answers_opt_outs_and_timeline(client: TestClient) -> None:
    html = client.get("/platforms/instagram?country=DE&as_of=2025-09-01&lang=de").text
    assert "Instagram: Werden Ihre Inhalte für KI-Training genutzt?" in html
    assert 'href="https://help.instagram.com/contact/767264225370182"' in html
    assert html.count('class="tw-answer') >= 5
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('<rect class="bar') >= 6
    assert 'class="deadline"' in svg
    # Drawn under the bars, so that their dashes cross no bar's label.
    assert svg.rindex('class="deadline"') < svg.index('<rect class="bar')
    assert "26. Mai 2025" in html  # deadlines and spans written as German dates
    assert '<a href="/docs">' in html


def test_unknown_platform_page_is_a_404_page(client: TestClient) -> None:
    response = client.get("/platforms/nope?lang=en")
    assert response.status_code == 404
    assert "Trainwatch knows no platform “nope”." in response.text


def test_card_is_framable_by_the_configured_origins(shared_seeded_url: str, client: TestClient) -> None:
    response = client.get("/embed/v1/platforms/instagram?category=public-posts&country=DE&as_of=2025-05-14&lang=en")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors *" in csp and "script-src 'self'" in csp
    assert "Not used for AI training" in response.text
    assert '<script type="module" src="/embed/v1/card.js">' in response.text  # no inline script
    settings = make_settings(shared_seeded_url, embed_origins=["https://partner.example", "https://b.example"])
    with TestClient(create_app(settings)) as other:
        csp = other.get("/embed/v1/platforms/instagram").headers["content-security-policy"]
    # This site's own demo page frames the card too (/embed/v1/demo).
    assert csp.endswith("frame-ancestors https://partner.example https://b.example 'self'")


def test_card_states_errors_in_the_readers_language(client: TestClient) -> None:
    missing = client.get("/embed/v1/platforms/nope?lang=de")
    assert missing.status_code == 404
    assert "Trainwatch kennt keine Plattform „nope“." in missing.text
    bad = client.get("/embed/v1/platforms/instagram?country=XX&lang=en")
    assert bad.status_code == 422
    assert "check “country”" in bad.text


def test_card_answers_carry_etags(client: TestClient) -> None:
    url = "/embed/v1/platforms/x?category=public-posts&country=DE&as_of=2024-07-01"
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    german = client.get(url + "&lang=de")
    assert german.headers["etag"] != first.headers["etag"]


def test_demo_page_shows_each_embed_with_its_snippet(client: TestClient) -> None:
    html = client.get("/embed/v1/demo?lang=en").text
    assert html.count("<trainwatch-answer ") == html.count("&lt;trainwatch-answer ") == 3  # live, and to copy
    assert "&lt;script type=&#34;module&#34; src=&#34;http://testserver/embed/v1/trainwatch.js&#34;&gt;" in html
    assert '<iframe src="http://testserver/embed/v1/platforms/instagram' in html
    assert "badge.svg" in html and "shields.json" in html


def test_web_component_is_one_small_module(client: TestClient) -> None:
    response = client.get("/embed/v1/trainwatch.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert len(gzip.compress(response.content)) <= 15 * 1024
    assert "eval(" not in response.text and "new Function" not in response.text and "innerHTML" not in response.text
    assert client.get("/embed/v1/trainwatch.js", headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    assert client.get("/embed/v1/nothing.js").status_code == 404
    assert client.get("/embed/v1/i18n/de.json").json()["verdict.used"] == "Wird für KI-Training genutzt"
    assert client.get("/embed/v1/i18n/fr.json").status_code == 404
