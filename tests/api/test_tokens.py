"""The token memo: values remembered by a token's hash, for a bounded time, least recently used forgotten first."""

from __future__ import annotations

from app.api.tokens import TokenMemo


def test_a_value_is_forgotten_once_its_time_is_up():
    now = [100.0]
    memo: TokenMemo[str] = TokenMemo(ttl=30)
    memo.clock = lambda: now[0]
    memo.remember("tw_a", "a")
    now[0] = 129.9
    assert memo.get("tw_a") == "a"
    now[0] = 130.0
    assert memo.get("tw_a") is None
    memo.remember("tw_a", "a")  # remembered again: for another 30 s
    now[0] = 159.0
    assert memo.get("tw_a") == "a"


def test_without_a_ttl_a_value_stays_until_forgotten_or_pushed_out():
    memo: TokenMemo[str] = TokenMemo(limit=2)
    memo.clock = lambda: 1e12
    for token in ("tw_a", "tw_b"):
        memo.remember(token, token[-1])
    assert memo.get("tw_a") == "a"  # now the most recently used
    memo.remember("tw_c", "c")
    assert (memo.get("tw_a"), memo.get("tw_b"), memo.get("tw_c")) == ("a", None, "c")
    memo.forget(lambda value: value == "a")
    assert memo.get("tw_a") is None
