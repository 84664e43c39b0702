"""``qa-service kpi``: agent, team or queue KPIs for a period, as a table, CSV, XLSX or JSON."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from qa_service.errors import InputError
from qa_service.store.call_facts import GroupBy

out = Console()
# The terminal table shows these; CSV, XLSX and JSON carry every column.
TERMINAL_COLUMNS = (
    "calls",
    "qa_score",
    "compliance_rate",
    "fcr_rate",
    "aht_s",
    "aht_change",
    "complaint_rate",
    "negative_rate",
    "csat",
    "dispute_rate",
)


class KpiFormat(StrEnum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


def open_database():
    """The service's settings and database, migrated to the newest schema."""
    from qa_service.config import get_settings
    from qa_service.store.db import Database
    from qa_service.store.migrate import upgrade

    settings = get_settings()
    db = Database(settings.resolved_database_url())
    upgrade(db)
    return settings, db


def write_output(data: bytes | str, output: Path | None, binary_name: str) -> None:
    """To ``output``, or stdout for text; binary data needs a file."""
    if output is None:
        if isinstance(data, bytes):
            raise InputError(f"{binary_name} output needs a file: add -o FILE")
        print(data, end="" if data.endswith("\n") else "\n")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    typer.echo(f"wrote {output}", err=True)


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)


def print_report(report) -> None:
    # Wider than most terminals: a KPI table cut to 80 columns says nothing; let it scroll.
    wide = Console(width=max(out.width, 160))
    table = Table(title=f"KPIs {report.period.label} by {report.by}", show_lines=False)
    for title in ("#", report.by, "team", "tier", "composite", *TERMINAL_COLUMNS, "AHT"):
        table.add_column(title, justify="left" if title in (report.by, "team") else "right")
    for row in report.rows:
        table.add_row(
            _show(row.rank),
            row.key,
            _show(row.team),
            _show(row.tier),
            _show(row.composite),
            *[_show(row.values.get(c)) for c in TERMINAL_COLUMNS],
            row.anomaly.kind if row.anomaly else "",
        )
    wide.print(table)


def list_kpis() -> None:
    from qa_service.features.kpi.service import definitions

    for d in definitions():
        out.print(
            f"[bold]{d['kpi']}[/bold] ({d['label']}; {d['unit']}; better: {d['better']})\n"
            f"  {d['description']}"
        )


def kpi(
    period: Annotated[
        str | None, typer.Option(help="2026-11, 2026-W45, 2026-Q4, 2026-11-05 or 2026.")
    ] = None,
    by: Annotated[GroupBy, typer.Option(help="One row per agent, team or queue.")] = GroupBy.agent,
    team: Annotated[str | None, typer.Option(help="Only these teams (comma-separated).")] = None,
    agent: Annotated[str | None, typer.Option(help="Only these agents (comma-separated).")] = None,
    queue: Annotated[str | None, typer.Option(help="Only these queues (comma-separated).")] = None,
    fcr_days: Annotated[
        int | None, typer.Option(help="First-contact resolution window in days (3 or 7).")
    ] = None,
    weights: Annotated[
        str | None, typer.Option(help="Composite weights, e.g. qa_score=0.4,csat=0.")
    ] = None,
    tiers: Annotated[str | None, typer.Option(help="Tiers, e.g. A:85,B:70,C:55,D:0.")] = None,
    fmt: Annotated[KpiFormat, typer.Option("--format", help="Output format.")] = KpiFormat.table,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="Explain every KPI and exit.")] = False,
) -> None:
    """KPIs per agent, team or queue for one period, with trends, ranks and tiers."""
    if list_:
        list_kpis()
        return
    if period is None:
        raise InputError("--period is required, e.g. --period 2026-11")
    from qa_service.domain.periods import parse_period
    from qa_service.features.kpi.service import export_report, period_report
    from qa_service.store.call_facts import Scope

    parsed = parse_period(period)
    settings, db = open_database()
    scope = Scope.from_lists(agent_ids=agent, teams=team, queues=queue)
    with db.session() as session:
        report = period_report(
            session,
            settings,
            period=parsed,
            by=by.value,
            scope=scope,
            fcr_days=fcr_days,
            weights=weights,
            tiers=tiers,
        )
    db.dispose()
    if fmt is KpiFormat.table:
        print_report(report)
    elif fmt is KpiFormat.csv:
        data = export_report(report, "csv").data
        write_output(data if output else data.decode("utf-8-sig"), output, "CSV")
    elif fmt is KpiFormat.xlsx:
        write_output(export_report(report, "xlsx").data, output, "XLSX")
    else:
        write_output(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), output, "JSON")


def register(app: typer.Typer) -> None:
    app.command()(kpi)
