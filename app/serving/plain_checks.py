"""A batch's commonest check answered straight from its JSON object, with no query built: no rule in force.

Most checks of a never-seen batch name a platform, a category, a country and days, each in its plainest spelling,
and ask about a pair no rule is in force for on that day. Their result is a template's (serving/no_rule.py) with the
country and day filled in, and reading their fields took longer than making the result: turned first into a query
string's parameters, then into a Query. Here each field is checked straight against the one spelling of it the full
path reads as it stands ("DE", "25", "2025-06-01"); any other check (another spelling, a value that is not a string,
a bad value, a rule in force, a template not made yet) gets None and takes the full path, which answers it or says
what is wrong. So the lane answers only what the full path would answer, byte for byte, and refuses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import orjson

from app.policy import ParsedQuery, Snapshot
from app.policy.engine import rules_in_force
from app.policy.index import bounded_memo
from app.policy.model import MemoKind, Query
from app.policy.query import COUNTRY_ALIASES, MAX_AGE, is_country, iso_day
from app.policy.wording import Wording
from app.serving.holes import country_parts, iso, worded_day
from app.serving.no_rule import CHECK_TEMPLATES

# The fields a plain check may have; `objected` and `opted_in` (spelt in several ways) take the full path.
PLAIN_FIELDS = frozenset({"platform", "category", "country", "as_of", "age", "objected_on", "posted_on", "opted_in_on"})
AGES = {str(age): age for age in range(MAX_AGE + 1)}  # "25", not " 25" or "025": read alike, spelt apart
# It rests on no rules: a rule write keeps it.
DAY_PARTS = MemoKind("days in ISO form and in words")

Lane = Callable[[Any], "orjson.Fragment | ParsedQuery | None"]


def plain_checks(snapshot: Snapshot, today: date, wording: Wording) -> Lane:
    """Return the lane for one batch. For a plain check it gives the encoded result where no rule is in force, the
    parsed question where one is (the caller answers it about the rule); for any other check None, the full path's
    turn. What every check of the batch shares is looked up once, here."""
    platforms, categories = snapshot.platforms, snapshot.categories
    revision = (b"%d" % snapshot.revision,)
    lang = wording.lang
    # The snapshot's memos, held for the batch: a batch adds at most a thousand days past the bound of its memo,
    # which the next batch's lookup empties (bounded_memo).
    templates, days = bounded_memo(snapshot, CHECK_TEMPLATES), bounded_memo(snapshot, DAY_PARTS)
    places: dict[str | None, tuple[bytes, ...]] = {}  # the country's holes and the revision, for this batch

    def values(country: str | None, day: date) -> tuple[bytes, ...]:
        """Return no_rule.check_values' values, the country's and the revision kept for the batch."""
        place = places.get(country)
        if place is None:
            place = places[country] = country_parts(snapshot, country) + revision
        key = (lang, day)
        when = days.get(key)
        if when is None:
            when = days[key] = (iso(day), worded_day(snapshot, wording, day))
        return place + when

    def answer(check: Any) -> orjson.Fragment | ParsedQuery | None:
        if type(check) is not dict or not check.keys() <= PLAIN_FIELDS:
            return None
        get = check.get
        platform, category, country = get("platform"), get("category"), get("country")
        if type(platform) is not str or platform not in platforms:
            return None
        if type(category) is not str or category not in categories:
            return None
        if country is not None and (
            type(country) is not str or country in COUNTRY_ALIASES or not is_country(snapshot, country)
        ):
            return None
        raw = get("as_of")
        day = today if raw is None else _day(raw)
        if day is None:
            return None
        situation = _situation(get, day)
        if situation is None:
            return None
        if rules_in_force(snapshot, platform, category, country, day):
            age, objected_on, posted_on, opted_in_on = situation
            # As parse_query makes it: a day of objecting or opting in says the user did.
            objected = None if objected_on is None else True
            opted_in = None if opted_in_on is None else True
            query = Query(
                platform, category, day, country, age, objected, objected_on, posted_on, opted_in, opted_in_on
            )
            return ParsedQuery(query, category, snapshot.chain(country))
        template = templates.get((platform, category, lang))
        if not template:  # not made yet (the full path makes it), or failed its check
            return None
        text, order = template
        return orjson.Fragment(text % order(values(country, day)))

    return answer


Situation = tuple[int | None, date | None, date | None, date | None]
_NO_SITUATION: Situation = (None, None, None, None)


def _situation(get: Callable[[str], Any], day: date) -> Situation | None:
    """Return the age and days of a plain check's situation (age, objected_on, posted_on, opted_in_on), or None where
    one is not plain or not valid (posted_on after the day asked about among them)."""
    raw_age, raw_objected, raw_posted, raw_opted = get("age"), get("objected_on"), get("posted_on"), get("opted_in_on")
    if raw_age is None and raw_objected is None and raw_posted is None and raw_opted is None:
        return _NO_SITUATION
    age = None
    if raw_age is not None:
        age = AGES.get(raw_age) if type(raw_age) is str else None
        if age is None:
            return None
    days = []
    for raw in (raw_objected, raw_posted, raw_opted):
        found = None
        if raw is not None:
            found = _day(raw)
            if found is None:
                return None
        days.append(found)
    objected_on, posted_on, opted_in_on = days
    if posted_on is not None and posted_on > day:
        return None
    return age, objected_on, posted_on, opted_in_on


def _day(raw: object) -> date | None:
    """Return the day a string in ISO form names, or None for anything else."""
    return iso_day(raw) if type(raw) is str else None
