"""Reporting periods: a day, an ISO week, a month, a quarter or a year, as half-open ranges.

KPIs, sampling plans and coverage reports all speak of "the period 2026-11"; this module is
the one place that turns such a label into ``[start, end)`` and walks to the periods before it.
Times are naive UTC, like the times the store keeps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from qa_service.errors import InputError

Granularity = Literal["day", "week", "month", "quarter", "year"]
GRANULARITIES: tuple[Granularity, ...] = ("day", "week", "month", "quarter", "year")

_PATTERNS: tuple[tuple[Granularity, re.Pattern[str]], ...] = (
    ("day", re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
    ("week", re.compile(r"^(\d{4})-W(\d{2})$")),
    ("month", re.compile(r"^(\d{4})-(\d{2})$")),
    ("quarter", re.compile(r"^(\d{4})-Q([1-4])$")),
    ("year", re.compile(r"^(\d{4})$")),
)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    start: datetime
    end: datetime
    granularity: Granularity

    @property
    def label(self) -> str:
        d = self.start.date()
        if self.granularity == "day":
            return d.isoformat()
        if self.granularity == "week":
            year, week, _ = d.isocalendar()
            return f"{year}-W{week:02d}"
        if self.granularity == "month":
            return f"{d.year}-{d.month:02d}"
        if self.granularity == "quarter":
            return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
        return str(d.year)

    def __str__(self) -> str:
        return self.label

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def previous(self, count: int = 1) -> list[Period]:
        """The ``count`` periods of the same granularity right before this one, oldest first."""
        found: list[Period] = []
        current = self
        for _ in range(count):
            current = period_containing(current.start - timedelta(microseconds=1), self.granularity)
            found.append(current)
        return found[::-1]

    def next(self) -> Period:
        return period_containing(self.end, self.granularity)


FIRST_YEAR, LAST_YEAR = 1970, 2199


def _month_start(year: int, month: int) -> datetime:
    return datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _bounds(start: date, granularity: Granularity) -> tuple[datetime, datetime]:
    begin = datetime(start.year, start.month, start.day)
    if granularity == "day":
        return begin, begin + timedelta(days=1)
    if granularity == "week":
        return begin, begin + timedelta(days=7)
    if granularity == "month":
        return begin, _month_start(start.year, start.month + 1)
    if granularity == "quarter":
        return begin, _month_start(start.year, start.month + 3)
    return begin, datetime(start.year + 1, 1, 1)


def period_containing(moment: datetime | date, granularity: Granularity) -> Period:
    d = moment.date() if isinstance(moment, datetime) else moment
    if granularity == "week":
        d = d - timedelta(days=d.weekday())
    elif granularity == "month":
        d = d.replace(day=1)
    elif granularity == "quarter":
        d = date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    elif granularity == "year":
        d = date(d.year, 1, 1)
    elif granularity != "day":
        raise InputError(f"unknown period granularity {granularity!r}: use one of {GRANULARITIES}")
    return Period(*_bounds(d, granularity), granularity)


def parse_period(text: str) -> Period:
    """``2026-11-05``, ``2026-W45``, ``2026-11``, ``2026-Q4`` or ``2026``."""
    text = text.strip()
    for granularity, pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        parts = [int(g) for g in m.groups()]
        if not FIRST_YEAR <= parts[0] <= LAST_YEAR:
            # Year 1 or 9999 would overflow the date arithmetic of trends and baselines.
            raise InputError(f"period {text!r}: the year must be {FIRST_YEAR}-{LAST_YEAR}")
        try:
            if granularity == "day":
                first = date(*parts)
            elif granularity == "week":
                first = date.fromisocalendar(parts[0], parts[1], 1)
            elif granularity == "month":
                first = date(parts[0], parts[1], 1)
            elif granularity == "quarter":
                first = date(parts[0], (parts[1] - 1) * 3 + 1, 1)
            else:
                first = date(parts[0], 1, 1)
        except ValueError as exc:
            raise InputError(f"not a real period: {text!r} ({exc})") from None
        return period_containing(first, granularity)
    raise InputError(
        f"cannot read period {text!r}: use 2026-11-05, 2026-W45, 2026-11, 2026-Q4 or 2026"
    )
