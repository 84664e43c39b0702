"""Deadlines counted in working days (Monday to Friday)."""

from __future__ import annotations

from datetime import datetime, timedelta

WEEKEND = (5, 6)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same time of day ``days`` working days later (Friday + 1 is Monday)."""
    moment = start
    added = 0
    while added < days:
        moment += timedelta(days=1)
        if moment.weekday() not in WEEKEND:
            added += 1
    return moment


def is_overdue(due_at: datetime | None, now: datetime) -> bool:
    return due_at is not None and now > due_at
