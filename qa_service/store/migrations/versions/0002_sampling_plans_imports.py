"""sampling plans and batch imports

Revision ID: 0002_sampling_imports
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qa_service.store.base import JSONType, UTCDateTime

revision = "0002_sampling_imports"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sampling_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("parameters", JSONType, nullable=False),
        sa.Column("filters", JSONType, nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("selected", sa.Integer(), nullable=False),
        sa.Column("population_digest", sa.String(length=64), nullable=False),
        sa.Column("selection_digest", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_sampling_plans_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sampling_plans")),
    )
    op.create_index("ix_sampling_plans_period", "sampling_plans", ["period"], unique=False)
    op.create_table(
        "sampling_plan_calls",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("stratum", sa.String(length=128), nullable=False),
        sa.Column("risks", sa.String(length=128), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_sampling_plan_calls_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["sampling_plans.id"],
            name=op.f("fk_sampling_plan_calls_plan_id_sampling_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_sampling_plan_calls_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("plan_id", "call_id", name=op.f("pk_sampling_plan_calls")),
    )
    op.create_index(
        op.f("ix_sampling_plan_calls_call_id"), "sampling_plan_calls", ["call_id"], unique=False
    )
    op.create_index(
        op.f("ix_sampling_plan_calls_reviewer_id"),
        "sampling_plan_calls",
        ["reviewer_id"],
        unique=False,
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=1024), nullable=False),
        sa.Column("manifest", sa.String(length=1024), nullable=False),
        sa.Column("pattern", sa.String(length=512), nullable=False),
        sa.Column("options", JSONType, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_import_batches_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    op.create_index(
        "ix_import_batches_source", "import_batches", ["source", "manifest"], unique=False
    )
    op.create_table(
        "import_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_import_files_batch_id_import_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_import_files_call_id_calls"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_files")),
    )
    op.create_index("ix_import_files_batch_path", "import_files", ["batch_id", "path"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_import_files_batch_path", table_name="import_files")
    op.drop_table("import_files")
    op.drop_index("ix_import_batches_source", table_name="import_batches")
    op.drop_table("import_batches")
    op.drop_index(op.f("ix_sampling_plan_calls_reviewer_id"), table_name="sampling_plan_calls")
    op.drop_index(op.f("ix_sampling_plan_calls_call_id"), table_name="sampling_plan_calls")
    op.drop_table("sampling_plan_calls")
    op.drop_index("ix_sampling_plans_period", table_name="sampling_plans")
    op.drop_table("sampling_plans")
