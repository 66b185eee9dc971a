"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 12:31:18.221799
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "api_key",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_key_key_hash")),
    )
    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("resource", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("resource_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("operation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
        sa.UniqueConstraint("revision", "seq", name=op.f("uq_change_revision_seq")),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_revision"), ["revision"], unique=False)

    op.create_table(
        "data_category",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_category")),
    )
    op.create_table(
        "dataset_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_revision")),
    )
    # The one revision row every write bumps; it exists from the start so writers only ever update it.
    revision_table = sa.table(
        "dataset_revision",
        sa.column("id", sa.Integer),
        sa.column("revision", sa.Integer),
        sa.column("updated_at", sa.DateTime),
    )
    op.bulk_insert(revision_table, [{"id": 1, "revision": 0, "updated_at": datetime.now(UTC)}])
    op.create_table(
        "jurisdiction",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_jurisdiction")),
    )
    op.create_table(
        "platform",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("operator", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("website", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("privacy_policy_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform")),
    )
    with op.batch_alter_table("platform", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_platform_operator"), ["operator"], unique=False)

    op.create_table(
        "seeded_record",
        sa.Column("resource", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("resource_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("resource", "resource_id", name=op.f("pk_seeded_record")),
    )
    op.create_table(
        "source",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("publisher", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("published_on", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("retrieved_on", sa.Date(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
    )
    op.create_table(
        "deadline",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("platform_id", sa.String(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("after", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("replaces_id", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"], ["jurisdiction.code"], name=op.f("fk_deadline_jurisdiction_code_jurisdiction")
        ),
        sa.ForeignKeyConstraint(["platform_id"], ["platform.id"], name=op.f("fk_deadline_platform_id_platform")),
        sa.ForeignKeyConstraint(["replaces_id"], ["deadline.id"], name=op.f("fk_deadline_replaces_id_deadline")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline")),
    )
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_jurisdiction_code"), ["jurisdiction_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadline_on"), ["on"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadline_platform_id"), ["platform_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadline_replaces_id"), ["replaces_id"], unique=False)

    op.create_table(
        "jurisdiction_member",
        sa.Column("group_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("country_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_code"], ["jurisdiction.code"], name=op.f("fk_jurisdiction_member_country_code_jurisdiction")
        ),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["jurisdiction.code"],
            name=op.f("fk_jurisdiction_member_group_code_jurisdiction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_code", "country_code", name=op.f("pk_jurisdiction_member")),
    )
    with op.batch_alter_table("jurisdiction_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jurisdiction_member_country_code"), ["country_code"], unique=False)

    op.create_table(
        "deadline_source",
        sa.Column("deadline_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deadline_id"], ["deadline.id"], name=op.f("fk_deadline_source_deadline_id_deadline"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], name=op.f("fk_deadline_source_source_id_source")),
        sa.PrimaryKeyConstraint("deadline_id", "source_id", name=op.f("pk_deadline_source")),
    )
    with op.batch_alter_table("deadline_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_source_source_id"), ["source_id"], unique=False)

    op.create_table(
        "rule",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("platform_id", sa.String(), nullable=False),
        sa.Column("category_id", sa.String(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(), nullable=False),
        sa.Column("treatment", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("used_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("posted_from", sa.Date(), nullable=True),
        sa.Column("posted_until", sa.Date(), nullable=True),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("under_age", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("legal_basis", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("opt_out_method", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("opt_out_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("opt_out_deadline_id", sa.String(), nullable=True),
        sa.Column("late_objection", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("after_deadline", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("confidence", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["data_category.id"], name=op.f("fk_rule_category_id_data_category")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"], ["jurisdiction.code"], name=op.f("fk_rule_jurisdiction_code_jurisdiction")
        ),
        sa.ForeignKeyConstraint(
            ["opt_out_deadline_id"], ["deadline.id"], name=op.f("fk_rule_opt_out_deadline_id_deadline")
        ),
        sa.ForeignKeyConstraint(["platform_id"], ["platform.id"], name=op.f("fk_rule_platform_id_platform")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule")),
    )
    with op.batch_alter_table("rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rule_jurisdiction_code"), ["jurisdiction_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_rule_opt_out_deadline_id"), ["opt_out_deadline_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rule_platform_id"), ["platform_id"], unique=False)

    op.create_table(
        "rule_source",
        sa.Column("rule_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["rule_id"], ["rule.id"], name=op.f("fk_rule_source_rule_id_rule"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], name=op.f("fk_rule_source_source_id_source")),
        sa.PrimaryKeyConstraint("rule_id", "source_id", name=op.f("pk_rule_source")),
    )
    with op.batch_alter_table("rule_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_source_source_id"), ["source_id"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("rule_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_source_source_id"))

    op.drop_table("rule_source")
    with op.batch_alter_table("rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_platform_id"))
        batch_op.drop_index(batch_op.f("ix_rule_opt_out_deadline_id"))
        batch_op.drop_index(batch_op.f("ix_rule_jurisdiction_code"))
        batch_op.drop_index(batch_op.f("ix_rule_category_id"))

    op.drop_table("rule")
    with op.batch_alter_table("deadline_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_source_source_id"))

    op.drop_table("deadline_source")
    with op.batch_alter_table("jurisdiction_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jurisdiction_member_country_code"))

    op.drop_table("jurisdiction_member")
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_replaces_id"))
        batch_op.drop_index(batch_op.f("ix_deadline_platform_id"))
        batch_op.drop_index(batch_op.f("ix_deadline_on"))
        batch_op.drop_index(batch_op.f("ix_deadline_jurisdiction_code"))

    op.drop_table("deadline")
    op.drop_table("source")
    op.drop_table("seeded_record")
    with op.batch_alter_table("platform", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_platform_operator"))

    op.drop_table("platform")
    op.drop_table("jurisdiction")
    op.drop_table("dataset_revision")
    op.drop_table("data_category")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_revision"))

    op.drop_table("change")
    op.drop_table("api_key")
