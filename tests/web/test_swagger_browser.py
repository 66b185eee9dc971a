"""Swagger UI's "Try it out" works as shipped, in Chromium: open /docs, expand an operation, Execute without
changing anything, and the API answers 200 with the JSON the operation promises."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import Watch, screenshot

pytestmark = pytest.mark.any_database(reason="a browser reading the API; which database is behind it does not matter")


def _open(page: Any, tag: str, operation_id: str) -> Any:
    """Expand one operation in /docs and switch it to "Try it out"; return its block."""
    block = page.locator(f"#operations-{tag}-{operation_id}")
    block.locator(".opblock-summary").first.click()
    try_it = block.get_by_role("button", name="Try it out")
    if try_it.count():  # /docs ships with tryItOutEnabled, so the button may already read "Cancel"
        try_it.click()
    block.locator("button.execute").wait_for()
    return block


def _execute(page: Any, block: Any, url_part: str) -> tuple[Any, Any]:
    """Click Execute; return the network response and the answer Swagger shows."""
    with page.expect_response(lambda r: url_part in r.url and r.request.method == "GET") as answer:
        block.locator("button.execute").click()
    response = answer.value
    block.locator(".live-responses-table tr.response .response-col_status").first.wait_for()
    return response, block.locator(".live-responses-table")


def test_get_ai_training_executes_as_shipped_with_platform_id_prefilled(api_origin: str, watched: tuple[Any, Watch]):
    page, watch = watched
    page.goto(api_origin + "/docs")
    block = _open(page, "decisions", "getAiTraining")
    assert block.locator('tr[data-param-name="platform_id"] input').input_value() == "instagram"
    assert block.locator('tr[data-param-name="category"] select').input_value() == "public-posts"
    response, shown = _execute(page, block, "/v1/platforms/instagram/ai-training")
    assert response.status == 200, response.text()
    body = response.json()
    assert body["platform"]["id"] == "instagram"
    assert body["decisions"][0]["verdict"] in {"used", "not_used", "conditional", "unknown"}
    assert "200" in shown.locator("tr.response .response-col_status").first.inner_text()
    assert '"verdict"' in shown.locator("tr.response .response-col_description").first.inner_text()
    screenshot(page, "swagger-try-it-out", full_page=True, clip=_clip(page, block))
    assert watch.errors == []
    assert watch.origins() == {api_origin}


def test_list_rules_executes_as_shipped(api_origin: str, watched: tuple[Any, Watch]):
    page, watch = watched
    page.goto(api_origin + "/docs")
    block = _open(page, "catalog", "listRules")
    response, shown = _execute(page, block, "/v1/rules?")
    assert response.status == 200, response.text()
    body = response.json()
    assert set(body) >= {"items", "total", "limit", "offset"}
    assert "200" in shown.locator("tr.response .response-col_status").first.inner_text()
    assert watch.errors == []


def test_list_changes_with_its_range_constraints_executes_as_shipped_and_with_a_limit(
    api_origin: str, watched: tuple[Any, Watch]
):
    page, watch = watched
    page.goto(api_origin + "/docs")
    block = _open(page, "history", "listChanges")
    response, _ = _execute(page, block, "/v1/changes")
    assert response.status == 200, response.text()
    assert response.json()["items"]

    block.locator('tr[data-param-name="limit"] input').fill("2")
    response, _ = _execute(page, block, "/v1/changes?limit=2")
    assert response.status == 200
    assert len(response.json()["items"]) == 2 and 'rel="next"' in response.headers["link"]
    assert watch.errors == []


def _clip(page: Any, block: Any) -> dict[str, float]:
    """Page coordinates of the operation's block from its summary to the end of the answer Swagger shows."""
    scroll_y = page.evaluate("() => window.scrollY")
    box = block.bounding_box()
    shown = block.locator(".live-responses-table tr.response").first.bounding_box()
    top = box["y"] + scroll_y
    return {"x": box["x"], "y": top, "width": box["width"], "height": shown["y"] + shown["height"] + scroll_y - top}
