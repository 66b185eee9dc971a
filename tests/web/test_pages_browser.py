"""The explorer, a platform page, the card and the demo page in Chromium: axe-core finds no serious violation,
the keyboard reaches every control, and nothing is requested from outside the server."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.web.browser import Watch, screenshot

# Chromium against the API on the shared seeded database, read only: the API answers alike on SQLite and PostgreSQL
# (tests/api proves that on both), so these run once, in the SQLite run.
pytestmark = pytest.mark.any_database(reason="a browser reading the API; which database is behind it does not matter")

PAGES = [
    ("explorer", "/?country=DE&as_of=2025-09-01&lang=en"),
    ("explorer-de", "/?country=DE&as_of=2025-09-01&lang=de&operator=Meta+Platforms"),
    ("platform", "/platforms/instagram?country=DE&as_of=2025-09-01&lang=en"),
    ("card", "/embed/v1/platforms/instagram?category=public-posts&country=DE&as_of=2025-09-01&lang=de"),
    ("card-dark", "/embed/v1/platforms/linkedin?country=DE&as_of=2025-09-01&lang=en&theme=dark"),
    ("demo", "/embed/v1/demo?lang=en"),
]

# Every element a keyboard user must be able to reach, across open shadow roots; each gets a data-kb number.
MARK_FOCUSABLE = """() => {
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('a[href], button, input:not([type=hidden]), select, summary, [tabindex]')) {
      const folded = el.closest('details:not([open])') && el.tagName !== 'SUMMARY';  // opened by its summary
      if (el.tabIndex >= 0 && el.getClientRects().length && !folded) {
        el.dataset.kb = String(found.length);
        found.push(el);
      }
    }
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(document);
  return found.length;
}"""
ACTIVE = """() => { let el = document.activeElement; while (el && el.shadowRoot && el.shadowRoot.activeElement)
  el = el.shadowRoot.activeElement; return el && el.dataset ? el.dataset.kb ?? null : null; }"""


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_page_is_accessible_and_self_contained(
    api_origin: str, watched: tuple[Any, Watch], name: str, path: str
) -> None:
    page, watch = watched
    page.goto(api_origin + path)
    if name == "demo":
        page.locator("trainwatch-answer .tw-verdict strong").first.wait_for()
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert watch.errors == []
    assert watch.origins() == {api_origin}
    screenshot(page, f"page-{name}", full_page=name != "explorer")
    if name == "explorer":
        screenshot(page, "page-explorer-top")


@pytest.mark.parametrize(
    ("name", "path"),
    [p for p in PAGES if p[0] in ("explorer", "platform", "card", "demo")],
    ids=["explorer", "platform", "card", "demo"],
)
def test_keyboard_reaches_every_control(api_origin: str, watched: tuple[Any, Watch], name: str, path: str) -> None:
    page, _ = watched
    page.goto(api_origin + path)
    if name == "demo":
        page.locator("trainwatch-answer .tw-verdict strong").first.wait_for()
        for element in page.locator("trainwatch-answer").all():
            element.locator(".tw-meta a").wait_for()
    page.wait_for_load_state("networkidle")
    total = page.evaluate(MARK_FOCUSABLE)
    assert total >= 3  # the card's fewest: opt-out button, sources, explorer link
    reached: set[str] = set()
    for _ in range(2 * total + 10):  # a date input takes a Tab per part
        page.keyboard.press("Tab")
        found = page.evaluate(ACTIVE)
        if found is not None:
            reached.add(found)
        if len(reached) == total:
            break
    missing = sorted(set(map(str, range(total))) - reached, key=int)
    assert missing == [], f"{len(missing)} of {total} controls not reached by Tab"


def test_explorer_filters_and_links_without_javascript(api_origin: str, browser: Any) -> None:
    context = browser.new_context(
        java_script_enabled=False, locale="de-DE", extra_http_headers={"Accept-Language": "de-DE,de;q=0.9"}
    )
    page = context.new_page()
    page.goto(api_origin + "/?as_of=2025-09-01")
    # The visitor's language and region choose the defaults: German words, Germany.
    assert page.locator("h1").inner_text() == "Welche Plattformen trainieren KI mit Ihren Inhalten?"
    assert page.locator("select[name=country]").input_value() == "DE"
    page.locator("input[name=q]").fill("insta")
    page.locator("button[type=submit]").click()
    rows = page.locator("table.matrix tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("th a").inner_text() == "Instagram"
    assert "kommt darauf an" in rows.first.inner_text()
    rows.first.locator("th a").click()
    assert page.locator("h1").inner_text().startswith("Instagram:")
    assert page.locator("figure.timeline svg rect").count() > 3
    context.close()
