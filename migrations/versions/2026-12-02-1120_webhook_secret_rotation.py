"""webhook secret rotation

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-02 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Keep a subscription's previous secret, and until when deliveries are signed with it too."""
    with op.batch_alter_table("webhook_subscription", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_secret", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("previous_secret_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Forget previous secrets."""
    for column in ("previous_secret_until", "previous_secret"):
        _drop_column("webhook_subscription", column)


def _drop_column(table: str, column: str) -> None:
    """Drop a column in place.

    On SQLite, Alembic's batch mode rebuilds the table, and dropping the old copy of `webhook_subscription` with
    foreign keys on would cascade-delete every delivery; SQLite 3.35+ drops a column in place instead.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    else:
        op.drop_column(table, column)
