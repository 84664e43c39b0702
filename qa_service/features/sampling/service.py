"""Sampling plans: draw a seeded sample of a period's calls for human review, store it with
everything needed to draw it again, list, show and re-derive plans, and review coverage.

The same functions serve ``/api/sampling/plans``, the QA queue page and ``qa-service
sample`` / ``plans`` / ``coverage``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from qa_service.domain.periods import Period, parse_period
from qa_service.domain.sampling import (
    SampleResult,
    SamplingOptions,
    assign_reviewers,
    parse_oversample,
)
from qa_service.features.sampling.schemas import CoverageReport, PlanCheck, PlanCreate
from qa_service.store.accounts import User
from qa_service.store.call_facts import Scope
from qa_service.store.calls import Call
from qa_service.store.sampling_plans import SamplingPlan, SamplingPlanCall
from qa_service.store.sampling_queries import (
    coverage,
    draw,
    get_plan,
    open_load,
    plan_queue,
    plans_newest_first,
    reviewer_accounts,
    reviewer_workload,
    reviewers_by_name,
)


def plan_options(
    *,
    rate: float,
    min_per_agent: int,
    max_per_agent: int | None,
    by: Sequence[str],
    oversample: str | None,
    seed: int | None,
    short_ratio: float,
) -> SamplingOptions:
    """Options as a person gives them: oversampling as text; no seed draws a new one (it is
    stored with the plan, so the sample can be drawn again)."""
    return SamplingOptions(
        rate=rate,
        min_per_agent=min_per_agent,
        max_per_agent=max_per_agent,
        by=tuple(by),
        oversample=parse_oversample(oversample),
        seed=secrets.randbelow(2**31) if seed is None else seed,
        short_ratio=short_ratio,
    )


def _scope_dict(scope: Scope) -> dict[str, Any]:
    return {k: (None if v is None else list(v)) for k, v in asdict(scope).items()}


def preview(
    session: Session, *, period: Period, options: SamplingOptions, scope: Scope
) -> SampleResult:
    """The sample a plan would hold, stored nowhere."""
    result, _ids = draw(session, period, options, scope)
    return result


def create_plan(
    session: Session,
    *,
    period: Period,
    options: SamplingOptions,
    scope: Scope | None = None,
    reviewers: Sequence[str] = (),
    created_by: User | None = None,
    note: str = "",
) -> SamplingPlan:
    """Draw a sample, store it with everything needed to draw it again, and share it among
    the ``reviewers`` (usernames), the least loaded first."""
    scope = scope or Scope()
    accounts = reviewers_by_name(session, reviewers)
    result, ids = draw(session, period, options, scope)
    plan = SamplingPlan(
        period=period.label,
        parameters=options.to_dict(),
        filters=_scope_dict(scope),
        seed=options.seed,
        population=result.population,
        selected=len(result.selected),
        population_digest=result.population_digest,
        selection_digest=result.selection_digest,
        note=note,
        created_by=created_by.id if created_by else None,
    )
    assigned: dict[str, str] = {}
    if accounts:
        load = open_load(session, [r.id for r in accounts])
        picked = [s.call_id for s in result.selected]
        assigned = assign_reviewers(picked, [str(r.id) for r in accounts], load)
    session.add(plan)
    session.flush()
    # A Core bulk insert: a month's sample is tens of thousands of rows.
    if result.selected:
        session.execute(
            insert(SamplingPlanCall),
            [
                {
                    "plan_id": plan.id,
                    "call_id": ids[s.call_id],
                    "agent_id": s.agent_id,
                    "stratum": s.stratum,
                    "risks": ",".join(sorted(s.risks)),
                    "weight": s.weight,
                    "reviewer_id": int(assigned[s.call_id]) if s.call_id in assigned else None,
                }
                for s in result.selected
            ],
        )
    session.expire(plan, ["calls"])
    return plan


def create_requested_plan(
    session: Session, *, request: PlanCreate, created_by: User | None
) -> SamplingPlan:
    """``create_plan`` from the API's and the queue page's request body."""
    options = plan_options(
        rate=request.rate,
        min_per_agent=request.min_per_agent,
        max_per_agent=request.max_per_agent,
        by=request.by,
        oversample=request.oversample,
        seed=request.seed,
        short_ratio=request.short_ratio,
    )
    return create_plan(
        session,
        period=parse_period(request.period),
        options=options,
        scope=Scope(teams=request.teams, queues=request.queues),
        reviewers=request.reviewers,
        created_by=created_by,
        note=request.note,
    )


def reviewer_names(session: Session) -> list[str]:
    """The active accounts a sample can be shared among (QA and admins), by name."""
    return reviewer_accounts(session)


def list_plans(
    session: Session, *, period: str | None = None, limit: int | None = None
) -> list[SamplingPlan]:
    """Stored plans, newest first; ``period`` in any form ``parse_period`` reads."""
    return plans_newest_first(session, parse_period(period) if period else None, limit)


def show_plan(session: Session, *, plan_id: int) -> SamplingPlan:
    return get_plan(session, plan_id)


def review_queue(
    session: Session, *, plan_id: int, reviewer_id: int | None = None, pending: bool = False
) -> list[tuple[SamplingPlanCall, Call]]:
    """A plan's calls, oldest first; one reviewer's, and only those nobody reviewed, if asked."""
    return plan_queue(session, plan_id, reviewer_id, pending)


def check_plan(session: Session, *, plan_id: int) -> PlanCheck:
    """Draw a stored plan again from its parameters and seed, and compare the calls."""
    plan = get_plan(session, plan_id)
    options = SamplingOptions.from_dict(plan.parameters)
    scope = Scope(**plan.filters)
    result, ids = draw(session, parse_period(plan.period), options, scope)
    stored = {c.call_id for c in plan.calls}
    again = {ids[s.call_id] for s in result.selected}
    return PlanCheck(
        plan_id=plan.id,
        same_selection=result.selection_digest == plan.selection_digest,
        same_population=result.population_digest == plan.population_digest,
        added=sorted(again - stored),
        removed=sorted(stored - again),
    )


def coverage_report(
    session: Session, *, period: Period, by: str, scope: Scope, reviewers: bool
) -> CoverageReport:
    """Coverage per agent, team or queue; reviewers' workloads only if ``reviewers``."""
    return CoverageReport(
        period=period.label,
        by=by,
        rows=coverage(session, period, by, scope),
        reviewers=reviewer_workload(session, period) if reviewers else [],
    )
