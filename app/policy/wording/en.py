"""English wording of every phrase the engine returns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Wording

P = Mapping[str, Any]
VERDICT = {"used": "used", "not_used": "not used", "conditional": "conditional", "unknown": "unknown"}
TREATMENT = {"used": "is used", "not_used": "is not used", "opt_in": "is not used", "unknown": "is unknown"}
USE_LABEL = {"platform": "Training by the platform", "third-parties": "Training by third parties"}


def _by_country(p: P, w: Wording) -> str:
    parts = []
    for names, verdict, depends_on in p["parts"]:
        what = f"conditional on {', '.join(depends_on)}" if depends_on else VERDICT[verdict]
        named = [n for n in names if n is not None]
        if None in names:
            named.append("elsewhere")
        parts.append(f"{', '.join(named)}: {what}")
    return "; ".join(parts)


def _no_rule(p: P, w: Wording) -> str:
    name = p["category"]
    category = name[:1].lower() + name[1:] if name[1:2].islower() else name
    return f"no confirmed rule for {category} on {p['platform']} in {p['where']} on {p['day']}"


def _rule(p: P, w: Wording) -> str:
    span = f"in force from {p['effective_from']}" if p["effective_from"] else "in force throughout"
    if p["effective_until"]:
        span += f" until {p['effective_until']}"
    posted = f", for content posted {w(p['window'])}" if p["window"] is not None else ""
    via = f" to {p['via']}" if p["via"] else ""
    return f"Rule {p['rule']} ({p['jurisdiction']}, {span}{posted}) applies on {p['day']}{via}: {w(p['summary'])}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _an_objection(p: P) -> str:
    return "an objection" if p["any"] else "a later objection"


def _late_head(p: P, w: Wording) -> str:
    # No limit: the rule's start is only the first day its sources confirm it, so no day makes an objection late.
    return f"You objected on {p['day']}" + (f", after {w(p['limit'])}" if p["limit"] else "")


def _covers_later(p: P, w: Wording) -> str:
    covered = ""
    if p["posted_on"] is not None:
        covered = f"; content posted on {p['posted_on']} is {'' if p['covered'] else 'not '}covered"
    return f"{_late_head(p, w)}, so it covers only content posted from {p['day']} on{covered}."


def _minors_excluded(p: P, w: Wording) -> str:
    age, min_age = p["age"], p["min_age"]
    if age is None:
        tail = ", so the answer depends on the account holder's age" if p["age_decides"] else ""
    elif age < min_age:
        tail = f", and at {age} your content is not used"
    else:
        tail = f"; at {age} this does not apply"
    return f"Accounts under {min_age} are excluded{tail}."


FINDING = {
    "changed": "changed",
    "quote-missing": "no longer contains the quoted passage",
    "moved": "moved to another address",
    "gone": "is gone",
}


def _stale_finding(p: P, w: Wording) -> str:
    since = f" since the rule was last reviewed on {p['reviewed_on']}" if p["reviewed_on"] else ""
    return (
        f"This answer may be out of date: source {p['source']} of rule {p['rule']} {FINDING[p['outcome']]} "
        f"(checked on {p['checked_on']}){since}."
    )


CATALOG = {
    "reason.stale.finding": _stale_finding,
    "reason.stale.review_old": lambda p, w: (
        f"This answer may be out of date: rule {p['rule']} was last reviewed on "
        f"{p['reviewed_on']}, more than {p['max_days']} days ago."
    ),
    # Pieces of sentences.
    "in_time.deadline": lambda p, w: f"by {p['day']}",
    "in_time.effective": lambda p, w: f"before the rule took effect on {p['day']}",
    "limit.deadline": lambda p, w: f"the deadline {p['day']}",
    "limit.effective": lambda p, w: f"the rule took effect on {p['day']}",
    "limit.effective_undated": lambda p, w: "the rule took effect",
    "late.covers_later_posts": lambda p, w: (
        f"{_an_objection(p)} covers only content posted from the day of the objection"
    ),
    "late.stops_future_training": lambda p, w: (
        f"{_an_objection(p)} stops future training, but training already done is not undone"
    ),
    "late.no_effect": lambda p, w: f"{_an_objection(p)} changes nothing",
    "late.unknown": lambda p, w: f"the sources do not say what {_an_objection(p)} covers",
    "window.between": lambda p, w: f"from {p['start']} to {p['end']}",
    "window.from": lambda p, w: f"from {p['start']}",
    "window.until": lambda p, w: f"up to {p['end']}",
    "by_country": _by_country,
    "no_rule": _no_rule,
    "day": lambda p, w: str(p["day"]),  # a day inside a sentence
    "rule.summary": lambda p, w: w.rule_summary(p["rule"], p["text"]),
    "note": lambda p, w: p["text"],
    # Reasons.
    "reason.by_country": lambda p, w: (
        f"Without a country this answers for GLOBAL, but on {p['day']} the rules "
        f"differ by country: {w(p['by_country'])}."
    ),
    "reason.no_rule": lambda p, w: f"There is {w(p['no_rule'])}.",
    "reason.rule": _rule,
    "reason.outside_window": lambda p, w: (
        f"Content posted on {p['posted_on']} is outside rule {p['rule']}, which "
        f"covers only content posted {w(p['window'])}."
    ),
    "reason.disputed": lambda p, w: "The sources dispute this or do not confirm it, so the answer is unknown.",
    "reason.opt_in_default_off": lambda p, w: (
        "Content is used if you switched this on; it is off by default, and the sources do not say what is used "
        "while it is off."
        if p["unknown_off"]
        else "Content is used only if you switched this on; it is off by default."
    ),
    "reason.no_opt_out": lambda p, w: (
        f"There is no opt-out from this in {p['jurisdiction']}"
        f"{', so objecting changes nothing' if p['objected'] else ''}."
    ),
    "reason.opt_out_ineffective": lambda p, w: (
        f"The opt-out ({p['method']}) does not stop this use"
        f"{', so objecting changes nothing' if p['objected'] else ''}."
    ),
    "reason.opt_out": lambda p, w: (
        f"It is used unless you object ({p['method']}{': ' + p['url'] if p['url'] else ''})."
    ),
    "reason.in_time_keeps_out": lambda p, w: (
        f"An objection made {w(p['in_time'])} keeps all of your content out"
        + (f"; that deadline passed before {p['passed_before']}." if p["passed_before"] else ".")
    ),
    "reason.start_unconfirmed": lambda p, w: (
        f"The sources do not show that an objection made before {p['day']}, when this rule starts, kept all of your "
        "content out: it counts as a later one."
    ),
    "reason.late": lambda p, w: _capitalised(w(p["late"])) + ".",
    "reason.objection_not_yet": lambda p, w: (
        f"Your objection on {p['objected_on']} had not happened yet on {p['day']}, so it does not count for that day."
    ),
    "reason.not_objected": lambda p, w: "You have not objected.",
    "reason.objected_undated": lambda p, w: (
        "You objected; " + ("the day decides what it covers." if p["day_decides"] else "the day does not matter.")
    ),
    "reason.objected_in_time": lambda p, w: (
        f"You objected on {p['day']}, {w(p['in_time'])}, so none of your content is used."
    ),
    "reason.objected_late.stops_future_training": lambda p, w: (
        f"{_late_head(p, w)}: training stops from then on, but training already done is not undone."
    ),
    "reason.objected_late.no_effect": lambda p, w: (
        f"{_late_head(p, w)}, and {'a late objection' if p['limit'] else 'it'} changes nothing here."
    ),
    "reason.opted_in": lambda p, w: (
        ("You switched it on" + (f" on {p['day']}" if p["day"] else "") + ".")
        if p["yet"]
        else f"You switched it on only on {p['day']}, after that day."
    ),
    "reason.not_opted_in": lambda p, w: "You have not switched it on.",
    "reason.not_opted_in.unknown": lambda p, w: (
        "You have not switched it on, and the sources speak only of users who did."
    ),
    "reason.objected_late.unknown": lambda p, w: (
        f"{_late_head(p, w)}, and the sources do not say what {'a late objection' if p['limit'] else 'it'} covers here."
    ),
    "reason.objected_late.covers_later_posts": _covers_later,
    "reason.adults_only": lambda p, w: (
        f"The sources speak only of accounts aged {p['min_age']} or over"
        + (f"; nothing is confirmed for an account holder aged {p['age']}" if p["age"] is not None else "")
        + "."
    ),
    "reason.minors_excluded": _minors_excluded,
    # Summaries.
    "summary.no_rule": lambda p, w: f"Unknown: {w(p['no_rule'])}.",
    "summary.adults_only": lambda p, w: f"Unknown: the sources speak only of accounts aged {p['min_age']} or over.",
    "summary.minors_excluded": lambda p, w: f"Not used: accounts under {p['min_age']} are excluded.",
    "summary.unknown": lambda p, w: f"Unknown: {w(p['summary'])}",
    "summary.late_changes_nothing": lambda p, w: (
        "Still used: an objection" + (f" after {w(p['limit'])}" if p["limit"] else "") + " changes nothing."
    ),
    "summary.objected": lambda p, w: (
        "Not used: you objected" + ("; training already done is not undone." if p["undone"] else ".")
    ),
    "summary.objected_in_time": lambda p, w: f"Not used: you objected on {p['day']}, {w(p['in_time'])}.",
    "summary.objected_late.stops_future_training": lambda p, w: (
        f"Not used from your objection on {p['day']} on; training already done is not undone."
    ),
    "summary.not_opted_in.unknown": lambda p, w: (
        f"Unknown: you switched it on only on {p['day']}, after the day asked about, and the sources speak only of "
        "users who had."
        if p["day"]
        else "Unknown: you have not switched it on, and the sources speak only of users who did."
    ),
    "summary.opted_in": lambda p, w: "Used: you switched it on" + (f" on {p['day']}." if p["day"] else "."),
    "summary.objected_late.unknown": lambda p, w: (
        f"Unknown: your objection on {p['day']} came after {w(p['limit'])}, and the sources do not say what it covers."
        if p["limit"]
        else "Unknown: the sources do not say what your objection"
        + (f" on {p['day']}" if p["day"] else "")
        + " covers."
    ),
    "summary.objection_covers_newer": lambda p, w: (
        f"Not used: your objection on {p['day']} covers content posted from that day on."
    ),
    "summary.objected_late.covers_later_posts": lambda p, w: (
        f"Still used: your objection on {p['day']}"
        + (f" came after {w(p['limit'])} and" if p["limit"] else "")
        + " covers only content posted from that day on."
    ),
    "summary.by_country": lambda p, w: f"Depends on your country: {w(p['by_country'])}.",
    "summary.clauses": lambda p, w: "; ".join(w(c) for c in p["clauses"]) + ".",
    "clause.depends_on_posting_day": lambda p, w: "Depends on when the content was posted",
    "clause.unless_objected": lambda p, w: "Used unless you objected" + (f" {w(p['in_time'])}" if p["in_time"] else ""),
    "clause.rule_summary": lambda p, w: w(p["summary"]).rstrip("."),
    "clause.window": lambda p, w: (
        f"content posted {w(p['window'])} " + TREATMENT.get(p["treatment"], f"falls under rule {p['rule']}")
    ),
    "clause.minors_excluded": lambda p, w: f"accounts under {p['min_age']} are excluded",
    "clause.minors_unconfirmed": lambda p, w: f"unknown for accounts under {p['min_age']}",
    # Answers combining the platform's own training with third parties'.
    "by_use.summary": lambda p, w: " ".join(f"{USE_LABEL[use]}: {_sentence(w(s))}" for use, s in p["parts"]),
    "by_use.reason": lambda p, w: f"{USE_LABEL[p['use']]}: {w(p['reason'])}",
}
