"""The KPI report as people read it in a spreadsheet: headers, units and words in the
reader's language, ratios as percents, agents' names beside their ids.

``service.export_report`` writes the machine form (ids as headers, ratios as fractions) for
the API and the CLI; this is the dashboard's download. The words come from the caller's
message catalog (``say``), so this module holds no language of its own; the keys it asks
for are the ``export.*``, ``kpi.*``, ``kpi_desc.*`` and ``js.*`` messages of the pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from qa_service.domain.kpi import DIMENSION_PREFIX, kpi_def
from qa_service.domain.kpi_report import KpiReport, KpiRow
from qa_service.features.exports import Percent, Table
from qa_service.features.kpi.schemas import KpiExport
from qa_service.features.kpi.service import export_report


class Say(Protocol):
    """A message catalog: the text of ``key`` in the reader's language, or ``key`` itself
    when the catalog has none (as ``web.i18n.Translator`` does)."""

    def __call__(self, key: str, **values: Any) -> str: ...


def _said(say: Say, key: str, default: str) -> str:
    text = say(key)
    return default if text == key else text


def column_label(column: str, say: Say, dimensions: Mapping[str, str] | None = None) -> str:
    """A KPI column's header: its name, a dimension's name in the reader's language (the
    catalog's, else the scorecard's from ``dimensions``, else its id)."""
    if column.startswith(DIMENSION_PREFIX):
        dim = column.removeprefix(DIMENSION_PREFIX)
        named = (dimensions or {}).get(dim) or dim
        return say("kpi.dimension", name=_said(say, f"js.dimension.{dim}", named))
    return _said(say, f"kpi.{column}", kpi_def(column).label)


def _value(column: str, value: Any) -> Any:
    if value is not None and kpi_def(column).unit == "ratio":
        return Percent(value)
    return value


def _flag(value: bool | None, say: Say) -> str | None:
    return None if value is None else say("export.yes" if value else "export.no")


class LocalisedReport:
    """The three sheets of a report in one language; ``names`` maps agent ids to names,
    ``dimensions`` scorecard dimension ids to their names."""

    def __init__(
        self,
        report: KpiReport,
        say: Say,
        names: Mapping[str, str],
        dimensions: Mapping[str, str] | None = None,
        extra: Mapping[str, Table] | None = None,
    ) -> None:
        self.report = report
        self.say = say
        self.names = names if report.by == "agent" else {}
        self.dimensions = dimensions or {}
        self.extra = extra or {}

    def _keys(self, row: KpiRow) -> list[Any]:
        """The row's id, and its name beside it when rows are agents."""
        if self.report.by != "agent":
            return [row.key]
        return [row.key, self.names.get(row.key)]

    def _key_header(self) -> list[str]:
        by = self.say(f"js.by_{self.report.by}")
        return [by, self.say("export.name")] if self.report.by == "agent" else [by]

    def table(self) -> Table:
        say, columns = self.say, self.report.columns
        header = [
            say("export.rank"),
            *self._key_header(),
            say("js.team"),
            say("js.tier"),
            *[column_label(c, say, self.dimensions) for c in columns],
            say("export.aht_anomaly"),
        ]
        lines = [
            [
                r.rank,
                *self._keys(r),
                r.team,
                r.tier,
                *[_value(c, r.composite if c == "composite" else r.values.get(c)) for c in columns],
                say(f"js.anomaly_{r.anomaly.kind}") if r.anomaly else None,
            ]
            for r in self.report.rows
        ]
        return header, lines

    def history_table(self) -> Table:
        say = self.say
        header = [
            *self._key_header(),
            say("export.kpi"),
            *self.report.periods,
            say("export.direction"),
            say("export.improving"),
        ]
        lines = []
        for r in self.report.rows:
            for k, series in r.history.items():
                trend = r.trends[k]
                direction = trend.direction and say(f"export.direction_{trend.direction}")
                values = [_value(k, v) for v in series]
                improving = _flag(trend.improving, say)
                label = column_label(k, say, self.dimensions)
                lines.append([*self._keys(r), label, *values, direction, improving])
        return header, lines

    def definitions_table(self) -> Table:
        say = self.say
        header = [say(f"export.def_{k}") for k in ("kpi", "label", "unit", "better", "description")]
        lines = []
        for column in self.report.columns:
            d = kpi_def(column)
            better = {True: "higher", False: "lower", None: "none"}[d.higher_is_better]
            if column.startswith(DIMENSION_PREFIX):
                name = column_label(column, say, self.dimensions)
                description = say("export.dimension_description", name=name)
            else:
                description = _said(say, f"kpi_desc.{column}", d.description)
            lines.append(
                [
                    d.id,
                    column_label(column, say, self.dimensions),
                    say(f"export.unit_{d.unit}"),
                    say(f"export.better_{better}"),
                    description,
                ]
            )
        return header, lines

    def sheets(self) -> dict[str, Table]:
        say = self.say
        return {
            say("export.sheet_kpis"): self.table(),
            say("export.sheet_history"): self.history_table(),
            say("export.sheet_definitions"): self.definitions_table(),
            **self.extra,
        }


def localised_export(
    report: KpiReport,
    fmt: str,
    say: Say,
    names: Mapping[str, str],
    dimensions: Mapping[str, str] | None = None,
    extra: Mapping[str, Table] | None = None,
) -> KpiExport:
    """The report as CSV (the KPI table) or XLSX (KPIs, history and definitions sheets, then
    ``extra``'s)."""
    localised = LocalisedReport(report, say, names, dimensions, extra)
    return export_report(report, fmt, localised)
