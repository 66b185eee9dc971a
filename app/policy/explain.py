"""The reasons of a decision, as data: the facts the answer turns on, one phrase each."""

from __future__ import annotations

from datetime import date

from .index import bounded_memo
from .model import (
    LateObjection,
    MemoKind,
    NotOptedIn,
    Phrase,
    Query,
    Rule,
    Snapshot,
    Treatment,
    UnderAge,
    key_rule_ids,
    phrase,
)
from .phrases import (
    by_country,
    has_limit,
    in_time,
    late,
    late_possible,
    limit,
    no_rule,
    rule_summary,
    start_unconfirmed,
    window,
)
from .worlds import Analysis, objection_in_time

NOTES = MemoKind("notes", rule_ids=key_rule_ids)  # a rule set's notes, keyed by its rules' ids


def explain(snapshot: Snapshot, query: Query, analysis: Analysis) -> tuple[Phrase, ...]:
    """Return the facts the answer turns on, one phrase each."""
    reasons: list[Phrase] = []
    if "country" in analysis.depends_on:
        reasons.append(phrase("reason.by_country", day=query.as_of, by_country=by_country(analysis)))
    if not analysis.rules:
        reasons.append(phrase("reason.no_rule", no_rule=no_rule(snapshot, query)))
    for candidate in analysis.rules:
        reasons.append(_rule_reason(query, candidate))
    _outside_windows(query, analysis, reasons)
    rule = analysis.rule
    if rule is not None:
        _treatment(query, rule, analysis, reasons)
        _age(query, rule, analysis, reasons)
    reasons.extend(_notes(snapshot, analysis.rules))
    return tuple(reasons)


def _notes(snapshot: Snapshot, rules: tuple[Rule, ...]) -> tuple[Phrase, ...]:
    """Return the notes of the rules, each once, in order: made once for each set of rules until one changes."""
    if not any(r.notes for r in rules):
        return ()
    memo = bounded_memo(snapshot, NOTES)  # rules carry up to a dozen notes; few sets of rules recur
    key = tuple(r.id for r in rules)
    found = memo.get(key)
    if found is None:
        # No other reason is a note, so a note repeats one only if another rule of the set says the same words.
        found = memo[key] = tuple(
            phrase("note", text=note) for note in dict.fromkeys(n for r in rules for n in r.notes)
        )
    return found


def _rule_reason(query: Query, rule: Rule) -> Phrase:
    via = query.country if query.country and query.country != rule.jurisdiction else None
    return phrase(
        "reason.rule",
        rule=rule.id,
        jurisdiction=rule.jurisdiction,
        effective_from=rule.effective_from,
        effective_until=rule.effective_until,
        window=window(rule) if rule.has_posting_window else None,
        day=query.as_of,
        via=via,
        summary=rule_summary(rule),
    )


def _outside_windows(query: Query, analysis: Analysis, reasons: list[Phrase]) -> None:
    if query.posted_on is None:
        return
    for _, rules in analysis.levels:
        for rule in rules:
            if rule.has_posting_window and not rule.covers_posted_on(query.posted_on):
                reasons.append(
                    phrase("reason.outside_window", posted_on=query.posted_on, rule=rule.id, window=window(rule))
                )


def _treatment(query: Query, rule: Rule, analysis: Analysis, reasons: list[Phrase]) -> None:
    objected = bool(query.objected or query.objected_on)
    opt = rule.opt_out
    if rule.treatment is Treatment.UNKNOWN:
        reasons.append(phrase("reason.disputed"))
        if opt is not None and (analysis.objected_on is not None or query.objected):
            # An objection beats the dispute (contract v1.1): say how it was made and what it covers.
            _opt_out(query, rule, analysis, reasons)
    elif rule.treatment is Treatment.OPT_IN:
        unknown_off = rule.not_opted_in is NotOptedIn.UNKNOWN
        reasons.append(phrase("reason.opt_in_default_off", unknown_off=unknown_off))
        if query.opted_in is not None:
            on = query.opted_in_on
            reasons.append(
                phrase("reason.opted_in", day=on, yet=on is None or on <= query.as_of)
                if query.opted_in
                else phrase("reason.not_opted_in.unknown" if unknown_off else "reason.not_opted_in")
            )
    elif rule.treatment is Treatment.OPT_OUT and opt is not None:
        _opt_out(query, rule, analysis, reasons)
    elif rule.treatment is not Treatment.NOT_USED:
        if opt is None:
            reasons.append(phrase("reason.no_opt_out", jurisdiction=rule.jurisdiction, objected=objected))
        else:
            reasons.append(phrase("reason.opt_out_ineffective", method=opt.method, objected=objected))


def _opt_out(query: Query, rule: Rule, analysis: Analysis, reasons: list[Phrase]) -> None:
    opt = rule.opt_out
    assert opt is not None
    reasons.append(phrase("reason.opt_out", method=opt.method, url=opt.url))
    if has_limit(rule):
        passed = opt.deadline is not None and query.as_of > opt.deadline
        reasons.append(
            phrase("reason.in_time_keeps_out", in_time=in_time(rule), passed_before=query.as_of if passed else None)
        )
    elif start_unconfirmed(rule) and rule.effective_from is not None:
        reasons.append(phrase("reason.start_unconfirmed", day=rule.effective_from))
    if late_possible(rule, query.as_of) and analysis.objected_on is None:  # else the objection's own reason says it
        reasons.append(phrase("reason.late", late=late(rule)))
    day = analysis.objected_on
    if query.objected_on is not None and day is None:
        reasons.append(phrase("reason.objection_not_yet", objected_on=query.objected_on, day=query.as_of))
    elif day is not None:
        reasons.append(_objection(query, rule, day))
    elif query.objected is False:
        reasons.append(phrase("reason.not_objected"))
    elif query.objected:
        reasons.append(phrase("reason.objected_undated", day_decides="objected_on" in analysis.depends_on))


def _objection(query: Query, rule: Rule, day: date) -> Phrase:
    if objection_in_time(rule, day):
        return phrase("reason.objected_in_time", day=day, in_time=in_time(rule))
    late_kind = rule.opt_out.late_objection  # type: ignore[union-attr]
    if late_kind is LateObjection.STOPS_FUTURE_TRAINING:
        return phrase("reason.objected_late.stops_future_training", day=day, limit=limit(rule))
    if late_kind is LateObjection.NO_EFFECT:
        return phrase("reason.objected_late.no_effect", day=day, limit=limit(rule))
    if late_kind is LateObjection.UNKNOWN:
        return phrase("reason.objected_late.unknown", day=day, limit=limit(rule))
    covered = None if query.posted_on is None else query.posted_on >= day
    return phrase(
        "reason.objected_late.covers_later_posts",
        day=day,
        limit=limit(rule),
        posted_on=query.posted_on,
        covered=covered,
    )


def _age(query: Query, rule: Rule, analysis: Analysis, reasons: list[Phrase]) -> None:
    min_age = rule.min_age
    if min_age and rule.under_age is UnderAge.UNKNOWN:
        asked = query.age if query.age is not None and query.age < min_age else None
        reasons.append(phrase("reason.adults_only", min_age=min_age, age=asked))
        return
    not_opted_in = rule.treatment is Treatment.OPT_IN and query.opted is False
    if (
        not min_age
        or rule.treatment is Treatment.NOT_USED
        or (not_opted_in and rule.not_opted_in is NotOptedIn.NOT_USED)
    ):
        return  # nothing is used at any age (an opt-in rule: the user had not opted in by as_of, and then nothing is)
    if query.age is None:
        reasons.append(
            phrase("reason.minors_excluded", min_age=min_age, age=None, age_decides="age" in analysis.depends_on)
        )
    else:
        reasons.append(phrase("reason.minors_excluded", min_age=min_age, age=query.age, age_decides=False))
