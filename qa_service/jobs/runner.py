"""Analysis jobs handed on by a batch import: to Celery, or run here one call at a time."""

from __future__ import annotations

from qa_service.config import Settings
from qa_service.jobs.worker import EmbeddedWorker, owner_name
from qa_service.store.db import Database


class JobRunner:
    """``features.imports.importer.AnalysisJobs`` over this process's job backend."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._worker: EmbeddedWorker | None = None

    def dispatch(self, job_id: int) -> None:
        """Hand a queued job to Celery; the embedded worker finds it in the table itself."""
        if self.settings.job_backend == "celery":
            from qa_service.jobs.celery_app import send_job

            try:
                send_job(self.settings, job_id)
            except Exception:  # it stays queued; the service publishes queued jobs on start
                return

    def run(self, job_ids: list[int]) -> int:
        from qa_service.jobs.tasks import Outcome, run_job

        if self._worker is None:
            self._worker = EmbeddedWorker(self.db, self.settings, threads=1)
        ran = 0
        for job_id in job_ids:
            outcome = run_job(self._worker.ctx, owner_name("import"), job_id)
            ran += outcome is Outcome.done
        return ran
