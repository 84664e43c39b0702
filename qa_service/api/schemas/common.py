"""Query and path parameters of the API, bounded like the features' schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator

from qa_service.features.schemas import MAX_DB_INT, PERIOD_LIMITS, sane_moment

Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=MAX_DB_INT)]
IdPath = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_DB_INT)]
ShortQuery = Annotated[str | None, Query(max_length=64)]
PeriodQuery = Annotated[str, Query(**PERIOD_LIMITS)]
MomentQuery = Annotated[
    datetime | None, Query(description="ISO 8601, 1970-2199."), AfterValidator(sane_moment)
]
