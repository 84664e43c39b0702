"""Disputes move team lead -> reviewer -> final ruling; each step has a working-day deadline.

At the first two steps the decider may overturn the finding (the dispute ends in the agent's
favour), uphold it (the agent may appeal to the next level within the deadline) or escalate
without ruling. The final ruling ends it either way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, true
from sqlalchemy.orm import Session

from qa_service.api.errors import ConflictError, ForbiddenError
from qa_service.api.schemas.disputes import AppealCreate, DecisionCreate, DisputeCreate
from qa_service.api.services.deadlines import add_working_days
from qa_service.api.services.reviews import require_analysed
from qa_service.api.services.scores import recompute_reviewed_score, update_calibration_flag
from qa_service.config import Settings
from qa_service.errors import InputError, NotFoundError
from qa_service.store import audit
from qa_service.store.accounts import Role, User
from qa_service.store.base import utcnow
from qa_service.store.calls import Call, Finding, Verdict
from qa_service.store.disputes import (
    STAGES,
    Decision,
    Dispute,
    DisputeStatus,
    DisputeStep,
    Stage,
)


def disputes_visible_to(user: User) -> ColumnElement[bool]:
    if user.role in (Role.admin, Role.qa):
        return true()
    if user.role == Role.supervisor:
        return Dispute.team == user.team if user.team else false()
    # An agent's own disputes; an agent without an agent id (who sees no call) sees none.
    if user.role == Role.agent and user.agent_id:
        return Dispute.agent_user_id == user.id
    return false()


def _may_see(user: User, dispute: Dispute) -> bool:
    if user.role in (Role.admin, Role.qa):
        return True
    if user.role == Role.supervisor:
        return bool(user.team) and dispute.team == user.team
    return user.role == Role.agent and bool(user.agent_id) and dispute.agent_user_id == user.id


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    return and_(Dispute.status == DisputeStatus.open, Dispute.due_at < now)


def get_visible_dispute(session: Session, user: User, dispute_id: int) -> Dispute:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None or not _may_see(user, dispute):
        raise NotFoundError(f"dispute {dispute_id} not found")
    return dispute


def _open_step(settings: Settings, dispute: Dispute, stage: Stage, now: datetime) -> None:
    due = add_working_days(now, settings.dispute_deadline_working_days)
    dispute.stage, dispute.status, dispute.due_at = stage, DisputeStatus.open, due
    dispute.closed_at = dispute.appeal_until = None
    dispute.steps.append(DisputeStep(stage=stage, opened_at=now, due_at=due, comment=""))


def open_dispute(
    session: Session, settings: Settings, call: Call, agent: User, body: DisputeCreate
) -> Dispute:
    require_analysed(call)
    finding = session.get(Finding, body.finding_id)
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
    _open_step(settings, dispute, Stage.team_lead, now)
    session.add(dispute)
    finding.disputed = True
    call.disputes_open += 1
    call.disputes_total += 1
    session.flush()
    after = {**dispute.snapshot(), "finding_id": finding.id, "reason": body.reason}
    audit.record(session, agent.id, "dispute.open", "dispute", dispute.id, None, after)
    return dispute


def may_decide(user: User, dispute: Dispute) -> bool:
    if user.role == Role.admin:
        return True
    if dispute.stage == Stage.team_lead:
        return user.role == Role.supervisor and bool(user.team) and user.team == dispute.team
    if dispute.stage == Stage.reviewer:
        return user.role == Role.qa
    reviewer_step = next((s for s in dispute.steps if s.stage == Stage.reviewer), None)
    decided_before = reviewer_step is not None and reviewer_step.decided_by == user.id
    return user.role == Role.qa and not decided_before


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
    final = dispute.stage == Stage.final
    if body.decision == Decision.escalate and final:
        raise InputError("the final ruling cannot be escalated")
    before = dispute.snapshot()
    now = utcnow()
    step = dispute.steps[-1]
    step.decided_by, step.decided_at = user.id, now
    step.decision, step.comment = body.decision, body.comment
    call = session.get(Call, dispute.call_id)
    finding = session.get(Finding, dispute.finding_id)
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
    _open_step(settings, dispute, _next_stage(dispute.stage), now)
    call = session.get(Call, dispute.call_id)
    call.disputes_open += 1
    after = {**dispute.snapshot(), "appeal": body.reason}
    audit.record(session, agent.id, "dispute.appeal", "dispute", dispute.id, before, after)
    return dispute
