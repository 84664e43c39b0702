"""The few reads the pages need beyond the API's: score histograms for the dashboard, the
values its filters offer, and people's names for the ids stored on disputes and plans.

The histogram is one GROUP BY in SQL (bucket of the effective score per group), built from
the same blocks as the KPI queries, so it counts exactly the calls the KPI table counts.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Integer, cast, func, select, text
from sqlalchemy.orm import Session

from qa_service.domain.periods import Period
from qa_service.features.users.service import display_names
from qa_service.store.call_facts import Scope, analysed_in, effective_score, group_column
from qa_service.store.calls import Call

# Ten buckets of ten points: 0-9, 10-19, ..., 90-100 (100 joins the top bucket).
HISTOGRAM_BUCKETS = 10


def score_histograms(
    session: Session, period: Period, by: str, scope: Scope
) -> dict[str, list[int]]:
    """Per group: how many scored calls of the period fall in each ten-point bucket."""
    score = effective_score()
    # Clamped below, in Python: a two-argument min() is SQLite's only (PostgreSQL: LEAST).
    index = cast(func.floor(score / 10.0), Integer)
    stmt = (
        select(group_column(by), index, func.count())
        .where(*analysed_in(period, scope), score.is_not(None))
        .group_by(text("1"), text("2"))
    )
    found: dict[str, list[int]] = {}
    for key, bucket, n in session.execute(stmt):
        counts = found.setdefault(key, [0] * HISTOGRAM_BUCKETS)
        counts[max(0, min(HISTOGRAM_BUCKETS - 1, int(bucket)))] += n
    return found


def filter_values(session: Session, scope: Scope) -> dict[str, list[str]]:
    """Teams and queues that occur on the calls the user may see, for the filter menus."""
    where = scope.where()
    teams = session.scalars(
        select(Call.team).distinct().where(Call.team.is_not(None), *where).order_by(Call.team)
    )
    queues = session.scalars(
        select(Call.queue).distinct().where(Call.queue.is_not(None), *where).order_by(Call.queue)
    )
    return {"teams": list(teams), "queues": list(queues)}


def usernames(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """People's names (their usernames when no name was given) for the ids pages show."""
    return display_names(session, ids)
