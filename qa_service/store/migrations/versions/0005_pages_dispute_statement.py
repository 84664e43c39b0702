"""dispute steps keep the agent's statement (the dispute's or the appeal's reason)

Existing rows: the first step gets the dispute's reason; an appealed step (one that follows
an upheld step) gets the appeal's reason from the audit log, where it was the only record.

Revision ID: 0004_pages_dispute_statement
Revises: 0004_retention
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004_pages_dispute_statement"
down_revision = "0004_retention"
branch_labels = None
depends_on = None


def _appeals(connection: sa.Connection) -> dict[str, list[str]]:
    """Dispute id -> its appeal reasons, oldest first, as the audit log recorded them."""
    rows = connection.execute(
        sa.text(
            "SELECT entity_id, after FROM audit_log WHERE action = 'dispute.appeal' ORDER BY id"
        )
    )
    found: dict[str, list[str]] = {}
    for entity_id, after in rows:
        data = json.loads(after) if isinstance(after, str) else (after or {})
        found.setdefault(str(entity_id), []).append(str(data.get("appeal") or ""))
    return found


def _backfill(connection: sa.Connection) -> None:
    appeals = _appeals(connection)
    steps = connection.execute(
        sa.text(
            "SELECT s.id, s.dispute_id, s.decision, d.reason FROM dispute_steps s "
            "JOIN disputes d ON d.id = s.dispute_id ORDER BY s.dispute_id, s.id"
        )
    ).all()
    previous: dict[int, str | None] = {}
    for step_id, dispute_id, decision, reason in steps:
        if dispute_id not in previous:
            text = reason or ""
        elif previous[dispute_id] == "uphold":
            pending = appeals.get(str(dispute_id)) or [""]
            text = pending.pop(0)
        else:
            text = ""
        previous[dispute_id] = decision
        if text:
            connection.execute(
                sa.text("UPDATE dispute_steps SET statement = :text WHERE id = :id"),
                {"text": text, "id": step_id},
            )


def upgrade() -> None:
    with op.batch_alter_table("dispute_steps") as batch:
        batch.add_column(sa.Column("statement", sa.Text(), nullable=False, server_default=""))
    _backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("dispute_steps") as batch:
        batch.drop_column("statement")
