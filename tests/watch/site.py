"""A local HTTP server that serves fake policy pages, and a fake clock, for the source-check tests."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.ports import own_ports

PORTS = own_ports(21000)  # the ports this process's source-check tests may bind (21000-21319 in all)
TEXT = {"Content-Type": "text/plain"}


@dataclass
class Page:
    """What the server answers for one path."""

    status: int = 200
    body: str = ""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    hang: bool = False  # never answer until the test ends (a timeout)
    then: Page | None = None  # served from the second request on (a passing failure)


class Site:
    """The server's pages by path, and a log of (path, User-Agent) of every request."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[tuple[str, str]] = []
        self.release = threading.Event()
        self.server = _bind(self)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this server."""
        return self.base + path

    def reset(self) -> None:
        """Forget every page and request."""
        self.release.set()
        self.pages.clear()
        self.requests.clear()
        self.release = threading.Event()

    def paths(self) -> list[str]:
        """Return the requested paths, in order."""
        return [path for path, _agent in self.requests]

    def close(self) -> None:
        """Stop serving."""
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _bind(site: Site) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            site.requests.append((self.path, self.headers.get("User-Agent", "")))
            page = site.pages.get(self.path) or Page(404, "<html><body><p>Not found</p></body></html>")
            if page.then is not None:
                site.pages[self.path] = page.then
            if page.hang:
                site.release.wait(10)
                return
            body = page.body.encode()
            self.send_response(page.status)
            for name, value in page.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    ThreadingHTTPServer.daemon_threads = True
    for port in PORTS:
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), Handler)
        except OSError:
            continue
    raise RuntimeError(f"no free port in {PORTS}")


class FakeClock:
    """Virtual time: a sleep returns at once, in wake-up order, and moves the time on; each wait is recorded."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []
        self.sleepers: list[tuple[float, int]] = []
        self.count = itertools.count()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        me = (self.t + seconds, next(self.count))
        heapq.heappush(self.sleepers, me)
        # Let the other runnable tasks reach their own sleeps, then wake the earliest sleeper first.
        while True:
            for _ in range(10):
                await asyncio.sleep(0)
            if self.sleepers[0] == me:
                break
        heapq.heappop(self.sleepers)
        self.t = max(self.t, me[0])


ARTICLE = """<!doctype html><html><head><title>Privacy policy</title><script>var tracking = "{ad}";</script></head>
<body><nav><a href="/">Home</a> <a href="/about">About us</a> <a href="/help">Help centre</a></nav>
<div class="advert">Special offer: {ad}</div>
<main><article><h1>How we use your information</h1>
<p>We use public posts and comments shared by adults to train our generative AI models. You can object at any
time using the form in our help centre, and your objection applies to content you share afterwards.</p>
<p>We do not use the content of your private messages with friends and family to train our AI models. This
section of the policy applies from 27 May 2025 to every account in the European Union.</p>
<p>{extra}</p>
</article></main>
<footer>Page generated at {stamp}. Copyright 2026 Example Platforms Inc. All rights reserved. Cookie settings.</footer>
</body></html>"""
QUOTE = "We use \u201cpublic posts and comments\u201d shared by adults to train our generative AI models."
EXTRA = "Questions about this policy can be sent to our privacy team through the contact form."


def article(extra: str = EXTRA, ad: str = "shoes", stamp: str = "10:00:00", quote_line: bool = True) -> str:
    """Return a policy page; `extra`, `ad` and `stamp` vary the main text, an advert and a footer."""
    body = ARTICLE.format(extra=extra, ad=ad, stamp=stamp)
    if not quote_line:
        body = body.replace("We use public posts and comments shared by adults", "We may use some posts")
    return body
