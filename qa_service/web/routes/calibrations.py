"""QA's calibration sessions: the list with a form to start one, and a session's page where
a reviewer answers its calls' questions blind (the call's transcript, never the model's
answers) and, once it is closed, everyone's agreement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from qa_service.domain.question_spec import ANSWERS
from qa_service.features.calls.privacy import shown_result
from qa_service.features.question_calibrations import service as calibrations
from qa_service.features.schemas import MAX_DB_INT
from qa_service.http.deps import DbDep, SessionDep
from qa_service.store.calls import Call
from qa_service.web.rendering import PageRoute, PageStaff, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

CalibrationId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


@router.get("/qa/calibrations")
def calibrations_page(request: Request, user: PageStaff, session: SessionDep) -> Response:
    rows = [calibrations.calibration_summary(c) for c in calibrations.list_calibrations(session)]
    return render(request, "calibrations.html", user, sessions=rows)


@router.get("/qa/calibrations/{calibration_id}")
def calibration_page(
    request: Request, calibration_id: CalibrationId, user: PageStaff, session: SessionDep, db: DbDep
) -> Response:
    found = calibrations.get_calibration(session, calibration_id)
    public = calibrations.calibration_public(session, user, found)
    calls = []
    for call_id in found.call_ids:
        call = session.get(Call, call_id)
        if call is None:  # deleted on request since the session began
            continue
        result = shown_result(session, user, call, "calibration", db)
        lines = [
            {"index": k, "role": u.get("role"), "text": u.get("text", "")}
            for k, u in enumerate(result.get("utterances") or [])
        ]
        calls.append({"id": call_id, "lines": lines})
    mine = {f"{a['call_id']}:{a['rule_id']}": a["answer"] for a in public["my_answers"]}
    return render(
        request,
        "calibration.html",
        user,
        calibration=public,
        calls=calls,
        mine=mine,
        answers=ANSWERS,
        may_close=calibrations.may_close(user, found) and not public["closed"],
    )
