"""The durable queue on SQLite and PostgreSQL: leases, heartbeats, retries, bounded failure."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from qa_service.engines.registry import Engines
from qa_service.errors import InputError
from qa_service.jobs import queue as queue_module
from qa_service.jobs.queue import JobQueue, enqueue
from qa_service.jobs.tasks import Outcome, WorkerContext, run_job
from qa_service.store.base import utcnow
from qa_service.store.calls import Call, CallStatus
from qa_service.store.db import Database
from qa_service.store.jobs import Job, JobStatus

pytest_plugins = ["tests.service_fixtures"]


def _jobs(db: Database, n: int, max_attempts: int = 3) -> list[int]:
    ids = []
    with db.session() as session:
        for k in range(n):
            call = Call(
                call_id=f"c{k}",
                content_sha256=f"{k:064d}",
                filename="f.wav",
                media_path=f"recordings/{k}.wav",
                media_format="wav",
                size_bytes=1,
            )
            session.add(call)
            session.flush()
            ids.append(enqueue(session, "analyze", call.id, max_attempts).id)
    return ids


def _job(db: Database, job_id: int) -> Job:
    with db.session() as session:
        return session.get(Job, job_id)


def _expire(db: Database, job_id: int) -> None:
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )


def test_a_claim_is_exclusive_until_its_lease_expires(database: Database) -> None:
    (job_id,) = _jobs(database, 1)
    queue = JobQueue(database, lease_s=60)
    claim = queue.claim("w1")
    assert claim is not None and (claim.job_id, claim.attempt) == (job_id, 1)
    assert queue.claim("w2") is None
    with database.session() as session:
        assert session.get(Call, claim.call_id).status == CallStatus.processing
    _expire(database, job_id)
    taken = queue.claim("w2")
    assert taken is not None and taken.attempt == 2
    # The first worker comes back to life: it may neither renew nor close the job.
    assert not queue.heartbeat(claim)
    with database.session() as session:
        assert not queue.close(session, claim)
        assert queue.close(session, taken)
    assert _job(database, job_id).status == JobStatus.done


def test_heartbeats_keep_the_lease(database: Database) -> None:
    _jobs(database, 1)
    queue = JobQueue(database, lease_s=60)
    claim = queue.claim("w1")
    before = _job(database, claim.job_id).lease_expires_at
    assert queue.heartbeat(claim)
    assert _job(database, claim.job_id).lease_expires_at >= before


def test_concurrent_workers_never_take_the_same_job(database: Database) -> None:
    ids = _jobs(database, 12)
    queue = JobQueue(database, lease_s=60)
    taken: list[int] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while (claim := queue.claim(name)) is not None:
            with lock:
                taken.append(claim.job_id)

    threads = [threading.Thread(target=work, args=(f"w{k}",)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == ids


def test_transient_errors_retry_then_fail_with_the_error(database: Database, monkeypatch) -> None:
    monkeypatch.setattr(queue_module, "RETRY_BACKOFF_S", (0.0,))
    (job_id,) = _jobs(database, 1, max_attempts=2)
    queue = JobQueue(database, lease_s=60)
    assert queue.fail(queue.claim("w"), "RuntimeError: disk hiccup", permanent=False) == "queued"
    assert queue.fail(queue.claim("w"), "RuntimeError: disk hiccup", permanent=False) == "failed"
    job = _job(database, job_id)
    assert (job.status, job.attempts, job.last_error) == ("failed", 2, "RuntimeError: disk hiccup")
    with database.session() as session:
        call = session.get(Call, job.call_id)
        assert (call.status, call.error) == (CallStatus.failed, "RuntimeError: disk hiccup")
    assert queue.claim("w") is None


def test_a_retry_waits_for_its_backoff(database: Database, monkeypatch) -> None:
    monkeypatch.setattr(queue_module, "RETRY_BACKOFF_S", (30.0,))
    (job_id,) = _jobs(database, 1)
    queue = JobQueue(database, lease_s=60)
    queue.fail(queue.claim("w"), "boom", permanent=False)
    assert queue.claim("w") is None
    assert 25 < queue.wait_before_run(job_id) <= 30


def test_a_worker_that_dies_on_the_last_attempt_fails_the_job(database: Database) -> None:
    (job_id,) = _jobs(database, 1, max_attempts=1)
    queue = JobQueue(database, lease_s=60)
    queue.claim("dead-worker")
    _expire(database, job_id)
    assert queue.claim("w2") is None
    job = _job(database, job_id)
    assert job.status == JobStatus.failed and "lease expired" in job.last_error


class _Raising:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def warm_up(self) -> None:
        pass

    def analyze(self, path, options):
        raise self.error


@pytest.mark.parametrize(
    ("error", "outcome", "status"),
    [
        (InputError("recording is damaged"), Outcome.failed, "failed"),
        (RuntimeError("out of memory"), Outcome.retry, "queued"),
    ],
)
def test_bad_input_fails_at_once_other_errors_retry(
    database: Database, tmp_path, error, outcome, status
) -> None:
    from tests.service_fixtures import service_settings

    settings = service_settings(tmp_path, database.url)
    (job_id,) = _jobs(database, 1)
    recording = tmp_path / "var" / "recordings" / "0.wav"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"RIFF")
    ctx = WorkerContext(database, settings, _Raising(error), Engines(settings))
    assert run_job(ctx, "w") is outcome
    job = _job(database, job_id)
    assert job.status == status and str(error.args[0]) in job.last_error


def test_a_language_model_that_cannot_be_reached_sends_the_job_back_to_the_queue(
    database: Database, tmp_path
) -> None:
    """The standard scorecard's questions, the endpoint down: retried later, never scored."""
    from tests.service_fixtures import FakeAnalyzer, free_port, service_settings

    settings = service_settings(
        tmp_path,
        database.url,
        llm_scope="all",
        llm_backend="endpoint",
        llm_endpoint_url=f"http://127.0.0.1:{free_port()}/v1",
        llm_endpoint_model="m",
        llm_retries=0,
        llm_timeout_s=2,
    )
    (job_id,) = _jobs(database, 1)
    recording = tmp_path / "var" / "recordings" / "0.wav"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"RIFF")
    ctx = WorkerContext(database, settings, FakeAnalyzer(settings), Engines(settings))
    assert run_job(ctx, "w") is Outcome.retry
    job = _job(database, job_id)
    assert job.status == "queued" and "unreachable after 1 attempt" in job.last_error
    with database.session() as session:
        call = session.get(Call, job.call_id)
        assert call.result is None and call.score_total is None
