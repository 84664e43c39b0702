"""The dispute inbox: what is open at whose step, due when, and which are overdue; each
dispute with its finding's lines, the moment to play and the points at stake."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from qa_service.errors import InputError
from qa_service.features.access import may_decide
from qa_service.features.disputes.service import list_disputes
from qa_service.features.packs.names import PackNames
from qa_service.http.deps import SessionDep, SettingsDep
from qa_service.store.accounts import AccountRole
from qa_service.store.base import utcnow
from qa_service.store.calls import Call
from qa_service.store.disputes import Dispute, DisputeStatus, Stage
from qa_service.web.dispute_context import (
    dispute_contexts,
    dispute_rule_names,
    people_labels,
)
from qa_service.web.i18n import request_language
from qa_service.web.rendering import PageRoute, PageUser, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 100
ANY = ""
# Open, or upheld and still appealable: what an agent may still act on (their default).
ACTIVE = "active"


def _choice(value: str, kind: type, what: str):
    if value == ANY:
        return None
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(k.value for k in kind)
        raise InputError(f"{what} {value!r} is not one of: {known}") from None


@router.get("/disputes")
def disputes_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    status: str | None = None,
    stage: str = ANY,
    overdue: bool = False,
    page: int = 1,
) -> Response:
    page = max(1, page)
    if status is None:
        status = ACTIVE if user.role == AccountRole.agent else DisputeStatus.open.value
    listing = list_disputes(
        session,
        user,
        status=None if status == ACTIVE else _choice(status, DisputeStatus, "status"),
        active=status == ACTIVE,
        stage=_choice(stage, Stage, "stage"),
        overdue=True if overdue else None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    items = listing["items"]
    calls = {
        c.id: c
        for c in session.scalars(select(Call).where(Call.id.in_({d.call_id for d in items})))
    }
    # disputes of model answers an open calibration session hides from the reader
    # (``features/disputes/service.py`` marks them): no context quoted, no ruling
    hidden = {d.id for d in items if d.withheld}
    deciders = {
        d.id: d.id not in hidden and may_decide(user, session.get(Dispute, d.id)) for d in items
    }
    people = people_labels(
        session, [d.agent_user_id for d in items] + [e.by for d in items for e in d.thread]
    )
    return render(
        request,
        "disputes.html",
        user,
        disputes=items,
        total=listing["total"],
        page=page,
        pages=max(1, -(-listing["total"] // PAGE_SIZE)),
        calls=calls,
        deciders=deciders,
        contexts=dispute_contexts(session, items, hidden),
        rule_names=dispute_rule_names(
            session, PackNames(session, settings, request_language(request)), items
        ),
        people=people,
        filters={"status": status, "stage": stage, "overdue": overdue},
        statuses=[ACTIVE, *(s.value for s in DisputeStatus)],
        now=utcnow(),
        stages=list(Stage),
    )
