"""Decisions where no rule is in force, encoded once per platform, category and language, place and day filled in.

Most pairs of platform and category have no rule, others none in force for the country and day asked about, and
their decision differs between questions only in the place and the day its sentences name: "no confirmed rule for
public posts on X in DE on 2025-09-01". The engine (`policy.without_rules`) and the rendering run once per
(platform, category, language) for a made-up place and day, which become named holes in the encoded bytes (a
`bytes %` format); each answer then fills in its own. Before a template is used, it must give byte for byte what
they give for a second place and day (one within the dataset's years); where it does not, answers take the full
path.

A batch check's whole result (its platform, country, jurisdictions and day around the decision) is made the same
way, from a template of its own with holes for the country, the day and the dataset revision: a never-seen batch
is mostly such checks, and building and encoding each result's dict took as long as the decision itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import orjson

from app.policy import ParsedQuery, Snapshot, rules_apply, without_rules
from app.policy.index import bounded_memo
from app.policy.model import MemoKind
from app.policy.phrases import place
from app.policy.wording import Wording
from app.serving.caching import dumps
from app.serving.documents import check_result, render_decision
from app.serving.holes import (
    COUNTRY_HOLES,
    country_parts,
    holes,
    iso,
    json_text,
    member_holes,
    place_text,
    positional,
    punched,
    worded_day,
)

# Places and days no dataset text names: the template is made with the first pair and checked with the second.
SENTINELS = (("@place-1@", date(1111, 11, 11)), ("@place-2@", date(2025, 6, 15)))
_NONE = b""  # a template that failed its check: answer by the full path
# Neither rests on rules (a template is made only where none is in force, from names and wording), so a rule write
# keeps both: the answers after it are not made from scratch.
TEMPLATES = MemoKind("no-rule decisions")
# The same for a batch check's whole result, kept filled by position; the revision is a hole, so a rule write
# keeps these too.
CHECK_TEMPLATES = MemoKind("no-rule check results")

Encode = Callable[[Snapshot, ParsedQuery, Wording, str, date], bytes | None]
Fields = Callable[[Snapshot, Wording], tuple[tuple[bytes, bytes], ...]]


def no_rule_decision(snapshot: Snapshot, parsed: ParsedQuery, wording: Wording) -> orjson.Fragment | None:
    """Return the encoded decision of a question about one category no rule is in force for, or None for others."""
    q = parsed.query
    if parsed.category_id is None or rules_apply(snapshot, q):
        return None
    template = _made(snapshot, TEMPLATES, parsed, wording, _encoded, _no_fields)
    if template is _NONE:  # its check failed: the full path answers
        return None
    # The place as the engine's no-rule phrase names it.
    return orjson.Fragment(template % {b"place": place_text(place(q)), b"day": worded_day(snapshot, wording, q.as_of)})


def no_rule_check(snapshot: Snapshot, parsed: ParsedQuery, wording: Wording) -> orjson.Fragment | None:
    """Return a batch check's whole result, encoded, or None where its template failed its check."""
    # Only for checks no rule is in force for: the caller has asked rules_apply already.
    q = parsed.query
    template = _made(snapshot, CHECK_TEMPLATES, parsed, wording, _check_encoded, _check_fields, _by_position)
    if template is _NONE:  # its check failed: the full path answers
        return None
    text, pick = template
    return orjson.Fragment(text % pick(check_values(snapshot, wording, q.country, q.as_of)))


# A check template's holes, in the order its positional form takes their values (check_values).
CHECK_HOLES = (*COUNTRY_HOLES, b"revision", b"as_of", b"day")


def check_values(snapshot: Snapshot, wording: Wording, country: str | None, day: date) -> tuple[bytes, ...]:
    """Return what fills a check template's holes, in CHECK_HOLES' order."""
    return (*country_parts(snapshot, country), b"%d" % snapshot.revision, iso(day), worded_day(snapshot, wording, day))


def _by_position(template: bytes) -> Any:
    """Return a check template that passed its check in its positional form (holes.positional), _NONE as it is."""
    return template if template is _NONE else positional(template, CHECK_HOLES)


def _made(
    snapshot: Snapshot,
    kind: MemoKind,
    parsed: ParsedQuery,
    wording: Wording,
    encode: Encode,
    fields: Fields,
    kept: Callable[[bytes], Any] = lambda template: template,
) -> Any:
    """Return the template of a kind for the question's platform, category and language, made at its first use
    (and kept in the form `kept` gives it)."""
    q = parsed.query
    memo = bounded_memo(snapshot, kind)  # one per platform, category and language
    key = (q.platform_id, q.category_id, wording.lang)
    found = memo.get(key)
    if found is None:
        found = memo[key] = kept(_template(snapshot, parsed, wording, encode, fields(snapshot, wording)))
    return found


def _template(
    snapshot: Snapshot,
    parsed: ParsedQuery,
    wording: Wording,
    encode: Encode,
    fields: tuple[tuple[bytes, bytes], ...],
) -> bytes:
    """Return what `encode` gives for the first sentinels as a bytes format with named holes, or _NONE (its check)."""
    (made_place, made_day), (check_place, check_day) = SENTINELS
    first, second = (
        encode(snapshot, parsed, wording, made_place, made_day),
        encode(snapshot, parsed, wording, check_place, check_day),
    )
    if first is None or second is None:
        return _NONE
    # The fields first, each with its name (the day's ISO form may also be how the wording writes it), then the
    # place and the day where the sentences name them.
    template = punched(first, fields)
    if template is None:
        return _NONE
    template = template.replace(json_text(made_place), b"%(place)b").replace(
        worded_day(snapshot, wording, made_day), b"%(day)b"
    )
    filled = template % holes(snapshot, wording, check_place, check_day)
    return template if filled == second else _NONE


def _no_fields(snapshot: Snapshot, wording: Wording) -> tuple[tuple[bytes, bytes], ...]:
    """A decision has no fields of the place or day: only its sentences name them."""
    return ()


def _check_fields(snapshot: Snapshot, wording: Wording) -> tuple[tuple[bytes, bytes], ...]:
    """Return each field of a check's result made for the first sentinels, and the hole that takes its place."""
    return member_holes(holes(snapshot, wording, *SENTINELS[0]))


def _encoded(snapshot: Snapshot, parsed: ParsedQuery, wording: Wording, where: str, day: date) -> bytes | None:
    """Return the decision encoded as the full path would for the place and day, or None if it rests on rules."""
    decision = without_rules(snapshot, replace(parsed.query, country=where, as_of=day))
    # Without rules there is nothing to review, no staleness and no sources: what the service's freshness and
    # encoded sources would add is nothing, so the rendering alone gives the full path's bytes.
    if decision.rule_ids or decision.sources or decision.stale:
        return None
    return dumps(render_decision(decision, wording))


def _check_encoded(snapshot: Snapshot, parsed: ParsedQuery, wording: Wording, where: str, day: date) -> bytes | None:
    """Return a check's result encoded as the full path would for the place and day, or None if it rests on rules."""
    decision = _encoded(snapshot, parsed, wording, where, day)
    if decision is None:
        return None
    made = ParsedQuery(replace(parsed.query, country=where, as_of=day), parsed.category_id, snapshot.chain(where))
    return dumps(check_result(snapshot, made, orjson.Fragment(decision)))
