"""Every source of the bundled dataset, checked against the local server in a few seconds (rate and concurrency
are settings), comes out ok with each cited quote found; a second run finds nothing new."""

from __future__ import annotations

import html
import time
from urllib.parse import urlsplit

import httpx
from sqlmodel import Session, select

from app.cli_watch import run_checks
from app.settings import Settings
from app.store.checks import cited_quotes
from app.store.db import make_engine
from app.store.models import Source
from app.store.reviews import queue
from tests.watch.site import Page, Site
from tests.watch.support import page


def local_path(url: str) -> str:
    """Return the path on the local server that stands for a URL: /<host><path>?<query>."""
    parts = urlsplit(url)
    return f"/{parts.netloc.lower()}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


class ToLocalServer(httpx.AsyncBaseTransport):
    """Sends every request to the local server instead of the internet, keeping host and path in the path."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = httpx.URL(self.site.url(local_path(str(request.url))))
        request.headers["Host"] = request.url.netloc.decode()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_the_whole_bundled_dataset_checks_ok_quickly(seeded_url, site):
    engine = make_engine(seeded_url)
    with Session(engine) as session:
        sources = session.exec(select(Source)).all()
        quotes: dict[str, list[str]] = {}
        for _rule, source_id, quote in cited_quotes(session):
            if quote:
                quotes.setdefault(source_id, []).append(quote)
    by_path: dict[str, list[str]] = {}
    for source in sources:  # several sources may share a page
        by_path.setdefault(local_path(source.url), []).extend(quotes.get(source.id, []) or [source.title])
    for path, texts in by_path.items():
        site.pages[path] = Page(body=page("</p><p>".join(html.escape(t) for t in dict.fromkeys(texts))))
    settings = Settings(check_rate_per_host=1000, check_concurrency=16)
    started = time.monotonic()
    results, revision = run_checks(engine, settings, transport=ToLocalServer(site))
    elapsed = time.monotonic() - started
    assert len(results) == len(sources) > 200
    missing = {r.target.source_id: r.quotes for r in results if r.outcome.value != "ok"}
    assert missing == {}
    assert all(q["found"] for r in results for q in r.quotes) and sum(len(r.quotes) for r in results) > 200
    assert elapsed < 60, f"{len(results)} sources took {elapsed:.1f} s"
    again, revision_again = run_checks(engine, settings, transport=ToLocalServer(site))
    assert {r.outcome.value for r in again} == {"ok"} and revision_again == revision
    with Session(engine) as session:
        assert queue(session) == []
    engine.dispose()
