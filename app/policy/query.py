"""Parse the raw query parameters of a decision request, the same way for every route that takes them."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from .errors import QueryError
from .model import FIRST_DAY, LAST_DAY, JurisdictionKind, Query, Snapshot

COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}
MAX_AGE = 150
# The spellings pydantic accepts for a boolean, so the fast path and the FastAPI route agree.
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_AGE = re.compile(r"\d{1,3}", re.ASCII)


@dataclass(slots=True)  # not frozen, as Query: one per question; nothing changes it once made
class ParsedQuery:
    """A validated decision request: the query, whether it named a category, and the country's jurisdictions."""

    query: Query  # category_id is "" when the request names none
    category_id: str | None  # None: every category the platform has data for
    jurisdictions: tuple[str, ...]  # the country's chain, most specific first; ("GLOBAL",) without a country

    @property
    def category_ids(self) -> tuple[str, ...] | None:
        """Return the one category asked about, or None for all of the platform's categories."""
        return None if self.category_id is None else (self.category_id,)


def parse_query(snapshot: Snapshot, platform_id: str, params: Mapping[str, str | None], today: date) -> ParsedQuery:
    """Validate raw parameters against the snapshot and return the normalised query; raise QueryError if bad."""
    if platform_id not in snapshot.platforms:
        raise QueryError(404, "platform_id", f"There is no platform {platform_id!r}.", tuple(snapshot.platforms))
    category = params.get("category")
    if category is not None and category not in snapshot.categories:
        raise QueryError(422, "category", f"There is no data category {category!r}.", tuple(snapshot.categories))
    # Each absent parameter costs one lookup: a never-repeated question pays for every line here.
    get = params.get
    country = parse_country(snapshot, get("country"))
    raw = get("as_of")
    as_of = today if raw is None else parse_day(raw, "as_of")
    raw = get("age")
    age = None if raw is None else _age(raw)
    raw = get("objected")
    objected = None if raw is None else _bool(raw, "objected")
    raw = get("opted_in")
    opted_in = None if raw is None else _bool(raw, "opted_in")
    raw = get("opted_in_on")
    opted_in_on = None if raw is None else parse_day(raw, "opted_in_on")
    if opted_in_on is not None:
        if opted_in is False:
            raise QueryError(422, "opted_in_on", "opted_in_on gives the day the user opted in, but opted_in is false.")
        opted_in = True  # the day implies opting in
    raw = get("objected_on")
    objected_on = None if raw is None else parse_day(raw, "objected_on")
    raw = get("posted_on")
    posted_on = None if raw is None else parse_day(raw, "posted_on")
    if posted_on is not None and posted_on > as_of:
        raise QueryError(
            422,
            "posted_on",
            f"posted_on {posted_on} is after as_of {as_of}: content cannot be posted "
            "after the day the question is about.",
        )
    if objected_on is not None:
        if objected is False:
            raise QueryError(422, "objected_on", "objected_on gives an objection day, but objected is false.")
        objected = True  # the day implies the objection
    # In the order of Query's fields: by position, as every question builds one (keywords cost a third more).
    query = Query(
        platform_id, category or "", as_of, country, age, objected, objected_on, posted_on, opted_in, opted_in_on
    )
    return ParsedQuery(query, category, snapshot.chain(country))


def parse_country(snapshot: Snapshot, raw: str | None) -> str | None:
    """Return the standard ISO 3166-1 alpha-2 code for a country the snapshot knows; raise QueryError if not."""
    if raw is None:
        return None
    # Only ASCII is upper-cased: Unicode case mapping turns "ß" into "SS" and "ﬁ" into "FI", other countries' codes.
    code = raw.strip().upper() if raw.isascii() else raw
    code = COUNTRY_ALIASES.get(code, code)
    if is_country(snapshot, code):
        return code
    found = snapshot.jurisdictions.get(code)
    valid = tuple(sorted(j.code for j in snapshot.jurisdictions.values() if j.kind is JurisdictionKind.COUNTRY))
    if found is not None:
        detail = f"{raw!r} is a group of countries, not a country; give an ISO 3166-1 alpha-2 country code."
    else:
        detail = f"{raw!r} is not an ISO 3166-1 alpha-2 country code this service knows."
    raise QueryError(422, "country", detail, valid)


def is_country(snapshot: Snapshot, code: str) -> bool:
    """Return whether a code, as it stands, names a country the snapshot knows (not a group, not an alias)."""
    found = snapshot.jurisdictions.get(code)
    return found is not None and found.kind is JurisdictionKind.COUNTRY


def iso_day(raw: str) -> date | None:
    """Return the day a YYYY-MM-DD string names within FIRST_DAY..LAST_DAY, or None if it names none."""
    return _date(raw) if len(raw) == 10 else None  # only strings of a date's length reach the memo


def parse_day(raw: str, name: str) -> date:
    """Return the day a parameter names; raise QueryError, naming the parameter, if it names none to answer about."""
    found = iso_day(raw)
    if found is None:
        raise QueryError(422, name, _not_a_day(raw))
    return found


def _not_a_day(raw: str) -> str:
    """Return why a string iso_day refused names no day to answer about."""
    if len(raw) == 10 and _DATE.fullmatch(raw):
        try:
            date.fromisoformat(raw)
        except ValueError:
            pass
        else:
            return f"{raw!r} is outside the days this service answers about, {FIRST_DAY} to {LAST_DAY}."
    return f"{raw!r} is not a date in the form YYYY-MM-DD."


@functools.lru_cache(maxsize=4096)  # questions name the same few days again and again: 79 ns a day instead of 191
def _date(raw: str) -> date | None:
    """Return the day a YYYY-MM-DD string names within FIRST_DAY..LAST_DAY, or None if it names none."""
    if _DATE.fullmatch(raw):
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return None
        # Checked here, once per spelling, so the memo's hits cost nothing more.
        return day if FIRST_DAY <= day <= LAST_DAY else None
    return None


def _age(raw: str) -> int:
    if _AGE.fullmatch(raw.strip()):
        age = int(raw)
        if age <= MAX_AGE:
            return age
    raise QueryError(422, "age", f"{raw!r} is not a whole number of years from 0 to {MAX_AGE}.")


def _bool(raw: str, name: str) -> bool:
    word = raw.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise QueryError(422, name, f"{raw!r} is not a boolean; use true or false.")
