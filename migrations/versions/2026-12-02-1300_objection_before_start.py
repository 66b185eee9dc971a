"""what an objection before a rule's start does

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 13:00:00
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELD = "objection_before_start"
seeded = sa.table(
    "seeded_record", sa.column("resource", sa.String), sa.column("resource_id", sa.String), sa.column("value", sa.JSON)
)


def upgrade() -> None:
    """Say, per opt-out, whether an objection before the rule took effect keeps everything out (NULL: it does)."""
    # A plain ADD COLUMN on every database: batch mode would rebuild `rule` on SQLite, and dropping its old copy with
    # foreign keys on would cascade to the rules' citations.
    op.add_column("rule", sa.Column(FIELD, sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    # A stored rule now reads with the field (its default where NULL); what the last seed wrote must too, or the next
    # seed takes every rule whose file changed for an edit made through the API and leaves it alone.
    _rewrite_seeded_opt_outs(lambda opt_out: {**opt_out, FIELD: opt_out.get(FIELD) or "keeps_all_out"})


def downgrade() -> None:
    """Forget it: every objection before a rule's start keeps everything out again."""
    _rewrite_seeded_opt_outs(lambda opt_out: {k: v for k, v in opt_out.items() if k != FIELD})
    if op.get_bind().dialect.name == "sqlite":  # in place (SQLite 3.35+), for the reason above
        op.execute(f'ALTER TABLE "rule" DROP COLUMN "{FIELD}"')
    else:
        op.drop_column("rule", FIELD)


def _rewrite_seeded_opt_outs(change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Apply a change to the opt-out of every rule value the last seed wrote."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(seeded.c.resource_id, seeded.c.value).where(seeded.c.resource == "rule")).all()
    for resource_id, value in rows:
        if isinstance(value, dict) and isinstance(value.get("opt_out"), dict):
            bind.execute(
                seeded.update()
                .where(seeded.c.resource == "rule", seeded.c.resource_id == resource_id)
                .values(value={**value, "opt_out": change(value["opt_out"])})
            )
