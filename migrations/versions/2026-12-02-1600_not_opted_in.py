"""what an opt-in rule says of users who did not opt in

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELD = "not_opted_in"
DEFAULT = "not_used"
seeded = sa.table(
    "seeded_record", sa.column("resource", sa.String), sa.column("resource_id", sa.String), sa.column("value", sa.JSON)
)


def upgrade() -> None:
    """Say, per rule, whether users who did not switch an opt-in on are not used (every stored rule) or unknown."""
    # A plain ADD COLUMN on every database, as in 0007: batch mode would rebuild `rule` on SQLite, and dropping its
    # old copy with foreign keys on would cascade to the rules' citations. The server default fills the stored rows.
    op.add_column("rule", sa.Column(FIELD, sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=DEFAULT))
    # A stored rule now reads with the field; what the last seed wrote must too, or the next seed takes every rule
    # whose file changed for an edit made through the API and leaves it alone.
    _rewrite_seeded_rules(lambda rule: {**rule, FIELD: rule.get(FIELD) or DEFAULT})


def downgrade() -> None:
    """Forget it: users who did not switch an opt-in on are not used again."""
    _rewrite_seeded_rules(lambda rule: {k: v for k, v in rule.items() if k != FIELD})
    if op.get_bind().dialect.name == "sqlite":  # in place (SQLite 3.35+), for the reason above
        op.execute(f'ALTER TABLE "rule" DROP COLUMN "{FIELD}"')
    else:
        op.drop_column("rule", FIELD)


def _rewrite_seeded_rules(change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Apply a change to every rule value the last seed wrote."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(seeded.c.resource_id, seeded.c.value).where(seeded.c.resource == "rule")).all()
    for resource_id, value in rows:
        if isinstance(value, dict):
            bind.execute(
                seeded.update()
                .where(seeded.c.resource == "rule", seeded.c.resource_id == resource_id)
                .values(value=change(value))
            )
