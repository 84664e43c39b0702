"""One page of a listing: the total it was cut from, and the slice asked for."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def paginate(
    session: Session, query: Select, order_by: tuple[Any, ...], limit: int, offset: int
) -> dict[str, Any]:
    """``{"items", "total", "limit", "offset"}`` (the shape of ``Page``) for ``query``."""
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(*order_by).limit(limit).offset(offset)).all()
    return {"items": list(items), "total": total or 0, "limit": limit, "offset": offset}
