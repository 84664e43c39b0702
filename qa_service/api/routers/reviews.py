"""QA reviews of a call; the agent's acknowledgement and self-assessment; calibration."""

from __future__ import annotations

from fastapi import APIRouter

from qa_service.api.schemas.common import IdPath
from qa_service.features.calls.schemas import CallPublic
from qa_service.features.reviews import service
from qa_service.features.reviews.schemas import (
    AcknowledgeCreate,
    CalibrationPublic,
    ReviewCreate,
    ReviewOutcome,
    ReviewPublic,
    SelfAssessmentPublic,
    SelfAssessmentUpdate,
)
from qa_service.http.deps import AgentUser, CurrentUser, RngDep, SessionDep, SettingsDep, StaffUser

router = APIRouter(prefix="/calls/{call_id}", tags=["reviews"])


@router.post(
    "/reviews",
    response_model=ReviewOutcome,
    status_code=201,
    summary="Confirm or overturn each finding, adjust the score",
)
def submit_review(
    call_id: IdPath,
    body: ReviewCreate,
    user: StaffUser,
    session: SessionDep,
    settings: SettingsDep,
    rng: RngDep,
) -> dict:
    return service.review_call(session, settings, rng, user, call_id, body)


@router.get("/reviews", response_model=list[ReviewPublic])
def list_reviews(call_id: IdPath, user: CurrentUser, session: SessionDep) -> list:
    return service.list_reviews(session, user, call_id)


@router.post("/acknowledge", response_model=CallPublic, summary="The agent has seen the result")
def acknowledge(call_id: IdPath, body: AcknowledgeCreate, user: AgentUser, session: SessionDep):
    return service.acknowledge_call(session, user, call_id, body)


@router.put(
    "/self-assessment",
    response_model=list[SelfAssessmentPublic],
    summary="The agent's own score per scorecard dimension",
)
def self_assess(
    call_id: IdPath,
    body: SelfAssessmentUpdate,
    user: AgentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> list:
    return service.self_assess_call(session, settings, user, call_id, body)


@router.get("/self-assessment", response_model=list[SelfAssessmentPublic])
def get_self_assessment(call_id: IdPath, user: CurrentUser, session: SessionDep) -> list:
    return service.self_assessment(session, user, call_id)


@router.get(
    "/calibration",
    response_model=CalibrationPublic,
    summary="Self-assessment against the reviewer's score, per dimension",
)
def get_calibration(call_id: IdPath, user: CurrentUser, session: SessionDep, settings: SettingsDep):
    return service.calibration_report(session, settings, user, call_id)
