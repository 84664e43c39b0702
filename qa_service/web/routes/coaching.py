"""The coaching page: an agent's tasks to acknowledge and finish; a coach's tasks by agent,
open, overdue or done."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qa_service.errors import InputError
from qa_service.features.access import DASHBOARD
from qa_service.features.coaching.service import list_tasks, summary
from qa_service.http.deps import SessionDep
from qa_service.store.coaching import CoachingStatus
from qa_service.web.coaching_view import task_views
from qa_service.web.rendering import PageRoute, PageUser, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 100
# The filter's choices: still waiting on the agent (the default), one status, or all.
ACTIVE, ANY = "active", "any"


def _status(value: str) -> CoachingStatus | None:
    if value in (ACTIVE, ANY):
        return None
    try:
        return CoachingStatus(value)
    except ValueError:
        raise InputError(f"status {value!r} is not a coaching status") from None


@router.get("/coaching")
def coaching_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    status: str = ACTIVE,
    overdue: bool = False,
    agent: int | None = None,
    page: int = 1,
) -> Response:
    page = max(1, min(page, 100_000))
    listing = list_tasks(
        session,
        user,
        status=_status(status),
        active=status == ACTIVE,
        overdue=True if overdue else None,
        agent_user_id=agent if agent and 0 < agent < 2**31 else None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    tasks = task_views(user, listing["items"])
    coach = user.role in DASHBOARD
    return render(
        request,
        "coaching.html",
        user,
        tasks=tasks,
        total=listing["total"],
        page=page,
        pages=max(1, -(-listing["total"] // PAGE_SIZE)),
        filters={"status": status, "overdue": overdue, "agent": agent or ""},
        statuses=[ACTIVE, *(s.value for s in CoachingStatus), ANY],
        agents=summary(session, user) if coach else [],
    )
