"""Answer "is this content used for AI training?" from a snapshot, for one category or a whole platform."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from .confidence import KIND_RANK
from .errors import QueryError
from .explain import explain
from .index import PairIndex, bounded_memo, context, pair_index
from .model import (
    GLOBAL,
    Category,
    Citation,
    Decision,
    JurisdictionKind,
    MemoKind,
    OptOutFacts,
    Platform,
    Query,
    Rule,
    Snapshot,
    Source,
    Verdict,
    key_rule_ids,
    phrase,
)
from .phrases import no_rule
from .query import ParsedQuery
from .summary import summarise
from .uses import combine, decidable
from .worlds import analyse

# A rule set's citations (and its opt-out deadlines'), keyed by its rules' ids; sources and deadlines are never
# patched, so a rule write drops only the entries of the rules it changed.
SOURCES = MemoKind("sources", rule_ids=key_rule_ids)


def decide(snapshot: Snapshot, query: Query) -> Decision:
    """Return the decision for the query's platform and category; raise QueryError for unknown ids."""
    return _decide(snapshot, _platform(snapshot, query.platform_id), _category(snapshot, query.category_id), query)


def decide_many(snapshot: Snapshot, query: Query, category_ids: Iterable[str] | None = None) -> tuple[Decision, ...]:
    """Return one decision per category (default: every category the platform has rules for), in order."""
    platform = _platform(snapshot, query.platform_id)
    if category_ids is None:
        category_ids = snapshot.categories_by_platform.get(platform.id, ())
    categories = [_category(snapshot, cid) for cid in category_ids]  # fail before doing any work
    if len(categories) == 1 and categories[0].id == query.category_id:  # most questions name their one category
        return (_decide(snapshot, platform, categories[0], query),)
    return tuple(
        _decide(
            snapshot,
            platform,
            category,
            query if query.category_id == category.id else replace(query, category_id=category.id),
        )
        for category in categories
    )


def answer(snapshot: Snapshot, parsed: ParsedQuery) -> tuple[Decision, ...]:
    """Return the decisions a parsed request asks for: its one category, or all of the platform's."""
    return decide_many(snapshot, parsed.query, parsed.category_ids)


def prepare(snapshot: Snapshot) -> None:
    """Build every platform and category index ahead of the first request, so none pays for it."""
    for (platform_id, category_id), uses in snapshot.uses_by_pair.items():
        for used_by in uses if len(uses) > 1 else (None,):
            pair_index(snapshot, platform_id, category_id, used_by)


def opt_out_facts(rule: Rule | None, as_of: date) -> OptOutFacts | None:
    """Return the rule's opt-out as it stands on the day, or None where the rule has none."""
    opt = rule.opt_out if rule is not None else None
    if opt is None:
        return None
    passed = None if opt.deadline is None else as_of > opt.deadline
    return OptOutFacts(
        available=True,
        method=opt.method,
        url=opt.url,
        deadline=opt.deadline,
        deadline_passed=passed,
        after_deadline=opt.after_deadline,
    )


def sources_for(snapshot: Snapshot, rules: Iterable[Rule]) -> tuple[Source, ...]:
    """Return the citations of the rules and of their opt-out deadlines, each source once, strongest first per rule.

    Each source carries the quote (and place) with which that rule cites it, not the source's own short quote.
    """
    rules = tuple(rules)
    memo = bounded_memo(snapshot, SOURCES)  # few distinct rule sets recur across many questions
    key = tuple(r.id for r in rules)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _sources_for(snapshot, rules)
    return found


def _sources_for(snapshot: Snapshot, rules: tuple[Rule, ...]) -> tuple[Source, ...]:
    cited: dict[str, Source] = {}
    for rule in rules:
        deadline = (
            snapshot.deadlines.get(rule.opt_out.deadline_id) if rule.opt_out and rule.opt_out.deadline_id else None
        )
        for owner in (rule, deadline):
            if owner is None:
                continue
            found = [c for c in _citations(snapshot, owner.source_ids, owner.citations) if c.id not in cited]
            cited.update((c.id, c) for c in sorted(found, key=lambda c: KIND_RANK.get(c.kind, len(KIND_RANK))))
    return tuple(cited.values())


def _citations(snapshot: Snapshot, source_ids: tuple[str, ...], citations: tuple[Citation, ...]) -> list[Source]:
    quotes = {c.source_id: c for c in citations}
    # A citation that gives neither words nor a place supports nothing, so it is left out, unless no citation of
    # the record says more (an unknown rule may rest on sources that only show what is missing).
    telling = any(c.quote is not None or c.where is not None for c in citations)
    out = []
    for sid in source_ids:
        source = snapshot.sources.get(sid)
        link = quotes.get(sid)
        if source is None or (telling and link is not None and link.quote is None and link.where is None):
            continue
        out.append(source if link is None else replace(source, quote=link.quote, where=link.where))
    return out


def rules_apply(snapshot: Snapshot, query: Query) -> bool:
    """Return whether a rule is in force for the query's category, country and day (on the platform's one use).

    Where none is, the answer is the one for a category without rules (`without_rules`); a platform whose own
    training and third parties' are apart always counts as having rules here.
    """
    return rules_in_force(snapshot, query.platform_id, query.category_id, query.country, query.as_of)


def rules_in_force(snapshot: Snapshot, platform_id: str, category_id: str, country: str | None, day: date) -> bool:
    """Return rules_apply's answer from the parts of a question it turns on (a batch's plain checks ask so)."""
    uses = snapshot.uses_by_pair.get((platform_id, category_id), ())
    if len(uses) != 1:
        return bool(uses)
    return _in_force(snapshot, pair_index(snapshot, platform_id, category_id), country, day)


def _in_force(snapshot: Snapshot, index: PairIndex, country: str | None, day: date) -> bool:
    """Return whether any chain the question can resolve to has a rule in force on its day (memoised context)."""
    if index.ended_from is not None and day >= index.ended_from:
        return False  # every rule of the pair has ended: e.g. 100,000 rules of past years, asked about today
    return any(context(snapshot, index, country, day).level_sets.values())


def without_rules(snapshot: Snapshot, query: Query) -> Decision:
    """Return the decision for a question no rule is in force for: unknown, saying so for the place and day."""
    return _no_rules(snapshot, _category(snapshot, query.category_id), query)


def _decide(snapshot: Snapshot, platform: Platform, category: Category, query: Query) -> Decision:
    uses = snapshot.uses_by_pair.get((platform.id, category.id), ())
    if not uses:
        return _no_rules(snapshot, category, query)
    if len(uses) == 1:
        index = pair_index(snapshot, platform.id, category.id)
        if not _in_force(snapshot, index, query.country, query.as_of):
            # No rule in force in any chain the question can resolve to (e.g. rules only elsewhere or in other
            # years): what the analysis would find, without it (tests/truth/test_no_rule_in_force.py).
            return _no_rules(snapshot, category, query)
        return _decide_one(snapshot, category, query, index)
    # The platform's own training and third parties' training are separate rules: decide each, then combine.
    indexes = [(use, pair_index(snapshot, platform.id, category.id, use)) for use in uses]
    combined = combine(category.id, [(use, _decide_one(snapshot, category, query, index)) for use, index in indexes])
    if combined.verdict is Verdict.CONDITIONAL:
        rules = snapshot.rules_by_pair.get((platform.id, category.id), ())

        def verdicts(filled: Query) -> list[Verdict]:
            return [analyse(snapshot, index, filled).verdict for _, index in indexes]

        countries = _countries(snapshot, rules) if "country" in combined.depends_on else []
        if not decidable(query, combined.depends_on, rules, countries, verdicts):
            # No values of the facts it names decide it: asking for them would change nothing (contract).
            combined = replace(combined, verdict=Verdict.UNKNOWN, depends_on=())
    return combined


def _countries(snapshot: Snapshot, rules: Iterable[Rule]) -> list[str]:
    """Return one country for each set of the rules' jurisdictions a country can fall in (none of them, too): the
    answer is the same for every country of a set, so these stand for every country."""
    named = {r.jurisdiction for r in rules} - {GLOBAL}
    groups = {code: snapshot.jurisdictions[code].members for code in named if code in snapshot.jurisdictions}
    found: dict[frozenset[str], str] = {}
    for code, j in sorted(snapshot.jurisdictions.items()):
        if j.kind is JurisdictionKind.COUNTRY:
            found.setdefault(frozenset(g for g, members in groups.items() if g == code or code in members), code)
    return list(found.values())


def _no_rules(snapshot: Snapshot, category: Category, query: Query) -> Decision:
    """Return the decision where no rule is in force: what the analysis finds for it, without the analysis.

    Most categories of most platforms have no rule, so a question picked at random is most often one of these.
    """
    missing = no_rule(snapshot, query)
    return Decision(
        category_id=category.id,
        verdict=Verdict.UNKNOWN,
        summary=phrase("summary.no_rule", no_rule=missing),
        reasons=(phrase("reason.no_rule", no_rule=missing),),
    )


def _decide_one(snapshot: Snapshot, category: Category, query: Query, index: PairIndex) -> Decision:
    analysis = analyse(snapshot, index, query)
    return Decision(
        category_id=category.id,
        verdict=analysis.verdict,
        summary=summarise(snapshot, query, analysis),
        reasons=explain(snapshot, query, analysis),
        depends_on=analysis.depends_on,
        rule=analysis.rule,
        opt_out=opt_out_facts(analysis.rule, query.as_of),
        sources=sources_for(snapshot, analysis.rules + analysis.elsewhere),
        rule_ids=tuple(dict.fromkeys(r.id for r in analysis.rules + analysis.elsewhere)),
    )


def _platform(snapshot: Snapshot, platform_id: str) -> Platform:
    found = snapshot.platforms.get(platform_id)
    if found is None:
        raise QueryError(404, "platform_id", f"There is no platform {platform_id!r}.", tuple(snapshot.platforms))
    return found


def _category(snapshot: Snapshot, category_id: str) -> Category:
    found = snapshot.categories.get(category_id)
    if found is None:
        raise QueryError(422, "category", f"There is no data category {category_id!r}.", tuple(snapshot.categories))
    return found
