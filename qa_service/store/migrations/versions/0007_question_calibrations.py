"""question calibration sessions: reviewers answer the same calls' questions blind

Revision ID: 0007_question_calibrations
Revises: 0006_pages1_coaching
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qa_service.store.base import JSONType, UTCDateTime

revision = "0007_question_calibrations"
down_revision = "0006_pages1_coaching"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_calibrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("call_ids", JSONType, nullable=False),
        sa.Column("rule_ids", JSONType, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_question_calibrations_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_calibrations")),
    )
    op.create_table(
        "calibration_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calibration_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=128), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["calibration_id"],
            ["question_calibrations.id"],
            name=op.f("fk_calibration_answers_calibration_id_question_calibrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_calibration_answers_reviewer_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_answers")),
        sa.UniqueConstraint(
            "calibration_id",
            "call_id",
            "rule_id",
            "reviewer_id",
            name=op.f("uq_calibration_answers_calibration_id"),
        ),
    )
    op.create_index(
        op.f("ix_calibration_answers_calibration_id"),
        "calibration_answers",
        ["calibration_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_calibration_answers_calibration_id"),
        table_name="calibration_answers",
    )
    op.drop_table("calibration_answers")
    op.drop_table("question_calibrations")
