"""The supervisor dashboard: KPI table, ranking, trends, score distributions, anomalies.

The figures are the KPI report of ``features.kpi`` scoped exactly as ``/api/kpi`` scopes
them (``features.access.kpi_scope``: a supervisor sees their team); the export buttons
download that same report as CSV or XLSX.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.domain.kpi import kpi_def
from qa_service.domain.kpi_report import TREND_KPIS, KpiReport
from qa_service.domain.periods import Period, parse_period, period_containing
from qa_service.errors import ForbiddenError, InputError
from qa_service.features.access import DASHBOARD, is_staff, kpi_scope
from qa_service.features.coaching.service import summary as coaching_summary
from qa_service.features.exports import Table
from qa_service.features.kpi import service as kpi
from qa_service.features.kpi.export import localised_export
from qa_service.features.kpi.schemas import ExportFormat
from qa_service.features.packs.names import scorecard_dimensions
from qa_service.features.reviews.agreement import agreement_report
from qa_service.features.users.service import agent_names
from qa_service.http.deps import SessionDep, SettingsDep
from qa_service.store.accounts import AccountRole, User
from qa_service.store.base import utcnow
from qa_service.store.call_facts import GroupBy, Scope
from qa_service.web.i18n import Translator, request_language
from qa_service.web.queries import HISTOGRAM_BUCKETS, filter_values, score_histograms
from qa_service.web.rendering import PageRoute, PageUser, number, percent, render

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
# The calls list's filter for a row of each grouping: a click on a row opens its calls.
CALLS_FILTER = {"agent": "agent_id", "team": "team", "queue": "queue"}


def _require_dashboard(user: User) -> None:
    if user.role not in DASHBOARD:
        raise ForbiddenError("the dashboard is for supervisors, QA and admins")


def recent_periods(now_period: Period) -> list[str]:
    months = [now_period, *now_period.previous(RECENT_MONTHS - 1)]
    return [p.label for p in months]


def column_meta(
    columns: list[str], t: Translator, dimensions: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """``dimensions``: scorecard dimension ids -> names in the page's language."""
    out = []
    for column in ["composite", *columns]:
        d = kpi_def(column)
        label = t.maybe("kpi", column, d.label)
        description = t.maybe("kpi_desc", column, d.description)
        if column.startswith("dim:"):
            # The scorecard dimension's name in the page's language: the catalog's, else the
            # scorecard's own (issue 15: never its id where it has a name).
            dimension = column.removeprefix("dim:")
            name = t.maybe("js.dimension", dimension, dimension)
            if name == dimension:
                name = (dimensions or {}).get(dimension) or dimension
            label = t("kpi.dimension", name=name)
            description = t("kpi_desc.dimension", name=name)
        out.append(
            {
                "id": column,
                "label": label,
                "unit": d.unit,
                "better": d.higher_is_better,
                "description": description,
                "main": column in MAIN_COLUMNS or column == "composite",
            }
        )
    return out


def _figure(value: float | None, unit: str) -> str:
    if unit == "ratio":
        return percent(value)
    return number(value, 0 if unit == "count" else 1)


def _change(delta: float, unit: str, t: Translator) -> str:
    """+2.1 (points of a score), +2.1 pp (of a rate), +12 (calls)."""
    if unit == "ratio":
        return t("dashboard.points", delta=f"{delta * 100:+.1f}")
    return f"{delta:+.0f}" if unit == "count" else f"{delta:+.1f}"


def headline_tiles(report: KpiReport, t: Translator) -> list[dict[str, str]]:
    """The headline figures as the tiles say them, each with its change since the period
    before, coloured by whether that change is better or worse."""
    before = report.period.previous(1)[0].label
    tiles = []
    for kpi_id, figures in report.headline.items():
        d = kpi_def(kpi_id)
        delta, mood = figures["delta"], ""
        if figures["previous"] is None or delta is None:
            # Nothing to compare: no figure before, or none now (no scored call this period).
            change = t("dashboard.no_previous", period=before)
        else:
            change = t("dashboard.change_vs", change=_change(delta, d.unit, t), period=before)
            if delta and d.higher_is_better is not None:
                mood = "good" if (delta > 0) == d.higher_is_better else "bad"
        tiles.append(
            {
                "id": kpi_id,
                "label": t.maybe("kpi", kpi_id, d.label),
                "value": _figure(figures["value"], d.unit),
                "change": change,
                "mood": mood,
            }
        )
    return tiles


def calls_link(report: KpiReport, session: SessionDep) -> dict[str, Any]:
    """What the table needs to send a row to the calls list: the filter, the period's
    days, and the agents' names (ids never replace names)."""
    period = report.period
    names = agent_names(session, [r.key for r in report.rows]) if report.by == "agent" else {}
    return {
        "param": CALLS_FILTER.get(report.by),
        "from": period.start.date().isoformat(),
        "to": (period.end - timedelta(days=1)).date().isoformat(),
        "names": names,
    }


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
        "columns": column_meta(
            [c for c in report.columns if c != "composite"],
            t,
            scorecard_dimensions(session, settings, t.lang),
        ),
        "histograms": histograms,
        "buckets": HISTOGRAM_BUCKETS,
        "trend_kpis": list(TREND_KPIS),
        "calls_link": calls_link(report, session),
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
        tiles=headline_tiles(report, t),
        filters={"period": chosen.label, "by": by.value, "team": shown_team, "queue": queue},
        options=options,
        groups=[g.value for g in GroupBy],
        recent=recent_periods(current),
        export=export,
        team_fixed=user.role == AccountRole.supervisor,
        coaching_summary=coaching_summary(session, user),
    )


def _question_sheet(
    session: Session, settings: Settings, user: User, period: Period, say: Translator
) -> dict[str, Table]:
    """QA's download also carries reviewers' agreement with the model's answers per question
    (reviewers' business: not in a supervisor's)."""
    if not is_staff(user):
        return {}
    report = agreement_report(session, settings, period)
    keys = ("rule_id", "question", "reviewed", "confirmed", "overturned", "agreement")
    header = [say("export.question_id"), *(say(f"questions.{k}") for k in keys[1:])]
    header += [say("questions.needs_rewording"), say("questions.suggested_threshold")]
    table = report.table(header, (say("export.yes"), say("export.no")))
    return {say("export.sheet_questions"): table}


@router.get("/dashboard/export")
def dashboard_export(
    request: Request,
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
    # The reader's download: their language, percents, agents' names beside their ids.
    say = Translator(request_language(request))
    names = agent_names(session, [r.key for r in report.rows]) if by is GroupBy.agent else {}
    dimensions = scorecard_dimensions(session, settings, say.lang)
    extra = _question_sheet(session, settings, user, parsed, say) if format.value == "xlsx" else {}
    export = localised_export(report, format.value, say, names, dimensions, extra)
    return Response(export.data, media_type=export.media_type, headers=export.headers)
