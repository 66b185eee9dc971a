"""Per platform and category indexes the engine derives from a snapshot, built once and kept on it."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .model import GLOBAL, LateObjection, MemoKind, Rule, Snapshot, Treatment, UnderAge, UsedBy, day_after

# One step of a jurisdiction chain that has rules in force: the jurisdiction and those rules, oldest first.
Level = tuple[str, tuple[Rule, ...]]

_EMPTY: dict[str, tuple[Rule, ...]] = {}
_COVERS = LateObjection.COVERS_LATER_POSTS
_OBJECTABLE = (Treatment.OPT_OUT, Treatment.UNKNOWN)
_MEMO_LIMIT = 64  # contexts kept per pair; most requests ask about today, so a few suffice (each can hold KBs)
_SHARED_LIMIT = 20_000  # entries of each named memo (shared analyses...), a few MB at most
# Days around each rule date that are classes of their own: the analysis tries the day before a cut and the day
# before that, and compares them with the rules' days and with each other.
MARGIN = 2
_FIRST, _LAST = date.min.toordinal(), date.max.toordinal()


@dataclass(frozen=True, slots=True)
class PairIndex:
    """The rules of one platform and category by jurisdiction, and one sample country per way to resolve them."""

    by_jurisdiction: dict[str, tuple[Rule, ...]]
    # (country, chain) for one country per distinct set of rule jurisdictions in its chain: countries with the
    # same set always resolve to the same rules, so they always get the same answer.
    country_reps: tuple[tuple[str, tuple[str, ...]], ...]
    # Contexts by (the country's jurisdictions with rules, None: no country; the span of days).
    memo: dict[tuple[tuple[str, ...] | None, int], Context] = field(default_factory=dict, compare=False)
    # The days on which some rule of the pair starts or stops: between two of them the same rules are in force,
    # so every day of a span shares one context.
    boundaries: tuple[date, ...] = ()
    # The first day after every rule of the pair has ended (None while one has no end): from then on none is in
    # force anywhere, which a question answers without a context.
    ended_from: date | None = None
    # Each country's jurisdictions with rules, found once: a question about a rule asks for its context three times.
    places: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Context:
    """The rules in force on one day for a country's chain, or for every way to resolve one when it is open."""

    keys: tuple[tuple[str, ...], ...]  # per chain tried (the query's own first): its jurisdictions with rules
    level_sets: dict[tuple[str, ...], tuple[Level, ...]]  # the levels behind each distinct key
    fixed: dict[tuple[str, ...], Rule | None]  # for level sets without posting windows: the rule for any content
    opt_outs: tuple[Rule, ...]  # candidates an objection can change
    windows: tuple[Rule, ...]  # candidates that cover only a posting window
    covers: bool  # some late objection covers only later posts: objection and posting days are compared
    min_ages: tuple[int, ...]  # age limits that can change an outcome
    cuts: frozenset[date]  # first days on which a comparison the candidates make flips
    # Everything about the rules that can change an outcome: contexts with equal signatures (other categories,
    # other platforms) answer equal facts alike, so their analyses can be shared.
    signature: tuple[object, ...] = ()
    # Each day the signature names, and the days up to MARGIN before and after it, in order: between two of them the
    # analysis compares every day it tries with those days the same way (worlds.fact_class).
    marks: tuple[date, ...] = ()
    # Its key in its pair's memo: the country's jurisdictions with rules (None: no country) and the span of days. Two
    # questions with equal keys, about one pair, have the same rules in force.
    key: tuple[object, ...] = ()


def pair_index(snapshot: Snapshot, platform_id: str, category_id: str, used_by: UsedBy | None = None) -> PairIndex:
    """Return the index for one platform and category (and one user of the content), memoised on the snapshot."""
    key = ("pair", platform_id, category_id, used_by)
    found = snapshot.memo.get(key)
    if found is None:
        rules = snapshot.rules_by_pair.get((platform_id, category_id), ())
        if used_by is not None:
            rules = tuple(r for r in rules if r.used_by is used_by)
        found = _build(snapshot, rules)
        snapshot.memo[key] = found
    return found  # type: ignore[return-value]


def _build(snapshot: Snapshot, rules: tuple[Rule, ...]) -> PairIndex:
    by_jurisdiction: dict[str, list[Rule]] = {}
    for rule in rules:  # already oldest first, so each level stays oldest first
        by_jurisdiction.setdefault(rule.jurisdiction, []).append(rule)
    if not by_jurisdiction:
        return PairIndex(_EMPTY, (), {}, ())
    # A rule may name a country the jurisdiction table lacks; it still needs a sample of its own.
    countries = sorted(
        set(snapshot.chains) | {j for j in by_jurisdiction if j != GLOBAL and j not in snapshot.jurisdictions}
    )
    seen: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
    for country in countries:
        chain = snapshot.chain(country)
        signature = tuple(j for j in chain if j in by_jurisdiction)
        seen.setdefault(signature, (country, chain))
    boundaries = sorted(
        {
            d
            for r in rules
            for d in (
                r.effective_from,
                day_after(r.effective_until) if r.effective_until else None,
            )
            if d
        }
    )
    # Each rule ends after it starts, so once every rule has an end the last boundary is the day after the last end.
    ended_from = boundaries[-1] if all(r.effective_until and r.effective_until < date.max for r in rules) else None
    return PairIndex(
        {j: tuple(rs) for j, rs in by_jurisdiction.items()}, tuple(seen.values()), {}, tuple(boundaries), ended_from
    )


def context(snapshot: Snapshot, index: PairIndex, country: str | None, day: date) -> Context:
    """Return the rules in force on the day for the country (None: every way to resolve one), memoised."""
    # Countries whose chains hold the same jurisdictions with rules share one context: it follows from those alone.
    where = None
    if country is not None:
        where = index.places.get(country)
        if where is None:  # a country the question validated: a few hundred at most
            where = index.places[country] = tuple(j for j in snapshot.chain(country) if j in index.by_jurisdiction)
    key = (where, bisect_right(index.boundaries, day))
    found = index.memo.get(key)
    if found is None:
        if len(index.memo) >= _MEMO_LIMIT:
            index.memo.clear()
        found = index.memo[key] = _context(snapshot, index, country, day, key)
    return found


def _context(snapshot: Snapshot, index: PairIndex, country: str | None, day: date, key: tuple[object, ...]) -> Context:
    chains = [snapshot.chain(country)]
    if country is None:
        chains.extend(chain for _, chain in index.country_reps)
    keys = []
    level_sets: dict[tuple[str, ...], tuple[Level, ...]] = {}
    for chain in chains:
        found = levels(index, chain, day)
        held = tuple(j for j, _ in found)  # the rules in force follow from the jurisdictions and the day
        level_sets.setdefault(held, found)
        keys.append(held)
    candidates = list({r.id: r for found in level_sets.values() for _, rules in found for r in rules}.values())
    # A disputed rule's opt-out counts too: an objection beats the dispute (contract v1.1).
    opt_outs = tuple(r for r in candidates if r.treatment in _OBJECTABLE and r.opt_out is not None)
    windows = tuple(r for r in candidates if r.has_posting_window)
    flips: set[date | None] = set()
    for rule in opt_outs:
        deadline = rule.opt_out.deadline  # type: ignore[union-attr]
        if deadline is not None:
            flips.add(day_after(deadline))
        elif rule.effective_from is not None:
            flips.add(rule.effective_from)
    for rule in windows:
        if rule.posted_from is not None:
            flips.add(rule.posted_from)
        if rule.posted_until is not None:
            flips.add(day_after(rule.posted_until))
    # A comparison that would flip only after the last day a date can hold never flips: no cut (None).
    cuts = frozenset(day for day in flips if day is not None)
    return Context(
        keys=tuple(keys),
        level_sets=level_sets,
        fixed={
            held: select(found, None)
            for held, found in level_sets.items()
            if not any(r.has_posting_window for _, rules in found for r in rules)
        },
        opt_outs=opt_outs,
        windows=windows,
        covers=any(r.opt_out.late_objection is _COVERS for r in opt_outs),  # type: ignore[union-attr]
        min_ages=tuple(
            sorted(
                {
                    r.min_age
                    for r in candidates
                    # Only a rule that never uses content, at any age, has a limit that changes nothing: an
                    # opt-in rule uses an adult's who opted in and no minor's.
                    if r.min_age and (r.treatment is not Treatment.NOT_USED or r.under_age is not UnderAge.NOT_USED)
                }
            )
        ),
        cuts=cuts,
        signature=(
            tuple(keys),
            tuple(tuple(tuple(map(_behaviour, rules)) for _, rules in found) for found in level_sets.values()),
        ),
        marks=_marks(candidates),
        key=key,
    )


def _marks(rules: list[Rule]) -> tuple[date, ...]:
    """Return every day of the rules' behaviours (starts, posting windows, deadlines), with the MARGIN days around
    each, in order: the same days for every context of the same signature."""
    named = {
        d
        for r in rules
        for d in (r.effective_from, r.posted_from, r.posted_until, r.opt_out.deadline if r.opt_out else None)
        if d is not None
    }
    # By ordinal, so a day at an end of the calendar keeps the marks on its one side (it must stay a mark itself:
    # questions about it and about a day near it are not alike) and loses only those no date can hold.
    ordinals = {d.toordinal() + k for d in named for k in range(-MARGIN, MARGIN + 1)}
    return tuple(date.fromordinal(o) for o in sorted(ordinals) if _FIRST <= o <= _LAST)


def _behaviour(rule: Rule) -> tuple[object, ...]:
    opt = rule.opt_out
    return (
        rule.treatment,
        rule.min_age,
        rule.under_age,
        rule.not_opted_in,
        rule.effective_from,
        rule.posted_from,
        rule.posted_until,
        None if opt is None else (opt.deadline, opt.late_objection, opt.objection_before_start),
    )


def bounded_memo(snapshot: Snapshot, kind: MemoKind) -> dict[Any, Any]:
    """Return a named memo dict kept on the snapshot (and, as its kind says, on those patched from it), emptied
    whenever it grows past its bound."""
    found = snapshot.memo.get(kind)
    if found is None or len(found) >= _SHARED_LIMIT:  # type: ignore[arg-type]
        found = snapshot.memo[kind] = {}
    return found  # type: ignore[return-value]


def levels(index: PairIndex, chain: tuple[str, ...], day: date) -> tuple[Level, ...]:
    """Return the chain's jurisdictions that have rules in force on the day, most specific first."""
    found = []
    for jurisdiction in chain:
        rules = index.by_jurisdiction.get(jurisdiction)
        if rules:
            live = tuple(r for r in rules if r.in_force_on(day))
            if live:
                found.append((jurisdiction, live))
    return tuple(found)


def select(found: tuple[Level, ...], posted_on: date | None) -> Rule | None:
    """Return the rule that decides for content posted on the day (None: the day is not known)."""
    for _, rules in found:
        best: Rule | None = None
        best_windowed = False
        for rule in rules:
            windowed = rule.posted_from is not None or rule.posted_until is not None
            if windowed and (posted_on is None or not rule.covers_posted_on(posted_on)):
                continue
            # A rule for a posting window is the more specific one; otherwise the newest rule wins.
            if best is None or windowed or not best_windowed:
                best, best_windowed = rule, windowed
        if best is not None:
            return best
    return None
