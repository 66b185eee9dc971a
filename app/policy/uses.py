"""Combine the decisions for the platform's own training and for third parties' training of the same content."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from itertools import product
from typing import Any

from .model import DEPENDS_ON_ORDER, FIRST_DAY, Decision, Query, Rule, UsedBy, Verdict, phrase

MAX_WORLDS = 4096  # past this many combinations of values, a conditional answer is left as it is (bounds the work)


def combine(category_id: str, parts: list[tuple[UsedBy, Decision]]) -> Decision:
    """Return one decision: the content is used if any user of it trains on it, not used only if none does."""
    verdicts = [d.verdict for _, d in parts]
    if Verdict.USED in verdicts:
        verdict = Verdict.USED  # settled whatever the other uses turn on
    elif all(v is Verdict.NOT_USED for v in verdicts):
        verdict = Verdict.NOT_USED
    elif Verdict.CONDITIONAL in verdicts:
        verdict = Verdict.CONDITIONAL  # until `decidable` finds no values of the open facts that decide it
    else:
        verdict = Verdict.UNKNOWN
    depends: set[str] = set()
    if verdict is Verdict.CONDITIONAL:
        depends = {p for _, d in parts if d.verdict is Verdict.CONDITIONAL for p in d.depends_on}
    primary = parts[0][1]  # the platform's own use comes first when it has rules
    sources: dict[str, object] = {}
    for _, d in parts:
        sources.update({s.id: s for s in d.sources})
    return Decision(
        category_id=category_id,
        verdict=verdict,
        summary=phrase("by_use.summary", parts=tuple((use.value, d.summary) for use, d in parts)),
        reasons=tuple(phrase("by_use.reason", use=use.value, reason=r) for use, d in parts for r in d.reasons),
        depends_on=tuple(p for p in DEPENDS_ON_ORDER if p in depends),
        rule=primary.rule,
        opt_out=primary.opt_out or next((d.opt_out for _, d in parts if d.opt_out is not None), None),
        sources=tuple(sources.values()),  # type: ignore[arg-type]
        rule_ids=tuple(dict.fromkeys(rule_id for _, d in parts for rule_id in d.rule_ids)),
    )


def decidable(
    query: Query,
    open_facts: Iterable[str],
    rules: Iterable[Rule],
    countries: Iterable[str],
    verdict_of: Callable[[Query], list[Verdict]],
) -> bool:
    """Return whether some values of the open facts, given together, make a combined answer used (by any use) or not
    used (by every use): the uses share those facts, so each being decidable alone is not enough. Where there are
    too many combinations to try, or a fact it has no values for, it says yes (the answer stays conditional)."""
    worlds = _worlds(query, tuple(open_facts), tuple(rules), list(countries))
    if worlds is None:
        return True
    for facts in worlds:
        verdicts = verdict_of(replace(query, **facts))
        if Verdict.USED in verdicts or all(v is Verdict.NOT_USED for v in verdicts):
            return True
    return False


def _worlds(
    query: Query, open_facts: tuple[str, ...], rules: tuple[Rule, ...], countries: list[str]
) -> Iterator[dict[str, Any]] | None:
    """Return every combination of values worth trying for the open facts (None: too many, or an unknown fact): each
    day a rule names and the days either side of it, up to as_of; every age limit and the year below it; yes and no;
    a country of each jurisdiction the rules name, and one of none. Between two such days no rule's outcome changes,
    so these stand for every day (and those countries for every country)."""
    named: set[date] = {query.as_of}
    for r in rules:
        deadline = r.opt_out.deadline if r.opt_out is not None else None
        named.update(d for d in (r.effective_from, r.effective_until, r.posted_from, r.posted_until, deadline) if d)
    one = timedelta(days=1)
    days = sorted({d + k * one for d in named if d > FIRST_DAY for k in (-1, 0, 1) if d + k * one <= query.as_of})
    ages = sorted({a for r in rules if r.min_age for a in (r.min_age - 1, r.min_age)}) or [30]
    choices: dict[str, list[Any]] = {
        "objected": [True, False],
        "opted_in": [True, False],
        "age": ages,
        "posted_on": days,
        "objected_on": [None, *days],
        "opted_in_on": [None, *days],
        "country": countries,
    }
    if any(not choices.get(fact) for fact in open_facts):  # a fact it knows no values of: it cannot tell
        return None
    size = 1
    for fact in open_facts:
        size *= len(choices[fact])
    if size > MAX_WORLDS:
        return None
    return _consistent(open_facts, product(*(choices[fact] for fact in open_facts)))


def _consistent(open_facts: tuple[str, ...], combinations: Iterable[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    """Yield the combinations a user could give: an objection (or opt-in) day goes with having objected (opted in)."""
    for combination in combinations:
        facts = dict(zip(open_facts, combination, strict=True))
        if facts.get("objected") is False and facts.get("objected_on") is not None:
            continue
        if facts.get("opted_in") is False and facts.get("opted_in_on") is not None:
            continue
        yield facts
