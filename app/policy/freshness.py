"""How fresh an answer is: when its rules were last reviewed, and whether that review is out of date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .index import bounded_memo
from .model import Decision, MemoKind, Phrase, Snapshot, phrase


def _key_rules(key: tuple[tuple[str, ...], object, object]) -> tuple[str, ...]:
    """Return the rule ids of a freshness memo key (rule ids, today, max_days)."""
    return key[0]


FRESHNESS = MemoKind("freshness", rule_ids=_key_rules)  # a rule set's review and staleness on a day


def with_freshness(
    snapshot: Snapshot, decisions: Iterable[Decision], today: date, max_days: int
) -> tuple[Decision, ...]:
    """Return the decisions with `reviewed_on` and `stale` set, and the reasons of a stale one appended.

    A decision is stale when a source of a rule it rests on changed or vanished since the rule's last review, or that
    review is more than max_days before today. Its verdict stays; the reasons say why it may be out of date.
    """
    return tuple(_fresh(snapshot, d, today, max_days) for d in decisions)


def _fresh(snapshot: Snapshot, decision: Decision, today: date, max_days: int) -> Decision:
    if not decision.rule_ids:
        return decision  # no rule: never reviewed, never stale, as the decision already says
    # The same few rule sets recur across many questions; the result depends only on those rules and the day.
    memo = bounded_memo(snapshot, FRESHNESS)
    key = (decision.rule_ids, today, max_days)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _freshness(snapshot, decision.rule_ids, today, max_days)
    reviewed_on, why = found
    d = decision
    return Decision(
        d.category_id,
        d.verdict,
        d.summary,
        d.reasons + why if why else d.reasons,
        d.depends_on,
        d.rule,
        d.opt_out,
        d.sources,
        d.rule_ids,
        reviewed_on,
        bool(why),
    )


def _freshness(
    snapshot: Snapshot, rule_ids: tuple[str, ...], today: date, max_days: int
) -> tuple[date | None, tuple[Phrase, ...]]:
    """Return the oldest last review of the rules, and the reasons their answers may be out of date."""
    rules = [snapshot.rules[rule_id] for rule_id in rule_ids if rule_id in snapshot.rules]
    reviewed = [r.reviewed_on for r in rules if r.reviewed_on is not None]
    why: list[Phrase] = [
        phrase(
            "reason.stale.finding",
            rule=r.id,
            source=f.source_id,
            outcome=f.outcome,
            checked_on=f.checked_on,
            reviewed_on=r.reviewed_on,
        )
        for r in rules
        for f in r.findings
    ]
    why += [
        phrase("reason.stale.review_old", rule=r.id, reviewed_on=r.reviewed_on, max_days=max_days)
        for r in rules
        if r.reviewed_on is not None and (today - r.reviewed_on).days > max_days
    ]
    return min(reviewed, default=None), tuple(why)
