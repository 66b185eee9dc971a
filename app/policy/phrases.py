"""Small wording helpers shared by the summary and the reasons."""

from __future__ import annotations

from datetime import date

from .model import GLOBAL, LateObjection, Query, Rule, Snapshot, Treatment, Verdict
from .worlds import Analysis

WORD = {Verdict.USED: "used", Verdict.NOT_USED: "not used", Verdict.CONDITIONAL: "conditional",
        Verdict.UNKNOWN: "unknown"}
TREATMENT_WORD = {Treatment.USED: "is used", Treatment.NOT_USED: "is not used", Treatment.OPT_IN: "is not used",
                  Treatment.UNKNOWN: "is unknown"}
LATE = {
    LateObjection.COVERS_LATER_POSTS: "a later objection covers only content posted from the day of the objection",
    LateObjection.STOPS_FUTURE_TRAINING: "a later objection stops future training, but training already done is "
                                         "not undone",
    LateObjection.NO_EFFECT: "a later objection changes nothing",
}
ALWAYS_NOT_USED = (Treatment.NOT_USED, Treatment.OPT_IN)


def has_limit(rule: Rule) -> bool:
    """Return whether the rule's opt-out has a day after which objections are late."""
    return rule.opt_out is not None and (rule.opt_out.deadline is not None or rule.effective_from is not None)


def in_time(rule: Rule) -> str:
    """Return when an objection must be made to keep all content out, as a phrase."""
    deadline = rule.opt_out.deadline if rule.opt_out else None
    return f"by {deadline}" if deadline else f"before the rule took effect on {rule.effective_from}"


def limit(rule: Rule) -> str:
    """Return the day after which objections are late, as a phrase."""
    deadline = rule.opt_out.deadline if rule.opt_out else None
    if deadline:
        return f"the deadline {deadline}"
    return f"the rule took effect on {rule.effective_from}" if rule.effective_from else "the rule took effect"


def late_possible(rule: Rule, as_of: date) -> bool:
    """Return whether an objection made by the decision's day could already be late."""
    opt = rule.opt_out
    if opt is None:
        return False
    if opt.deadline is not None:
        return as_of > opt.deadline
    return rule.effective_from is None or as_of >= rule.effective_from


def window(rule: Rule) -> str:
    """Return the rule's posting window as a phrase."""
    if rule.posted_from and rule.posted_until:
        return f"from {rule.posted_from} to {rule.posted_until}"
    return f"from {rule.posted_from}" if rule.posted_from else f"up to {rule.posted_until}"


def by_country(analysis: Analysis) -> str:
    """Return which jurisdictions get which answer, e.g. "US: used; EEA, GB: conditional on age; elsewhere: unknown"."""
    groups: dict[str, list[str | None]] = {}
    for label, verdict, depends_on in analysis.by_country:
        what = f"conditional on {', '.join(depends_on)}" if depends_on else WORD[verdict]
        name = None if label == GLOBAL else label  # GLOBAL or no rule at all: countries no narrower rule names
        if name not in groups.setdefault(what, []):
            groups[what].append(name)
    parts = []
    for what, names in groups.items():
        named = [n for n in names if n is not None]
        if None in names:
            named.append("elsewhere")
        parts.append(f"{', '.join(named)}: {what}")
    return "; ".join(parts)


def no_rule(snapshot: Snapshot, query: Query) -> str:
    """Return "no confirmed rule for X on P in C on D"."""
    platform = snapshot.platforms[query.platform_id].name
    category = snapshot.categories[query.category_id].name
    category = category[:1].lower() + category[1:] if category[1:2].islower() else category
    return f"no confirmed rule for {category} on {platform} in {query.country or GLOBAL} on {query.as_of}"
