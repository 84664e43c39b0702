from __future__ import annotations

from datetime import datetime
from typing import Any

from qa_service.features.schemas import ORMModel


class AuditEntryPublic(ORMModel):
    id: int
    at: datetime
    actor_id: int | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
