"""retention and deletion: when a call's recording and transcript were purged, and a marker
for a purge begun but not finished

Revision ID: 0004_retention
Revises: 0003_token_version
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from qa_service.store.base import UTCDateTime

revision = "0004_retention"
down_revision = "0003_token_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("audio_purged_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("transcript_purged_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("purge_reason", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("purge_pending", sa.String(length=16), nullable=True))
        batch.create_index(batch.f("ix_calls_purge_pending"), ["purge_pending"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_index(batch.f("ix_calls_purge_pending"))
        batch.drop_column("purge_pending")
        batch.drop_column("purge_reason")
        batch.drop_column("transcript_purged_at")
        batch.drop_column("audio_purged_at")
