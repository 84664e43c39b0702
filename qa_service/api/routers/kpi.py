"""Agent KPIs and review coverage: JSON for the dashboard, CSV and XLSX for spreadsheets.

Who sees what follows the call rules (``features.access.kpi_scope``): QA and admin
everything, a supervisor their team, an agent only their own figures.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from qa_service.api.schemas.common import PeriodQuery
from qa_service.domain.periods import parse_period
from qa_service.features.access import is_staff, kpi_scope
from qa_service.features.kpi import service as kpi
from qa_service.features.kpi.schemas import ExportFormat
from qa_service.features.sampling.service import coverage_report
from qa_service.http.deps import CurrentUser, SessionDep, SettingsDep
from qa_service.store.call_facts import GroupBy, Scope

router = APIRouter(tags=["kpi"])

ListQuery = Annotated[
    str | None, Query(max_length=2000, description="Comma-separated; empty: all you may see.")
]


@router.get("/kpi", summary="KPIs per agent, team or queue for a period, with trends")
def get_kpis(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    period: PeriodQuery,
    by: GroupBy = GroupBy.agent,
    team: ListQuery = None,
    agent: ListQuery = None,
    queue: ListQuery = None,
    fcr_days: Annotated[int | None, Query(ge=1, le=90)] = None,
    weights: Annotated[
        str | None, Query(max_length=500, description="e.g. qa_score=0.4,csat=0")
    ] = None,
    tiers: Annotated[
        str | None, Query(max_length=500, description="e.g. A:85,B:70,C:55,D:0")
    ] = None,
    format: ExportFormat = ExportFormat.json,
):
    parsed = parse_period(period)
    scope = kpi_scope(user, Scope.from_lists(agent, team, queue), by.value)
    report = kpi.period_report(
        session,
        settings,
        period=parsed,
        by=by.value,
        scope=scope,
        fcr_days=fcr_days,
        weights=weights,
        tiers=tiers,
    )
    if format is ExportFormat.json:
        return report.to_dict()
    export = kpi.export_report(report, format.value)
    return Response(export.data, media_type=export.media_type, headers=export.headers)


@router.get("/kpi/definitions", summary="What every KPI means, its unit and better direction")
def get_definitions(_user: CurrentUser) -> list[dict]:
    return kpi.definitions()


@router.get(
    "/coverage",
    summary="Machine-checked vs human-reviewed calls per agent, team or queue; reviewer load",
)
def get_coverage(
    user: CurrentUser,
    session: SessionDep,
    period: PeriodQuery,
    by: GroupBy = GroupBy.agent,
    team: ListQuery = None,
) -> dict:
    parsed = parse_period(period)
    scope = kpi_scope(user, Scope.from_lists(teams=team), by.value)
    # Reviewers' workloads are QA's own business.
    staff = is_staff(user)
    report = coverage_report(session, period=parsed, by=by.value, scope=scope, reviewers=staff)
    return report.to_dict()
