"""SQL building blocks over the calls table that KPIs, sampling and coverage share.

Everything here compiles on SQLite and PostgreSQL alike: the period and scope filters, the
per-call flags that come from findings (a complaint a reviewer did not overturn, ...), and
time arithmetic, which the two databases spell differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from qa_service.domain.periods import Period
from qa_service.errors import InputError
from qa_service.store.calls import Call, CallStatus, FindingRecord

COMPLAINT_CATEGORIES = ("complaint", "escalation")
NEGATIVE_CATEGORIES = ("customer_negative",)
SILENCE_CATEGORIES = ("silence", "hold_unannounced")


class GroupBy(StrEnum):
    """What one row of a report stands for."""

    agent = "agent"
    team = "team"
    queue = "queue"


GROUPS = tuple(g.value for g in GroupBy)


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose calls a query may see and the filters asked for: None means no restriction."""

    agent_ids: Sequence[str] | None = None
    teams: Sequence[str] | None = None
    queues: Sequence[str] | None = None

    @classmethod
    def from_lists(
        cls, agent_ids: str | None = None, teams: str | None = None, queues: str | None = None
    ) -> Scope:
        """Comma-separated lists as the CLI and query strings give them; empty: everything."""

        def split(listed: str | None) -> list[str] | None:
            items = [p.strip() for p in (listed or "").split(",") if p.strip()]
            return items or None

        return cls(split(agent_ids), split(teams), split(queues))

    def narrowed(self, agent_ids=None, teams=None) -> Scope:
        """This scope within what a person may see: the intersection of the two."""

        def meet(asked: Sequence[str] | None, allowed: Sequence[str] | None):
            if allowed is None:
                return asked
            return list(allowed) if asked is None else [a for a in asked if a in allowed]

        return Scope(meet(self.agent_ids, agent_ids), meet(self.teams, teams), self.queues)

    def where(self, source: Any = Call) -> list[ColumnElement[bool]]:
        """Conditions on ``source``: the Call entity, or a sub-query's columns (``sub.c``)."""
        found: list[ColumnElement[bool]] = []
        if self.agent_ids is not None:
            found.append(source.agent_id.in_(list(self.agent_ids)))
        if self.teams is not None:
            found.append(source.team.in_(list(self.teams)))
        if self.queues is not None:
            found.append(source.queue.in_(list(self.queues)))
        return found


def utc(moment: datetime) -> datetime:
    """Periods are naive UTC; the store's columns want an aware time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def in_period(period: Period) -> ColumnElement[bool]:
    return and_(Call.started_at >= utc(period.start), Call.started_at < utc(period.end))


def analysed_in(period: Period, scope: Scope) -> list[ColumnElement[bool]]:
    return [Call.status == CallStatus.analysed, in_period(period), *scope.where()]


def group_column(by: str, source: Any = Call) -> ColumnElement[str]:
    """The column a report groups by; calls without it fall in one "-" group."""
    if by not in GROUPS:
        raise InputError(f"cannot group by {by!r}: use one of {', '.join(GROUPS)}")
    column = {"agent": source.agent_id, "team": source.team, "queue": source.queue}[by]
    return func.coalesce(column, "-")


def span(periods: Sequence[Period]) -> Period:
    """One range over consecutive periods (for filtering; its label is the first's)."""
    return Period(periods[0].start, periods[-1].end, periods[0].granularity)


def bucket(column: Any, periods: Sequence[Period]) -> ColumnElement[int]:
    """Index of the period a time falls in, for rows already limited to ``span(periods)``.

    A CASE over period ends rather than date formatting, which the databases spell
    differently (and SQLite cannot do ISO weeks).
    """
    if len(periods) == 1:
        return literal(0)
    return case(
        *[(column < utc(p.end), i) for i, p in enumerate(periods[:-1])], else_=len(periods) - 1
    )


class seconds_between(FunctionElement):
    """``later - earlier`` in seconds, as a float."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element, compiler, **kw) -> str:
    earlier, later = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element, compiler, **kw) -> str:
    earlier, later = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 where ``condition`` holds, else 0 (NULL counts as not holding)."""
    return case((condition, 1), else_=0)


def finding_flags(period: Period, scope: Scope) -> Select:
    """Per call of the period with a relevant finding: complaint, negative and silence flags.

    A finding a reviewer overturned does not count. One pass over the period's findings,
    joined back by call id, instead of a sub-query per call.
    """
    standing = or_(FindingRecord.verdict.is_(None), FindingRecord.verdict != "overturned")
    categories = COMPLAINT_CATEGORIES + NEGATIVE_CATEGORIES + SILENCE_CATEGORIES
    return (
        select(
            FindingRecord.call_id.label("call_id"),
            func.max(flag(FindingRecord.category.in_(COMPLAINT_CATEGORIES))).label("complaint"),
            func.max(flag(FindingRecord.category.in_(NEGATIVE_CATEGORIES))).label("negative"),
            func.max(flag(FindingRecord.category.in_(SILENCE_CATEGORIES))).label("silence"),
        )
        .join(Call, Call.id == FindingRecord.call_id)
        .where(*analysed_in(period, scope), standing, FindingRecord.category.in_(categories))
        .group_by(FindingRecord.call_id)
    )


def customer_negative(flags) -> ColumnElement[bool]:
    """Negative at some point: the sentiment model said so, or a customer_negative finding."""
    return or_(Call.customer_negative.is_(True), flags.c.negative == 1)


def effective_score() -> ColumnElement[float]:
    """The reviewed score where a person set one, else the machine's."""
    return func.coalesce(Call.reviewed_score, Call.score_total)
