"""Batch checks about the tricky fixture's rule (windows, a late objection covering later posts, age limits in one
chain) come from templates that give byte for byte what the engine and the rendering give, on every day of a year
(tests/serving/test_rule_checks.py has the bundled dataset's)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

from tests.conftest import memo_free
from tests.policy.test_policy_day_classes import SITUATIONS
from tests.serving.test_answers import service as service_on
from tests.serving.test_rule_checks import _kinds, _same_as_full


def test_every_day_and_situation_of_a_tricky_year_gets_the_full_path(tricky):
    # Windows, a deadline inside a span, a late objection covering later posts and age limits in one chain: every
    # day of the year from several countries, so each class meets questions a day apart.
    snapshot = memo_free(tricky)
    service = service_on(snapshot)
    wording = service.wording(snapshot, "en")
    # Countries in the same groups (EU and EEA, EEA alone, none) share classes; DE and CA have rules of their own.
    countries = [None, "DE", "FR", "AT", "NO", "IS", "US", "AU", "BR", "CA"]
    days = [date(2024, 1, 1) + timedelta(days=k) for k in range(400)]
    asked = 0
    # Besides the fixed days of SITUATIONS, objections and posts a set number of days before the day asked about:
    # their classes meet questions differing in every day, so they get templates too.
    relative = [(None, True, 3, None), (None, None, None, 40), (17, True, 10, 100), (30, True, 200, 1)]
    # Day by day, each day from every country: a class meets a question differing in its place and day at once.
    for situation, day, country in product(SITUATIONS + relative, days, countries):
        age, objected, objected_on, posted_on = situation
        if isinstance(objected_on, int):
            objected_on = day - timedelta(days=objected_on)
        if isinstance(posted_on, int):
            posted_on = day - timedelta(days=posted_on)
        if posted_on is not None and posted_on > day:
            continue
        check = {"platform": "tricky", "category": "public-posts", "as_of": day.isoformat()}
        for name, value in (("country", country), ("age", age), ("objected", objected)):
            if value is not None:
                check[name] = value
        for name, value in (("objected_on", objected_on), ("posted_on", posted_on)):
            if value is not None:
                check[name] = value.isoformat()
        asked += _same_as_full(service, snapshot, check, wording)
    assert asked > 45_000
    kinds = _kinds(snapshot)
    assert kinds["template"] > 250
