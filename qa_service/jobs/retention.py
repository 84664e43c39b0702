"""The retention purge on a schedule: the embedded worker runs it every
``QA_RETENTION_PURGE_INTERVAL_S`` (first right after it starts); Celery deployments get the
same from ``celery beat`` (``qa-service celery-worker --beat``). Running it in several
processes at once is safe: each call is marked by one of them, and finishing is idempotent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from qa_service.config import Settings
from qa_service.features.retention.schemas import PurgeReport
from qa_service.features.retention.service import purge
from qa_service.store.db import Database

log = logging.getLogger(__name__)


class PurgeSchedule:
    def __init__(
        self, db: Database, settings: Settings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.db, self.settings, self.clock = db, settings, clock
        self.next_at = clock()

    def tick(self) -> PurgeReport | None:
        """Purge if the interval has passed; a failure is logged and tried next time."""
        if self.clock() < self.next_at:
            return None
        self.next_at = self.clock() + self.settings.retention_purge_interval_s
        try:
            return purge(self.db, self.settings)
        except Exception:
            log.exception(
                "retention purge failed; trying again in %s s",
                self.settings.retention_purge_interval_s,
            )
            return None
