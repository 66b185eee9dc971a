"""Each kind of page change gives the right outcome, checked against a local server."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from app.watch.check import Citation, Outcome, Target, check_sources
from app.watch.crawler import Crawler, Politeness
from app.watch.text import fold, main_text, quote_found
from tests.watch.site import QUOTE, TEXT, FakeClock, Page, article

POLITE = Politeness(user_agent="Trainwatch/test", rate_per_host=1.0, concurrency=4, timeout=10.0, retries=0)


def check(target: Target, timeout: float = POLITE.timeout):
    async def go():
        async with Crawler(replace(POLITE, timeout=timeout), clock=FakeClock()) as crawler:
            return (await check_sources([target], crawler))[0]

    return asyncio.run(go())


def twice(site, first: Page, second: Page, path: str = "/policy", timeout: float = POLITE.timeout, **target):
    """Check a page once as served first, then again as served second; return both results."""
    site.pages[path] = first
    base = Target("P1", site.url(path), citations=(Citation("rule-a", QUOTE), Citation("rule-b", None)), **target)
    before = check(base)
    site.pages[path] = second
    again = replace(base, previous_hash=before.text_hash, previous_outcome=before.outcome.value)
    return before, check(again, timeout)


def test_an_unchanged_page_is_ok(site):
    before, after = twice(site, Page(body=article()), Page(body=article()))
    assert before.outcome == after.outcome == Outcome.OK
    assert before.quotes == [{"rule": "rule-a", "found": True}]  # rule-b cites no quote: nothing to look for
    assert before.text_changed and not after.text_changed and not after.finding


def test_a_change_of_the_main_text_is_changed(site):
    _, after = twice(
        site,
        Page(body=article()),
        Page(body=article(extra="We may also license public posts to partners who train models.")),
    )
    assert after.outcome == Outcome.CHANGED and after.text_changed and after.finding


def test_a_change_of_adverts_scripts_and_footer_only_is_ok(site):
    _, after = twice(site, Page(body=article()), Page(body=article(ad="hats", stamp="11:42:07")))
    assert after.outcome == Outcome.OK and not after.text_changed


def test_a_lost_quote_is_quote_missing(site):
    _, after = twice(site, Page(body=article()), Page(body=article(quote_line=False)))
    assert after.outcome == Outcome.QUOTE_MISSING
    assert after.quotes == [{"rule": "rule-a", "found": False}]


def test_a_redirect_elsewhere_is_moved(site):
    site.pages["/new-policy"] = Page(body=article())
    _, after = twice(site, Page(body=article()), Page(301, "", headers={"Location": "/new-policy"}))
    assert after.outcome == Outcome.MOVED
    assert after.fetched.final_url == site.url("/new-policy")
    assert after.fetched.redirects == [(301, site.url("/new-policy"))]


def test_a_redirect_to_the_same_page_with_a_slash_is_not_moved(site):
    site.pages["/policy/"] = Page(body=article())
    site.pages["/policy"] = Page(301, "", headers={"Location": "/policy/"})
    result = check(Target("P1", site.url("/policy")))
    assert result.outcome == Outcome.OK and result.fetched.redirects


@pytest.mark.parametrize("status", [404, 410])
def test_not_found_and_gone_are_gone(site, status):
    _, after = twice(site, Page(body=article()), Page(status, "<html><body><p>No such page</p></body></html>"))
    assert after.outcome == Outcome.GONE and after.gone_without_archive


def test_a_gone_page_with_an_archived_copy_is_still_gone_but_covered(site):
    _, after = twice(site, Page(body=article()), Page(410, "gone"), archived_url="https://archive.example/p1")
    assert after.outcome == Outcome.GONE and not after.gone_without_archive


def test_a_timeout_is_unreachable_never_gone(site):
    _, after = twice(site, Page(body=article()), Page(hang=True), timeout=1.0)
    assert after.outcome == Outcome.UNREACHABLE and not after.finding


def test_a_robots_txt_disallow_is_unreachable(site):
    site.pages["/robots.txt"] = Page(body="User-agent: Trainwatch\nDisallow: /\n", headers=TEXT)
    site.pages["/policy"] = Page(body=article())
    result = check(Target("P1", site.url("/policy")))
    assert result.outcome == Outcome.UNREACHABLE and "robots.txt" in result.fetched.error
    assert "/policy" not in site.paths()


def test_a_server_error_is_unreachable(site):
    _, after = twice(site, Page(body=article()), Page(500, "oops"))
    assert after.outcome == Outcome.UNREACHABLE


def test_a_page_that_stays_gone_is_no_new_finding(site):
    site.pages["/policy"] = Page(404, "no")
    target = Target("P1", site.url("/policy"))
    first = check(target)
    again = check(replace(target, previous_outcome=first.outcome.value))
    assert first.finding and again.outcome == Outcome.GONE and not again.finding


def test_quotes_match_across_typographic_quotes_whitespace_case_and_ellipses():
    text = "We use \u2018public posts\u2019 and\n  comments shared by ADULTS to train our generative AI models."
    assert quote_found("we use 'public posts' and comments shared by adults", text)
    assert quote_found("We use \u201cpublic posts\u201d \u2026 to train our generative AI models.", text)
    assert not quote_found("We use private messages", text)
    assert not quote_found("to train our generative AI models \u2026 We use", text)  # parts keep their order
    assert fold("A\u00a0\u2013\u00a0B") == "a - b"


def test_plain_text_pages_are_read_as_they_are():
    assert main_text("line one\n\nline   two", "text/plain") == "line one line two"
