"""initial schema

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qa_service.store.base import JSONType, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("agent_id", name=op.f("uq_users_agent_id")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_team"), "users", ["team"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("before", JSONType, nullable=True),
        sa.Column("after", JSONType, nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_log_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_actor_id"), "audit_log", ["actor_id"], unique=False)
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)

    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_path", sa.String(length=512), nullable=False),
        sa.Column("media_format", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("direction", sa.String(length=16), nullable=True),
        sa.Column("customer_ref", sa.String(length=128), nullable=True),
        sa.Column("roles", sa.String(length=32), nullable=False),
        sa.Column("language_hint", sa.String(length=8), nullable=True),
        sa.Column("pack_request", sa.String(length=128), nullable=True),
        sa.Column("csat", sa.Float(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("extra", JSONType, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("analysed_at", UTCDateTime(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("rule_pack", sa.String(length=128), nullable=True),
        sa.Column("scorecard", sa.String(length=128), nullable=True),
        sa.Column("score_total", sa.Float(), nullable=True),
        sa.Column("critical_failed", sa.Boolean(), nullable=True),
        sa.Column("findings_count", sa.Integer(), nullable=True),
        sa.Column("talk_ratio_agent", sa.Float(), nullable=True),
        sa.Column("silence_count", sa.Integer(), nullable=True),
        sa.Column("silence_total_s", sa.Float(), nullable=True),
        sa.Column("longest_silence_s", sa.Float(), nullable=True),
        sa.Column("interruptions_by_agent", sa.Integer(), nullable=True),
        sa.Column("interruptions_by_customer", sa.Integer(), nullable=True),
        sa.Column("customer_sentiment_start", sa.Float(), nullable=True),
        sa.Column("customer_sentiment_end", sa.Float(), nullable=True),
        sa.Column("customer_negative", sa.Boolean(), nullable=True),
        sa.Column("result", JSONType, nullable=True),
        sa.Column("review_state", sa.String(length=16), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("reviewed_score", sa.Float(), nullable=True),
        sa.Column("score_adjustment", sa.Float(), nullable=True),
        sa.Column("second_review_required", sa.Boolean(), nullable=False),
        sa.Column("calibration_flag", sa.Boolean(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("disputes_open", sa.Integer(), nullable=False),
        sa.Column("disputes_total", sa.Integer(), nullable=False),
        sa.Column("overturned_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_calls_reviewer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_calls_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("call_id", name=op.f("uq_calls_call_id")),
        sa.UniqueConstraint("content_sha256", name=op.f("uq_calls_content_sha256")),
    )
    op.create_index("ix_calls_agent_started", "calls", ["agent_id", "started_at"], unique=False)
    op.create_index(
        "ix_calls_customer_started", "calls", ["customer_ref", "started_at"], unique=False
    )
    op.create_index("ix_calls_queue_started", "calls", ["queue", "started_at"], unique=False)
    op.create_index(op.f("ix_calls_review_state"), "calls", ["review_state"], unique=False)
    op.create_index(op.f("ix_calls_started_at"), "calls", ["started_at"], unique=False)
    op.create_index(op.f("ix_calls_status"), "calls", ["status"], unique=False)
    op.create_index("ix_calls_team_started", "calls", ["team", "started_at"], unique=False)

    op.create_table(
        "pack_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("scorecard_name", sa.String(length=128), nullable=True),
        sa.Column("scorecard_content", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_pack_versions_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_versions")),
        sa.UniqueConstraint("kind", "name", "version", name=op.f("uq_pack_versions_kind")),
    )
    op.create_table(
        "call_dimensions",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reviewed_score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_call_dimensions_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("call_id", "dimension", name=op.f("pk_call_dimensions")),
    )
    op.create_index(
        op.f("ix_call_dimensions_dimension"), "call_dimensions", ["dimension"], unique=False
    )

    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=128), nullable=False),
        sa.Column("agent_user_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("appeal_until", UTCDateTime(), nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_user_id"], ["users.id"], name=op.f("fk_disputes_agent_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_disputes_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    op.create_index(op.f("ix_disputes_agent_user_id"), "disputes", ["agent_user_id"], unique=False)
    op.create_index(op.f("ix_disputes_call_id"), "disputes", ["call_id"], unique=False)
    op.create_index(op.f("ix_disputes_finding_id"), "disputes", ["finding_id"], unique=False)
    op.create_index("ix_disputes_status_due", "disputes", ["status", "due_at"], unique=False)
    op.create_index(op.f("ix_disputes_team"), "disputes", ["team"], unique=False)

    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("end_s", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", JSONType, nullable=True),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("verdict_reason", sa.Text(), nullable=True),
        sa.Column("disputed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_findings_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    op.create_index("ix_findings_call_position", "findings", ["call_id", "position"], unique=True)
    op.create_index(op.f("ix_findings_category"), "findings", ["category"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("payload", JSONType, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", UTCDateTime(), nullable=False),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_jobs_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_call_id"), "jobs", ["call_id"], unique=False)
    op.create_index("ix_jobs_status_run_after", "jobs", ["status", "run_after"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("score_adjustment", sa.Float(), nullable=False),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_reviews_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_reviews_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    op.create_index(op.f("ix_reviews_call_id"), "reviews", ["call_id"], unique=False)
    op.create_index(op.f("ix_reviews_reviewer_id"), "reviews", ["reviewer_id"], unique=False)

    op.create_table(
        "self_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_self_assessments_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_self_assessments_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessments")),
        sa.UniqueConstraint("call_id", "dimension", name=op.f("uq_self_assessments_call_id")),
    )
    op.create_table(
        "dispute_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_dispute_steps_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["disputes.id"],
            name=op.f("fk_dispute_steps_dispute_id_disputes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_steps")),
    )
    op.create_table(
        "finding_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=128), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_finding_verdicts_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_verdicts")),
        sa.UniqueConstraint("review_id", "finding_id", name=op.f("uq_finding_verdicts_review_id")),
    )
    op.create_index(
        op.f("ix_finding_verdicts_finding_id"), "finding_verdicts", ["finding_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_finding_verdicts_finding_id"), table_name="finding_verdicts")

    op.drop_table("finding_verdicts")
    op.drop_table("dispute_steps")
    op.drop_table("self_assessments")
    op.drop_index(op.f("ix_reviews_reviewer_id"), table_name="reviews")
    op.drop_index(op.f("ix_reviews_call_id"), table_name="reviews")

    op.drop_table("reviews")
    op.drop_index("ix_jobs_status_run_after", table_name="jobs")
    op.drop_index(op.f("ix_jobs_call_id"), table_name="jobs")

    op.drop_table("jobs")
    op.drop_index(op.f("ix_findings_category"), table_name="findings")
    op.drop_index("ix_findings_call_position", table_name="findings")

    op.drop_table("findings")
    op.drop_index(op.f("ix_disputes_team"), table_name="disputes")
    op.drop_index("ix_disputes_status_due", table_name="disputes")
    op.drop_index(op.f("ix_disputes_finding_id"), table_name="disputes")
    op.drop_index(op.f("ix_disputes_call_id"), table_name="disputes")
    op.drop_index(op.f("ix_disputes_agent_user_id"), table_name="disputes")

    op.drop_table("disputes")
    op.drop_index(op.f("ix_call_dimensions_dimension"), table_name="call_dimensions")

    op.drop_table("call_dimensions")
    op.drop_table("pack_versions")
    op.drop_index("ix_calls_team_started", table_name="calls")
    op.drop_index(op.f("ix_calls_status"), table_name="calls")
    op.drop_index(op.f("ix_calls_started_at"), table_name="calls")
    op.drop_index(op.f("ix_calls_review_state"), table_name="calls")
    op.drop_index("ix_calls_queue_started", table_name="calls")
    op.drop_index("ix_calls_customer_started", table_name="calls")
    op.drop_index("ix_calls_agent_started", table_name="calls")

    op.drop_table("calls")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_actor_id"), table_name="audit_log")

    op.drop_table("audit_log")
    op.drop_index(op.f("ix_users_team"), table_name="users")

    op.drop_table("users")
