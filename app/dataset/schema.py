"""Pydantic models of the dataset records, one per kind, in the field order FORMAT.md documents."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import pycountry
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from app.policy.model import (
    GLOBAL,
    BeforeStart,
    JurisdictionKind,
    LateObjection,
    NotOptedIn,
    Treatment,
    UnderAge,
    UsedBy,
)

from .types import Code, Day, PublishedOn, Slug, SourceId, Text, Url

# Enums arrive from YAML as their string values, which strict mode alone would refuse.
Lax = Strict(False)

# Common aliases that are not ISO 3166-1 codes; a record under them would never match a query.
_ALIASES = {"UK": "GB", "EL": "GR"}
_COUNTRY = re.compile(r"[A-Z]{2}")
# The assigned ISO 3166-1 alpha-2 codes (249): a jurisdiction of kind country must be one.
ISO_COUNTRIES = frozenset(country.alpha_2 for country in pycountry.countries)


class SourceKind(StrEnum):
    """Who published a source: the platform, a regulator or a court; the press; or a copy or digest."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    AGGREGATOR = "aggregator"


class Record(BaseModel):
    """Base of every record: unknown fields and loose types are errors, text is trimmed."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


def _no_repeats(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError("repeat", "lists {value} twice", {"value": f'"{value}"'})
        seen.add(value)
    return values


def _ordered(first: date | None, last: date | None, first_name: str, last_name: str) -> None:
    if first is not None and last is not None and first > last:
        raise PydanticCustomError(
            "order",
            "{first} {a} is after {last} {b}",
            {"first": first_name, "a": str(first), "last": last_name, "b": str(last)},
        )


class CategoryRecord(Record):
    """A kind of user data, such as public posts."""

    id: Slug
    name: Text
    description: Text


class JurisdictionRecord(Record):
    """A country, a group of countries, or GLOBAL."""

    code: Code
    name: Text
    kind: Annotated[JurisdictionKind, Lax]
    members: list[Code] = Field(default_factory=list)

    @field_validator("members")
    @classmethod
    def _members(cls, members: list[str]) -> list[str]:
        """Check that no member is listed twice."""
        return _no_repeats(members)

    @model_validator(mode="after")
    def _consistent(self) -> JurisdictionRecord:
        """Check that the code and the members fit the kind."""
        kind, code = self.kind, self.code
        if kind == JurisdictionKind.COUNTRY:
            if code in _ALIASES:
                raise PydanticCustomError(
                    "code", '"{code}" is not an ISO code; use "{iso}"', {"code": code, "iso": _ALIASES[code]}
                )
            if not _COUNTRY.fullmatch(code):
                raise PydanticCustomError("code", "a country code has two letters (ISO 3166-1 alpha-2)")
            if code not in ISO_COUNTRIES:
                raise PydanticCustomError("code", '"{code}" is not an ISO 3166-1 alpha-2 country', {"code": code})
        if kind == JurisdictionKind.GLOBAL and code != GLOBAL:
            raise PydanticCustomError("code", "the global jurisdiction has the code GLOBAL")
        if kind != JurisdictionKind.GLOBAL and code == GLOBAL:
            raise PydanticCustomError("code", "the code GLOBAL is for the jurisdiction of kind global")
        if kind == JurisdictionKind.GROUP and not self.members:
            raise PydanticCustomError("members", "a group needs at least one member country in members")
        if kind != JurisdictionKind.GROUP and self.members:
            raise PydanticCustomError("members", "only a group has members")
        return self


class PlatformRecord(Record):
    """A service whose users' content may be used for AI training."""

    id: Slug
    name: Text
    operator: Text
    website: Url | None = None
    privacy_policy_url: Url | None = None


def not_yet(day: date) -> date:
    """Refuse a day that has not come anywhere on Earth yet (today in UTC, plus a day for time zones ahead of it)."""
    latest = datetime.now(UTC).date() + timedelta(days=1)
    if day > latest:
        raise PydanticCustomError(
            "future",
            "{day} has not come yet: it must be no later than {latest}",
            {"day": day.isoformat(), "latest": latest.isoformat()},
        )
    return day


class SourceRecord(Record):
    """A published document that rules and deadlines cite."""

    id: SourceId
    url: Url
    title: Text
    publisher: Text
    published_on: PublishedOn | None = None
    retrieved_on: Day
    kind: Annotated[SourceKind, Lax]
    quote: Text | None = None
    via: Text | None = None
    archived_url: Url | None = None  # a web-archive copy of the page, for when the original is gone

    @field_validator("retrieved_on")
    @classmethod
    def _retrieved_already(cls, value: date) -> date:
        """Refuse a retrieval day in the future: nobody has read the page then yet."""
        return not_yet(value)

    @model_validator(mode="after")
    def _published_before_retrieved(self) -> SourceRecord:
        """Check that the source was not published after it was read."""
        published = self.published_on
        if published is not None and published > self.retrieved_on.isoformat()[: len(published)]:
            raise PydanticCustomError(
                "order",
                "published_on {p} is after retrieved_on {r}",
                # `last` names the field the API's 422 points at (store.integrity), as for other dates out of order.
                {"p": published, "r": str(self.retrieved_on), "last": "published_on"},
            )
        return self


class CitationRecord(Record):
    """A rule's or deadline's link to one source, with the exact words (and place) that support that record."""

    id: SourceId
    quote: Text | None = None  # exact words of the source that support THIS record
    where: Text | None = None  # section, paragraph or table row, where that helps find the quote

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """Accept a bare source id (v1 clients send ids) as a citation without a quote."""
        return {"id": value} if isinstance(value, str) else value


def _needs_sources(values: list[CitationRecord], kind: str) -> list[CitationRecord]:
    if not values:
        raise PydanticCustomError("sources", "a {kind} needs at least one source", {"kind": kind})
    _no_repeats([c.id for c in values])
    return values


def _no_typed_confidence(value: Any) -> Any:
    if isinstance(value, dict) and "confidence" in value:
        raise PydanticCustomError(
            "confidence", "confidence is derived from the quoted citations (see FORMAT.md); remove the field"
        )
    return value


class DeadlineRecord(Record):
    """A dated event users must act by, or that changes what happens to their data."""

    id: Slug
    platform: Slug
    jurisdiction: Code
    kind: Slug
    on: Day
    summary: Text
    after: Text | None = None
    replaces: Slug | None = None
    sources: list[CitationRecord]

    @field_validator("sources")
    @classmethod
    def _sources(cls, sources: list[CitationRecord]) -> list[CitationRecord]:
        """Check that the deadline cites at least one source, each once."""
        return _needs_sources(sources, "deadline")


class OptOutRecord(Record):
    """How a user objects to one rule's training, and what a late objection covers."""

    method: Text
    url: Url | None = None
    deadline: Slug | None = None
    late_objection: Annotated[LateObjection, Lax]
    after_deadline: Text | None = None
    # `late` where the rule starts only on the first day its sources confirm it: an earlier objection is not known
    # to keep everything out. A deadline says which objections do, so the two do not go together.
    objection_before_start: Annotated[BeforeStart, Lax] = Field(
        default=BeforeStart.KEEPS_ALL_OUT,
        description="What an objection before `effective_from` does where there is no deadline: `keeps_all_out` "
        "where the rule starts when the use began; `late` where `effective_from` is only the first day the sources "
        "confirm the rule (the use may have begun before), so such an objection counts as a late one.",
    )

    @field_validator("objection_before_start")
    @classmethod
    def _start_or_deadline(cls, value: BeforeStart, info: ValidationInfo) -> BeforeStart:
        """Refuse `late` beside a deadline, which already says which objections are in time."""
        if value is BeforeStart.LATE and info.data.get("deadline") is not None:
            raise PydanticCustomError(
                "late_with_deadline",
                "late goes only with an opt-out without a deadline (the deadline says which objections keep "
                "everything out)",
            )
        return value


class RuleRecord(Record):
    """What happens to one platform's category of content in one jurisdiction for a span of days."""

    id: Slug
    platform: Slug
    category: Slug
    jurisdiction: Code
    treatment: Annotated[Treatment, Lax]
    used_by: Annotated[UsedBy, Lax] = UsedBy.PLATFORM  # rules for the platform and for third parties may coexist
    effective_from: Day | None = None
    effective_until: Day | None = None
    posted_from: Day | None = None
    posted_until: Day | None = None
    min_age: int | None = Field(default=None, ge=0, le=150)
    under_age: Annotated[UnderAge, Lax] = UnderAge.NOT_USED  # younger accounts: excluded, or not covered (unknown)
    # An opt-in rule: users who did not switch it on are not used, or not covered by the sources (unknown).
    not_opted_in: Annotated[NotOptedIn, Lax] = NotOptedIn.NOT_USED
    legal_basis: Slug | None = None
    opt_out: OptOutRecord | None = None
    summary: Text
    notes: list[Text] = Field(default_factory=list)
    reviewed_on: Day | None = None  # when a person last checked the rule against its sources
    sources: list[CitationRecord]

    @field_validator("reviewed_on")
    @classmethod
    def _reviewed_already(cls, value: date | None) -> date | None:
        """Refuse a review day in the future: it would keep the rule from ever counting as stale."""
        return None if value is None else not_yet(value)

    @model_validator(mode="before")
    @classmethod
    def _underived(cls, value: Any) -> Any:
        """Refuse a typed confidence: it is derived from the citations, so a typed one could only disagree."""
        return _no_typed_confidence(value)

    @field_validator("sources")
    @classmethod
    def _sources(cls, sources: list[CitationRecord]) -> list[CitationRecord]:
        """Check that the rule cites at least one source, each once."""
        return _needs_sources(sources, "rule")

    @model_validator(mode="after")
    def _consistent(self) -> RuleRecord:
        """Check that date ranges run forwards, an opt-out treatment says how to opt out, and under_age has an age."""
        _ordered(self.effective_from, self.effective_until, "effective_from", "effective_until")
        _ordered(self.posted_from, self.posted_until, "posted_from", "posted_until")
        if self.treatment == Treatment.OPT_OUT and self.opt_out is None:
            raise PydanticCustomError("opt_out", "treatment opt_out needs an opt_out saying how to object")
        if self.under_age != UnderAge.NOT_USED and self.min_age is None:
            raise PydanticCustomError("under_age", "under_age says what happens below min_age, so it needs min_age")
        if self.not_opted_in != NotOptedIn.NOT_USED and self.treatment != Treatment.OPT_IN:
            raise PydanticCustomError(
                "not_opted_in",
                "not_opted_in says what holds for users who did not opt in, so it needs treatment opt_in",
            )
        return self


class TranslationRecord(Record):
    """A rule's summary in another language, beside the English text it translates (so a stale one shows)."""

    rule: Slug
    lang: Annotated[str, Field(pattern=r"^(de)$")]  # the languages the API answers in besides English
    en: Text  # the rule's English summary this text translates; used only while the rule still says exactly this
    summary: Text


# The top-level keys of a dataset file, in the order files and dumps list them, with the field holding the id.
SECTIONS: dict[str, tuple[type[Record], str]] = {
    "categories": (CategoryRecord, "id"),
    "jurisdictions": (JurisdictionRecord, "code"),
    "platforms": (PlatformRecord, "id"),
    "sources": (SourceRecord, "id"),
    "deadlines": (DeadlineRecord, "id"),
    "rules": (RuleRecord, "id"),
}


# Sections a dataset file may hold besides SECTIONS: texts about records, read and checked with the dataset but not
# stored as resources of their own (app/data/translations-de.yaml).
EXTRA_SECTIONS: dict[str, tuple[type[Record], str]] = {"translations": (TranslationRecord, "rule")}


def _natural(key: str) -> list[Any]:
    # M2 sorts before M10, so dumps read in the order people number their sources.
    return [int(part) if part.isdigit() else part for part in re.split(r"([0-9]+)", key)]


class Dataset(Record):
    """Every record of a dataset, by kind; well-typed, but cross-record checks live in check_dataset."""

    categories: list[CategoryRecord] = Field(default_factory=list)
    jurisdictions: list[JurisdictionRecord] = Field(default_factory=list)
    platforms: list[PlatformRecord] = Field(default_factory=list)
    sources: list[SourceRecord] = Field(default_factory=list)
    deadlines: list[DeadlineRecord] = Field(default_factory=list)
    rules: list[RuleRecord] = Field(default_factory=list)
    translations: list[TranslationRecord] = Field(default_factory=list)

    def canonical(self) -> Dataset:
        """Return a copy with each kind's records sorted by id (or code), the order dumps use."""
        kinds = {**SECTIONS, **EXTRA_SECTIONS}
        return self.model_copy(
            update={kind: sorted(getattr(self, kind), key=_by_field(key)) for kind, (_, key) in kinds.items()}
        )


def _by_field(name: str) -> Callable[[Record], list[Any]]:
    """Return the sort key of records by one field, in natural order."""
    return lambda record: _natural(getattr(record, name))
