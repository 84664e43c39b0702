"""A KPI report: rows per agent, team or queue for one period, with their history.

The store hands over the counts per period (the report's period last, the ones before it
first); this module turns them into KPI values, the composite score, rank and tier, the
handling-time check against each row's own baseline, and trends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from qa_service.domain.kpi import (
    DIMENSION_PREFIX,
    KPIS,
    HandlingAnomaly,
    KpiCounts,
    handling_anomaly,
    handling_change,
    kpi_def,
    kpi_values,
    ratio,
)
from qa_service.domain.kpi_scorecard import (
    Component,
    Trend,
    composite_score,
    rank,
    tier_of,
    trend,
)
from qa_service.domain.periods import Period
from qa_service.errors import InputError

# KPIs whose history a report carries, for trend columns and charts.
TREND_KPIS = (
    "qa_score",
    "compliance_rate",
    "fcr_rate",
    "aht_s",
    "complaint_rate",
    "negative_rate",
    "csat",
    "composite",
)

# The dashboard's headline figures: the whole scope's value and its change vs the period before.
HEADLINE_KPIS = ("calls", "qa_score", "compliance_rate", "complaint_rate", "dispute_rate")

# (count, sum) of a dimension's scores, per dimension id.
DimensionSums = Mapping[str, tuple[int, float]]


@dataclass(frozen=True, slots=True)
class KpiOptions:
    """How a report is worked out; the values come from Settings (``kpi_*``), where each
    default is written once."""

    fcr_window_days: int
    aht_threshold: float
    aht_min_calls: int
    baseline_periods: int
    trend_periods: int  # periods of history shown, the report's own included
    components: tuple[Component, ...]
    tiers: tuple[tuple[str, float], ...]
    # FCR counts a call only once its window has passed by this time (None: now).
    as_of: datetime | None = None
    # Fewer calls than this in the period: a small sample, no tier (one bad call decides it).
    tier_min_calls: int = 1

    def __post_init__(self) -> None:
        if self.fcr_window_days < 1:
            raise InputError("the FCR window must be at least 1 day")
        if not 0.0 < self.aht_threshold < 1.0:
            raise InputError("the handling-time anomaly threshold must be between 0 and 1")
        if self.baseline_periods < 1 or self.trend_periods < 1:
            raise InputError("baseline and trend need at least one period each")
        if self.tier_min_calls < 1:
            raise InputError("the calls needed for a tier must be at least 1")

    @property
    def history_length(self) -> int:
        """Periods to fetch, the report's own included."""
        return max(self.trend_periods, self.baseline_periods + 1)


@dataclass(slots=True)
class KpiRow:
    key: str
    team: str | None
    values: dict[str, float | None]
    composite: float | None = None
    tier: str | None = None
    rank: int | None = None
    anomaly: HandlingAnomaly | None = None
    small_sample: bool = False  # too few calls for a tier
    history: dict[str, list[float | None]] = field(default_factory=dict)
    trends: dict[str, Trend] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "team": self.team,
            "values": self.values,
            "composite": self.composite,
            "tier": self.tier,
            "rank": self.rank,
            "small_sample": self.small_sample,
            "anomaly": None
            if self.anomaly is None
            else {
                "kind": self.anomaly.kind,
                "aht_s": self.anomaly.aht_s,
                "baseline_s": self.anomaly.baseline_s,
                "change": self.anomaly.change,
            },
            "history": self.history,
            "trends": {
                k: {
                    "delta": t.delta,
                    "slope": t.slope,
                    "direction": t.direction,
                    "improving": t.improving,
                }
                for k, t in self.trends.items()
            },
        }


@dataclass(slots=True)
class KpiReport:
    period: Period
    by: str
    periods: list[str]  # labels of the history, oldest first, the report's period last
    rows: list[KpiRow]
    dimensions: list[str]
    options: KpiOptions
    # HEADLINE_KPIS over all rows: {kpi: {"value", "previous", "delta"}}
    headline: dict[str, dict[str, float | None]] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """KPI ids in table order: the fixed KPIs, one per dimension, the composite last."""
        fixed = [k.id for k in KPIS if k.id != "composite"]
        return fixed + [DIMENSION_PREFIX + d for d in self.dimensions] + ["composite"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "by": self.by,
            "periods": self.periods,
            "columns": self.columns,
            "fcr_window_days": self.options.fcr_window_days,
            "tier_min_calls": self.options.tier_min_calls,
            "headline": self.headline,
            "rows": [r.to_dict() for r in self.rows],
        }

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """A flat table for CSV, XLSX and the terminal: one line per row."""
        header = ["rank", self.by, "team", "tier", *self.columns, "aht_anomaly"]
        lines = [
            [
                r.rank,
                r.key,
                r.team,
                r.tier,
                *[r.composite if c == "composite" else r.values.get(c) for c in self.columns],
                r.anomaly.kind if r.anomaly else None,
            ]
            for r in self.rows
        ]
        return header, lines

    def history_table(self) -> tuple[list[str], list[list[Any]]]:
        """One line per row and trend KPI, one column per period."""
        header = [self.by, "kpi", *self.periods, "direction", "improving"]
        lines = [
            [r.key, k, *series, r.trends[k].direction, r.trends[k].improving]
            for r in self.rows
            for k, series in r.history.items()
        ]
        return header, lines

    def sheets(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        return {
            "KPIs": self.table(),
            "History": self.history_table(),
            "Definitions": definitions_table(self.columns),
        }


def definitions_table(columns: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """What each column means, for the export's Definitions sheet and ``kpi --list``."""
    header = ["kpi", "label", "unit", "better", "description"]
    lines = []
    for column in columns:
        d = kpi_def(column)
        better = {True: "higher", False: "lower", None: "-"}[d.higher_is_better]
        lines.append([d.id, d.label, d.unit, better, d.description])
    return header, lines


def total_counts(counts: Iterable[KpiCounts]) -> KpiCounts:
    """The counts of several rows as one: every field is a count or a sum."""
    total = KpiCounts()
    for c in counts:
        for f in fields(KpiCounts):
            setattr(total, f.name, getattr(total, f.name) + getattr(c, f.name))
    return total


def headline_figures(
    current: Mapping[str, KpiCounts], previous: Mapping[str, KpiCounts] | None
) -> dict[str, dict[str, float | None]]:
    """HEADLINE_KPIS of all rows together, this period and the one before, and the change."""
    now = kpi_values(total_counts(current.values()))
    before = kpi_values(total_counts(previous.values())) if previous else {}
    out = {}
    for kpi in HEADLINE_KPIS:
        value, earlier = now.get(kpi), before.get(kpi)
        # A period without calls has no figures to compare with, not a zero.
        if not before.get("calls"):
            earlier = None
        delta = None if value is None or earlier is None else round(value - earlier, 4)
        out[kpi] = {"value": value, "previous": earlier, "delta": delta}
    return out


def _values(counts: KpiCounts, dims: DimensionSums, options: KpiOptions) -> dict[str, Any]:
    values: dict[str, Any] = kpi_values(counts)
    for dim, (n, total) in dims.items():
        values[DIMENSION_PREFIX + dim] = ratio(total, n, 2)
    values["composite"] = composite_score(values, options.components)
    return values


def assemble_report(
    periods: Sequence[Period],
    by: str,
    counts: Sequence[Mapping[str, KpiCounts]],
    dimensions: Sequence[Mapping[str, DimensionSums]],
    teams: Mapping[str, str | None],
    options: KpiOptions,
) -> KpiReport:
    """``counts[i]`` and ``dimensions[i]`` belong to ``periods[i]``; the last is the report's."""
    if not periods or len(counts) != len(periods) or len(dimensions) != len(periods):
        raise ValueError("one counts and one dimensions mapping per period")
    history = [
        {key: _values(c, dimensions[i].get(key, {}), options) for key, c in counts[i].items()}
        for i in range(len(periods))
    ]
    current = history[-1]
    shown = history[-options.trend_periods :]
    rows: list[KpiRow] = []
    for key in current:
        c = counts[-1][key]
        previous = [
            (counts[i][key].duration_sum, counts[i][key].duration_n)
            for i in range(max(0, len(periods) - 1 - options.baseline_periods), len(periods) - 1)
            if key in counts[i]
        ]
        values = dict(current[key])
        values["aht_change"] = handling_change(c.duration_sum, c.duration_n, previous)
        row = KpiRow(key=key, team=teams.get(key), values=values, composite=values.pop("composite"))
        row.anomaly = handling_anomaly(
            c.duration_sum,
            c.duration_n,
            previous,
            threshold=options.aht_threshold,
            min_calls=options.aht_min_calls,
        )
        row.history = {k: [h.get(key, {}).get(k) for h in shown] for k in TREND_KPIS}
        row.trends = {k: trend(k, series) for k, series in row.history.items()}
        row.small_sample = c.calls < options.tier_min_calls
        row.tier = None if row.small_sample else tier_of(row.composite, options.tiers)
        rows.append(row)
    ranks = rank({r.key: r.composite for r in rows})
    for row in rows:
        row.rank = ranks.get(row.key)
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.key))
    dims = sorted({d for per_key in dimensions[-1].values() for d in per_key})
    return KpiReport(
        period=periods[-1],
        by=by,
        periods=[p.label for p in periods[-options.trend_periods :]],
        rows=rows,
        dimensions=dims,
        options=options,
        headline=headline_figures(counts[-1], counts[-2] if len(counts) > 1 else None),
    )
