"""Where no rule is in force for the country and day asked about, the analysis and the no-rule answer agree.

The engine answers such questions without the analysis (`engine._decide`), and the service from a template
(`serving/no_rule.py`): this walk over the bundled dataset checks, for every question it asks, that the analysis
would have given exactly the same decision.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from app.policy import Query, rules_apply, without_rules
from app.policy.engine import _decide_one
from app.policy.index import context, pair_index

ONE_DAY = timedelta(days=1)
FACTS = (
    {},
    {"age": 15},
    {"age": 30, "objected": True, "objected_on": date(2024, 6, 1)},
    {"age": 30, "objected": False, "posted_on": date(2020, 1, 1)},
    {"opted_in": True, "opted_in_on": date(2023, 3, 1)},
)


def test_a_question_no_rule_is_in_force_for_gets_the_analysis_answer(seeded_snapshot):
    compared = in_force = 0
    for (platform_id, category_id), uses in seeded_snapshot.uses_by_pair.items():
        if len(uses) != 1:
            continue
        index = pair_index(seeded_snapshot, platform_id, category_id)
        countries = [None, "US", "BR", "JP", *(country for country, _ in index.country_reps)]
        days = {date(2019, 1, 1), date(2030, 1, 1)} | {
            d + shift for d in index.boundaries for shift in (-ONE_DAY, 0 * ONE_DAY)
        }
        category = seeded_snapshot.categories[category_id]
        for country in countries:
            for day in sorted(days):
                if not any(context(seeded_snapshot, index, country, day).level_sets.values()):
                    for facts in FACTS:
                        facts = {k: v for k, v in facts.items() if not isinstance(v, date) or v <= day}
                        query = Query(platform_id, category_id, day, country, **facts)
                        assert not rules_apply(seeded_snapshot, query)
                        assert _decide_one(seeded_snapshot, category, query, index) == without_rules(
                            seeded_snapshot, query
                        ), query
                        compared += 1
                else:
                    in_force += 1
                    assert rules_apply(seeded_snapshot, replace(Query(platform_id, category_id, day), country=country))
    assert compared > 1_000 and in_force > 1_000, (compared, in_force)  # both kinds are walked, many times
