"""Helpers of the source-check tests that use a database: point sources at the local server, run checks."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.cli_watch import run_checks
from app.settings import Settings
from app.store import records
from app.store.checks import cited_quotes
from app.store.writes import Op, apply_changes
from tests.watch.site import FakeClock, Site


def point(engine: Any, site: Site, ids: list[str]) -> None:
    """Move these sources' URLs to /<id> on the local server."""
    with Session(engine) as session:
        ops = []
        for source_id in ids:
            record = records.row_to_record(session, "source", records.get_row(session, "source", source_id))
            ops.append(Op("source", "update", source_id, {**record, "url": site.url(f"/{source_id}")}))
        apply_changes(session, ops, actor="test")


def quote_of(engine: Any, source_id: str) -> str:
    """Return the quotes of every citation of the source, to serve them on its page."""
    with Session(engine) as session:
        quotes = [q for _rule, s, q in cited_quotes(session) if s == source_id and q]
    return " ".join(dict.fromkeys(quotes)) or "This page is cited without a quote."


def page(quote: str, extra: str = "Questions about this policy can be sent to our privacy team.") -> str:
    """Return a policy page whose main text holds the quote, with an advert and a footer around it."""
    return f"""<!doctype html><html><head><title>Policy</title></head><body>
<nav><a href="/">Home</a> <a href="/help">Help centre</a></nav><div class="advert">Buy now</div>
<main><article><h1>How we use your information for AI</h1>
<p>This page explains in detail how the content you share with us is used when we build new features.</p>
<p>{quote}</p>
<p>{extra}</p>
<p>These terms apply to every account holder and are reviewed by our legal team every year.</p>
</article></main><footer>Copyright 2026 Example Inc. All rights reserved.</footer></body></html>"""


def check(engine: Any, ids: list[str] | None = None, **settings: Any) -> dict[str, str]:
    """Check sources (default: all) with a fake clock; return each source's outcome."""
    results, _revision = run_checks(engine, Settings(**settings), source_ids=ids, clock=FakeClock())
    return {r.target.source_id: r.outcome.value for r in results}
