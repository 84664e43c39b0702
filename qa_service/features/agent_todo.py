"""What waits on an agent: their analysed calls not yet acknowledged, their disputes (open
ones waiting on a decision, upheld ones they may still appeal, until when) and their coaching
tasks not done yet. The agent's home page shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from qa_service.features.access import visible_calls, visible_disputes
from qa_service.features.coaching.schemas import CoachingPublic
from qa_service.features.coaching.service import list_tasks
from qa_service.features.disputes.schemas import DisputePublic
from qa_service.features.disputes.service import appealable_clause, public_many
from qa_service.store.accounts import User
from qa_service.store.base import utcnow
from qa_service.store.calls import Call, CallStatus
from qa_service.store.disputes import Dispute, DisputeStatus

# A home page lists this many of each; the counts are the whole of it.
SHOWN = 50


@dataclass
class AgentTodo:
    to_acknowledge: list[Call] = field(default_factory=list)
    to_acknowledge_total: int = 0
    appealable: list[DisputePublic] = field(default_factory=list)
    waiting: list[DisputePublic] = field(default_factory=list)
    coaching: list[CoachingPublic] = field(default_factory=list)
    coaching_total: int = 0

    @property
    def coaching_overdue(self) -> int:
        return sum(1 for task in self.coaching if task.overdue)


def _to_acknowledge(session: Session, user: User) -> tuple[list[Call], int]:
    query = select(Call).where(
        visible_calls(user), Call.status == CallStatus.analysed, Call.acknowledged_at.is_(None)
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    newest = query.order_by(Call.started_at.desc().nulls_last(), Call.id.desc()).limit(SHOWN)
    return list(session.scalars(newest)), total


def _disputes(session: Session, user: User) -> tuple[list[DisputePublic], list[DisputePublic]]:
    """(upheld ones still appealable, the soonest window end first; open ones, soonest due
    first) among the disputes the agent opened."""
    now = utcnow()
    rows = session.scalars(
        select(Dispute)
        .where(
            visible_disputes(user),
            Dispute.agent_user_id == user.id,
            or_(Dispute.status == DisputeStatus.open, appealable_clause(now)),
        )
        .order_by(Dispute.id)
        .limit(2 * SHOWN)
    ).all()
    shown = public_many(session, rows, user)
    upheld = [d for d in shown if d.status == DisputeStatus.upheld]
    waiting = [d for d in shown if d.status == DisputeStatus.open]
    return sorted(upheld, key=attrgetter("appeal_until")), sorted(waiting, key=attrgetter("due_at"))


def agent_todo(session: Session, user: User) -> AgentTodo:
    calls, calls_total = _to_acknowledge(session, user)
    appealable, waiting = _disputes(session, user)
    coaching = list_tasks(session, user, active=True, agent_user_id=user.id, limit=SHOWN)
    return AgentTodo(
        to_acknowledge=calls,
        to_acknowledge_total=calls_total,
        appealable=appealable,
        waiting=waiting,
        coaching=coaching["items"],
        coaching_total=coaching["total"],
    )
