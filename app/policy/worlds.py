"""Try every way the facts a query leaves open could turn out, and find which of them change the verdict."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date
from itertools import chain

from .index import MARGIN, Context, Level, PairIndex, bounded_memo, context, select
from .model import (
    DEPENDS_ON_ORDER,
    LateObjection,
    MemoKind,
    NotOptedIn,
    Query,
    Rule,
    Snapshot,
    Treatment,
    UnderAge,
    Verdict,
)
from .samples import Samples

_NO_DAYS = (None, None, None)
_FAR = MARGIN + 1  # days between two of the question's days beyond which only their order counts
_UNDER_AGE = {UnderAge.NOT_USED: Verdict.NOT_USED, UnderAge.UNKNOWN: Verdict.UNKNOWN}
_NOT_OPTED_IN = {NotOptedIn.NOT_USED: Verdict.NOT_USED, NotOptedIn.UNKNOWN: Verdict.UNKNOWN}
_WINDOWED = object()  # marks a level set whose rule depends on the posting day
# Keyed by the context's signature, the rules' behaviour itself: as true for every snapshot as for every pair.
ANALYSES = MemoKind("analyses")
_PLAIN = {
    Treatment.USED: Verdict.USED,
    Treatment.NOT_USED: Verdict.NOT_USED,
    Treatment.OPT_IN: Verdict.NOT_USED,
    Treatment.UNKNOWN: Verdict.UNKNOWN,
}


@dataclass(slots=True)  # not frozen, as Query: one per answer resting on a rule; nothing changes one once made
class Analysis:
    """What the enumeration found: the verdict, what it depends on, and the rules it rests on."""

    verdict: Verdict
    depends_on: tuple[str, ...]
    levels: tuple[Level, ...]  # for the query's own chain (GLOBAL when no country is given)
    rule: Rule | None  # the rule for content of unknown posting day, or for the given one
    rules: tuple[Rule, ...]  # every rule the answer for the query's chain can rest on, rule first
    objected_on: date | None  # the objection that counts on as_of (None: none, or its day is open)
    # With the country open: per most specific rule jurisdiction, the verdict there and what it depends on.
    by_country: tuple[tuple[str | None, Verdict, tuple[str, ...]], ...] = ()
    # With the country open and deciding: the rules other countries' answers rest on, so they are cited too.
    elsewhere: tuple[Rule, ...] = ()


def objection_in_time(rule: Rule, day: date) -> bool:
    """Return whether an objection on the day keeps all of the content out under the rule."""
    opt = rule.opt_out
    if opt is None:
        return False
    if opt.deadline is not None:
        return day <= opt.deadline
    return rule.effective_from is not None and day < rule.effective_from and opt.start_keeps_all_out


def outcome(
    rule: Rule | None, age: int | None, objected_on: date | None, posted_on: date | None, opted: bool | None = False
) -> Verdict:
    """Return the verdict for fully known facts (None for a fact nothing depends on; opted None: not said)."""
    if rule is None:
        return Verdict.UNKNOWN
    if rule.min_age is not None and age is not None and age < rule.min_age:
        return _UNDER_AGE[rule.under_age]
    if rule.treatment is Treatment.OPT_IN:
        # Contract v1.1: used once the user switched it on, not used while off, conditional when not said.
        # Not switched on: not used, or unknown where the sources speak only of those who switched it on.
        return {True: Verdict.USED, False: _NOT_OPTED_IN[rule.not_opted_in], None: Verdict.CONDITIONAL}[opted]
    disputed = rule.treatment is Treatment.UNKNOWN and rule.opt_out is not None
    if rule.treatment is not Treatment.OPT_OUT and not disputed:
        return _PLAIN[rule.treatment]
    # Without an objection, the content is used, or (for a disputed rule) its use stays unknown.
    otherwise = Verdict.UNKNOWN if disputed else Verdict.USED
    if objected_on is None or rule.opt_out is None:
        return otherwise
    if objection_in_time(rule, objected_on):
        return Verdict.NOT_USED
    late = rule.opt_out.late_objection
    if late is LateObjection.UNKNOWN:
        return Verdict.UNKNOWN
    if late is LateObjection.STOPS_FUTURE_TRAINING:
        return Verdict.NOT_USED
    if late is LateObjection.COVERS_LATER_POSTS and posted_on is not None and posted_on >= objected_on:
        return Verdict.NOT_USED
    return otherwise


def analyse(snapshot: Snapshot, index: PairIndex, query: Query) -> Analysis:
    """Try representative values of every open fact and return what the verdict turns on."""
    given_day = query.objected_on if query.objected_on is not None and query.objected_on <= query.as_of else None
    ctx = context(snapshot, index, query.country, query.as_of)
    shared = bounded_memo(snapshot, ANALYSES)
    key = (ctx.signature, fact_class(ctx, query), query.objected, query.opted_in)
    found = shared.get(key)
    if found is None:
        found = shared[key] = _verdict(ctx, Samples(query, given_day, ctx))
    verdict, depends_on, by_country, posted = found
    own = ctx.level_sets[ctx.keys[0]]
    fixed = ctx.fixed.get(ctx.keys[0], _WINDOWED)
    if fixed is _WINDOWED:
        rules = _rules_for(own, posted)
        rule = select(own, query.posted_on)
    else:  # no posting window: one rule for content posted on any day, found once for the context
        rule = fixed  # type: ignore[assignment]
        rules = () if rule is None else (rule,)
    if rule is None or (query.posted_on is None and rule not in rules):
        rule = rules[0] if rules else None  # the general rule may reach no content posted by as_of
    elif rules[0] is not rule:
        rules = (rule, *[r for r in rules if r is not rule])
    elsewhere: tuple[Rule, ...] = ()
    if "country" in depends_on:
        elsewhere = tuple(
            dict.fromkeys(
                r for key in ctx.keys[1:] for level in ctx.level_sets[key][:1] for r in level[1] if r not in rules
            )
        )
    return Analysis(verdict, depends_on, own, rule, rules, given_day, by_country, elsewhere)


def fact_class(ctx: Context, query: Query) -> tuple[object, ...]:
    """Return what the analysis of a question turns on about its days and the user's age: each day itself where it
    is near a day the rules name, else its place among those days; how far apart the question's days are, up to a
    few days; and the age's place among the age limits that can change an outcome. Questions a year apart can so
    share one analysis.

    The analysis compares the days it tries (the question's days, the day or two before them, the days before the
    context's cuts) with the rules' days and with each other, and an age with the rules' limits, and nothing else.
    Days that lie between the same two of the context's marks (each rule day, MARGIN days either side) and keep
    their order and nearness to each other compare alike: the verdict, what it depends on and the rules it rests
    on are the same (tests/policy/test_policy_day_classes.py walks every day against the analysis alone).
    """
    marks = ctx.marks
    # An age compares only with the limits that can change an outcome (a rule that uses no one's content has none).
    age = None if query.age is None else bisect_right(ctx.min_ages, query.age)
    own = (query.objected_on, query.posted_on, query.opted_in_on)
    if own == _NO_DAYS:  # most questions name no day of their own
        return (_place(marks, query.as_of), age)
    days = (query.as_of, *own)
    places = tuple(None if d is None else _place(marks, d) for d in days)
    apart = tuple(
        None if a is None or b is None else max(-_FAR, min(_FAR, (a - b).days))
        for i, a in enumerate(days)
        for b in days[i + 1 :]
    )
    return (places, apart, age)


def _place(marks: tuple[date, ...], day: date) -> object:
    """Return the day itself where it is one of the marks, else how many marks come before it."""
    at = bisect_left(marks, day)
    return day if at < len(marks) and marks[at] == day else at


ByCountry = tuple[tuple[str | None, Verdict, tuple[str, ...]], ...]
# The verdict, what it depends on, the answers per country, and the posting days tried.
Found = tuple[Verdict, tuple[str, ...], ByCountry, tuple[date | None, ...]]


def _verdict(ctx: Context, samples: Samples) -> Found:
    """Return the verdict, depends_on, per-country answers and the posting days tried."""
    columns: dict[tuple[int, date | None], tuple[Verdict, ...]] = {}
    tables = {
        key: _table(found, ctx.fixed.get(key, _WINDOWED), samples, columns) for key, found in ctx.level_sets.items()
    }
    distinct = set(tables.values())
    first = next(iter(distinct))
    # An opt-in rule left open by the query answers conditional on opted_in in every cell it decides.
    opted = {"opted_in"} if any(Verdict.CONDITIONAL in table for table in distinct) else set()
    if len(distinct) == 1 and first.count(first[0]) == len(first):
        return first[0], _ordered(opted), (), samples.posted
    varying = {table: samples.varying(table) | (opted if Verdict.CONDITIONAL in table else set()) for table in distinct}
    depends = set().union(*varying.values())
    by_country: list[tuple[str | None, Verdict, tuple[str, ...]]] = []
    if len(distinct) > 1:
        depends.add("country")
        for key in ctx.keys[1:]:
            table = tables[key]
            verdict = table[0] if table.count(table[0]) == len(table) else Verdict.CONDITIONAL
            entry = (key[0] if key else None, verdict, _ordered(varying[table]))
            if entry not in by_country:
                by_country.append(entry)
    return Verdict.CONDITIONAL, _ordered(depends), tuple(by_country), samples.posted


def _ordered(params: set[str]) -> tuple[str, ...]:
    return tuple(p for p in DEPENDS_ON_ORDER if p in params)


def _rules_for(found: tuple[Level, ...], posted: tuple[date | None, ...]) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for day in posted:
        rule = select(found, day)
        if rule is not None and rule not in rules:
            rules.append(rule)
    return tuple(rules)


def _table(
    found: tuple[Level, ...],
    fixed: Rule | None | object,
    samples: Samples,
    columns: dict[tuple[int, date | None], tuple[Verdict, ...]],
) -> tuple[Verdict, ...]:
    """Return the outcomes for every sampled (posting day, age, objection), in that nesting order."""
    if fixed is not _WINDOWED and not _compares_posting(fixed):  # type: ignore[arg-type]
        # The same rule decides for any posting day, and that day does not enter its outcome.
        key: tuple[int, date | None] = (id(fixed), None)
        col = columns.get(key)
        if col is None:
            col = columns[key] = _column(fixed, None, samples)  # type: ignore[arg-type]
        return col * len(samples.posted)
    cols = []
    for day in samples.posted:
        rule = select(found, day)
        key = (id(rule), day if _compares_posting(rule) else None)
        col = columns.get(key)
        if col is None:
            col = columns[key] = _column(rule, day, samples)
        cols.append(col)
    return cols[0] if len(cols) == 1 else tuple(chain.from_iterable(cols))


def _compares_posting(rule: Rule | None) -> bool:
    """Return whether the rule's outcome compares the posting day with the objection day."""
    return (
        rule is not None
        and rule.opt_out is not None
        and rule.opt_out.late_objection is LateObjection.COVERS_LATER_POSTS
    )


def _column(rule: Rule | None, posted_on: date | None, samples: Samples) -> tuple[Verdict, ...]:
    """Return the outcomes for one posting day under one rule, for every sampled (age, objection)."""
    objections = samples.objections
    # A disputed rule's opt-out matters only for an objection the query states: said nothing, it stays unknown.
    disputed = rule is not None and rule.treatment is Treatment.UNKNOWN and not samples.open_objected
    if rule is None or (rule.treatment is not Treatment.OPT_OUT and not disputed) or rule.opt_out is None:
        # The objection cannot matter: work out each age once.
        return tuple(
            v for age in samples.ages for v in (outcome(rule, age, None, posted_on, samples.opted),) * len(objections)
        )
    row = tuple(outcome(rule, None, day, posted_on) for day in objections)
    limit = rule.min_age
    if not limit:
        return row * len(samples.ages)
    excluded = (_UNDER_AGE[rule.under_age],) * len(objections)
    return tuple(v for age in samples.ages for v in (excluded if age is not None and age < limit else row))
