"""Reading the audit log: who changed what, newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.features.pagination import paginate
from qa_service.store.audit import AuditEntry


def list_audit(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    query = select(AuditEntry)
    for column, value in (
        (AuditEntry.entity, entity),
        (AuditEntry.entity_id, entity_id),
        (AuditEntry.actor_id, actor_id),
        (AuditEntry.action, action),
    ):
        if value is not None:
            query = query.where(column == value)
    return paginate(session, query, (AuditEntry.id.desc(),), limit, offset)
