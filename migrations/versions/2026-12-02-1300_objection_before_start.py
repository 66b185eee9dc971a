"""what an objection before a rule's start does

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Say, per opt-out, whether an objection before the rule took effect keeps everything out (NULL: it does)."""
    # A plain ADD COLUMN on every database: batch mode would rebuild `rule` on SQLite, and dropping its old copy with
    # foreign keys on would cascade to the rules' citations.
    op.add_column("rule", sa.Column("objection_before_start", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    """Forget it: every objection before a rule's start keeps everything out again."""
    if op.get_bind().dialect.name == "sqlite":  # in place (SQLite 3.35+), for the reason above
        op.execute('ALTER TABLE "rule" DROP COLUMN "objection_before_start"')
    else:
        op.drop_column("rule", "objection_before_start")
