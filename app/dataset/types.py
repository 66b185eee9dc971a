"""Field types for dataset records: ids, codes, URLs, dates and text, each with a message a maintainer can act on."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from app.policy.model import FIRST_DAY, LAST_DAY

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CODE = re.compile(r"[A-Z][A-Z0-9]+")
_SOURCE_ID = re.compile(r"[A-Z]{1,6}[0-9]{1,4}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_YEAR = re.compile(r"[0-9]{4}")
# C0 controls but tab and newline, DEL and C1 (invisible; PostgreSQL cannot store NUL at all), and unpaired
# surrogates (JSON can carry them; UTF-8 cannot).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Length limits: far above anything the dataset holds (longest id 56, text 367, URL 211 characters).
MAX_ID, MAX_CODE, MAX_TEXT, MAX_URL = 100, 16, 20_000, 2000


def show(value: Any) -> str:
    """Render a scalar the way it would be written in the file, cut short when long; name other values' type."""
    # Lists and mappings are named, not printed: YAML aliases can make a small file expand to a huge value.
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, date):
        value = value.isoformat()
    if isinstance(value, str) and len(value) > 80:
        value = value[:77] + "..."
    # An unpaired surrogate (JSON can carry one) is shown escaped: a message holding it could not be encoded.
    return _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(value, ensure_ascii=False, default=str))


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _fail(kind: str, template: str, value: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, template, {"value": show(value)})


def plain_key(key: str) -> bool:
    """Return whether a record key is short and free of control characters, so a database can look it up."""
    return 0 < len(key) <= MAX_ID and not _CONTROL.search(key)


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise _fail("slug", '{value} is not a valid id (lower-case letters, digits and hyphens, like "a-b")', value)
    return value


def _code(value: str) -> str:
    if not _CODE.fullmatch(value):
        raise _fail("code", '{value} is not a jurisdiction code (upper-case, like "DE", "EU" or "GLOBAL")', value)
    return value


def _source_id(value: str) -> str:
    if not _SOURCE_ID.fullmatch(value):
        raise _fail("source_id", '{value} is not a source id (capital letters then digits, like "M1" or "SL2")', value)
    return value


def no_control(value: str) -> str:
    """Return text free of control characters, or refuse it (records, and the API's review notes)."""
    if _CONTROL.search(value):
        raise PydanticCustomError("control", "must not contain control characters such as NUL (or unpaired surrogates)")
    return value


def _text(value: str) -> str:
    if not value:
        raise PydanticCustomError("empty", "must not be empty")
    return no_control(value)


def _url(value: str) -> str:
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port is None or parts.port > 0)
    except ValueError:  # a malformed port or IPv6 host
        ok = False
    if not ok or any(c.isspace() for c in value) or _CONTROL.search(value):
        raise _fail("url", "{value} is not an http(s) URL", value)
    return value


def _day(value: Any) -> Any:
    # datetime is a subclass of date, so it has to be turned away before the date check.
    if isinstance(value, datetime):
        raise _fail("date", "{value} is a date and time; write only the day (YYYY-MM-DD)", value.isoformat())
    if isinstance(value, date):
        return _bounded(value)
    if isinstance(value, str):
        if not _DAY.fullmatch(value):
            raise _fail("date", "{value} is not a date (expected YYYY-MM-DD)", value)
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise _fail("date", "{value} is not a date", value) from None
        return _bounded(day)
    raise _fail("date", "{value} is not a date (expected YYYY-MM-DD)", value)


def _bounded(day: date) -> date:
    """Return the day if questions can ask about it; a record outside those days could never be asked about."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise _outside(day)
    return day


def _outside(value: Any) -> PydanticCustomError:
    """Return the error for a day, month or year outside the days the service answers about."""
    return PydanticCustomError(
        "date",
        "{value} is outside the days this service answers about, {first} to {last}",
        {"value": show(value), "first": str(FIRST_DAY), "last": str(LAST_DAY)},
    )


def _published(value: Any) -> Any:
    """Normalise a publication day, month or year to its ISO text."""
    # An unquoted year reaches us as a number; it is still only a year.
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        value = str(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return _bounded(value).isoformat()
    if isinstance(value, str):
        if _DAY.fullmatch(value):
            return _day(value).isoformat()
        month = _MONTH.fullmatch(value)
        if (month and 1 <= int(month.group(2)) <= 12) or _YEAR.fullmatch(value):
            if not FIRST_DAY.year <= int(value[:4]) <= LAST_DAY.year:  # as every other date of the dataset
                raise _outside(value)
            return value
    raise _fail("date", "{value} is not a date, month or year (YYYY-MM-DD, YYYY-MM or YYYY)", value)


Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_text)]
Slug = Annotated[str, Field(max_length=MAX_ID), AfterValidator(_slug)]
Code = Annotated[str, Field(max_length=MAX_CODE), AfterValidator(_code)]
SourceId = Annotated[str, Field(max_length=MAX_ID), AfterValidator(_source_id)]
Url = Annotated[str, Field(max_length=MAX_URL), AfterValidator(_url)]
Day = Annotated[date, BeforeValidator(_day)]
PublishedOn = Annotated[str, BeforeValidator(_published)]
