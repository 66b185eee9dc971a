"""Which answers changed: between two revisions of the dataset (an edit), or between two days (the calendar)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.policy import QueryError, answer, parse_query
from app.policy import model as pm
from app.serving.answers import render_decision

Key = tuple[str, str]
Record = dict[str, Any]
# The members of a decision that state the answer. Its summary, reasons and sources explain it (and name the day
# asked about, so they differ from one day to the next even when the answer does not).
ANSWER_FIELDS = ("verdict", "used", "depends_on", "rule_id", "legal_basis", "effective_from", "effective_until",
                 "confidence", "opt_out")


@dataclass(frozen=True)
class Interest:
    """The answers one subscription follows; None means every platform, category or country."""

    platforms: frozenset[str] | None
    categories: frozenset[str] | None
    countries: frozenset[str] | None

    def covers(self, platform: str, category: str, country: str) -> bool:
        """Return whether this subscription follows the answer for this platform, category and country."""
        return all(wanted is None or value in wanted for wanted, value in
                   ((self.platforms, platform), (self.categories, category), (self.countries, country)))


@dataclass(frozen=True)
class Changed:
    """One answer that changed: for what, and the decision before and after (None where there was none)."""

    platform: str
    category: str
    country: str
    before: Record | None
    after: Record | None


def decision(snapshot: pm.Snapshot, platform: str, category: str, country: str, day: date) -> Record | None:
    """Return the decision the API gives for this question on this day, or None if the question is invalid."""
    params = {"category": category, "country": country, "as_of": day.isoformat()}
    try:
        parsed = parse_query(snapshot, platform, params, day)
    except QueryError:
        return None
    return render_decision(answer(snapshot, parsed)[0])


def _core(found: Record | None) -> tuple[str, ...] | None:
    return None if found is None else tuple(repr(found.get(name)) for name in ANSWER_FIELDS)


def changed_answers(before: pm.Snapshot, after: pm.Snapshot, day_before: date, day_after: date,
                    interests: Iterable[Interest], platforms: Iterable[str] | None = None) -> list[Changed]:
    """Return the followed answers that differ between (before, day_before) and (after, day_after).

    `platforms` limits the search to the platforms a change could touch (None: all).
    """
    interests = list(interests)
    candidates = set(before.platforms) | set(after.platforms) if platforms is None else set(platforms)
    countries = sorted(code for code, j in {**before.jurisdictions, **after.jurisdictions}.items()
                       if j.kind is pm.JurisdictionKind.COUNTRY)
    categories = sorted(set(before.categories) | set(after.categories))
    out = []
    for platform in sorted(candidates):
        wanted = [i for i in interests if i.platforms is None or platform in i.platforms]
        if not wanted:
            continue
        for category in categories:
            if not any(i.categories is None or category in i.categories for i in wanted):
                continue
            for country in countries:
                if not any(i.covers(platform, category, country) for i in wanted):
                    continue
                old = decision(before, platform, category, country, day_before)
                new = decision(after, platform, category, country, day_after)
                if _core(old) != _core(new):
                    out.append(Changed(platform, category, country, old, new))
    return out


def platforms_with_boundaries(snapshot: pm.Snapshot, day: date) -> set[str]:
    """Return the platforms whose rules or deadlines start, end or fall due between yesterday and this day."""
    near = {day - timedelta(days=1), day}
    found = set()
    for rule in snapshot.rules.values():
        dates = {rule.effective_from, rule.effective_until, rule.posted_from, rule.posted_until,
                 rule.opt_out.deadline if rule.opt_out else None}
        if dates & near:
            found.add(rule.platform_id)
    found.update(d.platform_id for d in snapshot.deadlines.values() if d.on in near)
    return found
