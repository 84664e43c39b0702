"""Agent KPIs and review coverage: JSON for the dashboard, CSV and XLSX for spreadsheets.

Who sees what follows the call rules: QA and admin everything, a supervisor their team,
an agent only their own figures.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response

from qa_service.api.schemas.common import PeriodQuery
from qa_service.domain.kpi import KPIS
from qa_service.domain.kpi_report import definitions_table
from qa_service.domain.kpi_scorecard import parse_tiers, parse_weights
from qa_service.domain.periods import parse_period
from qa_service.exports import MEDIA_TYPES, csv_bytes, xlsx_bytes
from qa_service.features.access import is_staff, kpi_scope
from qa_service.http.deps import CurrentUser, SessionDep, SettingsDep
from qa_service.store.call_facts import GroupBy, Scope
from qa_service.store.kpi_queries import kpi_report, options_from_settings
from qa_service.store.sampling_queries import coverage, reviewer_workload

router = APIRouter(tags=["kpi"])

ListQuery = Annotated[
    str | None, Query(max_length=2000, description="Comma-separated; empty: all you may see.")
]


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def _download(data: bytes, fmt: str, name: str) -> Response:
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


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
    options = options_from_settings(
        settings,
        fcr_window_days=fcr_days,
        components=parse_weights(weights) if weights else None,
        tiers=parse_tiers(tiers) if tiers else None,
    )
    report = kpi_report(session, parsed, by.value, scope, options)
    name = f"kpi-{parsed.label}-{by.value}"
    if format is ExportFormat.csv:
        return _download(csv_bytes(report.table()), "csv", name)
    if format is ExportFormat.xlsx:
        return _download(xlsx_bytes(report.sheets()), "xlsx", name)
    return report.to_dict()


@router.get("/kpi/definitions", summary="What every KPI means, its unit and better direction")
def get_definitions(_user: CurrentUser) -> list[dict]:
    header, lines = definitions_table([k.id for k in KPIS])
    return [dict(zip(header, line, strict=True)) for line in lines]


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
    staff = is_staff(user)
    return {
        "period": parsed.label,
        "by": by.value,
        "rows": [c.to_dict() for c in coverage(session, parsed, by.value, scope)],
        # Reviewers' workloads are QA's own business.
        "reviewers": [
            {
                "reviewer_id": w.reviewer_id,
                "username": w.username,
                "assigned": w.assigned,
                "done": w.done,
                "pending": w.pending,
                "reviews": w.reviews,
            }
            for w in (reviewer_workload(session, parsed) if staff else [])
        ],
    }
