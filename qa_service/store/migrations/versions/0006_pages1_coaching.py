"""coaching tasks: what an agent is to practise, from which call lines, by when

Revision ID: 0006_pages1_coaching
Revises: 0004_pages_dispute_statement
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qa_service.store.base import JSONType, UTCDateTime

revision = "0006_pages1_coaching"
down_revision = "0004_pages_dispute_statement"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coaching_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("agent_user_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("focus", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("lines", JSONType, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_user_id"], ["users.id"], name=op.f("fk_coaching_tasks_agent_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_coaching_tasks_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_coaching_tasks_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_tasks")),
    )
    for column in ("agent_user_id", "call_id", "team"):
        op.create_index(
            op.f(f"ix_coaching_tasks_{column}"), "coaching_tasks", [column], unique=False
        )
    op.create_index(
        "ix_coaching_tasks_status_due", "coaching_tasks", ["status", "due_on"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_coaching_tasks_status_due", table_name="coaching_tasks")
    for column in ("team", "call_id", "agent_user_id"):
        op.drop_index(op.f(f"ix_coaching_tasks_{column}"), table_name="coaching_tasks")
    op.drop_table("coaching_tasks")
