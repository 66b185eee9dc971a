"""citation quotes: each rule's and deadline's link to a source carries the quote that supports it

The rule's typed confidence goes: it is derived from the quoted citations. The values `seed` remembers are
rewritten to the new record shape, so a seed after the upgrade still tells its own records from API edits.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-29 16:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINKS = ("rule_source", "deadline_source")
seeded = sa.table(
    "seeded_record", sa.column("resource", sa.String), sa.column("resource_id", sa.String), sa.column("value", sa.JSON)
)


def upgrade() -> None:
    """Apply this migration."""
    for table in LINKS:
        # Plain ADD COLUMN: no table is rebuilt.
        op.add_column(table, sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        op.add_column(table, sa.Column("location", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    _drop_column("rule", "confidence")
    _rewrite_seeded(_to_citations)


def downgrade() -> None:
    """Revert this migration; the quotes are lost and each rule gets its derived confidence typed back."""
    # The restored column keeps a server default: removing it would rebuild the rule table on SQLite.
    op.add_column(
        "rule", sa.Column("confidence", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="low")
    )
    _type_confidence()
    for table in LINKS:
        _drop_column(table, "location")
        _drop_column(table, "quote")
    _rewrite_seeded(_to_ids)


def _drop_column(table: str, column: str) -> None:
    """Drop a column in place.

    On SQLite, Alembic's batch mode rebuilds the table, and dropping the old copy of `rule` with foreign keys on
    would cascade-delete every rule's citations; SQLite 3.35+ drops a column in place instead.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    else:
        op.drop_column(table, column)


def _to_citations(resource: str, value: dict[str, Any]) -> dict[str, Any]:
    value = {k: v for k, v in value.items() if not (resource == "rule" and k == "confidence")}
    value["sources"] = [
        {"id": s, "quote": None, "where": None} if isinstance(s, str) else s for s in value.get("sources") or []
    ]
    return value


def _to_ids(resource: str, value: dict[str, Any]) -> dict[str, Any]:
    value = {**value, "sources": [s["id"] if isinstance(s, dict) else s for s in value.get("sources") or []]}
    if resource == "rule":
        value["confidence"] = _CONFIDENCE.get(value["id"], "low")
    return value


_CONFIDENCE: dict[str, str] = {}


def _type_confidence() -> None:
    """Write each rule's derived confidence into the restored column."""
    from app.policy.confidence import support

    bind = op.get_bind()
    sources = {
        row.id: (row.kind, row.publisher) for row in bind.execute(sa.text("SELECT id, kind, publisher FROM source"))
    }
    cited: dict[str, list[tuple[str, str, bool]]] = {}
    for row in bind.execute(sa.text("SELECT rule_id, source_id, quote FROM rule_source")):
        if row.source_id in sources:
            cited.setdefault(row.rule_id, []).append((*sources[row.source_id], row.quote is not None))
    for rule_id, links in cited.items():
        level = support(links).confidence.value
        _CONFIDENCE[rule_id] = level
        bind.execute(sa.text("UPDATE rule SET confidence = :c WHERE id = :i"), {"c": level, "i": rule_id})


def _rewrite_seeded(change: Any) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(seeded.c.resource, seeded.c.resource_id, seeded.c.value).where(
            seeded.c.resource.in_(("rule", "deadline"))
        )
    ).all()
    for resource, resource_id, value in rows:
        bind.execute(
            seeded.update()
            .where(seeded.c.resource == resource, seeded.c.resource_id == resource_id)
            .values(value=change(resource, value))
        )
