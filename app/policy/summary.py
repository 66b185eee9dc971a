"""The one-sentence summary of a decision, as data."""

from __future__ import annotations

from .model import LateObjection, Phrase, Query, Snapshot, Treatment, UnderAge, Verdict, phrase
from .phrases import (
    by_country,
    has_limit,
    in_time,
    late,
    late_possible,
    limit,
    no_rule,
    rule_summary,
    window,
)
from .worlds import Analysis, objection_in_time


def summarise(snapshot: Snapshot, query: Query, analysis: Analysis) -> Phrase:
    """Return one phrase that answers the question."""
    rule = analysis.rule
    if analysis.verdict is Verdict.CONDITIONAL:
        return _conditional(query, analysis)
    if rule is None:
        return phrase("summary.no_rule", no_rule=no_rule(snapshot, query))
    if rule.min_age and query.age is not None and query.age < rule.min_age:
        if rule.under_age is UnderAge.UNKNOWN:
            return phrase("summary.adults_only", min_age=rule.min_age)
        if rule.treatment is not Treatment.NOT_USED:  # an opt-in rule too: a minor is not used, opted in or not
            return phrase("summary.minors_excluded", min_age=rule.min_age)
    if (
        analysis.verdict is Verdict.UNKNOWN
        and rule.treatment is Treatment.OPT_OUT
        and (analysis.objected_on is not None or query.objected)  # an objection on a day not given, too
        and rule.opt_out is not None
        and rule.opt_out.late_objection is LateObjection.UNKNOWN
    ):
        day = analysis.objected_on
        return phrase("summary.objected_late.unknown", day=day, limit=limit(rule) if day is not None else None)
    if analysis.verdict is Verdict.UNKNOWN and rule.treatment is Treatment.OPT_IN and query.opted is False:
        # The rule's own words speak of users who switched it on; say whether this one had not, or only later.
        return phrase("summary.not_opted_in.unknown", day=query.opted_in_on if query.opted_in else None)
    if analysis.verdict is Verdict.UNKNOWN:
        # Rules whose own summary already opens with the verdict are not prefixed twice.
        if rule.summary.lower().startswith("unknown"):
            return rule_summary(rule)
        return phrase("summary.unknown", summary=rule_summary(rule))
    if rule.treatment is Treatment.OPT_IN and analysis.verdict is Verdict.USED:
        return phrase("summary.opted_in", day=query.opted_in_on)
    opt = rule.opt_out
    day = analysis.objected_on
    counts = day is not None or (query.objected and query.objected_on is None)
    if rule.treatment not in (Treatment.OPT_OUT, Treatment.UNKNOWN) or opt is None or not counts:
        return rule_summary(rule)  # the rule's own words fit: nothing the user told us changes its outcome
    late_kind = opt.late_objection
    if day is None:  # objected on a day not given, and the day does not matter
        if analysis.verdict is Verdict.USED:
            return phrase("summary.late_changes_nothing", limit=limit(rule))
        undone = late_kind is LateObjection.STOPS_FUTURE_TRAINING and late_possible(rule, query.as_of)
        return phrase("summary.objected", undone=undone)
    if objection_in_time(rule, day):
        return phrase("summary.objected_in_time", day=day, in_time=in_time(rule))
    if late_kind is LateObjection.STOPS_FUTURE_TRAINING:
        return phrase("summary.objected_late.stops_future_training", day=day)
    if late_kind is LateObjection.UNKNOWN:
        return phrase("summary.objected_late.unknown", day=day, limit=limit(rule))
    if analysis.verdict is Verdict.NOT_USED:
        return phrase("summary.objection_covers_newer", day=day)
    if late_kind is LateObjection.COVERS_LATER_POSTS:
        return phrase("summary.objected_late.covers_later_posts", day=day, limit=limit(rule))
    return phrase("summary.late_changes_nothing", limit=limit(rule))


def _conditional(query: Query, analysis: Analysis) -> Phrase:
    if "country" in analysis.depends_on:
        return phrase("summary.by_country", by_country=by_country(analysis))
    rule = analysis.rule
    clauses: list[Phrase] = []
    opt = rule.opt_out if rule is not None and rule.treatment is Treatment.OPT_OUT else None
    if rule is None:
        clauses.append(phrase("clause.depends_on_posting_day"))
    elif opt is not None:
        # Name the deadline only where missing it makes a difference.
        dated = has_limit(rule) and opt.late_objection is not LateObjection.STOPS_FUTURE_TRAINING
        clauses.append(phrase("clause.unless_objected", in_time=in_time(rule) if dated else None))
        if late_possible(rule, query.as_of) and {"objected", "objected_on", "posted_on"} & set(analysis.depends_on):
            clauses.append(late(rule))
    else:
        clauses.append(phrase("clause.rule_summary", summary=rule_summary(rule)))
    for other in analysis.rules:
        if other is not rule and other.has_posting_window:
            clauses.append(
                phrase("clause.window", window=window(other), treatment=other.treatment.value, rule=other.id)
            )
    if "age" in analysis.depends_on:
        # A limit whose younger accounts the sources leave open is stated as unknown, never as an exclusion: where
        # rules of one answer disagree about the same limit, the weaker claim holds.
        limits: dict[int, bool] = {}
        for r in analysis.rules:
            if r.min_age:
                limits[r.min_age] = limits.get(r.min_age, False) or r.under_age is UnderAge.UNKNOWN
        clauses.extend(
            phrase("clause.minors_unconfirmed" if unconfirmed else "clause.minors_excluded", min_age=m)
            for m, unconfirmed in sorted(limits.items())
        )
    return phrase("summary.clauses", clauses=tuple(clauses))
