"""Fixtures of the web tests: the API and a partner's site on two local origins, and Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.web.browser import API_PORT, CHROMIUM, CHROMIUM_ARGS, HOST_PORT, HostSite, Watch, serve


@pytest.fixture(scope="session")
def api_origin(shared_seeded_url: str) -> Iterator[str]:
    """The Trainwatch API on its own origin, on the shared seeded database."""
    from app.main import create_app

    server, port = serve(create_app(make_settings(shared_seeded_url)), API_PORT)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True


@pytest.fixture(scope="session")
def host_site() -> Iterator[HostSite]:
    """A partner's site on a second origin, serving the pages tests register."""
    site = HostSite("")
    server, port = serve(site.app(), HOST_PORT)
    site.origin = f"http://127.0.0.1:{port}"
    yield site
    server.should_exit = True


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; never a downloaded browser. CI must have it (.ci/run installs it)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives every run a fresh temporary profile.
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies, no cache) for one test."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    yield ctx
    ctx.close()


@pytest.fixture
def watched(context: Any) -> tuple[Any, Watch]:
    """A page whose requests and console errors are recorded."""
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    return page, watch
