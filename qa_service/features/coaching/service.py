"""Coaching tasks: a supervisor (their team) or QA assigns an agent something to practise
from a call, or from one of its findings, with the call lines that show it and a due date;
the agent acknowledges the task and marks it done. Every change is audited.

A task still open or acknowledged after its due date is overdue.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, case, func, not_, select
from sqlalchemy.orm import Session

from qa_service.domain.pii import redact_result
from qa_service.domain.transcript_lines import time_order
from qa_service.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from qa_service.features.access import (
    get_visible_call,
    may_coach,
    may_see_coaching,
    visible_coaching,
)
from qa_service.features.calls.privacy import call_spans, typed_text_masker
from qa_service.features.coaching.schemas import (
    CoachingAgentSummary,
    CoachingCreate,
    CoachingLine,
    CoachingPublic,
    CoachingUpdate,
)
from qa_service.features.pagination import paginate
from qa_service.features.users.service import display_names
from qa_service.store import audit
from qa_service.store.accounts import AccountRole, User
from qa_service.store.base import utcnow
from qa_service.store.calls import Call, FindingRecord, require_analysed
from qa_service.store.coaching import ACTIVE, CoachingStatus, CoachingTask

# What the agent may set, and from which states.
AGENT_MOVES = {
    CoachingStatus.acknowledged: (CoachingStatus.open,),
    CoachingStatus.done: ACTIVE,
}


def today() -> date:
    return utcnow().astimezone(UTC).date()


def is_overdue(task: CoachingTask, on: date) -> bool:
    return task.status in ACTIVE and task.due_on < on


def overdue_clause(on: date) -> Any:
    return and_(CoachingTask.status.in_(ACTIVE), CoachingTask.due_on < on)


def agent_account(session: Session, call: Call) -> User | None:
    """The agent account whose calls carry this call's agent id, if there is one."""
    if not call.agent_id:
        return None
    return session.scalar(
        select(User).where(User.agent_id == call.agent_id, User.role == AccountRole.agent)
    )


def _line_count(call: Call) -> int:
    return len((call.result or {}).get("utterances") or [])


def _check_lines(call: Call, lines: Sequence[int]) -> list[int]:
    count = _line_count(call)
    beyond = [n for n in lines if n >= count]
    if beyond:
        raise InputError(f"line {beyond[0] + 1} is not a line of call {call.id}")
    return sorted(set(lines))


def _check_due(due_on: date) -> date:
    if due_on < today():
        raise InputError(f"the due date {due_on.isoformat()} has passed")
    return due_on


def _excerpt(call: Call | None, lines: Sequence[int], cache: dict[int, Any]) -> list[CoachingLine]:
    """The attached lines' words, personal data always masked (the call page shows the
    original to those allowed, and audits it)."""
    if call is None or not lines or not call.result:
        return []
    if call.id not in cache:
        spans = call_spans(call)
        result = redact_result(call.result, spans) if spans else call.result
        utterances = result.get("utterances") or []
        cache[call.id] = (utterances, time_order(utterances))
    utterances, order = cache[call.id]
    out = []
    for line in lines:
        if 0 <= line < len(order):
            u = utterances[order[line]]
            out.append(
                CoachingLine(
                    line=line,
                    role=u.get("role"),
                    start=u.get("start"),
                    end=u.get("end"),
                    text=str(u.get("text") or ""),
                )
            )
    return out


def public_many(
    session: Session, tasks: Sequence[CoachingTask], viewer: User
) -> list[CoachingPublic]:
    """Tasks with the names, the call's id, the finding's category and the lines' words; what
    the coach and the agent typed is masked for a viewer without ``pii:view`` (a coach may
    quote the customer's number from the original)."""
    mask = typed_text_masker(viewer)
    people = {t.agent_user_id for t in tasks} | {t.created_by for t in tasks}
    names = display_names(session, people)
    agent_ids = dict(
        session.execute(select(User.id, User.agent_id).where(User.id.in_(people))).all()
    )
    wanted = select(Call).where(Call.id.in_({t.call_id for t in tasks}))
    calls = {c.id: c for c in session.scalars(wanted)}
    finding_ids = {t.finding_id for t in tasks if t.finding_id}
    found = select(FindingRecord.id, FindingRecord.category)
    categories = dict(session.execute(found.where(FindingRecord.id.in_(finding_ids))).all())
    on, cache = today(), {}
    out = []
    for task in tasks:
        view = CoachingPublic.model_validate(task)
        call = calls.get(task.call_id)
        view.overdue = is_overdue(task, on)
        view.call_ref = call.call_id if call else ""
        view.agent_id = agent_ids.get(task.agent_user_id)
        view.agent_name = names.get(task.agent_user_id, "")
        view.created_by_name = names.get(task.created_by, "")
        view.category = categories.get(task.finding_id, "")
        view.excerpt = _excerpt(call, task.lines or [], cache)
        view.focus, view.note = mask(call, view.focus), mask(call, view.note)
        out.append(view)
    return out


def get_visible_task(session: Session, user: User, task_id: int) -> CoachingTask:
    task = session.get(CoachingTask, task_id)
    if task is None or not may_see_coaching(user, task):
        raise NotFoundError(f"coaching task {task_id} not found")
    return task


def get_task(session: Session, user: User, task_id: int) -> CoachingPublic:
    return public_many(session, [get_visible_task(session, user, task_id)], user)[0]


def assign(session: Session, user: User, body: CoachingCreate) -> CoachingPublic:
    """A task for the agent of the call, from the call or one of its findings."""
    call = get_visible_call(session, user, body.call_id)
    if not may_coach(user, call.team):
        raise ForbiddenError("coaching is assigned by QA or the team's supervisor")
    require_analysed(call)
    if body.finding_id is not None:
        finding = session.get(FindingRecord, body.finding_id)
        if finding is None or finding.call_id != call.id:
            raise InputError(f"finding {body.finding_id} is not a finding of this call")
    agent = agent_account(session, call)
    if agent is None:
        raise InputError(f"call {call.id} has no agent account to coach")
    task = CoachingTask(
        call_id=call.id,
        finding_id=body.finding_id,
        agent_user_id=agent.id,
        team=call.team or agent.team,
        focus=body.focus.strip() or body.focus,
        due_on=_check_due(body.due_on),
        lines=_check_lines(call, body.lines),
        status=CoachingStatus.open,
        note="",
        created_by=user.id,
        created_at=utcnow(),
    )
    session.add(task)
    session.flush()
    after = {**task.snapshot(), "call_id": call.id, "finding_id": body.finding_id}
    audit.record(session, user.id, "coaching.assign", "coaching", task.id, None, after)
    return public_many(session, [task], user)[0]


def _agent_change(task: CoachingTask, body: CoachingUpdate, now: datetime) -> None:
    if body.focus is not None or body.due_on is not None or body.lines is not None:
        raise ForbiddenError("the agent acknowledges a coaching task or marks it done")
    allowed_from = AGENT_MOVES.get(body.status) if body.status else None
    if allowed_from is None:
        raise ForbiddenError("the agent acknowledges a coaching task or marks it done")
    if task.status not in allowed_from:
        raise ConflictError(f"coaching task {task.id} is {task.status}")
    task.status = body.status
    task.acknowledged_at = task.acknowledged_at or now
    if body.status == CoachingStatus.done:
        task.done_at = now
        task.note = (body.note or "").strip()


def _coach_change(session: Session, task: CoachingTask, body: CoachingUpdate) -> None:
    if task.status not in ACTIVE:
        raise ConflictError(f"coaching task {task.id} is {task.status}")
    if body.note is not None:
        raise ForbiddenError("the note on a coaching task is the agent's")
    if body.status not in (None, CoachingStatus.cancelled):
        raise ForbiddenError("the agent acknowledges a coaching task or marks it done")
    if body.focus is not None:
        task.focus = body.focus
    if body.due_on is not None:
        task.due_on = _check_due(body.due_on)
    if body.lines is not None:
        task.lines = _check_lines(session.get(Call, task.call_id), body.lines)
    if body.status is not None:
        task.status = body.status


def update(session: Session, user: User, task_id: int, body: CoachingUpdate) -> CoachingPublic:
    """The agent's acknowledgement or "done"; the coach's edit or cancellation."""
    task = get_visible_task(session, user, task_id)
    if body.model_dump(exclude_none=True) == {}:
        raise InputError("nothing to change")
    before = task.snapshot()
    if task.agent_user_id == user.id:
        _agent_change(task, body, utcnow())
    elif may_coach(user, task.team):
        _coach_change(session, task, body)
    else:
        raise ForbiddenError("this coaching task is not yours to change")
    action = f"coaching.{body.status}" if body.status else "coaching.edit"
    audit.record(session, user.id, action, "coaching", task.id, before, task.snapshot())
    session.flush()
    return public_many(session, [task], user)[0]


def list_tasks(
    session: Session,
    user: User,
    *,
    status: CoachingStatus | None = None,
    active: bool = False,
    overdue: bool | None = None,
    agent_user_id: int | None = None,
    call_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """The tasks ``user`` may see, the soonest due first. ``active``: open or acknowledged."""
    query = select(CoachingTask).where(visible_coaching(user))
    if status is not None:
        query = query.where(CoachingTask.status == status)
    if active:
        query = query.where(CoachingTask.status.in_(ACTIVE))
    if overdue is not None:
        late = overdue_clause(today())
        query = query.where(late if overdue else not_(late))
    if agent_user_id is not None:
        query = query.where(CoachingTask.agent_user_id == agent_user_id)
    if call_id is not None:
        query = query.where(CoachingTask.call_id == call_id)
    page = paginate(session, query, (CoachingTask.due_on, CoachingTask.id), limit, offset)
    return {**page, "items": public_many(session, page["items"], user)}


def summary(session: Session, user: User) -> list[CoachingAgentSummary]:
    """Per agent whose tasks ``user`` may see: open (or acknowledged), overdue and done
    tasks, the agents with the most overdue first."""
    on = today()
    active = CoachingTask.status.in_(ACTIVE)
    counts = (
        select(
            CoachingTask.agent_user_id,
            func.sum(case((active, 1), else_=0)),
            func.sum(case((overdue_clause(on), 1), else_=0)),
            func.sum(case((CoachingTask.status == CoachingStatus.done, 1), else_=0)),
        )
        .where(visible_coaching(user))
        .group_by(CoachingTask.agent_user_id)
    )
    rows = session.execute(counts).all()
    ids = {row[0] for row in rows}
    names = display_names(session, ids)
    # The agent column is a foreign key: every row's account exists.
    accounts = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    out = [
        CoachingAgentSummary(
            agent_user_id=agent_user_id,
            agent_id=accounts[agent_user_id].agent_id,
            agent_name=names.get(agent_user_id, ""),
            team=accounts[agent_user_id].team,
            open=int(open_ or 0),
            overdue=int(late or 0),
            done=int(done or 0),
        )
        for agent_user_id, open_, late, done in rows
    ]
    return sorted(out, key=lambda s: (-s.overdue, -s.open, s.agent_name))
