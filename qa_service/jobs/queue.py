"""The durable queue: jobs are rows; a worker holds a job by a lease it keeps renewing.

Claiming is one conditional UPDATE (plus ``SKIP LOCKED`` on PostgreSQL), so any number of
worker threads, processes or machines can share the table. A worker that dies stops renewing;
when its lease runs out the job is taken again, until ``max_attempts`` is used up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from qa_service.store.base import utcnow
from qa_service.store.calls import Call, CallStatus
from qa_service.store.db import Database
from qa_service.store.jobs import Job, JobStatus

# Seconds before a job that failed with a transient error is tried again, by attempt.
# The job kind of a call's analysis (the only kind so far).
ANALYZE = "analyze"
RETRY_BACKOFF_S = (2.0, 10.0, 60.0)


@dataclass(frozen=True, slots=True)
class Claim:
    job_id: int
    kind: str
    call_id: int | None
    payload: dict[str, Any]
    attempt: int
    owner: str


def enqueue(
    session: Session, kind: str, call_id: int | None, max_attempts: int, payload: dict | None = None
) -> Job:
    """Add a job in the caller's transaction: the call and its job commit together."""
    job = Job(kind=kind, call_id=call_id, payload=payload or {}, max_attempts=max_attempts)
    session.add(job)
    session.flush()
    return job


def _claimable(now: datetime):
    return or_(
        and_(Job.status == JobStatus.queued, Job.run_after <= now),
        and_(Job.status == JobStatus.running, Job.lease_expires_at < now),
    )


class JobQueue:
    def __init__(self, db: Database, lease_s: float) -> None:
        self.db = db
        self.lease_s = lease_s

    def claim(self, owner: str, job_id: int | None = None) -> Claim | None:
        """Take the oldest claimable job (or ``job_id``) for ``owner``; None if there is none."""
        self.give_up_dead()
        with self.db.session() as session:
            now = utcnow()
            query = select(Job.id).where(_claimable(now)).order_by(Job.id).limit(1)
            if job_id is not None:
                query = query.where(Job.id == job_id)
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            found = session.scalar(query)
            if found is None:
                return None
            taken = session.execute(
                update(Job)
                .where(Job.id == found, _claimable(now))
                .values(
                    status=JobStatus.running,
                    lease_owner=owner,
                    lease_expires_at=now + timedelta(seconds=self.lease_s),
                    attempts=Job.attempts + 1,
                    started_at=now,
                )
            )
            if taken.rowcount != 1:
                return None
            job = session.get(Job, found, populate_existing=True)
            if job.call_id is not None:
                session.execute(
                    update(Call)
                    .where(Call.id == job.call_id)
                    .values(status=CallStatus.processing, error=None)
                )
            return Claim(
                job.id, job.kind, job.call_id, dict(job.payload or {}), job.attempts, owner
            )

    def lease_left(self, job_id: int) -> float | None:
        """Seconds until another worker may take this running job; None if it is not running."""
        with self.db.session() as session:
            job = session.get(Job, job_id)
            if job is None or job.status != JobStatus.running or job.lease_expires_at is None:
                return None
            return max(0.0, (job.lease_expires_at - utcnow()).total_seconds())

    def wait_before_run(self, job_id: int) -> float:
        """Seconds until a job queued for a retry may run again."""
        with self.db.session() as session:
            job = session.get(Job, job_id)
            if job is None or job.status != JobStatus.queued:
                return 0.0
            return max(0.0, (job.run_after - utcnow()).total_seconds())

    def heartbeat(self, claim: Claim) -> bool:
        """Renew the lease; False when the job is no longer ours (taken over or finished)."""
        with self.db.session() as session:
            renewed = session.execute(
                update(Job)
                .where(self.held_by(claim))
                .values(lease_expires_at=utcnow() + timedelta(seconds=self.lease_s))
            )
            return renewed.rowcount == 1

    @staticmethod
    def held_by(claim: Claim):
        return and_(
            Job.id == claim.job_id,
            Job.status == JobStatus.running,
            Job.lease_owner == claim.owner,
        )

    def close(self, session: Session, claim: Claim) -> bool:
        """Mark the job done inside the caller's transaction, only if ``claim`` still holds it."""
        done = session.execute(
            update(Job)
            .where(self.held_by(claim))
            .values(status=JobStatus.done, finished_at=utcnow(), lease_expires_at=None)
        )
        return done.rowcount == 1

    def fail(self, claim: Claim, error: str, permanent: bool) -> str | None:
        """Record an error: retried later while attempts remain, else failed for good."""
        with self.db.session() as session:
            job = session.scalar(select(Job).where(self.held_by(claim)))
            if job is None:
                return None
            job.last_error = error
            job.lease_expires_at = None
            if permanent or job.attempts >= job.max_attempts:
                self._fail_for_good(session, job, error)
            else:
                backoff = RETRY_BACKOFF_S[min(job.attempts, len(RETRY_BACKOFF_S)) - 1]
                job.status = JobStatus.queued
                job.run_after = utcnow() + timedelta(seconds=backoff)
            return job.status

    def give_up_dead(self) -> int:
        """Fail jobs whose worker died on their last allowed attempt; returns how many."""
        with self.db.session() as session:
            dead = session.scalars(
                select(Job).where(
                    Job.status == JobStatus.running,
                    Job.lease_expires_at < utcnow(),
                    Job.attempts >= Job.max_attempts,
                )
            ).all()
            for job in dead:
                message = (
                    f"the worker stopped while running it (lease expired) "
                    f"on attempt {job.attempts} of {job.max_attempts}"
                )
                self._fail_for_good(session, job, message)
            return len(dead)

    @staticmethod
    def _fail_for_good(session: Session, job: Job, error: str) -> None:
        job.status = JobStatus.failed
        job.finished_at = utcnow()
        job.last_error = error
        job.lease_expires_at = None
        if job.call_id is not None:
            session.execute(
                update(Call)
                .where(Call.id == job.call_id)
                .values(status=CallStatus.failed, error=error)
            )
