"""QA reviews of a call; the agent's acknowledgement and self-assessment; calibration."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from qa_service.api.access import get_own_call, get_visible_call
from qa_service.api.deps import AgentUser, CurrentUser, RngDep, SessionDep, SettingsDep, StaffUser
from qa_service.api.schemas.calls import CallPublic
from qa_service.api.schemas.common import IdPath
from qa_service.api.schemas.reviews import (
    AcknowledgeCreate,
    CalibrationPublic,
    ReviewCreate,
    ReviewOutcome,
    ReviewPublic,
    SelfAssessmentPublic,
    SelfAssessmentUpdate,
)
from qa_service.api.services import reviews
from qa_service.api.services.scores import calibration
from qa_service.store.reviews import Review, SelfAssessment

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
    call = get_visible_call(session, user, call_id, lock=True)
    review = reviews.submit_review(session, settings, rng, call, user, body)
    return {
        "review": review,
        "reviewed_score": call.reviewed_score,
        "second_review_required": call.second_review_required,
        "calibration_flag": call.calibration_flag,
    }


@router.get("/reviews", response_model=list[ReviewPublic])
def list_reviews(call_id: IdPath, user: CurrentUser, session: SessionDep) -> list:
    call = get_visible_call(session, user, call_id)
    return session.scalars(
        select(Review).where(Review.call_id == call.id).order_by(Review.id)
    ).all()


@router.post("/acknowledge", response_model=CallPublic, summary="The agent has seen the result")
def acknowledge(call_id: IdPath, body: AcknowledgeCreate, user: AgentUser, session: SessionDep):
    call = get_own_call(session, user, call_id)
    return reviews.acknowledge(session, call, user, body)


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
    call = get_own_call(session, user, call_id)
    return reviews.self_assess(session, settings, call, user, body)


@router.get("/self-assessment", response_model=list[SelfAssessmentPublic])
def get_self_assessment(call_id: IdPath, user: CurrentUser, session: SessionDep) -> list:
    call = get_visible_call(session, user, call_id)
    return session.scalars(
        select(SelfAssessment)
        .where(SelfAssessment.call_id == call.id)
        .order_by(SelfAssessment.dimension)
    ).all()


@router.get(
    "/calibration",
    response_model=CalibrationPublic,
    summary="Self-assessment against the reviewer's score, per dimension",
)
def get_calibration(call_id: IdPath, user: CurrentUser, session: SessionDep, settings: SettingsDep):
    call = get_visible_call(session, user, call_id)
    flagged, table = calibration(session, settings, call)
    return {
        "calibration_flag": flagged,
        "threshold_points": settings.calibration_threshold * 100,
        "dimensions": table,
    }
