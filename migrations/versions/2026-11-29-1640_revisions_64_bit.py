"""revisions are 64-bit

Revision ID: 0002
Revises: 0004
Create Date: 2026-11-29 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The dataset revision and each change's revision: 32-bit columns would refuse a filter at 2^31 on PostgreSQL.
COLUMNS = (("dataset_revision", "revision"), ("change", "revision"))


def upgrade() -> None:
    """Widen the revision columns to 64 bits."""
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    """Narrow the revision columns back to 32 bits."""
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
