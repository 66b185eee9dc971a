"""Small phrases shared by the summary and the reasons, as data (codes and parameters, no words)."""

from __future__ import annotations

from datetime import date

from .model import GLOBAL, Phrase, Query, Rule, Snapshot, Verdict, phrase
from .worlds import Analysis


def has_limit(rule: Rule) -> bool:
    """Return whether the rule's opt-out has a day after which objections are late."""
    opt = rule.opt_out
    return opt is not None and (
        opt.deadline is not None or (rule.effective_from is not None and opt.start_keeps_all_out)
    )


def start_unconfirmed(rule: Rule) -> bool:
    """Return whether the rule starts only on the first day its sources confirm it, with no deadline: no objection
    is then known to keep all content out."""
    opt = rule.opt_out
    return opt is not None and opt.deadline is None and not opt.start_keeps_all_out


def in_time(rule: Rule) -> Phrase:
    """Return when an objection must be made to keep all content out."""
    deadline = rule.opt_out.deadline if rule.opt_out else None
    if deadline:
        return phrase("in_time.deadline", day=deadline)
    return phrase("in_time.effective", day=rule.effective_from)


def limit(rule: Rule) -> Phrase | None:
    """Return the day after which objections are late (None: every objection counts as late, start_unconfirmed)."""
    deadline = rule.opt_out.deadline if rule.opt_out else None
    if deadline:
        return phrase("limit.deadline", day=deadline)
    if start_unconfirmed(rule):
        return None
    if rule.effective_from:
        return phrase("limit.effective", day=rule.effective_from)
    return phrase("limit.effective_undated")


def late(rule: Rule) -> Phrase:
    """Return what a late objection covers under the rule's opt-out."""
    assert rule.opt_out is not None
    # Where no objection is known to be in time, every objection is "late": it is not called a later one.
    return phrase(f"late.{rule.opt_out.late_objection.value}", any=start_unconfirmed(rule))


def late_possible(rule: Rule, as_of: date) -> bool:
    """Return whether an objection made by the decision's day could already be late."""
    opt = rule.opt_out
    if opt is None:
        return False
    if opt.deadline is not None:
        return as_of > opt.deadline
    return rule.effective_from is None or as_of >= rule.effective_from


def window(rule: Rule) -> Phrase:
    """Return the rule's posting window."""
    if rule.posted_from and rule.posted_until:
        return phrase("window.between", start=rule.posted_from, end=rule.posted_until)
    if rule.posted_from:
        return phrase("window.from", start=rule.posted_from)
    return phrase("window.until", end=rule.posted_until)


def by_country(analysis: Analysis) -> Phrase:
    """Return which jurisdictions get which answer (None among the names stands for "elsewhere")."""
    groups: dict[tuple[Verdict, tuple[str, ...]], list[str | None]] = {}
    for label, verdict, depends_on in analysis.by_country:
        what = (verdict, depends_on)
        name = None if label == GLOBAL else label  # GLOBAL or no rule at all: countries no narrower rule names
        if name not in groups.setdefault(what, []):
            groups[what].append(name)
    parts = tuple((tuple(names), verdict.value, depends_on) for (verdict, depends_on), names in groups.items())
    return phrase("by_country", parts=parts)


def place(query: Query) -> str:
    """Return where a question is about, as answers without a rule name it: its country, or GLOBAL."""
    return query.country or GLOBAL


def no_rule(snapshot: Snapshot, query: Query) -> Phrase:
    """Return "no confirmed rule for this category on this platform in this place on this day"."""
    return phrase(
        "no_rule",
        category_id=query.category_id,
        category=snapshot.categories[query.category_id].name,
        platform=snapshot.platforms[query.platform_id].name,
        where=place(query),
        day=query.as_of,
    )


def rule_summary(rule: Rule) -> Phrase:
    """Return the rule's own summary (the dataset's text, translated where the dataset has a translation)."""
    return phrase("rule.summary", rule=rule.id, text=rule.summary)
