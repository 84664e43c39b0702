"""Disputes: the agent contests a finding; team lead, reviewer and final ruling decide."""

from __future__ import annotations

from fastapi import APIRouter

from qa_service.api.schemas.common import IdPath, IdQuery, Limit, Offset
from qa_service.features.disputes import service
from qa_service.features.disputes.schemas import (
    AppealCreate,
    DecisionCreate,
    DisputeCreate,
    DisputePublic,
)
from qa_service.features.schemas import Page
from qa_service.http.deps import AgentUser, CurrentUser, SessionDep, SettingsDep
from qa_service.store.disputes import DisputeStatus, Stage

router = APIRouter(tags=["disputes"])


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
    return service.open_on_call(session, settings, user, call_id, body)


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
    return service.list_disputes(
        session,
        user,
        status=status,
        stage=stage,
        overdue=overdue,
        call_id=call_id,
        limit=limit,
        offset=offset,
    )


@router.get("/disputes/{dispute_id}", response_model=DisputePublic)
def get_dispute(dispute_id: IdPath, user: CurrentUser, session: SessionDep) -> DisputePublic:
    return service.get_dispute(session, user, dispute_id)


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
    return service.decide_dispute(session, settings, user, dispute_id, body)


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
    return service.appeal_dispute(session, settings, user, dispute_id, body)
