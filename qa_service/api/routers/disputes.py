"""Disputes: the agent contests a finding; team lead, reviewer and final ruling decide."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, not_, select

from qa_service.api.access import get_own_call
from qa_service.api.deps import AgentUser, CurrentUser, SessionDep, SettingsDep
from qa_service.api.schemas.common import IdPath, IdQuery, Limit, Offset, Page
from qa_service.api.schemas.disputes import (
    AppealCreate,
    DecisionCreate,
    DisputeCreate,
    DisputePublic,
)
from qa_service.api.services import disputes
from qa_service.api.services.deadlines import is_overdue
from qa_service.store.base import utcnow
from qa_service.store.disputes import Dispute, DisputeStatus, Stage

router = APIRouter(tags=["disputes"])


def public(dispute: Dispute) -> DisputePublic:
    out = DisputePublic.model_validate(dispute)
    out.overdue = dispute.status == DisputeStatus.open and is_overdue(dispute.due_at, utcnow())
    return out


@router.post(
    "/calls/{call_id}/disputes",
    response_model=DisputePublic,
    status_code=201,
    summary="Dispute a finding of your own call",
)
def open_dispute(
    call_id: IdPath,
    body: DisputeCreate,
    user: AgentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> DisputePublic:
    call = get_own_call(session, user, call_id)
    return public(disputes.open_dispute(session, settings, call, user, body))


@router.get(
    "/disputes",
    response_model=Page[DisputePublic],
    summary="Disputes you may see: your own, your team's, or all (QA)",
)
def list_disputes(
    user: CurrentUser,
    session: SessionDep,
    status: DisputeStatus | None = None,
    stage: Stage | None = None,
    overdue: bool | None = None,
    call_id: IdQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    query = select(Dispute).where(disputes.disputes_visible_to(user))
    if status is not None:
        query = query.where(Dispute.status == status)
    if stage is not None:
        query = query.where(Dispute.stage == stage)
    if call_id is not None:
        query = query.where(Dispute.call_id == call_id)
    if overdue is not None:
        late = disputes.overdue_clause(utcnow())
        query = query.where(late if overdue else not_(late))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Dispute.due_at, Dispute.id).limit(limit).offset(offset))
    return {"items": [public(d) for d in rows], "total": total, "limit": limit, "offset": offset}


@router.get("/disputes/{dispute_id}", response_model=DisputePublic)
def get_dispute(dispute_id: IdPath, user: CurrentUser, session: SessionDep) -> DisputePublic:
    return public(disputes.get_visible_dispute(session, user, dispute_id))


@router.post(
    "/disputes/{dispute_id}/decision",
    response_model=DisputePublic,
    summary="Overturn, uphold or escalate at the dispute's current step",
)
def decide(
    dispute_id: IdPath,
    body: DecisionCreate,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> DisputePublic:
    dispute = disputes.get_visible_dispute(session, user, dispute_id)
    return public(disputes.decide(session, settings, dispute, user, body))


@router.post(
    "/disputes/{dispute_id}/appeal",
    response_model=DisputePublic,
    summary="Take an upheld dispute to the next level",
)
def appeal(
    dispute_id: IdPath,
    body: AppealCreate,
    user: AgentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> DisputePublic:
    dispute = disputes.get_visible_dispute(session, user, dispute_id)
    return public(disputes.appeal(session, settings, dispute, user, body))
