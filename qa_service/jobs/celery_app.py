"""Celery workers for more than one machine: ``celery -A qa_service.jobs.celery_app worker``
(or ``qa-service celery-worker``). Redis is the broker; the database stays the record of
every job, and the task is the same code the embedded worker runs.

Late acknowledgement plus ``reject_on_worker_lost`` puts a task back on the queue when the
process running it dies; the visibility timeout does the same when a whole worker vanishes.
The job's lease in the database keeps a redelivered task from running twice at once.
"""

from __future__ import annotations

import logging
import os
import socket
from functools import cache

from celery import Celery
from celery.signals import worker_process_init

from qa_service.config import Settings, get_settings
from qa_service.datafiles import prepare_data_dir
from qa_service.engines.registry import Engines
from qa_service.jobs.analyzer import make_analyzer
from qa_service.jobs.tasks import Outcome, WorkerContext, run_job
from qa_service.store.db import Database

log = logging.getLogger(__name__)

TASK_NAME = "qa_service.analyze_job"
PURGE_TASK = "qa_service.retention_purge"
QUEUE = "qa-analyze"


def make_celery(settings: Settings) -> Celery:
    celery = Celery("qa_service", broker=settings.redis_url)
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_default_queue=QUEUE,
        worker_prefetch_multiplier=1,
        broker_transport_options={
            "visibility_timeout": settings.celery_visibility_timeout_s,
            # Look for tasks of lost workers a few times per timeout, not every 100 s.
            "unacked_restore_interval": min(60, max(1, settings.celery_visibility_timeout_s // 4)),
            "unacked_restore_throttle": 1,
        },
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        # Sent by `celery beat` (one per deployment): retention, and deletions a crash cut short.
        beat_schedule={
            "retention-purge": {
                "task": PURGE_TASK,
                "schedule": settings.retention_purge_interval_s,
                "options": {"queue": QUEUE},
            }
        },
    )
    return celery


app = make_celery(get_settings())
_context: WorkerContext | None = None


def worker_context() -> WorkerContext:
    """This process's database, engines and analyzer, made once: one model load per process."""
    global _context
    if _context is None:
        settings = get_settings()
        # Also when started as `celery -A ...`: owner-only modes for what this worker writes.
        prepare_data_dir(settings)
        engines = Engines(settings)
        analyzer = make_analyzer(settings, engines)
        _context = WorkerContext(
            Database(settings.resolved_database_url()), settings, analyzer, engines
        )
    return _context


@worker_process_init.connect
def _load_models(**_kwargs) -> None:
    from qa_service.domain.checks import load_installed_checks

    load_installed_checks()  # the administrator's check types, before the first pack
    worker_context().analyzer.warm_up()


@app.task(name=TASK_NAME, bind=True, max_retries=None)
def analyze_job(self, job_id: int) -> str:
    ctx = worker_context()
    owner = f"celery:{socket.gethostname()}:{os.getpid()}:{self.request.id}"
    outcome = run_job(ctx, owner, job_id)
    if outcome is Outcome.busy:
        # Another process holds the lease: if it died, the lease runs out; look again then.
        wait = (ctx.queue.lease_left(job_id) or 0.0) + 0.5
        raise self.retry(countdown=wait)
    if outcome is Outcome.retry:
        raise self.retry(countdown=ctx.queue.wait_before_run(job_id))
    return outcome.value


@app.task(name=PURGE_TASK)
def retention_purge() -> dict:
    from qa_service.features.retention.service import purge

    ctx = worker_context()
    return purge(ctx.db, ctx.settings).model_dump(exclude={"call_ids"})


@cache
def _publisher(redis_url: str) -> Celery:
    return make_celery(get_settings().model_copy(update={"redis_url": redis_url}))


def send_job(settings: Settings, job_id: int) -> None:
    """Publish a queued job to the Celery workers."""
    _publisher(settings.redis_url).send_task(TASK_NAME, args=[job_id], queue=QUEUE)
