"""Reading the audit log."""

from __future__ import annotations

from fastapi import APIRouter

from qa_service.api.schemas.common import IdQuery, Limit, Offset, ShortQuery
from qa_service.features.audit.schemas import AuditEntryPublic
from qa_service.features.audit.service import list_audit as audit_page
from qa_service.features.schemas import Page
from qa_service.http.deps import SessionDep, StaffUser

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
    return audit_page(
        session,
        entity=entity,
        entity_id=entity_id,
        actor_id=actor_id,
        action=action,
        limit=limit,
        offset=offset,
    )
