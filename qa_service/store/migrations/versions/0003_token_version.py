"""per-user token version: signing out everywhere or a new password revokes old tokens

Revision ID: 0003_token_version
Revises: 0002_sampling_imports
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_token_version"
down_revision = "0002_sampling_imports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("token_version")
