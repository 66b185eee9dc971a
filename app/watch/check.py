"""Check sources: fetch each one, compare its main text and quotes with the last check, and name the outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from app.watch.crawler import Crawler, Fetched, host_of
from app.watch.text import main_text, quote_found, text_hash


class Outcome(StrEnum):
    """What a check found, worst first as `classify` tests them."""

    GONE = "gone"  # the server says the page is not there (404, 410)
    UNREACHABLE = "unreachable"  # no usable answer: network failure, timeout, robots.txt refusal, other status
    MOVED = "moved"  # redirected to another address
    QUOTE_MISSING = "quote-missing"  # a cited quote no longer appears in the main text
    CHANGED = "changed"  # the main text differs from the last check's
    OK = "ok"


GONE_STATUSES = frozenset({404, 410})
# Outcomes that say the page itself changed or vanished: they put the citing rules in the review queue and make
# their answers stale. An unreachable page says nothing about the page, so it only shows in the check's report.
NEEDS_REVIEW = frozenset({Outcome.CHANGED, Outcome.QUOTE_MISSING, Outcome.MOVED, Outcome.GONE})


@dataclass(frozen=True)
class Citation:
    """A rule citing the source, with the quote that supports the rule (None: nothing to look for)."""

    rule_id: str
    quote: str | None


@dataclass(frozen=True)
class Target:
    """A source to check: its address, archived copy and the citations whose quotes must still appear."""

    source_id: str
    url: str
    archived_url: str | None = None
    citations: tuple[Citation, ...] = ()
    previous_hash: str | None = None  # the main text's hash at the last check that read the page
    previous_outcome: str | None = None  # the last outcome other than unreachable


@dataclass
class Result:
    """One source's check: what came back, the outcome, and the main text when it changed."""

    target: Target
    outcome: Outcome
    fetched: Fetched
    text: str | None = None
    text_hash: str | None = None
    quotes: list[dict[str, object]] = field(default_factory=list)  # {"rule", "found"} per citation with a quote

    @property
    def text_changed(self) -> bool:
        """Return whether the main text differs from the last one kept (or none was kept yet)."""
        return self.text_hash is not None and self.text_hash != self.target.previous_hash

    @property
    def finding(self) -> bool:
        """Return whether this check found something new that a person should review."""
        if self.outcome == Outcome.CHANGED:
            return True
        return self.outcome in NEEDS_REVIEW and self.outcome.value != self.target.previous_outcome

    @property
    def gone_without_archive(self) -> bool:
        """Return whether the source is gone and the dataset holds no archived copy of it."""
        return self.outcome == Outcome.GONE and not self.target.archived_url


def same_address(a: str, b: str) -> bool:
    """Return whether two URLs name the same page, ignoring http->https, www., case of the host, a trailing slash."""
    return _address(a) == _address(b)


def _address(url: str) -> tuple[str, int | None, str, str]:
    parts = urlsplit(url)
    port = parts.port if parts.port not in (None, 80, 443) else None
    return (parts.hostname or "").removeprefix("www."), port, parts.path.rstrip("/") or "/", parts.query


def classify(target: Target, fetched: Fetched) -> Result:
    """Return the outcome of one fetch against the source's last check."""
    if fetched.error is not None or fetched.status is None:
        return Result(target, Outcome.UNREACHABLE, fetched)
    if fetched.status in GONE_STATUSES:
        return Result(target, Outcome.GONE, fetched)
    if not 200 <= fetched.status < 300 or fetched.body is None:
        return Result(target, Outcome.UNREACHABLE, fetched)
    text = main_text(fetched.body, fetched.content_type)
    digest = text_hash(text)
    quotes = [{"rule": c.rule_id, "found": quote_found(c.quote, text)} for c in target.citations if c.quote]
    result = Result(target, Outcome.OK, fetched, text=text, text_hash=digest, quotes=quotes)
    if fetched.final_url is not None and not same_address(target.url, fetched.final_url):
        result.outcome = Outcome.MOVED
    elif not all(q["found"] for q in quotes):
        result.outcome = Outcome.QUOTE_MISSING
    elif target.previous_hash is not None and digest != target.previous_hash:
        result.outcome = Outcome.CHANGED
    return result


async def check_sources(
    targets: Sequence[Target], crawler: Crawler, progress: Callable[[Result], None] | None = None
) -> list[Result]:
    """Check every target, at most as fast as the crawler allows, and return the results in the targets' order."""

    async def one(target: Target) -> Result:
        fetched = await crawler.fetch(target.url)
        # Extraction is CPU work; a thread keeps the other fetches moving meanwhile.
        result = await asyncio.to_thread(classify, target, fetched)
        if progress is not None:
            progress(result)
        return result

    # Start the fetches host by host in turn, so the concurrency slots are not all held by one host's queue.
    order = interleaved(targets)
    done = dict(zip(order, await asyncio.gather(*(one(targets[i]) for i in order)), strict=True))
    return [done[i] for i in range(len(targets))]


def interleaved(targets: Sequence[Target]) -> list[int]:
    """Return the targets' indexes taking one of each host in turn: a, b, c, a, b, a rather than a, a, a, b, b, c."""
    by_host: dict[str, list[int]] = {}
    for index, target in enumerate(targets):
        by_host.setdefault(host_of(target.url), []).append(index)
    queues = list(by_host.values())
    order: list[int] = []
    for round_ in range(max((len(q) for q in queues), default=0)):
        order += [q[round_] for q in queues if round_ < len(q)]
    return order
