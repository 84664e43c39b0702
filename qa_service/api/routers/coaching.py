"""Coaching: QA or the team's supervisor assigns a task from a call or a finding; the agent
acknowledges it and marks it done."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from qa_service.api.schemas.common import IdPath, IdQuery, Limit, Offset
from qa_service.features.access import DASHBOARD
from qa_service.features.coaching import service
from qa_service.features.coaching.schemas import (
    CoachingAgentSummary,
    CoachingCreate,
    CoachingPublic,
    CoachingUpdate,
)
from qa_service.features.schemas import Page
from qa_service.http.deps import CurrentUser, SessionDep, require_role
from qa_service.store.accounts import User
from qa_service.store.coaching import CoachingStatus

router = APIRouter(tags=["coaching"])
# Who may assign coaching at all; whose agents exactly is the service's business.
CoachUser = Annotated[User, Depends(require_role(*DASHBOARD))]


@router.post(
    "/coaching",
    response_model=CoachingPublic,
    status_code=201,
    summary="Assign the agent of a call a coaching task (QA, or the team's supervisor)",
)
def assign(body: CoachingCreate, user: CoachUser, session: SessionDep) -> CoachingPublic:
    return service.assign(session, user, body)


@router.get(
    "/coaching",
    response_model=Page[CoachingPublic],
    summary="Coaching tasks you may see: your own, your team's, or all (QA)",
)
def list_tasks(
    user: CurrentUser,
    session: SessionDep,
    status: CoachingStatus | None = None,
    active: bool = False,
    overdue: bool | None = None,
    agent_user_id: IdQuery = None,
    call_id: IdQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    return service.list_tasks(
        session,
        user,
        status=status,
        active=active,
        overdue=overdue,
        agent_user_id=agent_user_id,
        call_id=call_id,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/coaching/summary",
    response_model=list[CoachingAgentSummary],
    summary="Open, overdue and done coaching tasks per agent",
)
def summary(user: CoachUser, session: SessionDep) -> list[CoachingAgentSummary]:
    return service.summary(session, user)


@router.get("/coaching/{task_id}", response_model=CoachingPublic)
def get_task(task_id: IdPath, user: CurrentUser, session: SessionDep) -> CoachingPublic:
    return service.get_task(session, user, task_id)


@router.patch(
    "/coaching/{task_id}",
    response_model=CoachingPublic,
    summary="The agent acknowledges or finishes a task; the coach edits or cancels it",
)
def update(
    task_id: IdPath, body: CoachingUpdate, user: CurrentUser, session: SessionDep
) -> CoachingPublic:
    return service.update(session, user, task_id, body)
