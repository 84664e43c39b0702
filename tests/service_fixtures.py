"""Fixtures for the service tests: real PostgreSQL and Redis servers, a fake analyzer whose
timing a test controls, small unique recordings, and a signed-in API client per role.

Test modules import the fixtures they use from here.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path

import numpy as np
import pytest

from qa_service.analysis.pipeline import AnalyzeOptions, transcript_from_dict
from qa_service.config import Settings
from qa_service.domain.results import CallResult
from qa_service.engines.registry import Engines
from qa_service.store.db import Database
from qa_service.store.migrate import upgrade
from tests.audio_fixtures import write_wav
from tests.conftest import CALLS_DIR, REPO, sqlite_copy

FAKE_DIR_ENV = "QA_FAKE_DIR"
FAKE_TRANSCRIPT = "en-billing-deflect"
BLOCK_FILE = "block"
FAIL_FILE = "fail"


# The fake analyzer ---------------------------------------------------------------------


class FakeAnalyzer:
    """Stands in for the pipeline in job tests: a real transcript (the ground truth of a
    shared call) through the real transcript re-entry, with timing a test controls.

    With ``$QA_FAKE_DIR`` set, it logs ``warm PID`` / ``start PID`` lines there, waits while
    a ``block`` file exists, and raises the text of a ``fail`` file if there is one.
    """

    def __init__(self, settings: Settings, engines: Engines | None = None) -> None:
        self.settings = settings
        folder = os.environ.get(FAKE_DIR_ENV)
        self.folder = Path(folder) if folder else None

    def _log(self, what: str) -> None:
        if self.folder is not None:
            with (self.folder / "events.log").open("a") as fh:
                fh.write(f"{what} {os.getpid()}\n")

    def warm_up(self) -> None:
        self._log("warm")

    def analyze(self, path: Path, options: AnalyzeOptions) -> CallResult:
        self._log("start")
        if self.folder is not None:
            deadline = time.monotonic() + 60
            while (self.folder / BLOCK_FILE).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            if (self.folder / FAIL_FILE).exists():
                raise RuntimeError((self.folder / FAIL_FILE).read_text().strip())
        truth = json.loads((CALLS_DIR / f"{FAKE_TRANSCRIPT}.json").read_text("utf-8"))
        data = {"turns": truth["turns"], "language": "en", "duration_s": truth["duration_s"]}
        # The transcript re-entry without the models: job tests must not need them.
        transcript = transcript_from_dict(data)
        result = CallResult(options.call_id or path.stem, transcript, metadata=options.metadata)
        result.source = {"path": str(path), "fake": True}
        self._log("done")
        return result


def fake_events(folder: Path) -> list[tuple[str, int]]:
    path = folder / "events.log"
    if not path.exists():
        return []
    return [
        (kind, int(pid))
        for kind, pid in (line.split() for line in path.read_text().split("\n") if line)
    ]


def wait_for(condition: Callable[[], object], timeout_s: float, what: str) -> object:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


# Recordings ----------------------------------------------------------------------------

_seeds = itertools.count(1)


def make_wav(path: Path, seconds: float = 1.0, rate: int = 8000, seed: int | None = None) -> Path:
    """A short stereo WAV whose bytes differ from every other one this session makes."""
    rng = np.random.default_rng(seed if seed is not None else next(_seeds) + os.getpid() * 1000)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    left = 0.3 * np.sin(2 * np.pi * rng.uniform(200, 900) * t) + 0.01 * rng.standard_normal(n)
    right = 0.3 * np.sin(2 * np.pi * rng.uniform(200, 900) * t) + 0.01 * rng.standard_normal(n)
    return write_wav(path, [left, right], rate)


def wav_bytes(tmp: Path, seconds: float = 1.0) -> bytes:
    return make_wav(tmp / f"w{next(_seeds)}.wav", seconds).read_bytes()


# Servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ensure_installed() -> None:
    if glob("/usr/lib/postgresql/*/bin/initdb") and shutil.which("redis-server"):
        return
    subprocess.run(["bash", str(REPO / "scripts" / "ensure-services.sh")], check=True)


def _pg_bin() -> Path:
    _ensure_installed()
    found = sorted(glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if not found:
        pytest.fail("PostgreSQL is not installed and could not be installed")
    return Path(found[-1])


def _as_postgres(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class PostgresServer:
    port: int
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def admin_url(self) -> str:
        return f"postgresql+psycopg://qa@127.0.0.1:{self.port}/postgres"

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://qa@127.0.0.1:{self.port}/{name}"

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=qa dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(sql)

    def create_database(self) -> str:
        name = f"qa_test_{os.getpid()}_{next(self._names)}"
        self._execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster in a temporary folder, stopped after the session."""
    pg = _pg_bin()
    root = Path(tempfile.mkdtemp(prefix="qa-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres(
            [
                str(pg / "initdb"),
                "-D",
                str(data),
                "-U",
                "qa",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    subprocess.run(
        _as_postgres(
            [
                str(pg / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield PostgresServer(port)
    finally:
        subprocess.run(
            _as_postgres([str(pg / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throwaway redis-server on a free local port, without persistence."""
    _ensure_installed()
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="qa-redis-"))
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    wait_for(lambda: _pings(client), 10, "redis-server to answer")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


# Databases -----------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    if kind == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'qa.db'}")
        name = None
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = server.create_database()
        db = Database(server.url(name))
    try:
        yield db
    finally:
        db.dispose()
        if name is not None:
            server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with no schema yet, on SQLite and on PostgreSQL."""
    with fresh_database(request.param, tmp_path, request) as db:
        yield db


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database, on SQLite (a copy of the session's migrated file) and on
    PostgreSQL."""
    if request.param == "sqlite":
        sqlite_copy(request.getfixturevalue("migrated_sqlite"), tmp_path / "qa.db")
    with fresh_database(request.param, tmp_path, request) as db:
        if request.param != "sqlite":
            upgrade(db)
        yield db


def service_settings(tmp_path: Path, database_url: str, **overrides) -> Settings:
    values = {
        "data_dir": tmp_path / "var",
        "database_url": database_url,
        "analyzer": "tests.service_fixtures:FakeAnalyzer",
        "job_lease_s": 30.0,
        "worker_poll_s": 0.1,
        "secret_key": "test-secret-key-that-is-long-enough-for-hs256",
        **overrides,
    }
    return Settings(**values)


def subprocess_env(settings: Settings, fake_dir: Path | None = None) -> dict[str, str]:
    """The environment that gives a worker subprocess the same settings as ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(
        {
            "QA_DATA_DIR": str(settings.data_dir),
            "QA_DATABASE_URL": settings.resolved_database_url(),
            "QA_ANALYZER": settings.analyzer,
            "QA_JOB_LEASE_S": str(settings.job_lease_s),
            "QA_WORKER_POLL_S": str(settings.worker_poll_s),
            "QA_REDIS_URL": settings.redis_url,
            "QA_JOB_BACKEND": settings.job_backend,
            "QA_CELERY_VISIBILITY_TIMEOUT_S": str(settings.celery_visibility_timeout_s),
            "PYTHONPATH": str(REPO),
        }
    )
    if fake_dir is not None:
        env[FAKE_DIR_ENV] = str(fake_dir)
    return env


def python_command(*args: str) -> list[str]:
    return [sys.executable, *args]
