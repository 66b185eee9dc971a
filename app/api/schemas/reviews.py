"""Models of the review queue and of reviews, for the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.api.schemas.catalog import Page
from app.dataset.types import no_control

# A note is shown in the Atom feed, and XML cannot carry control characters; PostgreSQL cannot store NUL.
Note = Annotated[str, Field(max_length=4000), AfterValidator(no_control)]


class ReviewIn(BaseModel):
    """A person's review of a rule against its sources."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"outcome": "confirmed", "note": "The help page moved; the text is the same."}]
        },
    )

    outcome: Literal["confirmed", "changed"] = Field(
        description="confirmed: the rule still matches its sources; changed: it was corrected (through the normal "
        "writes) to match them"
    )
    note: Note | None = Field(None, description="What was checked or changed (no control characters)")


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


class ReviewPage(Page[ReviewOut]):
    """A page of a rule's reviews, newest first."""
