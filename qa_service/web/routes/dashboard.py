"""The supervisor dashboard: KPI table, ranking, trends, score distributions, anomalies.

The figures are the KPI report of ``features.kpi`` scoped exactly as ``/api/kpi`` scopes
them (``features.access.kpi_scope``: a supervisor sees their team); the export buttons
download that same report as CSV or XLSX.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qa_service.domain.kpi import kpi_def
from qa_service.domain.kpi_report import TREND_KPIS
from qa_service.domain.periods import Period, parse_period, period_containing
from qa_service.errors import ForbiddenError, InputError
from qa_service.features.access import DASHBOARD, kpi_scope
from qa_service.features.coaching.service import summary as coaching_summary
from qa_service.features.kpi import service as kpi
from qa_service.features.kpi.schemas import ExportFormat
from qa_service.http.deps import SessionDep, SettingsDep
from qa_service.store.accounts import AccountRole, User
from qa_service.store.base import utcnow
from qa_service.store.call_facts import GroupBy, Scope
from qa_service.web.i18n import Translator, request_language
from qa_service.web.queries import HISTOGRAM_BUCKETS, filter_values, score_histograms
from qa_service.web.rendering import PageRoute, PageUser, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Columns the table shows at first; the others are one click away.
MAIN_COLUMNS = (
    "calls",
    "qa_score",
    "compliance_rate",
    "critical_failures",
    "fcr_rate",
    "aht_s",
    "aht_change",
    "complaint_rate",
    "negative_rate",
    "csat",
    "nps",
    "dispute_rate",
    "overturn_rate",
)
RECENT_MONTHS = 12


def _require_dashboard(user: User) -> None:
    if user.role not in DASHBOARD:
        raise ForbiddenError("the dashboard is for supervisors, QA and admins")


def recent_periods(now_period: Period) -> list[str]:
    months = [now_period, *now_period.previous(RECENT_MONTHS - 1)]
    return [p.label for p in months]


def column_meta(columns: list[str], t: Translator) -> list[dict[str, Any]]:
    out = []
    for column in ["composite", *columns]:
        d = kpi_def(column)
        label = t.maybe("kpi", column, d.label)
        if column.startswith("dim:"):
            label = t("kpi.dimension", name=column.removeprefix("dim:"))
        out.append(
            {
                "id": column,
                "label": label,
                "unit": d.unit,
                "better": d.higher_is_better,
                "description": d.description,
                "main": column in MAIN_COLUMNS or column == "composite",
            }
        )
    return out


@router.get("/dashboard")
def dashboard_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    period: str = "",
    by: GroupBy = GroupBy.agent,
    team: str = "",
    queue: str = "",
) -> Response:
    _require_dashboard(user)
    current = period_containing(utcnow(), "month")
    chosen, period_error = current, ""
    if period.strip():
        try:
            chosen = parse_period(period)
        except InputError:
            # Said beside the field, over this month's figures: not a page of its own.
            period_error = period.strip()[:40]
    scope = kpi_scope(user, Scope.from_lists(None, team or None, queue or None), by.value)
    report = kpi.period_report(session, settings, period=chosen, by=by.value, scope=scope)
    histograms = score_histograms(session, chosen, by.value, scope)
    t = Translator(request_language(request))
    data = {
        "report": report.to_dict(),
        "columns": column_meta([c for c in report.columns if c != "composite"], t),
        "histograms": histograms,
        "buckets": HISTOGRAM_BUCKETS,
        "trend_kpis": list(TREND_KPIS),
    }
    options = filter_values(session, kpi_scope(user, Scope(), "team"))
    export = {"period": chosen.label, "by": by.value, "team": team, "queue": queue}
    # A supervisor's figures are their team's whatever is asked: the filter says so.
    shown_team = user.team or "" if user.role == AccountRole.supervisor else team
    return render(
        request,
        "dashboard.html",
        user,
        422 if period_error else 200,
        period_error=period_error,
        data=data,
        report=report,
        filters={"period": chosen.label, "by": by.value, "team": shown_team, "queue": queue},
        options=options,
        groups=[g.value for g in GroupBy],
        recent=recent_periods(current),
        export=export,
        team_fixed=user.role == AccountRole.supervisor,
        coaching_summary=coaching_summary(session, user),
    )


@router.get("/dashboard/export")
def dashboard_export(
    user: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    period: str,
    format: ExportFormat = ExportFormat.csv,
    by: GroupBy = GroupBy.agent,
    team: str = "",
    queue: str = "",
) -> Response:
    _require_dashboard(user)
    parsed = parse_period(period)
    scope = kpi_scope(user, Scope.from_lists(None, team or None, queue or None), by.value)
    report = kpi.period_report(session, settings, period=parsed, by=by.value, scope=scope)
    if format is ExportFormat.json:
        return report.to_dict()
    export = kpi.export_report(report, format.value)
    return Response(export.data, media_type=export.media_type, headers=export.headers)
