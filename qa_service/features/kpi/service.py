"""KPI reports: the one use case behind ``/api/kpi``, the dashboard, its exports and
``qa-service kpi``.

The store sums and counts in SQL (``store/kpi_queries.py``), the domain turns the sums into
KPIs (``domain/kpi_report.py``); this joins them with the settings. Who may see which rows
is ``features.access.kpi_scope``: callers pass the scope already narrowed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.domain.kpi import KPIS
from qa_service.domain.kpi_report import KpiOptions, KpiReport, assemble_report, definitions_table
from qa_service.domain.kpi_scorecard import parse_tiers, parse_weights
from qa_service.domain.periods import Period
from qa_service.features.exports import MEDIA_TYPES, csv_bytes, xlsx_bytes
from qa_service.features.kpi.schemas import KpiExport
from qa_service.store.call_facts import Scope
from qa_service.store.kpi_queries import dimension_sums, kpi_counts


def options_from_settings(settings: Settings, **overrides: Any) -> KpiOptions:
    """The settings' KPI options; overrides that are not None replace them."""
    # An empty QA_KPI_TIERS means the default tiers, as it always has.
    tiers = settings.kpi_tiers or Settings.model_fields["kpi_tiers"].default
    options = KpiOptions(
        fcr_window_days=settings.kpi_fcr_window_days,
        aht_threshold=settings.kpi_aht_anomaly_threshold,
        aht_min_calls=settings.kpi_aht_min_calls,
        baseline_periods=settings.kpi_baseline_periods,
        trend_periods=settings.kpi_trend_periods,
        components=parse_weights(settings.kpi_weights),
        tiers=parse_tiers(tiers),
        tier_min_calls=settings.kpi_tier_min_calls,
    )
    return replace(options, **{k: v for k, v in overrides.items() if v is not None})


def kpi_report(
    session: Session, *, period: Period, by: str, scope: Scope, options: KpiOptions
) -> KpiReport:
    """The report of ``period`` with the history its trends and baselines need."""
    periods = [*period.previous(options.history_length - 1), period]
    counts, teams = kpi_counts(session, periods, by, scope, options.fcr_window_days, options.as_of)
    # Trends do not follow single dimensions: their scores are needed for the period only.
    dims = [{} for _ in periods[:-1]] + dimension_sums(session, [period], by, scope)
    return assemble_report(periods, by, counts, dims, teams, options)


def period_report(
    session: Session,
    settings: Settings,
    *,
    period: Period,
    by: str = "agent",
    scope: Scope | None = None,
    fcr_days: int | None = None,
    weights: str | None = None,
    tiers: str | None = None,
) -> KpiReport:
    """The report as a person asks for it: the settings' options, with the FCR window,
    composite weights and tiers they gave (text as ``qa_score=0.4`` and ``A:85,B:70``)."""
    options = options_from_settings(
        settings,
        fcr_window_days=fcr_days,
        components=parse_weights(weights) if weights else None,
        tiers=parse_tiers(tiers) if tiers else None,
    )
    return kpi_report(session, period=period, by=by, scope=scope or Scope(), options=options)


def export_report(report: KpiReport, fmt: str, tables: Any = None) -> KpiExport:
    """The report as CSV (one table) or XLSX (KPIs, history and definitions sheets);
    ``tables``: what writes them instead of the report (``table()`` and ``sheets()``, e.g.
    the report in the reader's words)."""
    source = report if tables is None else tables
    if fmt == "csv":
        data = csv_bytes(source.table())
    elif fmt == "xlsx":
        data = xlsx_bytes(source.sheets())
    else:
        raise ValueError(f"no export format {fmt!r}")
    return KpiExport(data, MEDIA_TYPES[fmt], f"kpi-{report.period.label}-{report.by}.{fmt}")


def definitions() -> list[dict[str, Any]]:
    """What every KPI means: id, label, unit, better direction, description."""
    header, lines = definitions_table([k.id for k in KPIS])
    return [dict(zip(header, line, strict=True)) for line in lines]
