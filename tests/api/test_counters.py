"""The in-process rate-limit counters: fixed windows that expire, and no unbounded growth."""

import asyncio
import math
import random

from limits import parse
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string

from app.api import counters
from app.api.counters import WorkerCounters


def run(coro):
    return asyncio.run(coro)


def test_limits_finds_the_storage_by_its_scheme_and_refuses_past_the_limit():
    storage = storage_from_string(f"{counters.SCHEME}://")
    assert isinstance(storage, WorkerCounters)
    limiter = FixedWindowRateLimiter(storage)
    item = parse("3/minute")

    async def hits():
        return [await limiter.hit(item, "decisions", "ip:1") for _ in range(5)]

    assert run(hits()) == [True, True, True, False, False]
    assert run(limiter.hit(item, "decisions", "ip:2"))  # another client has its own window


def test_a_window_ends_and_counting_starts_again(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(counters.time, "time", lambda: now[0])
    store = WorkerCounters()
    assert run(store.incr("k", 60)) == 1
    assert run(store.incr("k", 60, amount=4)) == 5
    assert run(store.get("k")) == 5 and run(store.get_expiry("k")) == 1060.0
    now[0] = 1060.0
    assert run(store.get("k")) == 0
    assert run(store.incr("k", 60)) == 1


def test_expired_keys_are_swept_so_memory_stays_bounded(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(counters.time, "time", lambda: now[0])
    store = WorkerCounters()
    for n in range(1000):
        run(store.incr(f"client-{n}", 10))
    now[0] = 1011.0  # every window has ended; the next new window sweeps them
    run(store.incr("late", 10))
    assert set(store.counts) == {"late"} and set(store.expiries) == {"late"}


def test_reset_and_clear_forget_counts():
    store = WorkerCounters()
    run(store.incr("a", 60))
    run(store.incr("b", 60))
    run(store.clear("a"))
    assert run(store.get("a")) == 0 and run(store.get("b")) == 1
    assert run(store.reset()) == 1 and run(store.check())


def test_the_service_counts_as_limits_fixed_window_strategy_does(monkeypatch):
    # RateLimiter counts in this worker's memory at once (hit_now); limits' strategy counts through coroutines.
    # The same random requests and batches, over several windows, get the same verdicts and the same reset times.
    from app.api.ratelimit import Limits, RateLimiter

    now = [1000.0]
    monkeypatch.setattr(counters.time, "time", lambda: now[0])
    ours = RateLimiter(Limits("20/minute", "5/minute", "5/minute", "5/minute"), None)
    assert ours.counters is not None
    theirs = FixedWindowRateLimiter(WorkerCounters())
    item = parse("20/minute")
    rng = random.Random(3)
    refused = 0
    for _ in range(2000):
        now[0] += rng.choice([0.0, 0.5, 2.0, 7.0])
        client, cost = f"ip:{rng.randrange(3)}", rng.choice([1, 1, 1, 4, 9])
        problem = ours.hit_now("decisions", client, cost)
        allowed = (cost == 1 or run(theirs.test(item, "decisions", client, cost=cost))) and run(
            theirs.hit(item, "decisions", client, cost=cost)
        )
        assert (problem is None) == allowed
        if problem is not None:
            refused += 1
            reset = run(theirs.get_window_stats(item, "decisions", client)).reset_time
            assert problem.headers["Retry-After"] == str(max(1, math.ceil(reset - now[0])))
    assert 100 < refused < 1900  # both outcomes were compared many times
    assert run(ours.hit("decisions", "ip:9")) is None  # the coroutine counts the same way
