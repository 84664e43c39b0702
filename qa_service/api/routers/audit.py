"""Reading the audit log."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from qa_service.api.deps import SessionDep, StaffUser
from qa_service.api.schemas.audit import AuditEntryPublic
from qa_service.api.schemas.common import IdQuery, Limit, Offset, Page, ShortQuery
from qa_service.store.audit import AuditEntry

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEntryPublic])
def list_audit(
    user: StaffUser,
    session: SessionDep,
    entity: ShortQuery = None,
    entity_id: ShortQuery = None,
    actor_id: IdQuery = None,
    action: ShortQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict:
    query = select(AuditEntry)
    for column, value in (
        (AuditEntry.entity, entity),
        (AuditEntry.entity_id, entity_id),
        (AuditEntry.actor_id, actor_id),
        (AuditEntry.action, action),
    ):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
    return {"items": items, "total": total, "limit": limit, "offset": offset}
