"""Workers killed in the middle of a job: the job is redone, the call is analysed once, and
the upload is still there. Real subprocesses, real SIGKILL, a real Celery with Redis."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from qa_service.api.app import create_app
from qa_service.features.users.bootstrap import ensure_first_admin
from qa_service.store.calls import Call, FindingRecord
from qa_service.store.db import Database
from qa_service.store.jobs import Job
from tests.service_fixtures import (
    BLOCK_FILE,
    fake_events,
    make_wav,
    python_command,
    service_settings,
    subprocess_env,
    wait_for,
)

pytestmark = pytest.mark.api

pytest_plugins = ["tests.service_fixtures"]

LEASE_S = 2.0


@pytest.fixture
def fake_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "fake"
    folder.mkdir()
    (folder / BLOCK_FILE).touch()
    return folder


def _upload(settings, tmp_path: Path) -> tuple[int, Path]:
    """One call uploaded through the API (no worker inside); returns its id and file."""
    app = create_app(settings)
    with TestClient(app) as client:
        password = ensure_first_admin(app.state.db, settings)
        token = client.post("/api/auth/token", data={"username": "admin", "password": password})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        wav = make_wav(tmp_path / "crash.wav")
        reply = client.post(
            "/api/calls",
            headers=headers,
            files=[("files", ("crash.wav", wav.read_bytes(), "audio/wav"))],
            data={"agent_id": "A1", "team": "A"},
        )
    assert reply.status_code == 201, reply.text
    call = reply.json()["calls"][0]["call"]
    app.state.db.dispose()
    return call["id"], Path(settings.data_dir)


def _state(db: Database, call_id: int) -> tuple[str, int, int, str]:
    with db.session() as session:
        call = session.get(Call, call_id)
        job = session.scalar(select(Job).where(Job.call_id == call_id))
        findings = session.scalar(
            select(func.count(FindingRecord.id)).where(FindingRecord.call_id == call_id)
        )
        return call.status, job.attempts, findings, job.status


def _starts(fake_dir: Path) -> list[int]:
    return [pid for kind, pid in fake_events(fake_dir) if kind == "start"]


def _assert_analysed_once(db: Database, call_id: int, data_dir: Path) -> None:
    status, attempts, findings, job_status = _state(db, call_id)
    assert (status, job_status, attempts) == ("analysed", "done", 2)
    with db.session() as session:
        call = session.get(Call, call_id)
        assert findings == len(call.result["findings"]) > 0
        assert (data_dir / call.media_path).is_file()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def test_killed_embedded_worker_job_is_redone_once(tmp_path: Path, fake_dir: Path) -> None:
    settings = service_settings(
        tmp_path, f"sqlite:///{tmp_path / 'var' / 'qa.db'}", job_lease_s=LEASE_S
    )
    call_id, data_dir = _upload(settings, tmp_path)
    env = subprocess_env(settings, fake_dir)
    command = python_command("-m", "qa_service", "worker")
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _starts(fake_dir), 30, "the first worker to start the job")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        _stop(first)
    db = Database(settings.resolved_database_url())
    assert _state(db, call_id)[0] == "processing"
    # The service restarts later; the new worker takes the job once the dead one's lease ends.
    (fake_dir / BLOCK_FILE).unlink()
    second = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(lambda: _state(db, call_id)[0] == "analysed", 30, "the second worker to finish")
    finally:
        _stop(second)
    assert len(_starts(fake_dir)) == 2 and _starts(fake_dir)[1] != first.pid
    _assert_analysed_once(db, call_id, data_dir)
    db.dispose()


@pytest.fixture
def celery_settings(tmp_path: Path, redis_url: str):
    return service_settings(
        tmp_path,
        f"sqlite:///{tmp_path / 'var' / 'qa.db'}",
        job_lease_s=LEASE_S,
        job_backend="celery",
        redis_url=redis_url,
    )


def _celery_worker(settings, fake_dir: Path) -> subprocess.Popen:
    command = python_command(
        "-m",
        "celery",
        "-A",
        "qa_service.jobs.celery_app",
        "worker",
        "--concurrency=1",
        "--pool=prefork",
        "--queues=qa-analyze",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    )
    log = open(fake_dir / "celery.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        command, env=subprocess_env(settings, fake_dir), stdout=log, stderr=subprocess.STDOUT
    )


def test_killed_celery_worker_process_task_is_redelivered_once(
    tmp_path: Path, fake_dir: Path, celery_settings
) -> None:
    worker = _celery_worker(celery_settings, fake_dir)
    try:
        call_id, data_dir = _upload(celery_settings, tmp_path)
        wait_for(lambda: _starts(fake_dir), 60, "the Celery worker to start the task")
        child = _starts(fake_dir)[0]
        assert child != worker.pid  # the task runs in a pool process, not the main one
        os.kill(child, signal.SIGKILL)
        (fake_dir / BLOCK_FILE).unlink()
        db = Database(celery_settings.resolved_database_url())
        wait_for(lambda: _state(db, call_id)[0] == "analysed", 60, "the redelivered task")
        _assert_analysed_once(db, call_id, data_dir)
        starts = _starts(fake_dir)
        assert len(starts) == 2 and starts[1] != child
        # One model load per worker process: the replacement process warmed up once.
        warm = [pid for kind, pid in fake_events(fake_dir) if kind == "warm"]
        assert sorted(warm) == sorted(set(warm)) and starts[1] in warm
        db.dispose()
    finally:
        _stop(worker)


def test_lost_celery_worker_task_comes_back_after_the_visibility_timeout(
    tmp_path: Path, fake_dir: Path, redis_url: str
) -> None:
    """The whole worker (main process and pool) dies, as when its machine is lost: the
    unacknowledged task returns to the queue after the visibility timeout."""
    settings = service_settings(
        tmp_path,
        f"sqlite:///{tmp_path / 'var' / 'qa.db'}",
        job_lease_s=LEASE_S,
        job_backend="celery",
        redis_url=redis_url.replace("/0", "/1"),
        celery_visibility_timeout_s=3,
    )
    first = _celery_worker(settings, fake_dir)
    try:
        call_id, data_dir = _upload(settings, tmp_path)
        wait_for(lambda: _starts(fake_dir), 60, "the Celery worker to start the task")
        child = _starts(fake_dir)[0]
        os.kill(first.pid, signal.SIGKILL)
        os.kill(child, signal.SIGKILL)
        first.wait(10)
    finally:
        _stop(first)
    (fake_dir / BLOCK_FILE).unlink()
    second = _celery_worker(settings, fake_dir)
    try:
        db = Database(settings.resolved_database_url())
        wait_for(lambda: _state(db, call_id)[0] == "analysed", 60, "the restored task")
        _assert_analysed_once(db, call_id, data_dir)
        db.dispose()
    finally:
        _stop(second)
