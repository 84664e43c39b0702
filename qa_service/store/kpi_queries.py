"""KPI aggregates in SQL: per agent, team or queue and period, on SQLite and PostgreSQL.

Four GROUP BY queries cover a whole report and its history at once, each row of the
result one (period, group): the call aggregates, first-contact resolution (a LEAD window
over each customer's contacts), disputes, and dimension scores. No call is loaded into
Python; the domain turns the sums into KPIs (``domain/kpi_report.py``) and
``features/kpi/service.py`` puts the two together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import Session

from qa_service.domain.kpi import KpiCounts
from qa_service.domain.kpi_report import DimensionSums
from qa_service.domain.periods import Period
from qa_service.store.call_facts import (
    Scope,
    analysed_in,
    bucket,
    customer_negative,
    effective_score,
    finding_flags,
    flag,
    group_column,
    seconds_between,
    span,
    utc,
)
from qa_service.store.calls import Call, CallDimension, CallStatus
from qa_service.store.disputes import Dispute, DisputeStatus

# Julian-day arithmetic on SQLite is exact to about a tenth of a millisecond.
TIME_SLACK_S = 0.001
BY_PERIOD_AND_GROUP = (text("1"), text("2"))


def _per_period(periods: Sequence[Period]) -> list[dict[str, KpiCounts]]:
    return [{} for _ in periods]


def call_counts(
    session: Session, periods: Sequence[Period], by: str, scope: Scope
) -> tuple[list[dict[str, KpiCounts]], dict[str, str | None]]:
    """The call aggregates per (period, group), and each group's team (the latest name)."""
    flags = finding_flags(span(periods), scope).subquery()
    negative = customer_negative(flags)
    score = effective_score()
    recoverable = and_(negative, Call.customer_sentiment_end.is_not(None))
    measured = Call.silence_total_s.is_not(None)
    # KpiCounts field -> its aggregate; NULL sums (no row had a value) read as 0.
    measures = {
        "calls": func.count(),
        "scored": func.count(score),
        "score_sum": func.sum(score),
        "critical_known": func.count(Call.critical_failed),
        "critical_failures": func.sum(flag(Call.critical_failed.is_(True))),
        "duration_n": func.count(Call.duration_s),
        "duration_sum": func.sum(Call.duration_s),
        "complaints": func.sum(flag(flags.c.complaint == 1)),
        "negatives": func.sum(flag(negative)),
        "recovery_base": func.sum(flag(recoverable)),
        "recovered": func.sum(flag(and_(recoverable, Call.customer_sentiment_end >= 0))),
        "silence_s": func.sum(Call.silence_total_s),
        "silence_base_s": func.sum(func.coalesce(Call.duration_s, 0.0) * flag(measured)),
        "interruption_known": func.count(Call.interruptions_by_agent),
        "interrupted": func.sum(flag(Call.interruptions_by_agent > 0)),
        "csat_n": func.count(Call.csat),
        "csat_sum": func.sum(Call.csat),
        "nps_n": func.count(Call.nps),
        "promoters": func.sum(flag(Call.nps >= 9)),
        "detractors": func.sum(flag(Call.nps <= 6)),
        "disputed": func.sum(flag(and_(Call.disputes_total > 0, score.is_not(None)))),
    }
    stmt = (
        select(bucket(Call.started_at, periods), group_column(by), func.max(Call.team))
        .add_columns(*measures.values())
        .select_from(Call)
        .outerjoin(flags, flags.c.call_id == Call.id)
        .where(*analysed_in(span(periods), scope))
        .group_by(*BY_PERIOD_AND_GROUP)
    )
    found = _per_period(periods)
    teams: dict[str, str | None] = {}
    for i, key, team, *values in session.execute(stmt):
        found[i][key] = KpiCounts(
            **{name: value or 0 for name, value in zip(measures, values, strict=True)}
        )
        if i == len(periods) - 1 or key not in teams:
            teams[key] = team
    return found, teams


def fcr_counts(
    session: Session,
    periods: Sequence[Period],
    by: str,
    scope: Scope,
    window_days: int,
    as_of: datetime | None = None,
) -> list[dict[str, tuple[int, int]]]:
    """(eligible, repeated) calls per (period, group), as ``domain.kpi.fcr_rate`` defines them.

    Every contact counts as a possible repeat, whatever its status or team, and contacts up to
    a window after the last period are looked at; the scope only limits the calls judged.
    """
    window = timedelta(days=window_days)
    whole = span(periods)
    as_of = utc(as_of) if as_of else datetime.now(UTC)
    contacts = (
        select(
            Call.started_at,
            Call.status,
            Call.agent_id,
            Call.team,
            Call.queue,
            func.lead(Call.started_at)
            .over(partition_by=Call.customer_ref, order_by=(Call.started_at, Call.id))
            .label("next_at"),
        )
        .where(
            Call.customer_ref.is_not(None),
            Call.customer_ref != "",
            Call.started_at >= utc(whole.start),
            Call.started_at < utc(whole.end + window),
        )
        .subquery()
    )
    c = contacts.c
    seconds = window.total_seconds() + TIME_SLACK_S
    repeat = and_(c.next_at.is_not(None), seconds_between(c.started_at, c.next_at) <= seconds)
    stmt = (
        select(
            bucket(c.started_at, periods),
            group_column(by, c),
            func.count(),
            func.sum(flag(repeat)),
        )
        .where(
            c.status == CallStatus.analysed,
            c.started_at < utc(whole.end),
            c.started_at <= as_of - window,
            *scope.where(c),
        )
        .group_by(*BY_PERIOD_AND_GROUP)
    )
    found: list[dict[str, tuple[int, int]]] = [{} for _ in periods]
    for i, key, eligible, repeated in session.execute(stmt):
        found[i][key] = (eligible, int(repeated or 0))
    return found


def dispute_counts(
    session: Session, periods: Sequence[Period], by: str, scope: Scope
) -> list[dict[str, tuple[int, int]]]:
    """(ruled, overturned) disputes per (period, group), by the disputed call's start."""
    ruled = Dispute.status.in_([DisputeStatus.upheld, DisputeStatus.overturned])
    stmt = (
        select(
            bucket(Call.started_at, periods),
            group_column(by),
            func.sum(flag(ruled)),
            func.sum(flag(Dispute.status == DisputeStatus.overturned)),
        )
        .select_from(Dispute)
        .join(Call, Call.id == Dispute.call_id)
        .where(*analysed_in(span(periods), scope))
        .group_by(*BY_PERIOD_AND_GROUP)
    )
    found: list[dict[str, tuple[int, int]]] = [{} for _ in periods]
    for i, key, n_ruled, n_overturned in session.execute(stmt):
        found[i][key] = (int(n_ruled or 0), int(n_overturned or 0))
    return found


def dimension_sums(
    session: Session, periods: Sequence[Period], by: str, scope: Scope
) -> list[dict[str, DimensionSums]]:
    """(count, sum) of each scorecard dimension's score, reviewed where a person re-scored."""
    score = func.coalesce(CallDimension.reviewed_score, CallDimension.score)
    stmt = (
        select(
            bucket(Call.started_at, periods),
            group_column(by),
            CallDimension.dimension,
            func.count(),
            func.sum(score),
        )
        .select_from(CallDimension)
        .join(Call, Call.id == CallDimension.call_id)
        .where(*analysed_in(span(periods), scope))
        .group_by(*BY_PERIOD_AND_GROUP, text("3"))
    )
    found: list[dict[str, dict[str, tuple[int, float]]]] = [{} for _ in periods]
    for i, key, dimension, n, total in session.execute(stmt):
        found[i].setdefault(key, {})[dimension] = (n, float(total or 0.0))
    return found


def kpi_counts(
    session: Session,
    periods: Sequence[Period],
    by: str,
    scope: Scope,
    window_days: int,
    as_of: datetime | None = None,
) -> tuple[list[dict[str, KpiCounts]], dict[str, str | None]]:
    """All the counts of ``KpiCounts`` per (period, group)."""
    counts, teams = call_counts(session, periods, by, scope)
    fcr = fcr_counts(session, periods, by, scope, window_days, as_of)
    disputes = dispute_counts(session, periods, by, scope)
    for i, per_group in enumerate(counts):
        for key, c in per_group.items():
            c.fcr_eligible, c.fcr_repeats = fcr[i].get(key, (0, 0))
            c.disputes_ruled, c.disputes_overturned = disputes[i].get(key, (0, 0))
    return counts, teams
