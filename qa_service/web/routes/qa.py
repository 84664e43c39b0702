"""QA's pages: uploading recordings, and the review queue of the current sampling plan."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from qa_service.analysis.packs import available_packs
from qa_service.domain.periods import parse_period, period_containing
from qa_service.domain.sampling import RISK_FLAGS
from qa_service.features.calls import upload_check
from qa_service.features.question_calibrations.service import withheld_questions
from qa_service.features.reviews.agreement import agreement_report
from qa_service.features.sampling import service as sampling
from qa_service.features.sampling.schemas import PlanCreate, plan_summary
from qa_service.http.deps import SessionDep, SettingsDep
from qa_service.store.base import utcnow
from qa_service.store.sampling_queries import plan_progress
from qa_service.web.i18n import Translator, request_language
from qa_service.web.queries import usernames
from qa_service.web.rendering import PageRoute, PageStaff, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
data_router = APIRouter(include_in_schema=False)

PLANS_SHOWN = 30


@router.get("/qa/upload")
def upload_page(
    request: Request, user: PageStaff, session: SessionDep, settings: SettingsDep
) -> Response:
    return render(
        request,
        "upload.html",
        user,
        formats=settings.upload_formats,
        max_files=settings.upload_max_files,
        max_mib=settings.upload_max_bytes // 2**20,
        packs=available_packs(settings.rules_dir),
        known=upload_check.known_values(session),
    )


class ManifestText(BaseModel):
    text: str = Field(max_length=upload_check.MAX_MANIFEST_CHARS)


def _problem_text(problem: upload_check.Problem, t: Translator) -> str:
    """A manifest problem in the page's language, with the field's name, not its id."""
    field = t.maybe("upload.field", problem.field) if problem.field else ""
    return t(f"upload.problem.{problem.code}", field=field, value=problem.value, line=problem.line)


@data_router.post("/qa/upload/manifest")
def check_manifest(
    request: Request, body: ManifestText, user: PageStaff, session: SessionDep
) -> dict:
    """The manifest the upload page read, row by row, with every problem in words."""
    t = Translator(request_language(request))
    found = upload_check.check_manifest(session, body.text)
    return {
        "error": _problem_text(found.problem, t) if found.problem else None,
        "rows": [
            {
                "line": row.line,
                "file": row.file,
                "metadata": row.metadata,
                "problems": [{"field": p.field, "text": _problem_text(p, t)} for p in row.problems],
            }
            for row in found.rows
        ],
    }


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
    plans = sampling.list_plans(session, limit=PLANS_SHOWN)
    chosen = plan if plan is not None else (plans[0].id if plans else None)
    rows = (
        sampling.review_queue(
            session, plan_id=chosen, reviewer_id=user.id if mine else None, pending=pending
        )
        if chosen is not None
        else []
    )
    names = usernames(session, [item.reviewer_id for item, _call in rows])
    current = next((p for p in plans if p.id == chosen), None)
    reviewed, total = plan_progress(session, chosen) if current is not None else (0, 0)
    return render(
        request,
        "queue.html",
        user,
        plans=plans,
        plan=current,
        plan_id=chosen,
        rows=rows,
        progress={"reviewed": reviewed, "total": total},
        names=names,
        mine=mine,
        pending=pending,
        period=period_containing(utcnow(), "month").label,
        reviewers=sampling.reviewer_names(session),
        risk_flags=RISK_FLAGS,
        # Calls whose score an open calibration session withholds from this reviewer.
        withheld=set(withheld_questions(session, user, [c.id for _item, c in rows])),
    )


@data_router.post("/qa/plans", status_code=201)
def create_plan(body: PlanCreate, user: PageStaff, session: SessionDep) -> dict:
    """The API's plan creation, for the queue page (the page's own URL space)."""
    return plan_summary(sampling.create_requested_plan(session, request=body, created_by=user))


@router.get("/qa/questions")
def questions_page(
    request: Request,
    user: PageStaff,
    session: SessionDep,
    settings: SettingsDep,
    period: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """The evaluation questions ranked by reviewers' agreement with the model, lowest first,
    those under the bar flagged for rewording."""
    chosen = parse_period(period) if period else period_containing(utcnow(), "month")
    report = agreement_report(session, settings, chosen)
    periods = [p.label for p in [chosen, *chosen.previous(5)]]
    return render(request, "questions.html", user, report=report.to_dict(), periods=periods)
