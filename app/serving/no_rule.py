"""Decisions for a category the platform has no rule for, encoded once per place and language, the day filled in.

Most pairs of platform and category have no rule, and their decision differs between days only in the day its
sentences name: "no confirmed rule for public posts on X in DE on 2025-09-01". The engine and the rendering run
once per (platform, category, country, language) for a day no answer asks about; each answer then joins the
encoded pieces around its own day. Before a template is used, it must give byte for byte what the engine and the
rendering give for a second such day; where it does not, answers take the full path.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import orjson

from app.policy import ParsedQuery, Snapshot, answer
from app.policy.index import bounded_memo
from app.policy.model import phrase
from app.policy.wording import Wording
from app.serving.caching import dumps
from app.serving.documents import render_decision

# Days no dataset text names; the second checks the template made with the first.
SENTINELS = (date(1111, 11, 11), date(1212, 12, 12))
_NONE: tuple[bytes, ...] = ()  # a template that failed its check: answer by the full path


def no_rule_decision(snapshot: Snapshot, parsed: ParsedQuery, wording: Wording) -> orjson.Fragment | None:
    """Return the encoded decision of a question about one category without rules, or None for any other."""
    q = parsed.query
    if parsed.category_id is None or (q.platform_id, q.category_id) in snapshot.uses_by_pair:
        return None
    memo = bounded_memo(snapshot, "no-rule decisions")
    key = (q.platform_id, q.category_id, q.country, wording.lang)
    pieces = memo.get(key)
    if pieces is None:
        pieces = memo[key] = _template(snapshot, parsed, wording)
    if pieces is _NONE:
        return None
    return orjson.Fragment(_day(wording, q.as_of).join(pieces))


def _template(snapshot: Snapshot, parsed: ParsedQuery, wording: Wording) -> tuple[bytes, ...]:
    """Return the decision encoded for the first sentinel day, split where that day is written."""
    first, second = (_encoded(snapshot, parsed, wording, day) for day in SENTINELS)
    pieces = tuple(first.split(_day(wording, SENTINELS[0])))
    if _day(wording, SENTINELS[1]).join(pieces) != second:
        return _NONE
    return pieces


def _encoded(snapshot: Snapshot, parsed: ParsedQuery, wording: Wording, day: date) -> bytes:
    asked = replace(parsed, query=replace(parsed.query, as_of=day))
    (decision,) = answer(snapshot, asked)
    return dumps(render_decision(decision, wording))


def _day(wording: Wording, day: date) -> bytes:
    """Return the day as the wording writes it inside a sentence, as it stands in encoded JSON."""
    key = (wording.lang, day)
    found = _DAYS.get(key)
    if found is None:
        if len(_DAYS) >= DAYS_KEPT:  # any day can be asked about: keep a bounded few
            _DAYS.clear()
        found = _DAYS[key] = dumps(wording(phrase("day", day=day)))[1:-1]
    return found


DAYS_KEPT = 20_000
_DAYS: dict[tuple[str, date], bytes] = {}
