"""The task code both backends run: claim a job, analyse its call, store the result once."""

from __future__ import annotations

import logging
import threading
import traceback
from dataclasses import dataclass
from enum import StrEnum

from qa_service.config import Settings
from qa_service.engines.registry import Engines
from qa_service.errors import InputError, QAError
from qa_service.features.calls.analyse import analyse_call
from qa_service.jobs.analyzer import Analyzer
from qa_service.jobs.queue import Claim, JobQueue
from qa_service.store.calls import Call, apply_result
from qa_service.store.db import Database

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    done = "done"
    retry = "retry"  # failed, will be tried again
    failed = "failed"  # failed for good
    lost = "lost"  # the lease passed to another worker; our result was thrown away
    busy = "busy"  # another worker holds the job
    nothing = "nothing"  # no job to run


@dataclass(slots=True)
class WorkerContext:
    """What a worker process holds: the database, settings, its engines and one analyzer."""

    db: Database
    settings: Settings
    analyzer: Analyzer
    engines: Engines

    @property
    def queue(self) -> JobQueue:
        return JobQueue(self.db, self.settings.job_lease_s)


class Heartbeat:
    """Renews a claim's lease in the background while the job runs."""

    def __init__(self, queue: JobQueue, claim: Claim, interval_s: float) -> None:
        self.queue, self.claim, self.interval_s = queue, claim, interval_s
        self.stopped = threading.Event()
        self.lost = False
        self.thread = threading.Thread(
            target=self._run, name=f"heartbeat-{claim.job_id}", daemon=True
        )

    def _run(self) -> None:
        while not self.stopped.wait(self.interval_s):
            try:
                if not self.queue.heartbeat(self.claim):
                    self.lost = True
                    return
            except Exception:  # a busy database: try again next beat, the lease has slack
                log.warning("heartbeat of job %s failed", self.claim.job_id, exc_info=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stopped.set()
        self.thread.join()


def run_job(ctx: WorkerContext, owner: str, job_id: int | None = None) -> Outcome:
    """Claim a job (the next one, or ``job_id``), run it and record how it ended."""
    queue = ctx.queue
    claim = queue.claim(owner, job_id)
    if claim is None:
        return Outcome.busy if job_id is not None and queue.lease_left(job_id) else Outcome.nothing
    log.info("job %s (call %s) attempt %s by %s", claim.job_id, claim.call_id, claim.attempt, owner)
    try:
        with Heartbeat(queue, claim, ctx.settings.job_lease_s / 3):
            return _analyze_call(ctx, claim)
    except QAError as exc:
        # Bad input stays bad: failing again later would only hide it.
        permanent = isinstance(exc, InputError)
        return _record_failure(queue, claim, exc.message, permanent)
    except Exception as exc:
        log.error("job %s failed:\n%s", claim.job_id, traceback.format_exc())
        return _record_failure(queue, claim, f"{type(exc).__name__}: {exc}", permanent=False)


def _record_failure(queue: JobQueue, claim: Claim, message: str, permanent: bool) -> Outcome:
    status = queue.fail(claim, message, permanent)
    if status is None:
        return Outcome.lost
    return Outcome.failed if status == "failed" else Outcome.retry


def _analyze_call(ctx: WorkerContext, claim: Claim) -> Outcome:
    result = analyse_call(ctx.db, ctx.settings, ctx.engines, ctx.analyzer.analyze, claim.call_id)
    with ctx.db.session() as session:
        if not ctx.queue.close(session, claim):
            session.rollback()
            log.warning("job %s: lease lost to another worker; result discarded", claim.job_id)
            return Outcome.lost
        call = session.get(Call, claim.call_id)
        if call.purge_pending or call.transcript_purged_at is not None:
            # Deleted while it was analysed: the new transcript must not bring it back.
            log.info("job %s: call %s was deleted meanwhile", claim.job_id, call.id)
            return Outcome.done
        apply_result(session, call, result.to_dict())
    return Outcome.done
