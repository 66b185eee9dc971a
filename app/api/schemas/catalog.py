"""Response models of the catalog and history endpoints, for the OpenAPI document and Swagger.

A record reads as its dataset file writes it (app/dataset/schema.py, documented in app/data/FORMAT.md) plus its
version, so the models extend the dataset's record models and follow them when a field is added.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.dataset import schema
from app.store.registry import NAMES

T = TypeVar("T")
VERSION = Field(description='The record\'s version; its ETag is "v<version>", to send back in If-Match.', examples=[3])
# One name per kind of the registry, and the two log entries that are not records but change how fresh the
# answers are: a person's review of a rule, and a source check that found something to review.
RESOURCE_NAMES = Literal[(*NAMES, "review", "source-check")]  # type: ignore[valid-type]


def _example(**example: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class CategoryOut(schema.CategoryRecord):
    """A kind of user data, such as public posts."""

    model_config = _example(
        id="public-posts",
        name="Public posts",
        version=1,
        description="Posts, articles and status updates the user published publicly.",
    )
    version: int = VERSION


class JurisdictionOut(schema.JurisdictionRecord):
    """A country, a group of countries with its member countries, or GLOBAL."""

    model_config = _example(
        code="EEA", name="European Economic Area", kind="group", members=["AT", "BE", "..."], version=1
    )
    version: int = VERSION


class PlatformOut(schema.PlatformRecord):
    """A service whose users' content may be used for AI training."""

    model_config = _example(
        id="facebook",
        name="Facebook",
        operator="Meta Platforms",
        website="https://www.facebook.com/",
        privacy_policy_url=None,
        version=1,
    )
    version: int = VERSION


class SourceOut(schema.SourceRecord):
    """A published document that rules and deadlines cite."""

    model_config = _example(
        id="M2",
        url="https://www.dataprotection.ie/en/news-media/latest-news/dpc-statement-meta-ai",
        title="DPC statement on Meta AI",
        publisher="Irish Data Protection Commission",
        published_on="2025-05-21",
        retrieved_on="2026-11-26",
        kind="primary",
        quote="plans to begin training of its generative AI model(s) on 27 May 2025.",
        via=None,
        archived_url=None,
        version=1,
    )
    version: int = VERSION


class DeadlineOut(schema.DeadlineRecord):
    """A dated event users must act by, or that changes what happens to their data."""

    model_config = _example(
        id="facebook-eea-objection-2025",
        platform="facebook",
        jurisdiction="EEA",
        kind="objection-deadline",
        on="2025-05-26",
        summary="Last day to object before Meta started training on public Facebook content.",
        after="A later objection covers only content posted from the day of the objection.",
        replaces=None,
        sources=[{"id": "M8", "quote": None, "where": None}],
        version=1,
    )
    version: int = VERSION


class RuleOut(schema.RuleRecord):
    """What happens to one platform's category of content in one jurisdiction for a span of days."""

    model_config = _example(
        id="facebook-eea-public-posts-2025",
        platform="facebook",
        category="public-posts",
        jurisdiction="EEA",
        treatment="opt_out",
        effective_from="2025-05-27",
        effective_until=None,
        posted_from=None,
        posted_until=None,
        min_age=18,
        legal_basis="legitimate-interest",
        opt_out={
            "method": "Objection form",
            "url": "https://www.facebook.com/help/contact/712876720715583",
            "deadline": "facebook-eea-objection-2025",
            "late_objection": "covers_later_posts",
            "after_deadline": "A later objection covers only content posted from the day of the objection.",
            "objection_before_start": "keeps_all_out",
        },
        confidence="high",
        summary="Used for training Meta AI since 2025-05-27 unless you objected.",
        notes=["Covers public posts of adult users."],
        reviewed_on="2026-11-26",
        sources=[
            {
                "id": "M2",
                "quote": "plans to begin training of its generative AI model(s) on 27 May 2025.",
                "where": None,
            }
        ],
        version=1,
    )
    version: int = VERSION
    confidence: Literal["high", "medium", "low"] = Field(
        description="Derived from the quoted citations (read-only; ignored in writes): high = a primary source or "
        "three independent publishers, medium = one or two publishers, low = aggregators alone"
    )

    @model_validator(mode="before")
    @classmethod
    def _underived(cls, value: Any) -> Any:
        """Let a read carry the derived confidence, which a written record may not type."""
        return value


class RuleDetail(RuleOut):
    """A rule with the sources it cites, in citation order."""

    source_details: list[SourceOut] = Field(description="The cited sources (read-only; ignored in writes)")


class OptOutLink(BaseModel):
    """Where to object to a platform's AI training, and which of its current or future rules that covers."""

    method: str
    url: str | None
    jurisdictions: list[str]
    categories: list[str]
    rules: list[str]


class PlatformDetail(PlatformOut):
    """A platform with its opt-out links and its next deadline."""

    opt_out_links: list[OptOutLink] = Field(
        description="The opt-outs of the platform's rules in force today or later (read-only; ignored in writes)"
    )
    next_deadline: DeadlineOut | None = Field(
        description="The platform's first deadline on or after today, UTC (read-only; ignored in writes)"
    )
    feeds: dict[str, str] = Field(
        description="Where to follow the platform: `calendar` (its deadlines as iCalendar) and `changes` (its "
        "changes as Atom) (read-only; ignored in writes)",
        examples=[{"calendar": "/v1/deadlines.ics?platform=facebook", "changes": "/v1/changes.atom?platform=facebook"}],
    )


class Page(BaseModel, Generic[T]):
    """One page of a list in its stable order."""

    items: list[T]
    total: int = Field(description="How many items the whole list holds")
    limit: int
    offset: int
    next: str | None = Field(
        description="The URL of the next page; null on the last",
        examples=["/v1/rules?platform=facebook&limit=100&offset=100"],
    )
    dataset_revision: int


class ChangeOut(BaseModel):
    """One write to the data: what changed, how, by whom, when, and the dataset revision it made."""

    model_config = _example(
        id=812,
        dataset_revision=42,
        resource="rule",
        resource_id="facebook-eea-public-posts-2025",
        operation="update",
        before={"summary": "..."},
        after={"summary": "..."},
        actor="key:3f9a1c2b",
        at="2026-11-27T09:30:00Z",
    )
    id: int
    dataset_revision: int = Field(description="The dataset revision this change made")
    resource: RESOURCE_NAMES
    resource_id: str
    operation: Literal["create", "update", "delete"]
    before: dict[str, Any] | None = Field(description="The record before the change; null for a create")
    after: dict[str, Any] | None = Field(description="The record after the change; null for a delete")
    actor: str = Field(description='Who wrote it: "key:<api key id>" for the API, or the command (seed, import)')
    at: datetime


class CategoryPage(Page[CategoryOut]):
    """A page of data categories."""


class JurisdictionPage(Page[JurisdictionOut]):
    """A page of jurisdictions."""


class PlatformPage(Page[PlatformOut]):
    """A page of platforms."""


class SourcePage(Page[SourceOut]):
    """A page of sources."""


class DeadlinePage(Page[DeadlineOut]):
    """A page of deadlines."""


class RulePage(Page[RuleOut]):
    """A page of rules."""


class ChangePage(Page[ChangeOut]):
    """A page of changes, newest first."""
