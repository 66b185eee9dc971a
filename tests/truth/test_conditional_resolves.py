"""A conditional answer names the facts that decide it (contract, "The decision"): given them, it is used or not used.

Asked of the engine over the whole bundled dataset, and through the HTTP API for the case that broke it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from itertools import product

from app.policy import Query, decide
from app.policy.model import Verdict
from tests.truth.questions import decision_for

DECIDED = {Verdict.USED, Verdict.NOT_USED}


def _values(param: str, as_of: date) -> list[object]:
    """Return values to try for a fact an answer depends on, around the days the rules name."""
    # None too: an objection day goes with objected=true only.
    days = [None, *(as_of - timedelta(days=n) for n in (0, 1, 30, 100, 200, 400, 800, 1500, 3000))]
    return {
        "country": ["DE", "FR", "US", "GB", "CA", "CH", "BR", "HK", "AU"],
        "age": [10, 16, 17, 18, 30],
        "objected": [True, False],
        "objected_on": days,
        "posted_on": days,
        "opted_in": [True, False],
        "opted_in_on": days,
    }[param]


def test_every_conditional_answer_of_the_bundled_dataset_can_be_decided_by_what_it_depends_on(seeded_snapshot):
    asked = 0
    for rule in sorted(seeded_snapshot.rules.values(), key=lambda r: r.id):
        start = rule.effective_from or date(2026, 1, 1)
        as_of = min(start + timedelta(days=30), rule.effective_until or date.max)
        for country in ("DE", "US", "GB", None):
            query = Query(rule.platform_id, rule.category_id, as_of, country)
            decision = decide(seeded_snapshot, query)
            if decision.verdict is not Verdict.CONDITIONAL:
                continue
            asked += 1
            params = list(decision.depends_on)
            grids = product(*(_values(p, as_of) for p in params))
            decided = any(
                decide(seeded_snapshot, replace(query, **dict(zip(params, values, strict=True)))).verdict in DECIDED
                for values in grids
            )
            assert decided, (rule.id, country, as_of, decision.depends_on)
    assert asked > 100


def test_x_in_the_eea_in_2024_is_unknown_not_conditional_on_a_posting_day_that_changes_nothing(client):
    # Part 1 section 5: X's undertaking covers posts of 7 May to 1 Aug 2024; no rule says what third parties did
    # before X's policy of 15 Nov 2024. Whatever the posting day, the answer stays unknown.
    for as_of in ("2024-08-10", "2024-09-01"):
        decision = decision_for(client, "x", category="public-posts", country="DE", as_of=as_of)
        assert (decision["verdict"], decision["depends_on"]) == ("unknown", []), decision["summary"]
        dated = decision_for(client, "x", category="public-posts", country="DE", as_of=as_of, posted_on="2024-06-01")
        assert dated["verdict"] == "unknown"
