"""Every decided answer of the bundled dataset cites a primary source or two independent publishers, each quoted.

The walk covers every platform and category, no country and every country the rules name (and one member of each
group they name) plus US, BR, IN and JP, on every day where a rule starts or ends, the day before and the day after.
It asks the engine directly on the seeded snapshot: the same answers the API serves, without a million requests.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.policy import GLOBAL, Query, Verdict, decide
from app.policy.confidence import PRIMARY, SECONDARY, publisher_key
from app.policy.model import JurisdictionKind

ONE_DAY = timedelta(days=1)
# Asked knowing nothing of the user, as an adult who neither objected nor opted in, and as one who opted in,
# about content posted that day.
FACTS = ({}, {"age": 30, "objected": False, "opted_in": False}, {"age": 30, "opted_in": True})


def _countries(snapshot) -> list[str | None]:
    named = {rule.jurisdiction for rule in snapshot.rules.values()} - {GLOBAL}
    countries = set()
    for code in named:
        jurisdiction = snapshot.jurisdictions[code]
        countries.add(code if jurisdiction.kind is JurisdictionKind.COUNTRY else min(jurisdiction.members))
    return [None, *sorted(countries | {"US", "BR", "IN", "JP"})]


def _days(rules) -> list[date]:
    days = set()
    for rule in rules:
        for edge in (rule.effective_from, rule.effective_until):
            if edge is not None:
                days |= {edge - ONE_DAY, edge, edge + ONE_DAY}
    return sorted(days) or [date(2026, 11, 29)]


def test_every_decided_answer_cites_a_primary_source_or_two_publishers_each_quoted(seeded_snapshot):
    countries = _countries(seeded_snapshot)
    asked = decided = 0
    failures = []
    for platform in seeded_snapshot.platforms:
        for category in seeded_snapshot.categories_by_platform.get(platform, ()):
            rules = seeded_snapshot.rules_by_pair[(platform, category)]
            for day in _days(rules):
                for country, facts in [(c, f) for c in countries for f in FACTS]:
                    decision = decide(
                        seeded_snapshot,
                        Query(
                            platform, category, day, country=country, **facts, **({"posted_on": day} if facts else {})
                        ),
                    )
                    asked += 1
                    if decision.verdict not in (Verdict.USED, Verdict.NOT_USED):
                        continue
                    decided += 1
                    where = (platform, category, country, day.isoformat(), decision.rule and decision.rule.id)
                    if any(not s.quote for s in decision.sources):
                        failures.append((*where, "a citation without a quote"))
                    weighed = [s for s in decision.sources if s.quote and s.kind in (PRIMARY, SECONDARY)]
                    publishers = {publisher_key(s.publisher) for s in weighed}
                    if not any(s.kind == PRIMARY for s in weighed) and len(publishers) < 2:
                        failures.append((*where, "neither a primary source nor two independent publishers"))
    assert not failures, f"{len(failures)} of {decided} decided answers: {failures[:20]}"
    assert decided > 7000 and asked > decided  # the walk really covers the dataset
