"""Sampling plans (QA and admin): draw one, list them, see a plan's review queue, re-derive."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from qa_service.api.schemas.common import IdPath, IdQuery
from qa_service.domain.periods import parse_period
from qa_service.domain.sampling import SamplingOptions, parse_oversample
from qa_service.features.schemas import MAX_DB_INT, PERIOD_LIMITS, PeriodText
from qa_service.http.deps import SessionDep, StaffUser
from qa_service.store.call_facts import Scope
from qa_service.store.sampling_plans import SamplingPlan
from qa_service.store.sampling_queries import (
    create_plan,
    get_plan,
    plan_queue,
    rederive,
    reviewers_by_name,
)

router = APIRouter(prefix="/sampling/plans", tags=["sampling"])


MAX_PER_AGENT = 10_000
Name = Annotated[str, Field(min_length=1, max_length=64)]


class PlanCreate(BaseModel):
    period: PeriodText
    rate: float = Field(0.3, ge=0, le=1)
    min_per_agent: int = Field(0, ge=0, le=MAX_PER_AGENT)
    max_per_agent: int | None = Field(None, ge=0, le=MAX_PER_AGENT)
    by: list[Name] = Field(
        default_factory=list, max_length=4, description="Strata: queue, direction."
    )
    oversample: str | None = Field(
        None,
        max_length=500,
        description="critical,complaint,negative,silence,short or critical=5,short=2",
    )
    seed: int | None = Field(
        None, ge=0, le=MAX_DB_INT, description="Default: a new random seed, stored."
    )
    short_ratio: float = Field(0.4, ge=0, le=1)
    teams: list[Name] | None = Field(None, max_length=1000)
    queues: list[Name] | None = Field(None, max_length=1000)
    reviewers: list[Name] = Field(
        default_factory=list, max_length=1000, description="Usernames to share among."
    )
    note: str = Field("", max_length=2000)


def _summary(plan: SamplingPlan) -> dict:
    return {
        "id": plan.id,
        "period": plan.period,
        "parameters": plan.parameters,
        "filters": plan.filters,
        "seed": plan.seed,
        "population": plan.population,
        "selected": plan.selected,
        "selection_digest": plan.selection_digest,
        "note": plan.note,
        "created_by": plan.created_by,
        "created_at": plan.created_at,
    }


@router.post("", status_code=201, summary="Draw and store a seeded sample for human review")
def create(body: PlanCreate, user: StaffUser, session: SessionDep) -> dict:
    options = SamplingOptions(
        rate=body.rate,
        min_per_agent=body.min_per_agent,
        max_per_agent=body.max_per_agent,
        by=tuple(body.by),
        oversample=parse_oversample(body.oversample),
        seed=secrets.randbelow(2**31) if body.seed is None else body.seed,
        short_ratio=body.short_ratio,
    )
    scope = Scope(teams=body.teams, queues=body.queues)
    plan = create_plan(
        session,
        parse_period(body.period),
        options,
        scope,
        reviewers_by_name(session, body.reviewers),
        user,
        body.note,
    )
    return _summary(plan)


@router.get("", summary="Stored plans, newest first")
def list_plans(
    _user: StaffUser,
    session: SessionDep,
    period: Annotated[str | None, Query(**PERIOD_LIMITS)] = None,
) -> list[dict]:
    query = select(SamplingPlan).order_by(SamplingPlan.id.desc())
    if period:
        query = query.where(SamplingPlan.period == parse_period(period).label)
    return [_summary(p) for p in session.scalars(query)]


@router.get("/{plan_id}", summary="A plan and its review queue")
def show_plan(
    plan_id: IdPath,
    _user: StaffUser,
    session: SessionDep,
    reviewer_id: IdQuery = None,
    pending: bool = False,
) -> dict:
    plan = get_plan(session, plan_id)
    rows = plan_queue(session, plan_id, reviewer_id, pending)
    return {
        **_summary(plan),
        "calls": [
            {
                "id": call.id,
                "call_id": call.call_id,
                "agent_id": item.agent_id,
                "queue": call.queue,
                "started_at": call.started_at,
                "stratum": item.stratum,
                "risks": [r for r in item.risks.split(",") if r],
                "reviewer_id": item.reviewer_id,
                "review_state": call.review_state,
            }
            for item, call in rows
        ],
    }


@router.get("/{plan_id}/check", summary="Draw the plan again from its parameters and seed")
def check_plan(plan_id: IdPath, _user: StaffUser, session: SessionDep) -> dict:
    check = rederive(session, plan_id)
    return {
        "plan_id": check.plan_id,
        "same_selection": check.same_selection,
        "same_population": check.same_population,
        "added": check.added,
        "removed": check.removed,
    }
