"""Sampling plans on the store: the candidates of a draw, stored plans and their review
queues, reviewer workload and coverage. Drawing, storing and re-deriving a plan are the
use cases of ``features/sampling/service.py``.

Drawing needs every candidate call of the period (a random key per call), so it reads one
light row per call: id, agent, strata and risk flags, with the flags worked out in SQL.
Workload and coverage are GROUP BY aggregates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import and_, case, distinct, func, literal, or_, select, text
from sqlalchemy.orm import Session

from qa_service.domain.kpi import ratio
from qa_service.domain.periods import Period
from qa_service.domain.sampling import (
    RISK_FLAGS,
    SampleCandidate,
    SampleResult,
    SamplingOptions,
    draw_sample,
)
from qa_service.errors import InputError, NotFoundError
from qa_service.store.accounts import AccountRole, User
from qa_service.store.call_facts import (
    Scope,
    analysed_in,
    customer_negative,
    finding_flags,
    flag,
    group_column,
    in_period,
)
from qa_service.store.calls import Call, CallStatus, ReviewState
from qa_service.store.reviews import Review
from qa_service.store.sampling_plans import SamplingPlan, SamplingPlanCall

CANDIDATE_BATCH = 10_000


def candidates(
    session: Session, period: Period, scope: Scope, short_ratio: float, ids: dict[str, int]
) -> Iterator[SampleCandidate]:
    """The analysed calls of the period with an agent, each with its risk flags.

    Candidates carry the call's own id (what the random key hashes, stable across database
    copies); ``ids`` is filled with the row id of each.
    """
    flags = finding_flags(period, scope).subquery()
    queue_mean = func.avg(Call.duration_s).over(partition_by=Call.queue)
    # One bit per risk of RISK_FLAGS, so a row carries one small integer.
    conditions = (
        Call.critical_failed.is_(True),
        flags.c.complaint == 1,
        customer_negative(flags),
        flags.c.silence == 1,
        Call.duration_s < short_ratio * queue_mean,
    )
    mask = sum((flag(c) * (1 << bit) for bit, c in enumerate(conditions)), literal(0))
    stmt = (
        select(Call.id, Call.call_id, Call.agent_id, Call.queue, Call.direction, mask)
        .outerjoin(flags, flags.c.call_id == Call.id)
        .where(*analysed_in(period, scope), Call.agent_id.is_not(None))
        .execution_options(yield_per=CANDIDATE_BATCH)
    )
    risk_sets = [
        frozenset(name for bit, name in enumerate(RISK_FLAGS) if m >> bit & 1)
        for m in range(1 << len(RISK_FLAGS))
    ]
    for row_id, call_id, agent_id, queue, direction, bits in session.execute(stmt):
        ids[call_id] = row_id
        yield SampleCandidate(call_id, agent_id, queue, direction, risk_sets[bits])


def reviewers_by_name(session: Session, names: Sequence[str]) -> list[User]:
    """The accounts a sample is shared among, in the order given."""
    if not names:
        return []
    found = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))}
    missing = [n for n in names if n not in found]
    if missing:
        raise InputError(f"no such reviewer account: {', '.join(missing)}")
    return [found[n] for n in names]


def reviewer_accounts(session: Session) -> list[str]:
    """Usernames of the active QA and admin accounts, in order."""
    stmt = (
        select(User.username)
        .where(User.role.in_([AccountRole.qa, AccountRole.admin]), User.active)
        .order_by(User.username)
    )
    return list(session.scalars(stmt))


def open_load(session: Session, reviewer_ids: Sequence[int]) -> dict[str, int]:
    """Calls already assigned to each reviewer that nobody has reviewed yet."""
    stmt = (
        select(SamplingPlanCall.reviewer_id, func.count(distinct(SamplingPlanCall.call_id)))
        .join(Call, Call.id == SamplingPlanCall.call_id)
        .where(
            SamplingPlanCall.reviewer_id.in_(list(reviewer_ids)),
            Call.review_state == ReviewState.none,
        )
        .group_by(SamplingPlanCall.reviewer_id)
    )
    return {str(r): n for r, n in session.execute(stmt)}


def draw(
    session: Session, period: Period, options: SamplingOptions, scope: Scope
) -> tuple[SampleResult, dict[str, int]]:
    """The sample, and the row id of every candidate by call id."""
    ids: dict[str, int] = {}
    result = draw_sample(candidates(session, period, scope, options.short_ratio, ids), options)
    return result, ids


def get_plan(session: Session, plan_id: int) -> SamplingPlan:
    plan = session.get(SamplingPlan, plan_id)
    if plan is None:
        raise NotFoundError(f"sampling plan {plan_id} not found")
    return plan


def plans_newest_first(
    session: Session, period: Period | None = None, limit: int | None = None
) -> list[SamplingPlan]:
    """Stored plans, the newest first; only those drawn for ``period`` if one is given."""
    query = select(SamplingPlan).order_by(SamplingPlan.id.desc()).limit(limit)
    if period is not None:
        query = query.where(SamplingPlan.period == period.label)
    return list(session.scalars(query))


def plan_queue(
    session: Session, plan_id: int, reviewer_id: int | None = None, pending_only: bool = False
) -> list[tuple[SamplingPlanCall, Call]]:
    """The review queue of a plan: its calls, oldest first, optionally one reviewer's open ones."""
    get_plan(session, plan_id)
    stmt = (
        select(SamplingPlanCall, Call)
        .join(Call, Call.id == SamplingPlanCall.call_id)
        .where(SamplingPlanCall.plan_id == plan_id)
        .order_by(Call.started_at, Call.id)
    )
    if reviewer_id is not None:
        stmt = stmt.where(SamplingPlanCall.reviewer_id == reviewer_id)
    if pending_only:
        stmt = stmt.where(Call.review_state == ReviewState.none)
    return [(item, call) for item, call in session.execute(stmt)]


def plan_progress(session: Session, plan_id: int) -> tuple[int, int]:
    """(reviewed, total): how many of a plan's calls have a review."""
    reviewed = func.sum(case((Call.review_state != ReviewState.none, 1), else_=0))
    total, done = session.execute(
        select(func.count(), func.coalesce(reviewed, 0))
        .select_from(SamplingPlanCall)
        .join(Call, Call.id == SamplingPlanCall.call_id)
        .where(SamplingPlanCall.plan_id == plan_id)
    ).one()
    return int(done), int(total)


@dataclass(frozen=True, slots=True)
class ReviewerLoad:
    reviewer_id: int
    username: str
    assigned: int  # calls of the period given to this reviewer by any plan
    done: int  # of those, reviewed (by anyone)
    reviews: int  # reviews this reviewer wrote on calls of the period, sampled or not

    @property
    def pending(self) -> int:
        return self.assigned - self.done


def reviewer_workload(session: Session, period: Period) -> list[ReviewerLoad]:
    reviewed = Call.review_state != ReviewState.none
    assigned = (
        select(
            SamplingPlanCall.reviewer_id.label("reviewer_id"),
            func.count(distinct(SamplingPlanCall.call_id)).label("assigned"),
            func.count(distinct(case((reviewed, SamplingPlanCall.call_id)))).label("done"),
        )
        .join(Call, Call.id == SamplingPlanCall.call_id)
        .where(in_period(period), SamplingPlanCall.reviewer_id.is_not(None))
        .group_by(SamplingPlanCall.reviewer_id)
        .subquery()
    )
    written = (
        select(Review.reviewer_id.label("reviewer_id"), func.count().label("reviews"))
        .join(Call, Call.id == Review.call_id)
        .where(in_period(period))
        .group_by(Review.reviewer_id)
        .subquery()
    )
    stmt = (
        select(
            User.id,
            User.username,
            func.coalesce(assigned.c.assigned, 0),
            func.coalesce(assigned.c.done, 0),
            func.coalesce(written.c.reviews, 0),
        )
        .outerjoin(assigned, assigned.c.reviewer_id == User.id)
        .outerjoin(written, written.c.reviewer_id == User.id)
        .where(or_(assigned.c.assigned.is_not(None), written.c.reviews.is_not(None)))
        .order_by(User.username)
    )
    return [ReviewerLoad(*row) for row in session.execute(stmt)]


@dataclass(frozen=True, slots=True)
class Coverage:
    key: str
    calls: int  # received in the period, any status
    analysed: int  # checked by the machine
    sampled: int  # picked by a plan
    reviewed: int  # reviewed by a person

    @property
    def machine_rate(self) -> float | None:
        return ratio(self.analysed, self.calls)

    @property
    def review_rate(self) -> float | None:
        return ratio(self.reviewed, self.analysed)

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "machine_rate": self.machine_rate,
            "review_rate": self.review_rate,
        }


def coverage(
    session: Session, period: Period, by: str = "agent", scope: Scope | None = None
) -> list[Coverage]:
    """Machine checks everything, people a sample: both shares per agent, team or queue."""
    scope = scope or Scope()
    # Any plan that picked the call counts, whatever period it was drawn for (a month's
    # coverage includes the weekly plans inside it).
    sampled = select(SamplingPlanCall.call_id).distinct().subquery()
    analysed = Call.status == CallStatus.analysed
    stmt = (
        select(
            group_column(by),
            func.count(),
            func.sum(flag(analysed)),
            func.sum(flag(and_(analysed, sampled.c.call_id.is_not(None)))),
            func.sum(flag(and_(analysed, Call.review_state != ReviewState.none))),
        )
        .outerjoin(sampled, sampled.c.call_id == Call.id)
        .where(in_period(period), *scope.where())
        .group_by(text("1"))
        .order_by(text("1"))
    )
    return [
        Coverage(key, n, int(a or 0), int(s or 0), int(r or 0))
        for key, n, a, s, r in session.execute(stmt)
    ]
