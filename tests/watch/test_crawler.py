"""The crawler is polite: one request a second per host (fake clock), its own User-Agent, robots.txt, retries."""

from __future__ import annotations

import asyncio

from app.watch.check import Target, interleaved
from app.watch.crawler import Crawler, HostPacer, Politeness
from tests.watch.site import TEXT, FakeClock, Page

UA = "Trainwatch/test (+https://example.org/contact)"


def polite(**overrides) -> Politeness:
    return Politeness(
        **{"user_agent": UA, "rate_per_host": 1.0, "concurrency": 4, "timeout": 5.0, "retries": 2, **overrides}
    )


def fetch_all(urls, clock, **overrides):
    async def go():
        async with Crawler(polite(**overrides), clock=clock) as crawler:
            return await asyncio.gather(*(crawler.fetch(url) for url in urls))

    return asyncio.run(go())


def test_the_pacer_spaces_requests_to_one_host_and_not_across_hosts():
    clock = FakeClock()
    pacer = HostPacer(1.0, clock)
    started: list[tuple[str, float]] = []

    async def request(host: str) -> None:
        await pacer.wait(host)
        started.append((host, clock.now()))

    async def go() -> None:
        await asyncio.gather(*(request(h) for h in ["a", "a", "b", "a", "b"]))

    asyncio.run(go())
    assert sorted(t for h, t in started if h == "a") == [0.0, 1.0, 2.0]
    assert sorted(t for h, t in started if h == "b") == [0.0, 1.0]


def test_the_rate_is_a_setting():
    clock = FakeClock()
    pacer = HostPacer(4.0, clock)

    async def go() -> None:
        for _ in range(5):
            await pacer.wait("a")

    asyncio.run(go())
    assert clock.now() == 1.0  # five requests at four a second: the fifth starts after one second


def test_requests_to_one_host_go_one_a_second_with_the_user_agent(site, clock):
    for n in range(3):
        site.pages[f"/p{n}"] = Page(body=f"<html><body><p>page {n}</p></body></html>")
    results = fetch_all([site.url(f"/p{n}") for n in range(3)], clock)
    assert [r.status for r in results] == [200, 200, 200]
    assert sorted(site.paths()) == ["/p0", "/p1", "/p2", "/robots.txt"]
    assert clock.now() == 3.0  # robots.txt at 0, then the pages at 1, 2 and 3
    assert {agent for _path, agent in site.requests} == {UA}


def test_concurrency_is_bounded(site, clock):
    site.pages["/p"] = Page(body="<p>x</p>")
    in_flight = 0
    most = 0

    async def go():
        async with Crawler(polite(concurrency=2, rate_per_host=0), clock=clock) as crawler:
            original = crawler._get

            async def counting(url):
                nonlocal in_flight, most
                in_flight += 1
                most = max(most, in_flight)
                try:
                    # Held open a while (real time) so that every fetch the crawler lets start overlaps this one.
                    await asyncio.sleep(0.05)
                    return await original(url)
                finally:
                    in_flight -= 1

            crawler._get = counting
            results = await asyncio.gather(*(crawler.fetch(site.url("/p")) for _ in range(6)))
            assert [r.status for r in results] == [200] * 6

    asyncio.run(go())
    assert most == 2  # six fetches at once: two at a time, never more, and not one by one


def test_robots_txt_disallow_is_honoured_and_the_page_is_never_fetched(site, clock):
    site.pages["/robots.txt"] = Page(body="User-agent: *\nDisallow: /private/\n", headers=TEXT)
    site.pages["/private/policy"] = Page(body="<p>secret</p>")
    site.pages["/public/policy"] = Page(body="<p>open</p>")
    blocked, allowed = fetch_all([site.url("/private/policy"), site.url("/public/policy")], clock)
    assert blocked.status is None and "robots.txt" in blocked.error
    assert allowed.status == 200
    assert "/private/policy" not in site.paths() and site.paths().count("/robots.txt") == 1


def test_a_passing_server_error_is_retried_after_a_wait(site, clock):
    site.pages["/flaky"] = Page(503, "busy", headers={"Retry-After": "7"}, then=Page(body="<p>fine</p>"))
    (result,) = fetch_all([site.url("/flaky")], clock)
    assert result.status == 200 and 7.0 in clock.sleeps
    assert site.paths().count("/flaky") == 2


def test_redirects_are_followed_and_recorded(site, clock):
    site.pages["/old"] = Page(301, "", headers={"Location": "/newer"})
    site.pages["/newer"] = Page(302, "", headers={"Location": site.url("/newest")})
    site.pages["/newest"] = Page(body="<p>here</p>")
    (result,) = fetch_all([site.url("/old")], clock)
    assert result.status == 200 and result.final_url == site.url("/newest")
    assert result.redirects == [(301, site.url("/newer")), (302, site.url("/newest"))]


def test_a_timeout_is_a_network_failure_not_an_answer(site, clock):
    site.pages["/slow"] = Page(hang=True)
    site.pages["/robots.txt"] = Page(body="", headers=TEXT)
    # Long enough for a busy machine to answer robots.txt, short enough to wait for twice.
    (result,) = fetch_all([site.url("/slow")], clock, timeout=1.0, retries=1)
    assert result.status is None and "Timeout" in result.error
    assert site.paths().count("/slow") == 2  # tried again once


def test_a_refused_connection_is_a_network_failure(clock):
    (result,) = fetch_all(["http://127.0.0.1:9/policy"], clock, retries=0)
    assert result.status is None and result.error


def test_an_unreachable_robots_txt_allows_nothing_and_a_missing_one_everything(site, clock):
    site.pages["/robots.txt"] = Page(500, "down")
    site.pages["/policy"] = Page(body="<p>x</p>")
    (result,) = fetch_all([site.url("/policy")], clock, retries=0)
    assert "robots.txt" in result.error and "/policy" not in site.paths()


def test_a_redirect_loop_ends_as_an_error(site, clock):
    site.pages["/a"] = Page(302, "", headers={"Location": "/b"})
    site.pages["/b"] = Page(302, "", headers={"Location": "/a"})
    (result,) = fetch_all([site.url("/a")], clock)
    assert result.status == 302 and result.error == "more than 5 redirects" and len(result.redirects) == 6


def test_a_redirected_robots_txt_is_followed(site, clock):
    site.pages["/robots.txt"] = Page(301, "", headers={"Location": "/robots-real.txt"})
    site.pages["/robots-real.txt"] = Page(body="User-agent: *\nDisallow: /\n", headers=TEXT)
    site.pages["/policy"] = Page(body="<p>x</p>")
    (result,) = fetch_all([site.url("/policy")], clock)
    assert "robots.txt" in result.error and "/policy" not in site.paths()


def test_fetches_start_host_by_host_in_turn():
    targets = [
        Target(str(n), url)
        for n, url in enumerate(
            [
                "https://a.test/1",
                "https://a.test/2",
                "https://a.test/3",
                "https://b.test/1",
                "https://b.test/2",
                "https://c.test/1",
            ]
        )
    ]
    assert interleaved(targets) == [0, 3, 5, 1, 4, 2]
