"""Write the reasons of a decision: the facts the answer turns on, one plain sentence each."""

from __future__ import annotations

from datetime import date

from .model import LateObjection, Query, Rule, Snapshot, Treatment, UnderAge
from .phrases import ALWAYS_NOT_USED, LATE, by_country, has_limit, in_time, late_possible, limit, no_rule, window
from .worlds import Analysis, objection_in_time


def explain(snapshot: Snapshot, query: Query, analysis: Analysis) -> tuple[str, ...]:
    """Return the facts the answer turns on, one plain sentence each."""
    reasons: list[str] = []
    if "country" in analysis.depends_on:
        reasons.append(f"Without a country this answers for GLOBAL, but on {query.as_of} the rules differ by country: "
                       f"{by_country(analysis)}.")
    if not analysis.rules:
        reasons.append(f"There is {no_rule(snapshot, query)}.")
    for rule in analysis.rules:
        reasons.append(_rule_reason(query, rule))
    _outside_windows(query, analysis, reasons)
    rule = analysis.rule
    if rule is not None:
        _treatment(query, rule, analysis, reasons)
        _age(query, rule, analysis, reasons)
    for rule in analysis.rules:
        reasons.extend(note for note in rule.notes if note not in reasons)
    return tuple(reasons)


def _rule_reason(query: Query, rule: Rule) -> str:
    via = f" to {query.country}" if query.country and query.country != rule.jurisdiction else ""
    span = f"in force from {rule.effective_from}" if rule.effective_from else "in force throughout"
    if rule.effective_until:
        span += f" until {rule.effective_until}"
    posted = f", for content posted {window(rule)}" if rule.has_posting_window else ""
    return f"Rule {rule.id} ({rule.jurisdiction}, {span}{posted}) applies on {query.as_of}{via}: {rule.summary}"


def _outside_windows(query: Query, analysis: Analysis, reasons: list[str]) -> None:
    if query.posted_on is None:
        return
    for _, rules in analysis.levels:
        for rule in rules:
            if rule.has_posting_window and not rule.covers_posted_on(query.posted_on):
                reasons.append(f"Content posted on {query.posted_on} is outside rule {rule.id}, which covers only "
                               f"content posted {window(rule)}.")


def _treatment(query: Query, rule: Rule, analysis: Analysis, reasons: list[str]) -> None:
    objected = bool(query.objected or query.objected_on)
    opt = rule.opt_out
    if rule.treatment is Treatment.UNKNOWN:
        reasons.append("The sources dispute this or do not confirm it, so the answer is unknown.")
    elif rule.treatment is Treatment.OPT_IN:
        reasons.append("Content is used only if you switched this on; it is off by default.")
    elif rule.treatment is Treatment.OPT_OUT and opt is not None:
        _opt_out(query, rule, analysis, reasons)
    elif rule.treatment is not Treatment.NOT_USED:
        tail = ", so objecting changes nothing" if objected else ""
        if opt is None:
            reasons.append(f"There is no opt-out from this in {rule.jurisdiction}{tail}.")
        else:
            reasons.append(f"The opt-out ({opt.method}) does not stop this use{tail}.")


def _opt_out(query: Query, rule: Rule, analysis: Analysis, reasons: list[str]) -> None:
    opt = rule.opt_out
    assert opt is not None
    where = f": {opt.url}" if opt.url else ""
    reasons.append(f"It is used unless you object ({opt.method}{where}).")
    if has_limit(rule):
        passed = opt.deadline is not None and query.as_of > opt.deadline
        reasons.append(f"An objection made {in_time(rule)} keeps all of your content out"
                       + (f"; that deadline passed before {query.as_of}." if passed else "."))
    if late_possible(rule, query.as_of) and analysis.objected_on is None:  # else the objection's own reason says it
        late = LATE[opt.late_objection]
        reasons.append(late[0].upper() + late[1:] + ".")
    day = analysis.objected_on
    if query.objected_on is not None and day is None:
        reasons.append(f"Your objection on {query.objected_on} had not happened yet on {query.as_of}, so it does not "
                       f"count for that day.")
    elif day is not None:
        reasons.append(_objection(query, rule, day))
    elif query.objected is False:
        reasons.append("You have not objected.")
    elif query.objected:
        which = "the day decides what it covers" if "objected_on" in analysis.depends_on else "the day does not matter"
        reasons.append(f"You objected; {which}.")


def _objection(query: Query, rule: Rule, day: date) -> str:
    if objection_in_time(rule, day):
        return f"You objected on {day}, {in_time(rule)}, so none of your content is used."
    late = rule.opt_out.late_objection  # type: ignore[union-attr]
    head = f"You objected on {day}, after {limit(rule)}"
    if late is LateObjection.STOPS_FUTURE_TRAINING:
        return f"{head}: training stops from then on, but training already done is not undone."
    if late is LateObjection.NO_EFFECT:
        return f"{head}, and a late objection changes nothing here."
    covered = ""
    if query.posted_on is not None:
        covered = f"; content posted on {query.posted_on} is {'' if query.posted_on >= day else 'not '}covered"
    return f"{head}, so it covers only content posted from {day} on{covered}."


def _age(query: Query, rule: Rule, analysis: Analysis, reasons: list[str]) -> None:
    min_age = rule.min_age
    if min_age and rule.under_age is UnderAge.UNKNOWN:
        asked = f"; nothing is confirmed for an account holder aged {query.age}" if query.age is not None and \
            query.age < min_age else ""
        reasons.append(f"The sources speak only of accounts aged {min_age} or over{asked}.")
        return
    if not min_age or rule.treatment in ALWAYS_NOT_USED:
        return
    if query.age is None:
        tail = ", so the answer depends on the account holder's age" if "age" in analysis.depends_on else ""
    elif query.age < min_age:
        tail = f", and at {query.age} your content is not used"
    else:
        tail = f"; at {query.age} this does not apply"
    reasons.append(f"Accounts under {min_age} are excluded{tail}.")
