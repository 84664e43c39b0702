"""QA's pages: uploading recordings, and the review queue of the current sampling plan."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from qa_service.analysis.packs import available_packs
from qa_service.api.deps import SessionDep, SettingsDep
from qa_service.api.routers.sampling import PlanCreate
from qa_service.api.routers.sampling import create as create_sampling_plan
from qa_service.domain.periods import period_containing
from qa_service.domain.sampling import RISK_FLAGS
from qa_service.store.accounts import Role, User
from qa_service.store.base import utcnow
from qa_service.store.sampling_plans import SamplingPlan
from qa_service.store.sampling_queries import plan_queue
from qa_service.web.queries import usernames
from qa_service.web.rendering import PageRoute, PageStaff, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
data_router = APIRouter(include_in_schema=False)

PLANS_SHOWN = 30


@router.get("/qa/upload")
def upload_page(request: Request, user: PageStaff, settings: SettingsDep) -> Response:
    return render(
        request,
        "upload.html",
        user,
        formats=settings.upload_formats,
        max_files=settings.upload_max_files,
        max_mib=settings.upload_max_bytes // 2**20,
        packs=available_packs(settings.rules_dir),
    )


def _reviewer_names(session) -> list[str]:
    return list(
        session.scalars(
            select(User.username)
            .where(User.role.in_([Role.qa, Role.admin]), User.active)
            .order_by(User.username)
        )
    )


@router.get("/qa/queue")
def queue_page(
    request: Request,
    user: PageStaff,
    session: SessionDep,
    plan: int | None = None,
    mine: bool = False,
    done: bool = False,
) -> Response:
    pending = not done
    plans = session.scalars(
        select(SamplingPlan).order_by(SamplingPlan.id.desc()).limit(PLANS_SHOWN)
    ).all()
    chosen = plan if plan is not None else (plans[0].id if plans else None)
    rows = (
        plan_queue(session, chosen, user.id if mine else None, pending)
        if chosen is not None
        else []
    )
    names = usernames(session, [item.reviewer_id for item, _call in rows])
    current = next((p for p in plans if p.id == chosen), None)
    return render(
        request,
        "queue.html",
        user,
        plans=plans,
        plan=current,
        plan_id=chosen,
        rows=rows,
        names=names,
        mine=mine,
        pending=pending,
        period=period_containing(utcnow(), "month").label,
        reviewers=_reviewer_names(session),
        risk_flags=RISK_FLAGS,
    )


@data_router.post("/qa/plans", status_code=201)
def create_plan(body: PlanCreate, user: PageStaff, session: SessionDep) -> dict:
    """The API's plan creation, for the queue page (the page's own URL space)."""
    return create_sampling_plan(body, user, session)
