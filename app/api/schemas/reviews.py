"""Models of the review queue and of reviews, for the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ReviewIn(BaseModel):
    """A person's review of a rule against its sources."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"outcome": "confirmed", "note": "The help page moved; the text is the same."}]})

    outcome: Literal["confirmed", "changed"] = Field(
        description="confirmed: the rule still matches its sources; changed: it was corrected (through the normal "
                    "writes) to match them")
    note: str | None = Field(None, max_length=4000, description="What was checked or changed")


class FlaggedSource(BaseModel):
    """A source of the rule whose check found something since the rule's last review."""

    source: str = Field(examples=["M1"])
    url: str
    outcome: Literal["changed", "quote-missing", "moved", "gone"]
    checked_at: datetime
    status: int | None = Field(description="HTTP status of the last response")
    final_url: str | None = Field(description="Where the redirects ended")
    error: str | None
    diff: str = Field(description="Unified diff of the page's main text from the last review to the last check "
                                  "(empty when no text was kept, e.g. for a gone page)")


class ReviewNeeded(BaseModel):
    """Why a rule is in the review queue (only with `needs_review=true`)."""

    reviewed_on: date | None = Field(description="The day of the rule's last review")
    sources: list[FlaggedSource]


class ReviewOut(BaseModel):
    """A recorded review."""

    id: int
    rule: str
    outcome: Literal["confirmed", "changed"]
    note: str | None
    reviewed_at: datetime
    actor: str = Field(description="The API key (key:<id>) or tool that recorded it")


class ReviewCreated(ReviewOut):
    """The review just recorded, with the dataset revision it made."""

    dataset_revision: int
