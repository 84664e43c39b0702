"""Disputes move team lead -> reviewer -> final ruling; each step has a working-day deadline.

At the first two steps the decider may overturn the finding (the dispute ends in the agent's
favour), uphold it (the agent may appeal to the next level within the deadline) or escalate
without ruling. The final ruling ends it either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, not_, or_, select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from qa_service.features.access import get_own_call, may_decide, may_see_dispute, visible_disputes
from qa_service.features.calls.privacy import typed_text_masker
from qa_service.features.disputes.deadlines import add_working_days, is_overdue
from qa_service.features.disputes.schemas import (
    AppealCreate,
    DecisionCreate,
    DisputeCreate,
    DisputePublic,
)
from qa_service.features.disputes.thread import people, thread
from qa_service.features.pagination import paginate
from qa_service.features.question_calibrations.service import (
    refuse_if_withheld,
    withheld_questions,
)
from qa_service.features.reviews.scores import recompute_reviewed_score, update_calibration_flag
from qa_service.features.users.service import display_names
from qa_service.store import audit
from qa_service.store.accounts import User
from qa_service.store.base import utcnow
from qa_service.store.calls import Call, FindingRecord, Verdict, require_analysed
from qa_service.store.disputes import (
    STAGES,
    Decision,
    Dispute,
    DisputeStatus,
    DisputeStep,
    Stage,
)


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    return and_(Dispute.status == DisputeStatus.open, Dispute.due_at < now)


def appealable_clause(now: datetime) -> ColumnElement[bool]:
    """Upheld at a step that may still be appealed, the window not yet closed."""
    return and_(
        Dispute.status == DisputeStatus.upheld,
        Dispute.appeal_until.is_not(None),
        Dispute.appeal_until >= now,
    )


def get_visible_dispute(session: Session, user: User, dispute_id: int) -> Dispute:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None or not may_see_dispute(user, dispute):
        raise NotFoundError(f"dispute {dispute_id} not found")
    return dispute


def public(
    dispute: Dispute, names: Mapping[int, str], categories: Mapping[int, str] | None = None
) -> DisputePublic:
    """The API's and the pages' view of a dispute: whether its step is overdue now, and its
    thread with the names of the people in it."""
    out = DisputePublic.model_validate(dispute)
    out.overdue = dispute.status == DisputeStatus.open and is_overdue(dispute.due_at, utcnow())
    out.agent_name = names.get(dispute.agent_user_id, "")
    out.thread = thread(dispute, names)
    out.category = (categories or {}).get(dispute.finding_id, "")
    return out


def _masked(session: Session, view: DisputePublic, viewer: User) -> DisputePublic:
    """The statements and rulings as ``viewer`` may read them (see ``typed_text_masker``)."""
    mask = typed_text_masker(viewer)
    call = session.get(Call, view.call_id)
    view.reason = mask(call, view.reason)
    for step in view.steps:
        step.comment, step.statement = mask(call, step.comment), mask(call, step.statement)
    for entry in view.thread:
        entry.text = mask(call, entry.text)
    return view


def public_many(session: Session, disputes: Sequence[Dispute], viewer: User) -> list[DisputePublic]:
    """``viewer``: who reads them (the typed texts may quote the call's personal data)."""
    names = display_names(session, people(disputes))
    ids = {d.finding_id for d in disputes}
    rows = session.execute(
        select(FindingRecord.id, FindingRecord.category).where(FindingRecord.id.in_(ids))
    )
    categories = {finding_id: category for finding_id, category in rows} if ids else {}
    withheld = withheld_questions(session, viewer, {d.call_id for d in disputes})
    views = [_masked(session, public(d, names, categories), viewer) for d in disputes]
    for view in views:
        held = withheld.get(view.call_id)
        if held is not None and view.rule_id in held.rule_ids:
            _without_texts(view)
    return views


def _without_texts(view: DisputePublic) -> None:
    """A dispute of a model answer an open calibration session withholds from its reader:
    the agent's statement and the rulings argue with that answer, so none is shown until
    the reader answered the question there or the session closed (``features/calls/
    withheld.py``)."""
    view.withheld = True
    view.reason = ""
    view.thread = []
    for step in view.steps:
        step.comment = step.statement = ""


def public_one(session: Session, dispute: Dispute, viewer: User) -> DisputePublic:
    return public_many(session, [dispute], viewer)[0]


def get_dispute(session: Session, user: User, dispute_id: int) -> DisputePublic:
    return public_one(session, get_visible_dispute(session, user, dispute_id), user)


def list_disputes(
    session: Session,
    user: User,
    *,
    status: str | None = None,
    stage: str | None = None,
    overdue: bool | None = None,
    call_id: int | None = None,
    active: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """The disputes ``user`` may see, the soonest due first, as a page of ``DisputePublic``.
    ``active``: open, or upheld and still appealable."""
    query = select(Dispute).where(visible_disputes(user))
    if status is not None:
        query = query.where(Dispute.status == status)
    if active:
        query = query.where(or_(Dispute.status == DisputeStatus.open, appealable_clause(utcnow())))
    if stage is not None:
        query = query.where(Dispute.stage == stage)
    if call_id is not None:
        query = query.where(Dispute.call_id == call_id)
    if overdue is not None:
        late = overdue_clause(utcnow())
        query = query.where(late if overdue else not_(late))
    page = paginate(session, query, (Dispute.due_at, Dispute.id), limit, offset)
    return {**page, "items": public_many(session, page["items"], user)}


def open_on_call(
    session: Session, settings: Settings, user: User, call_id: int, body: DisputeCreate
) -> DisputePublic:
    """An agent disputes a finding of their own call."""
    call = get_own_call(session, user, call_id)
    return public_one(session, open_dispute(session, settings, call, user, body), user)


def decide_dispute(
    session: Session, settings: Settings, user: User, dispute_id: int, body: DecisionCreate
) -> DisputePublic:
    dispute = get_visible_dispute(session, user, dispute_id)
    return public_one(session, decide(session, settings, dispute, user, body), user)


def appeal_dispute(
    session: Session, settings: Settings, user: User, dispute_id: int, body: AppealCreate
) -> DisputePublic:
    dispute = get_visible_dispute(session, user, dispute_id)
    return public_one(session, appeal(session, settings, dispute, user, body), user)


def _open_step(
    settings: Settings, dispute: Dispute, stage: Stage, now: datetime, statement: str = ""
) -> None:
    due = add_working_days(now, settings.dispute_deadline_working_days)
    dispute.stage, dispute.status, dispute.due_at = stage, DisputeStatus.open, due
    dispute.closed_at = dispute.appeal_until = None
    step = DisputeStep(stage=stage, opened_at=now, due_at=due, comment="", statement=statement)
    dispute.steps.append(step)


def open_dispute(
    session: Session, settings: Settings, call: Call, agent: User, body: DisputeCreate
) -> Dispute:
    require_analysed(call)
    finding = session.get(FindingRecord, body.finding_id)
    if finding is None or finding.call_id != call.id:
        # The same answer for an absent finding and another call's: ids are not probed.
        raise InputError(f"finding {body.finding_id} is not a finding of this call")
    if finding.disputed:
        raise ConflictError(f"finding {finding.id} is already disputed")
    now = utcnow()
    dispute = Dispute(
        call_id=call.id,
        finding_id=finding.id,
        rule_id=finding.rule_id,
        agent_user_id=agent.id,
        team=call.team,
        reason=body.reason,
        opened_at=now,
    )
    _open_step(settings, dispute, Stage.team_lead, now, body.reason)
    session.add(dispute)
    finding.disputed = True
    call.disputes_open += 1
    call.disputes_total += 1
    session.flush()
    after = {**dispute.snapshot(), "finding_id": finding.id, "reason": body.reason}
    audit.record(session, agent.id, "dispute.open", "dispute", dispute.id, None, after)
    return dispute


def _next_stage(stage: str) -> Stage:
    return STAGES[STAGES.index(Stage(stage)) + 1]


def _close(dispute: Dispute, call: Call, status: DisputeStatus, now: datetime) -> None:
    dispute.status, dispute.closed_at, dispute.due_at = status, now, None
    call.disputes_open = max(0, call.disputes_open - 1)


def decide(
    session: Session, settings: Settings, dispute: Dispute, user: User, body: DecisionCreate
) -> Dispute:
    if dispute.status != DisputeStatus.open:
        raise ConflictError(f"dispute {dispute.id} is {dispute.status}, not open")
    if not may_decide(user, dispute):
        raise ForbiddenError(f"the {dispute.stage} step of this dispute is not yours to decide")
    # Ruling on a model's answer one may not see yet would be no ruling (and no blind answer).
    refuse_if_withheld(session, user, dispute.call_id, dispute.rule_id)
    final = dispute.stage == Stage.final
    if body.decision == Decision.escalate and final:
        raise InputError("the final ruling cannot be escalated")
    before = dispute.snapshot()
    now = utcnow()
    step = dispute.steps[-1]
    step.decided_by, step.decided_at = user.id, now
    step.decision, step.comment = body.decision, body.comment
    call = session.get(Call, dispute.call_id)
    finding = session.get(FindingRecord, dispute.finding_id)
    if body.decision == Decision.escalate:
        _open_step(settings, dispute, _next_stage(dispute.stage), now)
    elif body.decision == Decision.overturn:
        _close(dispute, call, DisputeStatus.overturned, now)
        if finding is not None:
            finding.verdict = Verdict.overturned
            finding.verdict_reason = f"dispute {dispute.id}: {body.comment}"
            recompute_reviewed_score(session, settings, call)
            update_calibration_flag(session, settings, call)
    else:
        _close(dispute, call, DisputeStatus.upheld, now)
        if not final:
            dispute.appeal_until = add_working_days(now, settings.dispute_deadline_working_days)
        if finding is not None:
            finding.verdict = finding.verdict or Verdict.confirmed
    after = {**dispute.snapshot(), "decision": body.decision, "comment": body.comment}
    audit.record(session, user.id, f"dispute.{body.decision}", "dispute", dispute.id, before, after)
    return dispute


def appeal(
    session: Session, settings: Settings, dispute: Dispute, agent: User, body: AppealCreate
) -> Dispute:
    if dispute.agent_user_id != agent.id:
        raise NotFoundError(f"dispute {dispute.id} not found")
    now = utcnow()
    if dispute.status != DisputeStatus.upheld or dispute.appeal_until is None:
        raise ConflictError(f"dispute {dispute.id} cannot be appealed ({dispute.status})")
    if now > dispute.appeal_until:
        raise ConflictError(f"the appeal window of dispute {dispute.id} closed")
    before = dispute.snapshot()
    _open_step(settings, dispute, _next_stage(dispute.stage), now, body.reason)
    call = session.get(Call, dispute.call_id)
    call.disputes_open += 1
    after = {**dispute.snapshot(), "appeal": body.reason}
    audit.record(session, agent.id, "dispute.appeal", "dispute", dispute.id, before, after)
    return dispute
