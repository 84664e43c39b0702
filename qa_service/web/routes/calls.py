"""The calls list and the call review page; the waveform peaks the page draws."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qa_service.errors import InputError
from qa_service.features.access import get_visible_call
from qa_service.features.calls.service import CallSort, list_calls, served_recording
from qa_service.features.users.service import agent_names
from qa_service.http.deps import DbDep, SessionDep, SettingsDep
from qa_service.store.accounts import AccountRole
from qa_service.store.calls import CallStatus, ReviewState
from qa_service.web.call_view import call_page_data
from qa_service.web.evidence_text import translate_evidence
from qa_service.web.i18n import Translator, request_language
from qa_service.web.peaks import cached_peaks
from qa_service.web.rendering import PageRoute, PageUser, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
data_router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
T = TypeVar("T")


def _blank_or(value: str | None, kind: Callable[[str], T], what: str) -> T | None:
    """A filter form sends its empty fields as ``""``: that means "any", not an error."""
    if value is None or not value.strip():
        return None
    try:
        return kind(value.strip())
    except ValueError:
        raise InputError(f"{what} {value!r} is not valid") from None


def _day_start(day: date | None, days_after: int = 0) -> datetime | None:
    """Midnight UTC of ``day`` (plus ``days_after``): "to 11-15" includes all of the 15th."""
    if day is None:
        return None
    return datetime.combine(day, time(), tzinfo=UTC) + timedelta(days=days_after)


@router.get("/calls")
def calls_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    status: str | None = None,
    review_state: str | None = None,
    agent_id: str | None = None,
    team: str | None = None,
    queue: str | None = None,
    q: Annotated[str | None, Query(max_length=64)] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    critical: bool = False,
    sort: str | None = None,
    page: int = 1,
) -> Response:
    page = max(1, page)
    status = _blank_or(status, CallStatus, "status")
    review_state = _blank_or(review_state, ReviewState, "review state")
    date_from = _blank_or(date_from, date.fromisoformat, "date")
    date_to = _blank_or(date_to, date.fromisoformat, "date")
    sort = _blank_or(sort, CallSort, "sort") or CallSort.newest
    listing = list_calls(
        session,
        user,
        status=status,
        review_state=review_state,
        agent_id=agent_id or None,
        team=team or None,
        queue=queue or None,
        started_from=_day_start(date_from),
        started_to=_day_start(date_to, days_after=1),
        critical_failed=True if critical else None,
        search=q or None,
        sort=sort,
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
        "q": q or "",
        "from": date_from.isoformat() if date_from else "",
        "to": date_to.isoformat() if date_to else "",
        "critical": "true" if critical else "",
        "sort": sort.value,
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
        here_args=urlencode(filters),
        statuses=list(CallStatus),
        review_states=list(ReviewState),
        sorts=list(CallSort),
        agent_names=agent_names(session, [c.agent_id for c in listing["items"]]),
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
    language = request_language(request)
    data = call_page_data(session, settings, user, call, queue, db, language)
    translate_evidence(data.get("findings") or [], Translator(language))
    return render(request, "call.html", user, call=call, data=data)


@data_router.get("/calls/{call_id}/peaks.json")
def call_peaks(call_id: int, user: PageUser, db: DbDep, settings: SettingsDep) -> Response:
    # A plain def (FastAPI runs it in a thread): the database and the decoding must not block
    # the event loop; ``recording`` closes its session before the decoding starts. Without
    # pii:view the peaks are those of the redacted copy: flat where personal data was said.
    found = served_recording(db, settings, user, call_id, audited=False)
    body = cached_peaks(Path(settings.data_dir), found.key, found.path)
    return Response(
        body, media_type="application/json", headers={"Cache-Control": "private, max-age=86400"}
    )
