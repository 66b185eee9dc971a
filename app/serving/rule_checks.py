"""Batch check results about a rule in force, from templates made per class of question, country and days filled in.

About one check in seven of a never-seen batch asks about a rule in force, and each costs five times a check without
one: the analysis, the reasons, the summary, the rendering. Yet two questions about the same rules, whose days fall
in the same class (worlds.fact_class), from countries in the same groups, with the same age and answers to the
situation's yes/no questions, get results that differ only where they name their own country, days and revision.

So the first such question's result, encoded by the full path, becomes the base of a template: the members that
hold its country, jurisdictions, day and revision, then the place and the days its sentences name, become named holes
(a `bytes %` format). The template is used only once a second question of its class, differing from the base in
every hole, gets from it byte for byte what the full path gives; where it does not, the next question becomes the
base, and after TRIES failures the class keeps the full path. A text that turned on a question's own value in any
other way than naming it (a month's name, a count of days) differs between the two and fails the check.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from itertools import combinations

import orjson

from app.policy import ParsedQuery, Snapshot
from app.policy.index import PairIndex, context, pair_index
from app.policy.model import MemoKind, Query
from app.policy.wording import Wording
from app.policy.worlds import fact_class
from app.serving.holes import Positional, holes, member_holes, positional, punched, worded_day
from app.serving.no_rule import CHECK_HOLES, check_values

# Keyed first by the platform and category: a write to a rule of another pair keeps the entry.
RULE_CHECKS = MemoKind("rule check results", pair=lambda key: key[0])
# Classes kept per snapshot: never-seen bench batches meet about 7,000 in 400 batches, a third of them only once.
# Past either bound, the bases waiting for their check go first. Templates are 2.8 KB on average but up to 12 KB (a
# whole platform's rules named for a question without a country), so the bytes are bounded too, counted every
# COUNT_EVERY new classes (over by at most that many results).
LIMIT = 8192
BUDGET = 24 * 2**20
COUNT_EVERY = 256
TRIES = 2  # failed checks before a class keeps the full path
_NONE = b""  # a class whose template failed its checks: answer by the full path
# The question's own days besides as_of, each a hole of its own where the question gives it.
_OWN_DAYS = ("objected_on", "posted_on", "opted_in_on")


@dataclass(slots=True)
class _Base:
    """The first question of a class not yet templated: its result as the full path encoded it, and its holes."""

    encoded: bytes
    holes: dict[bytes, bytes]
    failed: int  # checks that failed so far


def rule_check(
    snapshot: Snapshot,
    parsed: ParsedQuery,
    wording: Wording,
    today: date,
    full: Callable[[], bytes],
    service: Hashable = None,
) -> orjson.Fragment:
    """Return a batch check's whole result about a rule in force, encoded: from its class's template, else `full()`.

    The caller has asked `rules_apply`; `full` gives the full path's encoded result for this question. `service`
    names what else of the caller `full` turns on (its freshness window, its translations), as the snapshot's memo
    may serve several callers.
    """
    key = _key(snapshot, parsed, wording, today, service)
    if key is None:  # no rules for the pair: not a question this is for
        return orjson.Fragment(full())
    memo = snapshot.memo.get(RULE_CHECKS)  # bounded by _room, not emptied whole as bounded_memo's are
    if memo is None:
        memo = snapshot.memo[RULE_CHECKS] = {}
    assert isinstance(memo, dict)
    found = memo.get(key)
    if type(found) is tuple:  # a template, filled by position
        text, pick = found
        return orjson.Fragment(text % pick(_values(snapshot, parsed, wording)))
    if found is _NONE:
        return orjson.Fragment(full())
    filled = _holes(snapshot, parsed, wording)
    if found is None:
        encoded = full()
        if _distinct(filled):
            _room(memo)
            memo[key] = _Base(encoded, filled, 0)
        return orjson.Fragment(encoded)
    assert isinstance(found, _Base)
    encoded = full()
    if not _differs(found.holes, filled):  # would not show that each hole follows its value: not a check
        return orjson.Fragment(encoded)
    template = _template(found)
    if template is not None and template % filled == encoded:
        memo[key] = positional(template, HOLES)
    elif found.failed + 1 >= TRIES:
        memo[key] = _NONE
    elif _distinct(filled):
        memo[key] = _Base(encoded, filled, found.failed + 1)
    return orjson.Fragment(encoded)


Memo = dict[tuple[object, ...], "Positional | bytes | _Base"]


def _room(memo: Memo) -> None:
    """Make room for a new class where the memo holds LIMIT classes or BUDGET bytes: drop the bases waiting for a
    check (many of them classes met once), then, where templates still fill most of it, the older half of them."""
    if len(memo) < LIMIT and (len(memo) % COUNT_EVERY or _size(memo) < BUDGET):
        return
    # A copy first: other threads' batches add to the memo meanwhile.
    for key, value in memo.copy().items():
        if type(value) is _Base:
            memo.pop(key, None)
    if len(memo) >= LIMIT * 3 // 4 or _size(memo) >= BUDGET * 3 // 4:
        # In the order the classes were first met (a template takes its base's place): the oldest go.
        for key in list(memo)[: len(memo) // 2]:
            memo.pop(key, None)


def _size(memo: Memo) -> int:
    """Return the bytes of the results a memo holds: its templates and its bases' encoded results."""
    return sum(map(_bytes_of, memo.copy().values()))


def _bytes_of(value: Positional | bytes | _Base) -> int:
    """Return the bytes of one memo entry's result: a template's text, or a base's encoded result."""
    if isinstance(value, tuple):
        return len(value[0])
    return len(value) if isinstance(value, bytes) else len(value.encoded)


def _key(
    snapshot: Snapshot, parsed: ParsedQuery, wording: Wording, today: date, service: Hashable
) -> tuple[object, ...] | None:
    """Return the class of a question about a rule in force: what its result turns on besides what fills holes."""
    q = parsed.query
    uses = snapshot.uses_by_pair.get((q.platform_id, q.category_id), ())
    if not uses:
        return None
    if len(uses) == 1:
        classes: tuple[object, ...] = _class(snapshot, pair_index(snapshot, q.platform_id, q.category_id), q)
    else:  # the platform's own training and third parties' are decided apart, each from its own rules
        classes = tuple(_class(snapshot, pair_index(snapshot, q.platform_id, q.category_id, use), q) for use in uses)
    return (
        (q.platform_id, q.category_id),  # the result rests on the pair's rules: a write to one drops the entry
        classes,
        parsed.jurisdictions[1:],  # the country's groups: sentences may name them, never the country's own rules
        q.age,  # sentences name the age itself ("at 15 ...")
        q.objected,
        q.opted_in,
        wording.lang,
        today,  # freshness: reviewed_on and stale are as of today
        service,
    )


def _class(snapshot: Snapshot, index: PairIndex, q: Query) -> tuple[object, ...]:
    """Return the rules in force for a question (its context's own key) and how its days and age compare with them."""
    ctx = context(snapshot, index, q.country, q.as_of)
    return (ctx.key, fact_class(ctx, q))


def _holes(snapshot: Snapshot, parsed: ParsedQuery, wording: Wording) -> dict[bytes, bytes]:
    """Return what fills a question's holes: its country, jurisdictions, day, revision and the days it gives."""
    q = parsed.query
    filled = holes(snapshot, wording, q.country, q.as_of)
    for name in _OWN_DAYS:
        day = getattr(q, name)
        if day is not None:
            filled[name.encode()] = worded_day(snapshot, wording, day)
    if q.country is None:  # the place is GLOBAL for every question of the class: no hole
        del filled[b"place"]
    return filled


# Every hole a class's template may have, in the order _values gives their values.
HOLES = (*CHECK_HOLES, *(name.encode() for name in _OWN_DAYS))


def _values(snapshot: Snapshot, parsed: ParsedQuery, wording: Wording) -> tuple[bytes, ...]:
    """Return _holes' values in HOLES' order, b"" for a day the question does not give (its class's template has no
    hole for it), and the place's even where the question names no country (no hole for it either)."""
    q = parsed.query
    objected_on, posted_on, opted_in_on = q.objected_on, q.posted_on, q.opted_in_on
    return (
        *check_values(snapshot, wording, q.country, q.as_of),
        b"" if objected_on is None else worded_day(snapshot, wording, objected_on),
        b"" if posted_on is None else worded_day(snapshot, wording, posted_on),
        b"" if opted_in_on is None else worded_day(snapshot, wording, opted_in_on),
    )


def _sentence_holes(filled: dict[bytes, bytes]) -> list[bytes]:
    """Return the names of the holes sentences may name: the place and the worded days."""
    return [name for name in filled if name not in _FIELD_HOLES]


# Members of the result that hold a question's value (holes.member_holes): found by their names, not in sentences.
_FIELD_HOLES = frozenset({b"country", b"jurisdictions", b"as_of", b"revision"})


def _template(base: _Base) -> bytes | None:
    """Return the base result as a bytes format with named holes, or None where a member is not found once."""
    template = punched(base.encoded, member_holes(base.holes))
    if template is None:
        return None
    # The longest first, so no value is replaced inside a longer one (_distinct made none part of another).
    for name in sorted(_sentence_holes(base.holes), key=lambda n: -len(base.holes[n])):
        template = template.replace(base.holes[name], b"%(" + name + b")b")
    return template


def _distinct(filled: dict[bytes, bytes]) -> bool:
    """Return whether no hole's value is part of another's, so each can be told apart in a base's sentences (a base
    that fails this would fail its check too: this saves keeping it)."""
    values = [filled[name] for name in _sentence_holes(filled)]
    return all(a not in b and b not in a for a, b in combinations(values, 2))


def _differs(base: dict[bytes, bytes], filled: dict[bytes, bytes]) -> bool:
    """Return whether a question differs from the base in its day, its place and each day it gives.

    The revision, the country and its jurisdictions are members found once; the last two differ where the place
    does (and where the question names no country, neither is a hole of the class: both are null and GLOBAL).
    """
    return base.keys() == filled.keys() and all(base[name] != filled[name] for name in base if name not in _SAME)


_SAME = frozenset({b"revision", b"country", b"jurisdictions"})
