"""Write the one-sentence summary of a decision."""

from __future__ import annotations

from .model import LateObjection, Query, Snapshot, Treatment, UnderAge, Verdict
from .phrases import (
    ALWAYS_NOT_USED,
    LATE,
    TREATMENT_WORD,
    by_country,
    has_limit,
    in_time,
    late_possible,
    limit,
    no_rule,
    window,
)
from .worlds import Analysis, objection_in_time


def summarise(snapshot: Snapshot, query: Query, analysis: Analysis) -> str:
    """Return one plain sentence that answers the question."""
    rule = analysis.rule
    if analysis.verdict is Verdict.CONDITIONAL:
        return _conditional(query, analysis)
    if rule is None:
        return f"Unknown: {no_rule(snapshot, query)}."
    if rule.min_age and query.age is not None and query.age < rule.min_age:
        if rule.under_age is UnderAge.UNKNOWN:
            return f"Unknown: the sources speak only of accounts aged {rule.min_age} or over."
        if rule.treatment not in ALWAYS_NOT_USED:
            return f"Not used: accounts under {rule.min_age} are excluded."
    if analysis.verdict is Verdict.UNKNOWN:
        # Rules whose own summary already opens with the verdict are not prefixed twice.
        return rule.summary if rule.summary.lower().startswith("unknown") else f"Unknown: {rule.summary}"
    opt = rule.opt_out
    day = analysis.objected_on
    counts = day is not None or (query.objected and query.objected_on is None)
    if rule.treatment is not Treatment.OPT_OUT or opt is None or not counts:
        return rule.summary  # the rule's own words fit: nothing the user told us changes its outcome
    late = opt.late_objection
    if day is None:  # objected on a day not given, and the day does not matter
        if analysis.verdict is Verdict.USED:
            return f"Still used: an objection after {limit(rule)} changes nothing."
        undone = late is LateObjection.STOPS_FUTURE_TRAINING and late_possible(rule, query.as_of)
        return "Not used: you objected" + ("; training already done is not undone." if undone else ".")
    if objection_in_time(rule, day):
        return f"Not used: you objected on {day}, {in_time(rule)}."
    if late is LateObjection.STOPS_FUTURE_TRAINING:
        return f"Not used from your objection on {day} on; training already done is not undone."
    if analysis.verdict is Verdict.NOT_USED:
        return f"Not used: your objection on {day} covers content posted from that day on."
    if late is LateObjection.COVERS_LATER_POSTS:
        return f"Still used: your objection on {day} came after {limit(rule)} and covers only content posted from " \
               f"that day on."
    return f"Still used: an objection after {limit(rule)} changes nothing."


def _conditional(query: Query, analysis: Analysis) -> str:
    if "country" in analysis.depends_on:
        return f"Depends on your country: {by_country(analysis)}."
    rule = analysis.rule
    clauses = []
    opt = rule.opt_out if rule is not None and rule.treatment is Treatment.OPT_OUT else None
    if rule is None:
        clauses.append("Depends on when the content was posted")
    elif opt is not None:
        # Name the deadline only where missing it makes a difference.
        dated = has_limit(rule) and opt.late_objection is not LateObjection.STOPS_FUTURE_TRAINING
        clauses.append(f"Used unless you objected {in_time(rule)}" if dated else "Used unless you objected")
        if late_possible(rule, query.as_of) and {"objected", "objected_on", "posted_on"} & set(analysis.depends_on):
            clauses.append(LATE[opt.late_objection])
    else:
        clauses.append(rule.summary.rstrip("."))
    for other in analysis.rules:
        if other is not rule and other.has_posting_window:
            what = TREATMENT_WORD.get(other.treatment, f"falls under rule {other.id}")
            clauses.append(f"content posted {window(other)} {what}")
    if "age" in analysis.depends_on:
        ages = sorted({r.min_age for r in analysis.rules if r.min_age})
        clauses.extend(f"accounts under {m} are excluded" for m in ages)
    return "; ".join(clauses) + "."
