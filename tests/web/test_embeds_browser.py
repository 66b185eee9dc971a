"""A partner's page on another origin embeds the web component, the iframe card and the badge, in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import HostSite, Watch, screenshot

# Chromium against the API on the shared seeded database, read only: the API answers alike on SQLite and PostgreSQL
# (tests/api proves that on both), so these run once, in the SQLite run.
pytestmark = pytest.mark.any_database(reason="a browser reading the API; which database is behind it does not matter")

# Known cases (facts part 1: Meta's EU objection, its 2024 pause; LinkedIn's country split).
ELEMENTS = [
    (
        "ig-en",
        'platform="instagram" category="public-posts" country="DE" as-of="2025-09-01" age="30" '
        'objected="false" lang="en" theme="light"',
        "Used for AI training",
    ),
    (
        "ig-de",
        'platform="instagram" category="public-posts" country="DE" as-of="2025-09-01" age="30" '
        'objected="false" lang="de" theme="dark"',
        "Wird für KI-Training genutzt",
    ),
    (
        "ig-paused",
        'platform="instagram" category="public-posts" country="DE" as-of="2025-05-14" lang="de" theme="light"',
        "Wird nicht für KI-Training genutzt",
    ),
    (
        "ig-objected",
        'platform="instagram" category="public-posts" country="DE" as-of="2025-09-01" age="30" '
        'objected-on="2025-05-20" lang="en" theme="dark"',
        "Not used for AI training",
    ),
    (
        "li-global",
        'platform="linkedin" category="public-posts" as-of="2025-10-20" lang="en"',
        "Depends on your situation",
    ),
]


def strict_csp(api: str) -> str:
    """A strict policy for the partner's page: scripts and data only from itself and the API, no inline code."""
    return (
        f"default-src 'none'; script-src 'self' {api}; connect-src {api}; img-src {api}; frame-src {api}; "
        "style-src 'self'; base-uri 'none'; form-action 'none'"
    )


def host_page(api: str) -> str:
    """The partner's page: two lines per component, a card in an iframe and a badge."""
    elements = "\n".join(f'<trainwatch-answer id="{id_}" {attrs}></trainwatch-answer>' for id_, attrs, _ in ELEMENTS)
    card = (
        f"{api}/embed/v1/platforms/instagram?category=public-posts&amp;country=DE&amp;as_of=2025-09-01&amp;"
        "age=30&amp;objected=false&amp;lang=de"
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner dashboard</title>
<script src="/host.js"></script><link rel="stylesheet" href="/host.css">
<script type="module" src="{api}/embed/v1/trainwatch.js"></script></head>
<body><h1>Partner dashboard</h1>
{elements}
<iframe id="card" src="{card}" title="Trainwatch answer" width="100%" height="120" data-trainwatch></iframe>
<img id="badge" src="{api}/v1/platforms/instagram/badge.svg?category=public-posts&amp;country=DE&amp;as_of=2025-09-01"
  alt="AI training on Instagram">
</body></html>"""


def verdict(page: Any, element_id: str) -> str:
    """Return the verdict text a component shows (Playwright's locators pierce its open shadow root)."""
    locator = page.locator(f"#{element_id} .tw-verdict strong")
    locator.first.wait_for(timeout=10_000)
    return locator.first.text_content()  # the words, whatever text-transform a partner applies


def test_cross_origin_embeds_render_the_right_answers(
    api_origin: str, host_site: HostSite, watched: tuple[Any, Watch]
) -> None:
    page, watch = watched
    url = host_site.add("/embeds.html", host_page(api_origin), strict_csp(api_origin))
    page.goto(url)
    for element_id, _, expected in ELEMENTS:
        assert verdict(page, element_id) == expected, element_id
    # The conditional answers say what they depend on.
    assert "where you live" in page.locator("#li-global .tw-depends").inner_text()
    assert page.locator("#ig-de .tw-button").inner_text() == "Widersprechen"
    assert "Quellen" in page.locator("#ig-de .tw-sources summary").inner_text()
    # Themes, custom properties and parts style the shadow content (the partner's sheet restyles #ig-en).
    card_style = "((id) => getComputedStyle(document.getElementById(id).shadowRoot.querySelector('.tw-answer')))"
    assert page.evaluate(f"{card_style}('ig-de').backgroundColor") == "rgb(16, 24, 40)"  # dark
    assert page.evaluate(f"{card_style}('ig-paused').backgroundColor") == "rgb(255, 255, 255)"  # light
    assert page.evaluate(f"{card_style}('ig-en').borderTopLeftRadius") == "0px"
    assert page.evaluate(f"{card_style}('ig-en').fontFamily") == "Georgia, serif"
    assert page.locator("#ig-en .tw-verdict").inner_text().strip() == "● USED FOR AI TRAINING"
    # The card renders in its frame, in German, and the frame took the height the card posted.
    frame = page.frame_locator("#card")
    assert frame.locator(".tw-verdict strong").inner_text() == "Wird für KI-Training genutzt"
    page.wait_for_function("() => document.getElementById('card').height !== '120'", timeout=10_000)
    assert int(page.get_attribute("#card", "height")) > 200
    # The badge loaded as an image.
    page.wait_for_function("() => document.getElementById('badge').naturalWidth > 0", timeout=10_000)
    # Every component told the page its answer.
    events = page.evaluate("window.trainwatchEvents")
    assert {e["from"] for e in events} == {id_ for id_, _, _ in ELEMENTS}
    assert {"platform": "instagram", "verdict": "used", "from": "ig-en"} in events
    page.wait_for_load_state("networkidle")
    assert watch.errors == []  # no console errors, CSP violations included
    assert watch.origins() == {api_origin, host_site.origin}  # nothing left the two origins
    screenshot(page, "embeds-host-page", full_page=True)
    page.locator("#ig-de").screenshot(path=str(screenshot.__globals__["SCREENSHOTS"] / "embed-component-de.png"))
    # Chromium's full-page capture leaves a cross-origin frame blank; the frame's own capture shows the card.
    page.locator("#card").screenshot(path=str(screenshot.__globals__["SCREENSHOTS"] / "embed-iframe-card.png"))


# The partner's script adds trainwatch.js only once the card's frame has loaded and its first height report has gone
# unheard (a slow script, a frame from the cache): trainwatch.js must still fit the frame.
LATE_SCRIPT = """
window.heardBefore = 0;
window.addEventListener("message", (event) => {
  if (event.data && event.data.type === "trainwatch:height") window.heardBefore += 1;
});
document.getElementById("card").addEventListener("load", () => {
  const wait = () => {
    if (window.heardBefore === 0) return setTimeout(wait, 20);
    const script = document.createElement("script");
    script.type = "module";
    script.src = "API/embed/v1/trainwatch.js";
    document.head.append(script);
  };
  wait();
});
"""


def test_a_card_that_loaded_before_the_script_still_gets_its_height(
    api_origin: str, host_site: HostSite, watched: tuple[Any, Watch]
) -> None:
    page, watch = watched
    query = "category=public-posts&amp;country=DE&amp;as_of=2025-09-01&amp;lang=en"
    card = f"{api_origin}/embed/v1/platforms/instagram?{query}"
    host_site.add("/late.js", LATE_SCRIPT.replace("API", api_origin))
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Late script</title></head><body>
<iframe id="card" src="{card}" title="Trainwatch answer" width="100%" height="120" data-trainwatch></iframe>
<script src="/late.js"></script></body></html>"""
    page.goto(host_site.add("/late.html", html, strict_csp(api_origin)))
    page.wait_for_function("() => window.heardBefore > 0 && document.querySelector('script[type=module]') !== null")
    page.wait_for_function("() => document.getElementById('card').height !== '120'", timeout=10_000)
    assert int(page.get_attribute("#card", "height")) > 200
    assert watch.errors == []


# An opt-out whose deadline falls while its rule is in force: no bundled rule has one (Meta's objection deadline came
# the day before its training began), so the test writes one on its own database.
WINDOW_DEADLINE = {
    "platform": "facebook",
    "jurisdiction": "AQ",
    "kind": "objection-deadline",
    "on": "2031-01-13",
    "summary": "A made-up objection deadline.",
    "sources": [{"id": "M1", "quote": "made up", "where": "nowhere"}],
}
WINDOW_RULE = {
    "platform": "facebook",
    "category": "usage-data",
    "jurisdiction": "AQ",
    "treatment": "opt_out",
    "effective_from": "2031-01-01",
    "opt_out": {"method": "Settings", "deadline": "test-window", "late_objection": "no_effect"},
    "summary": "Used unless you object by 13 Jan 2031.",
    "sources": [{"id": "M1", "quote": "made up", "where": "nowhere"}],
}


@pytest.fixture
def window_api(seeded_url: str) -> Iterator[str]:
    """The API on a database of its own holding a rule whose opt-out deadline is 12 days after 2031-01-01."""
    from sqlmodel import Session

    from app.main import create_app
    from app.store.db import make_engine
    from app.store.writes import Op, apply_changes
    from tests.conftest import make_settings
    from tests.web.browser import serve

    engine = make_engine(seeded_url)
    with Session(engine) as session:
        ops = [
            Op("deadline", "create", "test-window", WINDOW_DEADLINE),
            Op("rule", "create", "example-aq-window", WINDOW_RULE),
        ]
        apply_changes(session, ops, actor="test")
    engine.dispose()
    server, port = serve(create_app(make_settings(seeded_url)), 0)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True


def test_an_open_deadline_counts_down_in_the_component_and_the_card(
    window_api: str, host_site: HostSite, watched: tuple[Any, Watch]
) -> None:
    page, watch = watched
    attrs = 'platform="facebook" category="usage-data" country="AQ" as-of="2031-01-01"'
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Window</title><script type="module" '
        f'src="{window_api}/embed/v1/trainwatch.js"></script></head><body>'
        f'<trainwatch-answer id="en" {attrs} lang="en"></trainwatch-answer>'
        f'<trainwatch-answer id="de" {attrs} lang="de"></trainwatch-answer>'
        f'<trainwatch-answer id="last" {attrs.replace("2031-01-01", "2031-01-13")} lang="en"></trainwatch-answer>'
        "</body></html>"
    )
    page.goto(host_site.add("/window.html", html, strict_csp(window_api)))
    assert verdict(page, "en") == "Depends on your situation"
    assert page.locator("#en .tw-deadline").inner_text() == "12 days left"
    assert page.locator("#de .tw-deadline").inner_text() == "Noch 12 Tage"
    verdict(page, "last")
    assert page.locator("#last .tw-deadline").inner_text() == "Last day today"
    page.wait_for_load_state("networkidle")
    assert watch.errors == []
    screenshot(page, "embed-deadline-countdown")
    card = page.context.new_page()
    card.goto(f"{window_api}/embed/v1/platforms/facebook?category=usage-data&country=AQ&as_of=2031-01-01&lang=en")
    assert card.locator(".tw-deadline").inner_text() == "12 days left"
    card.close()


def test_the_component_revalidates_with_its_etag(
    api_origin: str, host_site: HostSite, watched: tuple[Any, Watch]
) -> None:
    page, watch = watched
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ETag</title><script type="module" '
        f'src="{api_origin}/embed/v1/trainwatch.js"></script></head><body><trainwatch-answer id="a" '
        'platform="x" category="public-posts" country="DE" as-of="2024-07-01" lang="en"></trainwatch-answer>'
        "</body></html>"
    )
    page.goto(host_site.add("/etag.html", html, strict_csp(api_origin)))
    # Predicates are functions: a string expression would need eval, which the page's strict CSP refuses.
    shown = "document.getElementById('a').shadowRoot.querySelector('.tw-verdict strong')?.textContent"
    first = verdict(page, "a")
    page.evaluate("document.getElementById('a').setAttribute('lang', 'de')")
    page.wait_for_function(f"() => {shown} && {shown} !== {first!r}")
    page.evaluate("document.getElementById('a').setAttribute('lang', 'en')")
    page.wait_for_function(f"() => {shown} === {first!r}")
    page.wait_for_load_state("networkidle")
    decisions = [status for status, url in watch.responses if "/ai-training" in url]
    assert decisions[-1] == 304  # asked again with If-None-Match and reused its copy
    assert watch.errors == []


def test_error_states_are_designed(api_origin: str, host_site: HostSite, watched: tuple[Any, Watch]) -> None:
    page, watch = watched
    html = (
        f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Errors</title><script type="module" '
        f'src="{api_origin}/embed/v1/trainwatch.js"></script></head><body>'
        '<trainwatch-answer id="missing" platform="no-such-platform"></trainwatch-answer>'
        '<trainwatch-answer id="down" platform="instagram" category="public-posts" lang="en"></trainwatch-answer>'
        "</body></html>"
    )
    # The network is down for the decision API: the request fails as it would offline.
    page.route("**/v1/platforms/instagram/ai-training*", lambda route: route.abort("internetdisconnected"))
    page.goto(host_site.add("/errors.html", html, strict_csp(api_origin)))
    # The unknown platform is worded in the page's language (lang="de" on <html>).
    assert verdict(page, "missing") == "Trainwatch kennt keine Plattform „no-such-platform“."
    assert verdict(page, "down") == "Trainwatch could not be reached. Try again later."
    screenshot(page, "embed-errors")
    page.unroute("**/v1/platforms/instagram/ai-training*")
    page.locator("#down .tw-retry").click()
    assert verdict(page, "down") == "Depends on your situation"
    unexpected = [e for e in watch.errors if "404" not in e and "ERR_INTERNET_DISCONNECTED" not in e]
    assert unexpected == []


def test_the_card_works_without_javascript(api_origin: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{api_origin}/embed/v1/platforms/instagram?category=public-posts&country=DE&as_of=2025-05-14&lang=en")
    assert page.locator(".tw-verdict strong").inner_text() == "Not used for AI training"
    page.locator(".tw-sources summary").click()  # <details> opens without script
    assert page.locator(".tw-sources li").count() >= 1
    screenshot(page, "card-no-js")
    context.close()


def test_the_readme_snippet_works_in_a_plain_html_file(api_origin: str, tmp_path, watched) -> None:
    """The README's two lines, pasted into a file opened from disk, show a styled German answer."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"```html\n(<script type=\"module\".*?)```", readme, flags=re.S).group(1)
    assert snippet.count("\n") == 2  # two lines
    page_file = tmp_path / "partner.html"
    page_file.write_text(snippet.replace("http://127.0.0.1:8000", api_origin), encoding="utf-8")
    page, watch = watched
    page.goto(page_file.as_uri())
    shown = page.locator("trainwatch-answer .tw-verdict strong")
    shown.wait_for(timeout=10_000)
    # The same German answer the API gives for that question, today.
    expected = page.request.get(
        f"{api_origin}/v1/platforms/instagram/ai-training?category=public-posts&country=DE&lang=de"
    ).json()["decisions"][0]
    german_verdicts = {
        "used": "Wird für KI-Training genutzt",
        "not_used": "Wird nicht für KI-Training genutzt",
        "conditional": "Hängt von Ihrer Situation ab",
        "unknown": "Unbekannt",
    }
    assert shown.text_content() == german_verdicts[expected["verdict"]]
    assert page.locator("trainwatch-answer .tw-summary").text_content() == expected["summary"]
    assert page.locator("trainwatch-answer .tw-meta").text_content().startswith("Antwort für Deutschland am ")
    style = "getComputedStyle(document.querySelector('trainwatch-answer').shadowRoot.querySelector('.tw-answer'))"
    assert page.evaluate(f"{style}.borderLeftWidth") == "6px"  # the style sheet was applied
    assert watch.errors == []
