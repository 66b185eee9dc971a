"""source checks and reviews: check history, rule reviews, rule.reviewed_on, source.archived_url

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-29 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "source_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("final_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("redirects", sa.JSON(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("finding", sa.Boolean(), nullable=False),
        sa.Column("text_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("quotes", sa.JSON(), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_check")),
    )
    with op.batch_alter_table("source_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_check_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_source_check_checked_at"), ["checked_at"], unique=False)
    op.create_table(
        "rule_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_review")),
    )
    with op.batch_alter_table("rule_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_review_rule_id"), ["rule_id"], unique=False)
    with op.batch_alter_table("rule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    _drop_column("source", "archived_url")
    _drop_column("rule", "reviewed_on")
    with op.batch_alter_table("rule_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_review_rule_id"))
    op.drop_table("rule_review")
    with op.batch_alter_table("source_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_check_checked_at"))
        batch_op.drop_index(batch_op.f("ix_source_check_source_id"))
    op.drop_table("source_check")


def _drop_column(table: str, column: str) -> None:
    """Drop a column in place: on SQLite, batch mode would rebuild the table, and dropping the old copy with
    foreign keys on fails (source) or cascade-deletes the rows that refer to it (rule)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    else:
        op.drop_column(table, column)
