"""Response and request models of the decision endpoints, for the OpenAPI document and Swagger."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

Verdict = Literal["used", "not_used", "conditional", "unknown"]
DependsOn = Literal["country", "age", "objected", "objected_on", "posted_on", "opted_in"]
CATEGORY_IDS = [
    "public-posts",
    "public-comments",
    "public-media",
    "profile-info",
    "private-content",
    "private-messages",
    "group-content",
    "ai-interactions",
    "usage-data",
]


class PlatformRef(BaseModel):
    """The platform an answer is about."""

    id: str = Field(examples=["instagram"])
    name: str = Field(examples=["Instagram"])
    operator: str = Field(examples=["Meta Platforms"])


class OptOutOut(BaseModel):
    """How to object, and whether the deadline has passed on the day asked about."""

    available: bool
    method: str = Field(examples=["objection form"])
    url: str | None
    deadline: date | None = Field(examples=["2025-05-26"])
    deadline_passed: bool | None
    after_deadline: str | None = Field(
        examples=["A later objection covers only content posted from the day of the objection."]
    )


class SourceRef(BaseModel):
    """A document the answer rests on, with the words of it that support the rule (strongest sources first)."""

    id: str = Field(description="The source's id, as /v1/sources lists it", examples=["M2"])
    title: str
    url: str
    publisher: str
    kind: Literal["primary", "secondary", "aggregator"] = Field(
        description="primary: the platform, a regulator or a court; secondary: the press; aggregator: a digest"
    )
    published_on: str | None = Field(
        description="YYYY-MM-DD, or YYYY-MM / YYYY where the source gives no day", examples=["2025-04-14"]
    )
    retrieved_on: date
    quote: str | None = Field(
        description="The exact words of the source that support the rule (or deadline) cited",
        examples=["plans to begin training of its generative AI model(s) on 27 May 2025."],
    )
    where: str | None = Field(description="Where in the source the quote stands (section, paragraph), if noted")


class DecisionOut(BaseModel):
    """The answer for one data category."""

    category: str = Field(examples=["public-posts"])
    verdict: Verdict = Field(description="used, not_used, conditional (see depends_on) or unknown")
    used: bool | None = Field(description="true/false for a definite verdict; null when conditional or unknown")
    depends_on: list[DependsOn] = Field(
        description="Query parameters not given whose value could still change the verdict; empty unless conditional",
        examples=[["age", "objected", "objected_on", "posted_on"]],
    )
    summary: str
    reasons: list[str]
    rule_id: str | None
    legal_basis: str | None = Field(examples=["legitimate-interest"])
    effective_from: date | None
    effective_until: date | None
    confidence: Literal["high", "medium", "low"] | None
    opt_out: OptOutOut | None
    reviewed_on: date | None = Field(
        description="The day a person last checked the rules this answer rests on "
        "against their sources (the oldest such review); null without a "
        "rule",
        examples=["2026-11-26"],
    )
    stale: bool = Field(
        description="true when a cited source changed or vanished since that review, or the review "
        "is older than the configured limit; the verdict stands, and the reasons say why "
        "it may be out of date"
    )
    sources: list[SourceRef]


class DecisionResponse(BaseModel):
    """Is this content used for AI training on this platform? One decision per category asked about."""

    platform: PlatformRef
    country: str | None = Field(examples=["DE"])
    jurisdictions: list[str] = Field(examples=[["DE", "EU", "EEA", "GLOBAL"]])
    as_of: date = Field(examples=["2025-09-01"])
    dataset_revision: int
    decisions: list[DecisionOut]


class Check(BaseModel):
    """One question of a batch; the fields mean what the single endpoint's query parameters mean."""

    platform: str = Field(examples=["instagram"])
    category: str = Field(examples=["public-posts"])
    country: str | None = Field(None, examples=["DE"])
    as_of: date | None = Field(None, examples=["2025-09-01"])
    age: int | None = Field(None, ge=0, le=150, examples=[30])
    objected: bool | None = None
    objected_on: date | None = None
    posted_on: date | None = None
    opted_in: bool | None = None
    opted_in_on: date | None = None


class CheckResult(BaseModel):
    """A check's decision (status 200, with its platform), or a problem document with its own status."""

    status: int
    platform: PlatformRef | None = None
    country: str | None = None
    jurisdictions: list[str] | None = None
    as_of: date | None = None
    dataset_revision: int | None = None
    decision: DecisionOut | None = None
    type: str | None = None
    title: str | None = None
    detail: str | None = None
    param: str | None = None


class ChecksResponse(BaseModel):
    """One result per check, in the order of the checks."""

    dataset_revision: int
    results: list[CheckResult]


class ProblemOut(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    param: str | None = Field(None, description="The parameter or field at fault")
    valid: list[str] | None = Field(None, description="The valid ids, where an unknown id was given")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return OpenAPI response entries documenting problem+json errors."""
    return {status: {"model": ProblemOut, "content": {"application/problem+json": {}}} for status in statuses}
