"""The one registry of resource kinds: adding a kind of record to Trainwatch is one entry here.

Records, integrity checks, seeding, the catalog copy and the catalog routes all read it. The order of KINDS is
the write order: a kind comes after every kind its records refer to (seeding and imports write in this order, and
delete in the reverse).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import SQLModel

from app.dataset import schema
from app.store import models


def natural(key: str) -> list[Any]:
    """Sort key that orders ids as people number them: M2 before M10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"([0-9]+)", key)]


@dataclass(frozen=True)
class ResourceKind:
    """One kind of record: how the dataset files, the database and the API name, store and order it."""

    name: str  # the write path's and the change log's name: "rule"
    section: str  # the dataset file's top-level key: "rules"
    route: str  # the URL segment under /v1: "rules"
    table: type[SQLModel]
    record: type[schema.Record]  # the dataset file's record: its fields, in order, and their checks
    key: str = "id"  # the record field holding the key
    renames: dict[str, str] = field(default_factory=dict)  # record field -> column
    list_order: Callable[[Mapping[str, Any]], Any] | None = None  # stable list order; default: by key

    @property
    def fields(self) -> tuple[str, ...]:
        """Return the record's fields in the order the files and the API present them."""
        return tuple(self.record.model_fields)

    @property
    def noun(self) -> str:
        """Return the kind's name as documentation and errors say it ("data category")."""
        return "data category" if self.name == "category" else self.name

    def order(self, record: Mapping[str, Any]) -> Any:
        """Return the record's sort key in lists."""
        return self.list_order(record) if self.list_order is not None else record[self.key]


KINDS: dict[str, ResourceKind] = {
    kind.name: kind
    for kind in (
        ResourceKind("category", "categories", "data-categories", models.DataCategory, schema.CategoryRecord),
        ResourceKind(
            "jurisdiction", "jurisdictions", "jurisdictions", models.Jurisdiction, schema.JurisdictionRecord, key="code"
        ),
        ResourceKind("platform", "platforms", "platforms", models.Platform, schema.PlatformRecord),
        ResourceKind(
            "source", "sources", "sources", models.Source, schema.SourceRecord, list_order=lambda r: natural(r["id"])
        ),
        ResourceKind(
            "deadline",
            "deadlines",
            "deadlines",
            models.Deadline,
            schema.DeadlineRecord,
            renames={"platform": "platform_id", "jurisdiction": "jurisdiction_code", "replaces": "replaces_id"},
            list_order=lambda r: (r["on"], r["id"]),
        ),  # by day, so the next deadline comes first
        ResourceKind(
            "rule",
            "rules",
            "rules",
            models.Rule,
            schema.RuleRecord,
            renames={"platform": "platform_id", "category": "category_id", "jurisdiction": "jurisdiction_code"},
        ),
    )
}
NAMES = tuple(KINDS)
SECTION_KINDS = {kind.section: kind.name for kind in KINDS.values()}  # "rules" -> "rule"
