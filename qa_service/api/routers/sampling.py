"""Sampling plans (QA and admin): draw one, list them, see a plan's review queue, re-derive."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from qa_service.api.schemas.common import IdPath, IdQuery
from qa_service.features.sampling import service
from qa_service.features.sampling.schemas import PlanCreate, plan_detail, plan_summary
from qa_service.features.schemas import PERIOD_LIMITS
from qa_service.http.deps import SessionDep, StaffUser

router = APIRouter(prefix="/sampling/plans", tags=["sampling"])


@router.post("", status_code=201, summary="Draw and store a seeded sample for human review")
def create(body: PlanCreate, user: StaffUser, session: SessionDep) -> dict:
    return plan_summary(service.create_requested_plan(session, request=body, created_by=user))


@router.get("", summary="Stored plans, newest first")
def list_plans(
    _user: StaffUser,
    session: SessionDep,
    period: Annotated[str | None, Query(**PERIOD_LIMITS)] = None,
) -> list[dict]:
    return [plan_summary(p) for p in service.list_plans(session, period=period)]


@router.get("/{plan_id}", summary="A plan and its review queue")
def show_plan(
    plan_id: IdPath,
    _user: StaffUser,
    session: SessionDep,
    reviewer_id: IdQuery = None,
    pending: bool = False,
) -> dict:
    plan = service.show_plan(session, plan_id=plan_id)
    rows = service.review_queue(session, plan_id=plan_id, reviewer_id=reviewer_id, pending=pending)
    return plan_detail(plan, rows)


@router.get("/{plan_id}/check", summary="Draw the plan again from its parameters and seed")
def check_plan(plan_id: IdPath, _user: StaffUser, session: SessionDep) -> dict:
    return service.check_plan(session, plan_id=plan_id).to_dict()
