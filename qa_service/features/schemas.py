"""Pieces shared by the features' schemas: ORM reading, pages, bounded numbers and moments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

T = TypeVar("T")


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class Message(BaseModel):
    message: str


# Every number a request carries is bounded, so nothing reaches the database (64-bit
# integers) or date arithmetic out of range: out-of-range input is a 422, never a 500.
# 2^31 - 1: ids and stored integers are INTEGER columns, 32 bits in PostgreSQL.
MAX_DB_INT = 2**31 - 1
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

DbId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
# A period as parse_period reads it: 2026, 2026-11, 2026-W45, 2026-Q4, 2026-11-05. The
# pattern is documented, not enforced here: parse_period's own message says what to write.
PERIOD_LIMITS = {
    "min_length": 4,
    "max_length": 10,
    "json_schema_extra": {"pattern": r"^[0-9]{4}(-(W[0-9]{2}|Q[1-4]|[0-9]{2}(-[0-9]{2})?))?$"},
    "description": "2026-11, 2026-W45, 2026-Q4, 2026-11-05, 2026",
}
PeriodText = Annotated[str, Field(**PERIOD_LIMITS)]


def sane_moment(value: datetime | None) -> datetime | None:
    """A moment between 1970 and 2200 (no offset means UTC), else a 422."""
    if value is None:
        return None
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    if not EARLIEST <= aware < LATEST:
        raise ValueError("a date between 1970 and 2199 is needed")
    # Aware, as the UTC columns require: a naive one failed the query (a 500) before.
    return aware


Moment = Annotated[datetime, AfterValidator(sane_moment)]
