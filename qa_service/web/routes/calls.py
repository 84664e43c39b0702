"""The calls list and the call review page; the waveform peaks the page draws."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qa_service.features.access import get_visible_call
from qa_service.features.calls.service import list_calls, recording
from qa_service.http.deps import DbDep, SessionDep, SettingsDep
from qa_service.store.accounts import AccountRole
from qa_service.store.calls import CallStatus, ReviewState
from qa_service.web.call_view import call_page_data
from qa_service.web.peaks import cached_peaks
from qa_service.web.rendering import PageRoute, PageUser, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
data_router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


@router.get("/calls")
def calls_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    status: CallStatus | None = None,
    review_state: ReviewState | None = None,
    agent_id: str | None = None,
    team: str | None = None,
    queue: str | None = None,
    page: int = 1,
) -> Response:
    page = max(1, page)
    listing = list_calls(
        session,
        user,
        status=status,
        review_state=review_state,
        agent_id=agent_id or None,
        team=team or None,
        queue=queue or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    pages = max(1, -(-listing["total"] // PAGE_SIZE))
    filters = {
        "status": status or "",
        "review_state": review_state or "",
        "agent_id": agent_id or "",
        "team": team or "",
        "queue": queue or "",
    }
    return render(
        request,
        "calls.html",
        user,
        calls=listing["items"],
        total=listing["total"],
        page=page,
        pages=pages,
        filters=filters,
        statuses=list(CallStatus),
        review_states=list(ReviewState),
        show_agent=user.role != AccountRole.agent,
    )


@router.get("/calls/{call_id}")
def call_page(
    request: Request,
    call_id: int,
    user: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    db: DbDep,
    queue: int | None = None,
) -> Response:
    call = get_visible_call(session, user, call_id)
    data = call_page_data(session, settings, user, call, queue, db)
    return render(request, "call.html", user, call=call, data=data)


@data_router.get("/calls/{call_id}/peaks.json")
def call_peaks(call_id: int, user: PageUser, db: DbDep, settings: SettingsDep) -> Response:
    # A plain def (FastAPI runs it in a thread): the database and the decoding must not block
    # the event loop; ``recording`` closes its session before the decoding starts.
    found = recording(db, settings, user, call_id)
    body = cached_peaks(Path(settings.data_dir), found.sha256, found.path)
    return Response(
        body, media_type="application/json", headers={"Cache-Control": "private, max-age=86400"}
    )
